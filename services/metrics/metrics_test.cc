// The metrics layer on its own: histogram buckets, what one applied epoch
// and a settlement run count, and the exposition's text (names, types,
// cumulative buckets, labels from code and genesis only). promtool's own
// check of a live node's page is in tests/cluster (ClusterMetrics).
#include "services/metrics/exposition.h"
#include "services/metrics/test_metrics_page.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

namespace quorumclear::metrics {
namespace {

using settlement::testing::acme_trade;
using settlement::testing::kWednesday;

TEST(Histogram, CountsEachValueInTheFirstBucketThatHoldsIt) {
  constexpr std::array<double, 3> bounds = {1, 2, 5};
  Histogram h(bounds);
  for (const double v : {0.5, 1.0, 1.5, 5.0, 7.0}) h.observe(v);
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{2, 1, 1, 1}));  // le=1 holds 1.0; +Inf holds 7
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 15.0);
}

TEST(Histogram, QuantilesInterpolateWithinTheirBucketAsPrometheusDoes) {
  constexpr std::array<double, 3> bounds = {1, 2, 4};
  Histogram h(bounds);
  EXPECT_FALSE(quantile(h, 0.5).has_value());
  for (int i = 0; i < 10; ++i) h.observe(1.5);  // all in (1, 2]
  EXPECT_DOUBLE_EQ(*quantile(h, 0.5), 1.5);
  EXPECT_DOUBLE_EQ(*quantile(h, 0.9), 1.9);
  h.observe(100);                                 // +Inf: reported as the highest bound
  EXPECT_DOUBLE_EQ(*quantile(h, 0.99), 4);
}

