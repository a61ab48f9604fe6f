// quorum-sim: runs seeded simulations of n quorum engines under an adversary
// and checks every invariant; exits non-zero on any violation and prints the
// one command line that replays each failing seed.

#include "quorum/memory_budget.h"
#include "quorum/sim/sim.h"

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

using quorumclear::quorum::sim::AdversaryKind;
using quorumclear::quorum::sim::SimConfig;

constexpr std::string_view kUsage =
    "usage: quorum-sim [--n N] [--seeds COUNT] [--seed-start S] [--adversary NAME|all]\n"
    "                  [--epochs E] [--first-epoch F] [--batch TXS] [--tx-bytes B]\n"
    "                  [--delay MIN:MAX] [--dup P] [--slow P] [--partition HEAL_MS] [--budget DELIVERIES]\n"
    "                  [--quiet]\n"
    "N: a supported network size, 4 .. 31\n"
    "adversaries: none crash equivocate bad-stripes bad-branches bad-coin both-votes replay\n"
    "             flood issue59 byzantine crash-restart overlong all\n";

struct Options {
  SimConfig base;
  std::uint64_t seeds = 1;
  bool all_adversaries = false;
  bool quiet = false;
};

bool parse_u64(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse_option(Options& o, std::string_view name, std::string_view value) {
  std::uint64_t u = 0;
  if (name == "--adversary") {
    if (value == "all") return o.all_adversaries = true;
    const auto kind = quorumclear::quorum::sim::parse_adversary(value);
    if (kind) o.base.adversary = *kind;
    return kind.has_value();
  }
  if (name == "--dup" || name == "--slow") {
    double& p = name == "--dup" ? o.base.duplicate : o.base.slow;
    char* end = nullptr;
    const std::string text(value);
    p = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && p >= 0 && p <= 1;
  }
  if (name == "--delay") {
    const auto colon = value.find(':');
    std::uint64_t lo = 0, hi = 0;
    if (colon == std::string_view::npos || !parse_u64(value.substr(0, colon), lo) ||
        !parse_u64(value.substr(colon + 1), hi) || lo > hi) {
      return false;
    }
    o.base.delay_min_ms = lo;
    o.base.delay_max_ms = hi;
    return true;
  }
  if (!parse_u64(value, u)) return false;
  if (name == "--n") return (o.base.n = u), quorumclear::quorum::is_supported_network_size(u);
  if (name == "--seeds") return (o.seeds = u) >= 1;
  if (name == "--seed-start") return (o.base.seed = u), true;
  if (name == "--epochs") return (o.base.epochs = u) >= 1;
  if (name == "--first-epoch") return (o.base.first_epoch = u), true;
  if (name == "--batch") return (o.base.batch_txs = u) <= 1'000'000;
  if (name == "--tx-bytes") return (o.base.tx_bytes = u) >= 16 && u <= 65536;
  if (name == "--partition") return o.base.partition = true, (o.base.partition_heal_ms = u), true;
  if (name == "--budget") return (o.base.delivery_budget = u), true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quiet") {
      options.quiet = true;
      continue;
    }
    if (arg == "--help" || arg == "-h" || i + 1 >= argc || !parse_option(options, arg, argv[i + 1])) {
      std::cerr << (arg == "--help" || arg == "-h" ? "" : "bad option: " + std::string(arg) + "\n") << kUsage;
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
    ++i;
  }
  std::vector<AdversaryKind> kinds{options.base.adversary};
  if (options.all_adversaries) kinds.assign(std::begin(quorumclear::quorum::sim::kAllAdversaries),
                                            std::end(quorumclear::quorum::sim::kAllAdversaries));
  std::uint64_t runs = 0, failed = 0, epochs = 0, deliveries = 0, bytes = 0, rounds = 0, instances = 0;
  std::uint32_t rounds_max = 0;
  std::size_t peer_peak = 0;
  for (AdversaryKind kind : kinds) {
    for (std::uint64_t s = 0; s < options.seeds; ++s) {
      SimConfig config = options.base;
      config.adversary = kind;
      config.seed = options.base.seed + s;
      const auto result = quorumclear::quorum::sim::run_simulation(config);
      ++runs;
      epochs += result.decided_epochs;
      deliveries += result.deliveries;
      bytes += result.delivered_bytes;
      rounds += result.aba_rounds;
      instances += result.aba_instances;
      rounds_max = std::max(rounds_max, result.aba_rounds_max);
      peer_peak = std::max(peer_peak, result.peer_stripe_peak);
      if (!options.quiet || !result.ok()) std::cout << summary_line(config, result) << "\n";
      if (result.ok()) continue;
      ++failed;
      for (const auto& v : result.violations) std::cout << "  violation: " << v << "\n";
      std::cout << "  replay: " << replay_command(config) << "\n";
    }
  }
  const double per_epoch = epochs == 0 ? 0.0 : 1.0 / static_cast<double>(epochs);
  std::cout << "total runs=" << runs << " failed=" << failed << " decided_epochs=" << epochs
            << " msgs/epoch=" << static_cast<std::uint64_t>(static_cast<double>(deliveries) * per_epoch)
            << " bytes/epoch=" << static_cast<std::uint64_t>(static_cast<double>(bytes) * per_epoch)
            << " aba_rounds_mean="
            << (instances == 0 ? 0.0 : static_cast<double>(rounds) / static_cast<double>(instances))
            << " aba_rounds_max=" << rounds_max << " peer_peak=" << peer_peak
            << " peer_bound=" << quorumclear::quorum::peer_stripe_bytes_bound(options.base.n)
            << " peer_budget=" << quorumclear::quorum::kPeerStripeBudgetBytes << "\n";
  return failed == 0 ? 0 : 1;
}
