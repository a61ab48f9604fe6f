// Measures the ledger on one core: applying 1,000,000 trades over 500
// instruments in batches of 1,000 reports (10 batches per epoch), two ways,
// and the cut-off that nets and settles them.
//  - Two-sided: each trade reported by both parties, each report in the
//    batch of its submitter's own node (genesis binds them), the counter
//    report in the same epoch or a later one: 2,000,000 reports.
//  - Locked-in: the same trades submitted once by a trading venue, which
//    needs no second side: 1,000,000 reports, the single-report path.
// The difference is what matching costs per trade.
#include "settlement/ledger.h"
#include "settlement/test_support.h"

#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <random>

namespace quorumclear::settlement {
namespace {

constexpr std::size_t kMembers = 50;
constexpr std::size_t kInstruments = 500;
constexpr std::size_t kTrades = 1'000'000;
constexpr std::size_t kBatchReports = 1'000;
constexpr std::size_t kBatchesPerEpoch = 10;
// 31 nodes, the largest supported network: members 0..28 run nodes 0..28
// and trade with each other (each reports its own side), the venue runs
// node 29, the operator node 30. Genesis refuses two members on one node,
// so members 29..49 run none and, with submitters bound to their nodes,
// cannot report: they hold balances and do not trade.
constexpr std::uint16_t kTradingMembers = 29;
constexpr std::uint16_t kVenueNode = kTradingMembers;
constexpr std::uint16_t kOpsNode = kVenueNode + 1;

std::string member_name(std::size_t i) { return "MEMBER" + std::to_string(i); }

Genesis bench_genesis() {
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}};
  for (std::size_t i = 0; i < kMembers; ++i) {
    const std::optional<std::uint16_t> node =
        i < kTradingMembers ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(i)) : std::nullopt;
    g.members.push_back({MemberId::of(member_name(i)), "Member", Role::kClearingMember, node});
  }
  g.members.push_back({MemberId::of("VENUE"), "Venue", Role::kTradingVenue, kVenueNode});
  g.members.push_back({MemberId::of("OPS"), "Operator", Role::kOperator, kOpsNode});
  for (std::size_t i = 0; i < kInstruments; ++i) {
    const Isin isin = testing::synthetic_isin(i);
    g.instruments.push_back({isin, CurrencyCode::of("EUR"), 2, Price{100}, Price{100'000}, false});
    for (std::size_t m = 0; m < kMembers; ++m) {
      g.securities.push_back({MemberId::of(member_name(m)), isin, Quantity{10'000'000}});
    }
  }
  for (std::size_t m = 0; m < kMembers; ++m) {
    g.limits.push_back({MemberId::of(member_name(m)),
                        {AmountMinor{1'000'000'000'000'000}, Quantity{1'000'000'000},
                         Quantity{1'000'000'000'000}}});
    g.cash.push_back({MemberId::of(member_name(m)), CurrencyCode::of("EUR"),
                      AmountMinor{1'000'000'000'000'000}});
    g.venue_members.push_back({MemberId::of("VENUE"), MemberId::of(member_name(m))});
  }
  g.first_business_date = testing::kWednesday;
  g.node_count = kOpsNode + 1;
  return g;
}

using Epochs = std::vector<std::vector<std::pair<std::uint16_t, Bytes>>>;

struct Workload {
  ReferenceData reference = testing::load(bench_genesis());
  Epochs two_sided;
  Epochs locked_in;
  std::vector<std::pair<std::uint16_t, Bytes>> cut_off;
  std::size_t counter_same_epoch = 0;  // counter reports in their trade's first epoch

  Workload() {
    std::mt19937_64 rng(42);
    std::vector<Trade> trades;
    trades.reserve(kTrades);
    // Each epoch, 10 of the 29 member nodes propose in turn. A node's batch
    // carries first the counter reports its member owes (the counterparties'
    // trades since its last batch, oldest first), then new trades of its own.
    std::vector<std::deque<std::pair<std::size_t, std::uint64_t>>> owed(kTradingMembers);
    std::size_t reports = 0;
    for (std::uint64_t e = 0; reports < 2 * kTrades; ++e) {
      std::vector<std::pair<std::uint16_t, Bytes>> epoch;
      for (std::size_t k = 0; k < kBatchesPerEpoch && reports < 2 * kTrades; ++k) {
        const auto node = static_cast<std::uint16_t>((e * kBatchesPerEpoch + k) % kTradingMembers);
        std::vector<Entry> entries;
        entries.reserve(kBatchReports);
        while (!owed[node].empty() && entries.size() < kBatchReports) {
          const auto [t, first_epoch] = owed[node].front();
          owed[node].pop_front();
          entries.push_back(testing::counter_report(trades[t]));
          counter_same_epoch += first_epoch == e;
        }
        while (entries.size() < kBatchReports && trades.size() < kTrades) {
          trades.push_back(random_trade(rng, node, trades.size()));
          const Trade& t = trades.back();
          const std::uint16_t other = t.buyer == t.submitter ? index_of(t.seller) : index_of(t.buyer);
          owed[other].emplace_back(trades.size() - 1, e);
          entries.push_back(t);
        }
        reports += entries.size();
        if (!entries.empty()) epoch.emplace_back(node, testing::batch_of(std::move(entries)));
      }
      two_sided.push_back(std::move(epoch));
    }
    // The same trades, locked-in: the venue's batches of 1,000.
    for (std::size_t b = 0; b < kTrades / kBatchReports; ++b) {
      if (b % kBatchesPerEpoch == 0) locked_in.emplace_back();
      std::vector<Entry> entries;
      entries.reserve(kBatchReports);
      for (std::size_t t = b * kBatchReports; t < (b + 1) * kBatchReports; ++t) {
        Trade venue = trades[t];
        venue.submitter = MemberId::of("VENUE");
        entries.push_back(venue);
      }
      locked_in.back().emplace_back(kVenueNode, testing::batch_of(std::move(entries)));
    }
    // The operator's cut-off as f+1 nodes propose it: it takes effect at the last.
    const Bytes request = testing::batch_of({CutOff{MemberId::of("OPS"), testing::kWednesday}});
    for (std::uint16_t node = 0; node <= reference.max_faulty_nodes(); ++node) {
      cut_off.emplace_back(node, request);
    }
  }

  static std::uint16_t index_of(const MemberId& id) {
    return static_cast<std::uint16_t>(std::stoi(std::string(id.view().substr(6))));
  }

  static Trade random_trade(std::mt19937_64& rng, std::uint16_t member, std::size_t id) {
    const std::size_t other = (member + 1 + rng() % (kTradingMembers - 1)) % kTradingMembers;
    Trade trade = testing::acme_trade("T" + std::to_string(id), member_name(member),
                                      member_name(other), 1 + static_cast<std::int64_t>(rng() % 1000),
                                      100 + static_cast<std::int64_t>(rng() % 90'000),
                                      testing::kWednesday);
    if (rng() % 2 == 0) std::swap(trade.buyer, trade.seller);
    trade.isin = testing::synthetic_isin(rng() % kInstruments);
    trade.client_ref = ClientRef::of("bench");
    return trade;
  }
};

const Workload& workload() {
  static const Workload w;
  return w;
}

/// `keys`: the registry's capacity hint, one per report.
std::unique_ptr<Ledger> fresh_ledger(std::size_t keys) {
  return std::make_unique<Ledger>(workload().reference, LedgerOptions{{7, 11}, false, keys});
}

void apply_all(Ledger& ledger, const Epochs& epochs) {
  std::uint64_t e = 0;
  for (const auto& epoch : epochs) {
    const EpochResult r = testing::apply_epoch(ledger, e++, epoch);
    benchmark::DoNotOptimize(r.state_digest);
  }
}

// Every trade booked exactly once, nothing left open.
bool all_booked(const Ledger& ledger) {
  const MatchingStats s = ledger.matching_stats();
  return s.matched + s.locked_in == kTrades && s.open_reports == 0 && s.refused_over_limit == 0;
}

// The CSV reporter wants the same counters on every benchmark.
void set_counters(benchmark::State& state, double epochs, double reports, double same_epoch) {
  state.counters["epochs"] = epochs;
  state.counters["trades"] = static_cast<double>(kTrades);
  state.counters["reports"] = reports;
  state.counters["counter_same_epoch"] = same_epoch;
  state.counters["obligations"] = 0;
  state.counters["efficiency_bps"] = 0;
}

void apply_bench(benchmark::State& state, const Epochs& epochs, std::size_t reports) {
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Ledger> ledger = fresh_ledger(reports);
    state.ResumeTiming();
    apply_all(*ledger, epochs);
    state.PauseTiming();
    if (ledger->trade_count() != reports || !all_booked(*ledger)) {
      state.SkipWithError("not every trade was booked once");
    }
    ledger.reset();
    state.ResumeTiming();
  }
}

void BM_ApplyTwoSided(benchmark::State& state) {
  const Workload& w = workload();
  apply_bench(state, w.two_sided, 2 * kTrades);
  set_counters(state, static_cast<double>(w.two_sided.size()), 2.0 * kTrades,
               static_cast<double>(w.counter_same_epoch));
}
BENCHMARK(BM_ApplyTwoSided)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_ApplyLockedIn(benchmark::State& state) {
  const Workload& w = workload();
  apply_bench(state, w.locked_in, kTrades);
  set_counters(state, static_cast<double>(w.locked_in.size()), kTrades, 0);
}
BENCHMARK(BM_ApplyLockedIn)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_CutOffNetsMillionTrades(benchmark::State& state) {
  set_counters(state, 1, 0, 0);
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Ledger> ledger = fresh_ledger(2 * kTrades);
    apply_all(*ledger, workload().two_sided);
    const std::uint64_t epoch = workload().two_sided.size();
    state.ResumeTiming();
    const EpochResult r = testing::apply_epoch(*ledger, epoch, workload().cut_off);
    state.PauseTiming();
    if (r.reports.size() != 1 || r.reports[0].status != RunStatus::kSettled) {
      state.SkipWithError("cut-off did not settle");
    } else {
      state.counters["obligations"] = static_cast<double>(r.reports[0].obligations.size());
      state.counters["efficiency_bps"] = r.reports[0].totals.at(0).efficiency_bps;
    }
    ledger.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_CutOffNetsMillionTrades)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace quorumclear::settlement

BENCHMARK_MAIN();