class LedgerCountersTest : public ::testing::Test {
 protected:
  LedgerCountersTest() {
    settlement::Genesis g = settlement::testing::small_genesis();
    g.cash = {{settlement::MemberId::of("A"), settlement::CurrencyCode::of("EUR"), settlement::AmountMinor{1'000'000}}};
    g.securities = {{settlement::MemberId::of("B"), settlement::testing::kAcme, settlement::Quantity{1'000}}};
    ledger_.emplace(settlement::testing::load(g), settlement::LedgerOptions{{1, 2}, true, 0});
  }
  settlement::EpochResult apply(const std::vector<std::pair<std::uint16_t, settlement::Bytes>>& batches) {
    return settlement::testing::apply_epoch(*ledger_, epoch_++, batches);
  }
  std::optional<settlement::Ledger> ledger_;
  std::uint64_t epoch_ = 0;
};

TEST_F(LedgerCountersTest, CountsOutcomesRejectionsByReasonAndTheRunsNetting) {
  LedgerCounters c;
  const settlement::ReferenceData& ref = ledger_->reference();
  auto matched = settlement::testing::matched_batches(
      ref, {acme_trade("1", "A", "B", 10, 1'000, kWednesday), acme_trade("2", "B", "A", 4, 1'100, kWednesday)});
  settlement::Trade lonely = acme_trade("3", "A", "C", 1, 1'000, kWednesday);
  settlement::Trade out_of_band = acme_trade("4", "A", "C", 1, 1, kWednesday);  // below the band's 1.00
  matched.emplace_back(0, settlement::testing::batch_of({lonely, out_of_band}));
  std::vector<settlement::EpochBatch> batches;
  for (const auto& [node, bytes] : matched) batches.push_back({node, bytes});
  c.count(apply(matched), batches, ref);
  EXPECT_EQ(c.epochs_applied, 1u);
  EXPECT_EQ(c.trades_confirmed, 2u);
  EXPECT_EQ(c.reports_alleged, 3u);  // the first side of each pair, and the lonely one
  EXPECT_EQ(c.reports_rejected[static_cast<std::uint8_t>(settlement::Reason::kPriceOutsideBand)], 1u);
  EXPECT_EQ(c.batch_bytes.count(), batches.size());
  EXPECT_EQ(c.epoch_reports.count(), 1u);

  const settlement::Bytes cut_off = settlement::testing::batch_of({settlement::CutOff{settlement::MemberId::of("OPS"), kWednesday}});
  c.count(apply({{3, cut_off}, {4, cut_off}}), std::vector<settlement::EpochBatch>{{3, cut_off}, {4, cut_off}}, ref);
  EXPECT_EQ(c.settlement_runs, 1u);
  ASSERT_TRUE(c.last_run_date.has_value());
  EXPECT_EQ(*c.last_run_date, kWednesday);
  ASSERT_EQ(c.last_run_netting.size(), 1u);
  const LedgerCounters::CurrencyNetting& eur = c.last_run_netting[0];
  EXPECT_EQ(eur.currency, "EUR");
  EXPECT_EQ(eur.trade_count, 2u);
  EXPECT_EQ(eur.gross_minor, 10'000 + 4'400);
  EXPECT_EQ(eur.net_minor, 10'000 - 4'400);
  EXPECT_GT(c.obligations_settled, 0u);
  EXPECT_EQ(c.obligations_failed, 0u);
}

NodeSnapshot busy_snapshot() {
  NodeSnapshot s;
  s.node = 2;
  s.version = "0.1.0";
  s.core.engine_epoch = 41;
  s.core.last_applied = 40;
  s.core.last_committed = 39;
  s.core.last_certified = 37;
  s.engine.epochs_decided = 41;
  s.engine.messages_sent[0] = 7;
  s.ledger.trades_confirmed = 1'234;
  s.ledger.reports_rejected[static_cast<std::uint8_t>(settlement::Reason::kLimitNetPosition)] = 3;
  s.ledger.last_run_netting = {{"EUR", 100, 40, 2, 6'000}};
  for (const double v : {0.002, 0.03, 0.03, 200.0}) s.io.confirmation_latency.observe(v);
  s.io.faults[{"RBC_BAD_STRIPE", 1}] = 2;
  s.io.faults[{"DIVERGED", -1}] = 1;
  s.api.requests[{"api", "/v1/trades", 202}] = 10;
  s.api.requests[{"api", "", 404}] = 1;
  for (const std::uint16_t p : std::initializer_list<std::uint16_t>{0, 1, 3}) {
    net::PeerStats peer;
    peer.id = quorum::NodeId{p};
    peer.connected = p != 3;
    peer.reconnects = p;
    s.transport.peers.push_back(peer);
  }
  s.ingest_used = 5;
  s.ingest_capacity = 100;
  s.process = read_process_stats();
  return s;
}

TEST(Exposition, NamesEveryValueInPrometheusFormWithCumulativeBuckets) {
  const std::string text = render_prometheus(busy_snapshot());
  std::vector<std::string> malformed;
  const std::vector<testing::MetricSample> all = testing::parse_metrics(text, &malformed);
  EXPECT_TRUE(malformed.empty()) << malformed.front();
  const auto find = [&](const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    return testing::metric_value(all, name, labels);
  };
  EXPECT_EQ(find("quorumclear_trades_confirmed_total"), 1'234);
  EXPECT_EQ(find("quorumclear_epoch_last_applied"), 40);
  EXPECT_EQ(find("quorumclear_certificate_lag_epochs"), 3);  // 38, 39, 40
  EXPECT_EQ(find("quorumclear_apply_backlog_epochs"), 1);
  EXPECT_EQ(find("quorumclear_trade_reports_rejected_total", {{"reason", "LIMIT_NET_POSITION"}}), 3);
  EXPECT_EQ(find("quorumclear_netting_efficiency_ratio", {{"currency", "EUR"}}), 0.6);
  EXPECT_EQ(find("quorumclear_faults_total", {{"kind", "RBC_BAD_STRIPE"}, {"peer", "1"}}), 2);
  EXPECT_EQ(find("quorumclear_faults_total", {{"kind", "DIVERGED"}, {"peer", "none"}}), 1);
  EXPECT_EQ(find("quorumclear_peer_up", {{"peer", "3"}}), 0);
  EXPECT_EQ(find("quorumclear_peer_up", {{"peer", "1"}}), 1);
  EXPECT_EQ(find("quorumclear_http_requests_total", {{"listener", "api"}, {"route", "unmatched"}, {"status", "404"}}),
            1);
  EXPECT_EQ(find("quorumclear_quorum_messages_sent_total", {{"type", "RBC_VAL"}}), 7);
  EXPECT_EQ(find("quorumclear_node_info", {{"node", "2"}, {"version", "0.1.0"}}), 1);
  EXPECT_GT(find("process_resident_memory_bytes").value_or(0), 0);
  EXPECT_GT(find("process_open_fds").value_or(0), 0);
  // Cumulative, ending at +Inf with the count.
  EXPECT_EQ(find("quorumclear_confirmation_latency_seconds_bucket", {{"le", "0.0025"}}), 1);
  EXPECT_EQ(find("quorumclear_confirmation_latency_seconds_bucket", {{"le", "0.05"}}), 3);
  EXPECT_EQ(find("quorumclear_confirmation_latency_seconds_bucket", {{"le", "+Inf"}}), 4);
  EXPECT_EQ(find("quorumclear_confirmation_latency_seconds_count"), 4);

  // One HELP and TYPE per family; counters end in _total, histograms in a base unit.
  std::set<std::string> typed;
  std::istringstream in(text);
  static const std::regex type_line(R"(^# TYPE (\S+) (counter|gauge|histogram)$)");
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, type_line)) continue;
    EXPECT_TRUE(typed.insert(m[1]).second) << "twice: " << m[1];
    const std::string name = m[1];
    if (m[2] == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    EXPECT_TRUE(name.starts_with("quorumclear_") || name.starts_with("process_")) << name;
  }
  EXPECT_GT(typed.size(), 60u);
}

TEST(ProcessStats, ReadsThisProcess) {
  const ProcessStats p = read_process_stats();
  EXPECT_GT(p.resident_bytes, 1'000'000);
  EXPECT_GT(p.start_time_seconds, 1.6e9);
  EXPECT_GE(p.cpu_seconds, 0);
  EXPECT_GE(p.max_fds, p.open_fds);
}

}  // namespace
}  // namespace quorumclear::metrics
