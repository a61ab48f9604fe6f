// Proves a real Prometheus, scraping a 4-node cluster under load with the
// repo's own alert rules, sees the confirmed-trade and epoch rates the load
// makes (both non-zero and consistent with what was submitted), and fires
// QuorumclearNodeDown for a node that was stopped, naming that node.

#include "tests/cluster/cluster_checks.h"
#include "tests/cluster/prometheus_server.h"

#include <gtest/gtest.h>

#include <iostream>
#include <thread>

namespace quorumclear::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kRounds = 12, kPairs = 250;

TEST(ClusterPrometheus, SeesTheLoadsRatesAndFiresNodeDownForAStoppedNode) {
  Cluster c;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < c.size(); ++i) targets.push_back("127.0.0.1:" + std::to_string(c.ops_port(i)));
  PrometheusServer prometheus(c.dir() / "prometheus", targets);
  ASSERT_TRUE(prometheus.wait_ready(60s)) << prometheus.log();
  ASSERT_TRUE(eventually([&] { return prometheus.query("up{job=\"quorumclear\"} == 1").size() == c.size(); }, 30s))
      << prometheus.last_error() << prometheus.log();

  // Steady load for about 12 s: both sides of 250 trades a second.
  const auto load_started = std::chrono::steady_clock::now();
  double rate_seen = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::string body = "[";
    for (int k = 0; k < kPairs; ++k) {
      body += (k ? "," : "") + report_json("P-" + std::to_string(round) + "-" + std::to_string(k), "BANK_A", "BANK_B",
                                           "DE0007164600", 10, "10.00");
    }
    body += "]";
    ASSERT_EQ(c.api(0, "POST", "/v1/trades/bulk", c.token("BANK_A"), body).status, 202);
    ASSERT_EQ(c.api(1, "POST", "/v1/trades/bulk", c.token("BANK_B"), body).status, 202);
    for (const PromSample& s : prometheus.query("rate(quorumclear_trades_confirmed_total[5s])")) {
      rate_seen = std::max(rate_seen, s.value);
    }
    std::this_thread::sleep_until(load_started + (round + 1) * 1s);
  }
  const double booked = kRounds * kPairs;
  EXPECT_GT(rate_seen, 0) << "Prometheus saw no confirmed-trade rate during the load: " << prometheus.last_error();

  // Once every node booked them all (as Prometheus scraped it), the
  // increase over the load's window is what was submitted, on each node.
  ASSERT_TRUE(eventually([&] {
    const auto totals = prometheus.query("quorumclear_trades_confirmed_total");
    if (totals.size() != c.size()) return false;
    for (const PromSample& s : totals) {
      if (s.value != booked) return false;
    }
    return true;
  }, 60s)) << prometheus.last_error();
  std::this_thread::sleep_for(2s);  // a scrape or two after the last trade
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - load_started) + 5s;
  const std::string range = "[" + std::to_string(window.count()) + "s]";
  const auto increases = prometheus.query("increase(quorumclear_trades_confirmed_total" + range + ")");
  ASSERT_EQ(increases.size(), c.size()) << prometheus.last_error();
  for (const PromSample& s : increases) {
    // increase() extrapolates to the window's edges: a little above, never far.
    EXPECT_GE(s.value, booked * 0.95) << s.labels.at("instance");
    EXPECT_LE(s.value, booked * 1.2) << s.labels.at("instance");
  }
  const auto rates = prometheus.query("sum(rate(quorumclear_trades_confirmed_total" + range + ")) / " +
                                      std::to_string(c.size()));
  ASSERT_EQ(rates.size(), 1u) << prometheus.last_error();
  EXPECT_GE(rates[0].value * static_cast<double>(window.count()), booked * 0.95);
  EXPECT_LE(rates[0].value * static_cast<double>(window.count()), booked * 1.2);

  // Epochs: a non-zero rate, and no more epochs than the nodes applied.
  const auto epoch_rates = prometheus.query("rate(quorumclear_epochs_applied_total" + range + ")");
  ASSERT_EQ(epoch_rates.size(), c.size()) << prometheus.last_error();
  const auto last_applied = prometheus.query("min(quorumclear_epoch_last_applied)");
  ASSERT_EQ(last_applied.size(), 1u);
  for (const PromSample& s : epoch_rates) {
    EXPECT_GT(s.value, 0) << s.labels.at("instance");
    EXPECT_LE(s.value * static_cast<double>(window.count()), (last_applied[0].value + 1) * 1.2)
        << s.labels.at("instance");
  }
  EXPECT_TRUE(prometheus.firing("QuorumclearNodeDown").empty());
  std::cout << "Prometheus: confirmed-trade rate up to " << rate_seen << "/s during the load; "
            << increases[0].value << " confirmed over " << window.count() << " s (" << booked
            << " submitted); epoch rate " << epoch_rates[0].value << "/s\n";

  // Node 2 stops: its target goes down and, after the rule's 30 s, the
  // alert fires for that instance alone.
  c.signal(2, SIGKILL);
  const std::string down = "127.0.0.1:" + std::to_string(c.ops_port(2));
  ASSERT_TRUE(eventually([&] { return !prometheus.firing("QuorumclearNodeDown").empty(); }, 75s))
      << prometheus.last_error();
  const auto alerts = prometheus.firing("QuorumclearNodeDown");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].at("instance"), down);
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i != 2) c.signal(i, SIGTERM);
  }
}

}  // namespace
}  // namespace quorumclear::testing
