// Measures the ledger on one core: applying 1,000,000 trades over 50 members
// and 500 instruments in batches of 1,000 (10 batches per epoch), and the
// cut-off that nets and settles those 1,000,000 trades.
#include "settlement/ledger.h"
#include "settlement/test_support.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <random>

namespace quorumclear::settlement {
namespace {

constexpr std::size_t kMembers = 50;
constexpr std::size_t kInstruments = 500;
constexpr std::size_t kTrades = 1'000'000;
constexpr std::size_t kBatchTrades = 1'000;
constexpr std::size_t kBatchesPerEpoch = 10;
// 31 nodes, the largest supported network: members 0..29 run nodes 0..29
// and submit the batches, the operator runs the last, and members 30..49
// run none (genesis refuses two members on one node) and trade as
// counterparties.
constexpr std::uint16_t kMemberNodes = 30;
constexpr std::uint16_t kOpsNode = kMemberNodes;

std::string member_name(std::size_t i) { return "MEMBER" + std::to_string(i); }

Genesis bench_genesis() {
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}};
  for (std::size_t i = 0; i < kMembers; ++i) {
    const std::optional<std::uint16_t> node =
        i < kMemberNodes ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(i)) : std::nullopt;
    g.members.push_back({MemberId::of(member_name(i)), "Member", Role::kClearingMember, node});
  }
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
  }
  g.first_business_date = testing::kWednesday;
  g.node_count = kOpsNode + 1;
  return g;
}

struct Workload {
  ReferenceData reference = testing::load(bench_genesis());
  std::vector<std::vector<std::pair<std::uint16_t, Bytes>>> epochs;
  std::vector<std::pair<std::uint16_t, Bytes>> cut_off;

  Workload() {
    std::mt19937_64 rng(42);
    std::vector<std::pair<std::uint16_t, Bytes>> epoch;
    std::uint64_t id = 0;
    for (std::size_t b = 0; b < kTrades / kBatchTrades; ++b) {
      const auto member = static_cast<std::uint16_t>(b % kMemberNodes);
      const auto node = member;
      std::vector<Entry> entries;
      entries.reserve(kBatchTrades);
      for (std::size_t t = 0; t < kBatchTrades; ++t) {
        const std::size_t other = (member + 1 + rng() % (kMembers - 1)) % kMembers;
        Trade trade = testing::acme_trade("T" + std::to_string(id++), member_name(member),
                                          member_name(other), 1 + static_cast<std::int64_t>(rng() % 1000),
                                          100 + static_cast<std::int64_t>(rng() % 90'000),
                                          testing::kWednesday);
        if (rng() % 2 == 0) std::swap(trade.buyer, trade.seller);
        trade.isin = testing::synthetic_isin(rng() % kInstruments);
        trade.client_ref = ClientRef::of("bench");
        entries.push_back(trade);
      }
      epoch.emplace_back(node, testing::batch_of(std::move(entries)));
      if (epoch.size() == kBatchesPerEpoch) epochs.push_back(std::move(epoch)), epoch.clear();
    }
    // The operator's cut-off as f+1 nodes propose it: it takes effect at the last.
    const Bytes request = testing::batch_of({CutOff{MemberId::of("OPS"), testing::kWednesday}});
    for (std::uint16_t node = 0; node <= reference.max_faulty_nodes(); ++node) {
      cut_off.emplace_back(node, request);
    }
  }
};

const Workload& workload() {
  static const Workload w;
  return w;
}

std::unique_ptr<Ledger> fresh_ledger() {
  return std::make_unique<Ledger>(workload().reference, LedgerOptions{{7, 11}, false, kTrades});
}

void apply_all(Ledger& ledger) {
  std::uint64_t e = 0;
  for (const auto& epoch : workload().epochs) {
    const EpochResult r = testing::apply_epoch(ledger, e++, epoch);
    benchmark::DoNotOptimize(r.state_digest);
  }
}

void BM_ApplyMillionTrades(benchmark::State& state) {
  const Workload& w = workload();
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Ledger> ledger = fresh_ledger();
    state.ResumeTiming();
    apply_all(*ledger);
    state.PauseTiming();
    if (ledger->trade_count() != kTrades) state.SkipWithError("not every trade was decided");
    ledger.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kTrades));
  // The CSV reporter wants the same counters on every benchmark.
  state.counters["epochs"] = static_cast<double>(w.epochs.size());
  state.counters["obligations"] = 0;
  state.counters["efficiency_bps"] = 0;
}
BENCHMARK(BM_ApplyMillionTrades)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_CutOffNetsMillionTrades(benchmark::State& state) {
  state.counters["epochs"] = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Ledger> ledger = fresh_ledger();
    apply_all(*ledger);
    const std::uint64_t epoch = workload().epochs.size();
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
