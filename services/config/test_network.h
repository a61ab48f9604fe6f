#pragma once
// Test support (not part of config): a complete sample network as the
// set-up steps produce it, in a temporary directory. Keys come from seeds,
// so every run builds the same files; the dealing runs through the real
// deal_coin_files.

#include "quorum/sim/seeded_random.h"
#include "services/config/key_files.h"
#include "services/config/setup.h"

#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace quorumclear::config::testing {

/// A fresh directory, removed with everything in it when the value dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qc-config-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// network.json with members of all four roles, three currencies, venue
/// members, instruments with valid ISINs, limits and default limits,
/// holdings, cash and a default fund. node_count is left out: clearctl
/// genesis takes it from the node files.
inline std::string sample_network_json() {
  return R"({
  "format": 1,
  "network_name": "demo",
  "business": {"time_zone": "Europe/Berlin", "cutoff_time": "17:30", "first_business_date": "2026-12-01",
               "holidays": ["2026-12-24", "2026-12-25"], "settlement_cycle_max_days": 2,
               "late_trade_window_days": 1, "allegation_expiry_days": 1,
               "max_open_reports_per_member": 10000, "submitter_must_be_proposer": true},
  "currencies": [{"code": "EUR", "minor_units": 2}, {"code": "USD", "minor_units": 2},
                 {"code": "JPY", "minor_units": 0}],
  "members": [
    {"member_id": "BANK_A", "name": "Bank A", "role": "CLEARING_MEMBER", "node_id": 0},
    {"member_id": "BANK_B", "name": "Bank \"B\" AG", "role": "CLEARING_MEMBER", "node_id": 1},
    {"member_id": "BANK_C", "name": "Bänk C", "role": "CLEARING_MEMBER", "node_id": 2},
    {"member_id": "VENUE_X", "name": "Venue X MTF", "role": "TRADING_VENUE", "node_id": 3},
    {"member_id": "OPS", "name": "Network operator", "role": "OPERATOR"},
    {"member_id": "REG", "name": "Regulator", "role": "REGULATOR"}
  ],
  "instruments": [
    {"isin": "DE0001102580", "currency": "EUR", "price_scale": 2, "band_low": "0.01", "band_high": "10000.00",
     "suspended": false},
    {"isin": "US0378331005", "currency": "USD", "price_scale": 4, "band_low": "0.0001", "band_high": "5000",
     "suspended": false},
    {"isin": "DE0007164600", "currency": "EUR", "price_scale": 3, "band_low": "1.5", "band_high": "999.999",
     "suspended": true}
  ],
  "limits": [
    {"member_id": "BANK_A", "max_gross_notional": "50000000.00", "max_net_position": 1000000,
     "max_gross_quantity": 5000000},
    {"member_id": "BANK_B", "max_gross_notional": "25000000", "max_net_position": 500000,
     "max_gross_quantity": 2500000}
  ],
  "default_limits": {"max_gross_notional": "1000000.5", "max_net_position": 10000, "max_gross_quantity": 50000},
  "securities": [
    {"member_id": "BANK_A", "isin": "DE0001102580", "quantity": 100000},
    {"member_id": "BANK_B", "isin": "US0378331005", "quantity": 0},
    {"member_id": "CCP", "isin": "DE0001102580", "quantity": 5000}
  ],
  "cash": [
    {"member_id": "BANK_A", "currency": "EUR", "amount": "1000000.00"},
    {"member_id": "BANK_B", "currency": "JPY", "amount": "150000000"},
    {"member_id": "BANK_C", "currency": "USD", "amount": "0.07"}
  ],
  "default_fund": [
    {"member_id": "BANK_A", "currency": "EUR", "amount": "100000.00"},
    {"member_id": "BANK_C", "currency": "EUR", "amount": "50000"}
  ],
  "venue_members": [{"venue": "VENUE_X", "member": "BANK_A"}, {"venue": "VENUE_X", "member": "BANK_C"}]
}
)";
}

/// The Ed25519 seed of node i in a sample network made from `seed`.
inline std::array<std::uint8_t, 32> signing_seed(std::uint64_t seed, std::size_t node) {
  std::array<std::uint8_t, 32> s{};
  quorum::sim::seeded_random(seed * 1000 + node)(s);
  return s;
}

/// The public files of a network of n nodes in `dir`, as keygen and deal make them.
struct SampleNetwork {
  std::filesystem::path network;
  std::vector<std::filesystem::path> node_files;
  std::filesystem::path coin_shares;
  std::filesystem::path dealing_dir;  // coin-share-<i>.key
};

inline SampleNetwork make_sample_network(const std::filesystem::path& dir, std::size_t n,
                                         std::uint64_t seed) {
  SampleNetwork out;
  std::filesystem::create_directories(dir);
  out.network = dir / "network.json";
  write_text(out.network, sample_network_json());
  for (std::size_t i = 0; i < n; ++i) {
    NodePublicFile node;
    node.node_id = static_cast<std::uint16_t>(i);
    const auto pin_source = signing_seed(seed + 7, i);
    node.tls_pin = quorum::sha256(std::span(pin_source));
    quorum::SigningSecretKey secret{};
    crypto_sign_seed_keypair(node.signing_key.data(), secret.data(), signing_seed(seed, i).data());
    out.node_files.push_back(dir / ("node-" + std::to_string(i) + ".public.json"));
    write_text(out.node_files.back(), node_public_json(node));
  }
  out.dealing_dir = dir / "dealing";
  const auto dealt = deal_coin_files(n, out.dealing_dir, quorum::sim::seeded_random(seed));
  if (std::holds_alternative<ConfigError>(dealt))
    throw std::runtime_error(std::get<ConfigError>(dealt).what());
  out.coin_shares = out.dealing_dir / kCoinPublicSharesFile;
  return out;
}

}  // namespace quorumclear::config::testing
