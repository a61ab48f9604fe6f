// Proves every node of a real cluster serves a /metrics page that promtool
// accepts, on its ops listener only, whose counts agree with what the test
// submitted, and whose labels stay bounded after thousands of trades (no
// trade id, member text or free text becomes a label value).

#include "tests/cluster/cluster_checks.h"
#include "services/metrics/test_metrics_page.h"

#include <gtest/gtest.h>

#include <set>

namespace quorumclear::testing {
namespace {

using metrics::testing::metric_value;
using metrics::testing::MetricSample;
using metrics::testing::parse_metrics;
using metrics::testing::run_promtool;

constexpr int kPairs = 1'000, kRounds = 3, kVenue = 100;

std::string bulk(const std::string& prefix, int round, int count, const std::string& buyer, const std::string& seller,
                 const std::string& isin, const std::string& price) {
  std::string body = "[";
  for (int k = 0; k < count; ++k) {
    body += (k ? "," : "") + report_json(prefix + std::to_string(round) + "-" + std::to_string(k), buyer, seller,
                                         isin, 10, price);
  }
  return body + "]";
}

TEST(ClusterMetrics, EveryNodesPagePassesPromtoolAgreesWithTheLoadAndKeepsLabelsBounded) {
  Cluster c;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  for (int round = 0; round < kRounds; ++round) {
    const std::string pairs = bulk("P-", round, kPairs, "BANK_A", "BANK_B", "DE0007164600", "10.00");
    ASSERT_EQ(c.api(0, "POST", "/v1/trades/bulk", c.token("BANK_A"), pairs).status, 202);
    ASSERT_EQ(c.api(1, "POST", "/v1/trades/bulk", c.token("BANK_B"), pairs).status, 202);
    const std::string venue = bulk("V-", round, kVenue, "BANK_C", "BANK_A", "US0378331005", "150.25");
    ASSERT_EQ(c.api(3, "POST", "/v1/trades/bulk", c.token("VENUE"), venue).status, 202);
  }
  const HttpAnswer invalid = c.api(0, "POST", "/v1/trades", c.token("BANK_A"),
                                   report_json("BAD-1", "BANK_B", "BANK_C", "DE0007164600", 10, "10.00"));
  ASSERT_EQ(invalid.status, 403) << invalid.body;
  const double booked = kRounds * (kPairs + kVenue);

  std::vector<std::vector<MetricSample>> pages(c.size());
  const auto scrape = [&](std::size_t i) {
    const HttpAnswer page = c.ops(i, "/metrics");
    pages[i] = page.status == 200 ? parse_metrics(page.body) : std::vector<MetricSample>{};
    return page;
  };
  ASSERT_TRUE(eventually([&] {
    for (std::size_t i = 0; i < c.size(); ++i) {
      scrape(i);
      if (metric_value(pages[i], "quorumclear_trades_confirmed_total") != booked) return false;
    }
    return true;
  })) << "confirmed: " << metric_value(pages[0], "quorumclear_trades_confirmed_total").value_or(-1);

  for (std::size_t i = 0; i < c.size(); ++i) {
    SCOPED_TRACE("node " + std::to_string(i));
    const HttpAnswer page = scrape(i);
    EXPECT_EQ(page.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    std::string lint;
    EXPECT_EQ(run_promtool("check metrics", page.body, &lint), 0) << lint;
    std::vector<std::string> malformed;
    const std::vector<MetricSample>& s = pages[i] = parse_metrics(page.body, &malformed);
    EXPECT_TRUE(malformed.empty()) << malformed.front();

    // Consistent with the load: every epoch decided and applied, every
    // peer connected, both sides' reports counted where they arrived.
    EXPECT_GT(metric_value(s, "quorumclear_epochs_decided_total").value_or(0), 0);
    EXPECT_GT(metric_value(s, "quorumclear_epochs_applied_total").value_or(0), 0);
    EXPECT_GT(metric_value(s, "quorumclear_epoch_duration_seconds_count").value_or(0), 0);
    EXPECT_GT(metric_value(s, "quorumclear_postgres_apply_seconds_count").value_or(0), 0);
    EXPECT_GT(metric_value(s, "quorumclear_aba_rounds_total").value_or(0), 0);
    EXPECT_EQ(metric_value(s, "quorumclear_trade_reports_alleged_total"), kRounds * kPairs);
    EXPECT_EQ(metric_value(s, "quorumclear_trade_reports_unmatched"), 0);
    EXPECT_EQ(metric_value(s, "quorumclear_postgres_up"), 1);
    EXPECT_EQ(metric_value(s, "quorumclear_state_diverged"), 0);
    for (std::size_t p = 0; p < c.size(); ++p) {
      if (p == i) continue;
      EXPECT_EQ(metric_value(s, "quorumclear_peer_up", {{"peer", std::to_string(p)}}), 1) << "peer " << p;
    }
    const double received = i == 0 || i == 1 ? kRounds * kPairs : i == 3 ? kRounds * kVenue : 0;
    EXPECT_EQ(metric_value(s, "quorumclear_trade_reports_received_total"), received);
    EXPECT_GT(metric_value(s, "process_resident_memory_bytes").value_or(0), 0);

    // Bounded labels: each label of each metric takes few values, and the
    // page stays small, whatever the number of trades.
    std::map<std::pair<std::string, std::string>, std::set<std::string>> values;
    for (const MetricSample& m : s) {
      for (const auto& [name, value] : m.labels) values[{m.name, name}].insert(value);
    }
    for (const auto& [key, seen] : values) {
      EXPECT_LE(seen.size(), 64u) << key.first << "{" << key.second << "}";
    }
    EXPECT_LT(s.size(), 2'500u);
  }
  // The later side of each pair arrived at node 1 (BANK_B), the venue's at node 3.
  EXPECT_GT(metric_value(pages[1], "quorumclear_confirmation_latency_seconds_count").value_or(0), 0);
  EXPECT_GT(metric_value(pages[3], "quorumclear_confirmation_latency_seconds_count").value_or(0), 0);
  EXPECT_EQ(metric_value(pages[0], "quorumclear_trade_reports_invalid_total", {{"reason", "SUBMITTER_NOT_PARTY"}}),
            1);
  EXPECT_GT(metric_value(pages[0], "quorumclear_http_requests_total",
                         {{"listener", "api"}, {"route", "/v1/trades/bulk"}, {"status", "202"}})
                .value_or(0),
            0);

  // Never on the member API's port.
  EXPECT_EQ(c.api(0, "GET", "/metrics", c.token("BANK_A")).status, 404);
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
}

}  // namespace
}  // namespace quorumclear::testing
