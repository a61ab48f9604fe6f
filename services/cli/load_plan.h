#pragma once
// What `clearctl loadgen` sends, as a deterministic sequence: valid
// two-sided trades (one report from each party, each at its own member's
// node), venue trades (one report from the venue, for two members it may
// submit for) and a share of reports validation must refuse (a price
// outside the instrument's band). Pure: the command adds the clock, the
// threads and the HTTP; the unit tests check the mix, the parties and the
// reports' bodies here.

#include "settlement/reference_data.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::cli {

struct LoadParty {
  std::string member;
  std::uint16_t node = 0;
};

struct LoadInstrument {
  std::string isin;
  std::string currency;
  int price_scale = 2;
  std::int64_t band_low = 0;   // in units of 10^-price_scale
  std::int64_t band_high = 0;
};

/// Who may trade what, from genesis: clearing members that run a node,
/// venues that run one with the members they may submit for, the
/// unsuspended instruments, and the dates every trade carries.
struct LoadUniverse {
  std::vector<LoadParty> clearing;
  struct Venue {
    LoadParty venue;
    std::vector<std::string> members;  // clearing members it may submit for (at least two)
  };
  std::vector<Venue> venues;
  std::vector<LoadInstrument> instruments;
  std::string trade_date;       // YYYY-MM-DD: the open business date
  std::string settlement_date;  // T+0
};

/// Builds the universe; an error names what genesis lacks (fewer than two
/// clearing members with a node, no instrument). Members of `excluded_node`
/// (a node that is down for the run) take no part.
[[nodiscard]] std::variant<LoadUniverse, std::string> load_universe(const settlement::Genesis& genesis,
                                                                    const std::string& open_date,
                                                                    std::optional<std::uint16_t> excluded_node);

enum class LoadKind : std::uint8_t { kTwoSided, kVenue, kInvalid };

/// One report as POST /v1/trades/bulk takes it, and where it goes.
struct LoadReport {
  std::uint16_t node = 0;
  std::string submitter;
  std::string json;
};

struct LoadTrade {
  LoadKind kind = LoadKind::kTwoSided;
  std::string trade_id;
  std::vector<LoadReport> reports;  // two for kTwoSided, else one
};

struct LoadMix {
  double venue_share = 0.5;     // of the valid trades
  double invalid_share = 0.01;  // of all trades
};

class LoadPlan {
 public:
  /// Preconditions: shares in [0, 1]. Trade ids are `prefix` + a sequence number.
  LoadPlan(LoadUniverse universe, LoadMix mix, std::uint64_t seed, std::string prefix);
  [[nodiscard]] LoadTrade next();
  [[nodiscard]] const LoadUniverse& universe() const { return universe_; }

 private:
  std::uint64_t random();
  [[nodiscard]] double uniform() { return static_cast<double>(random() >> 11) * 0x1.0p-53; }
  std::string body(const std::string& id, const std::string& buyer, const std::string& seller,
                   const LoadInstrument& instrument, std::int64_t quantity, std::int64_t price) const;

  LoadUniverse universe_;
  LoadMix mix_;
  std::uint64_t state_;
  std::string prefix_;
  std::uint64_t sequence_ = 0;
};

/// p50/p90/p99/max of latencies in milliseconds (nearest rank); all zero
/// when empty. Sorts `samples`.
struct LatencyPercentiles {
  std::size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};
[[nodiscard]] LatencyPercentiles percentiles(std::vector<double>& samples);

}  // namespace quorumclear::cli
