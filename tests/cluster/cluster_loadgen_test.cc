// Proves `clearctl loadgen` against a real cluster: it submits the mix to
// every node for a few seconds, reports throughput and latency, and its
// exactly-once check agrees with the databases: every trade it counts as
// confirmed is CONFIRMED once on each node, and nothing else of its run is.

#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>

#include <regex>

namespace quorumclear::testing {
namespace {

std::vector<std::string> loadgen_args(Cluster& c, std::vector<std::string> extra) {
  std::vector<std::string> args = {"loadgen", "--genesis", (c.dir() / "genesis.json").string(), "--tokens",
                                   (c.dir() / "tokens").string()};
  for (std::size_t i = 0; i < c.size(); ++i) {
    args.insert(args.end(), {"--node", c.api_url(i), "--cacert", (c.node_dir(i) / "tls.crt").string()});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::uint64_t number_before(const std::string& out, const std::string& what) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(\\d+) " + what))) return 0;
  return std::stoull(m[1]);
}

TEST(ClusterLoadgen, SubmitsTheMixToEveryNodeAndItsExactlyOnceCheckAgreesWithTheDatabases) {
  Cluster c;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);
  std::string out;
  const int status = c.clearctl(loadgen_args(c, {"--duration", "4", "--rate", "400", "--duplicate-share", "0.05",
                                                 "--invalid-share", "0.02", "--seed", "3"}),
                                &out);
  ASSERT_EQ(status, 0) << out;
  std::cout << out;
  EXPECT_NE(out.find("-> OK"), std::string::npos) << out;
  const std::uint64_t confirmed = number_before(out, "trades on every node");
  EXPECT_GT(confirmed, 1'000u) << out;  // about 1,600 valid trades in 4 s at 400/s
  EXPECT_GT(number_before(out, "two-sided"), 0u);
  EXPECT_GT(number_before(out, "venue"), 0u);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("DUPLICATE (\\d+), refused by validation (\\d+)"))) << out;
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_GT(std::stoull(m[2]), 0u);
  ASSERT_TRUE(std::regex_search(out, m, std::regex("p50 ([0-9.]+) +p90 ([0-9.]+) +p99 ([0-9.]+)"))) << out;
  EXPECT_LE(std::stod(m[1]), std::stod(m[3]));

  // The databases agree: each confirmed trade of the run is booked once
  // everywhere (a two-sided trade's two reports, a venue's one).
  const auto booked = rows_everywhere(
      c, "SELECT count(DISTINCT trade_id) FROM trades WHERE status = 'CONFIRMED' AND trade_id LIKE 'L%'");
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(booked[i], (std::vector<std::string>{std::to_string(confirmed) + "|"})) << "node " << i;
  }
  const auto twice = rows_everywhere(c,
                                     "SELECT count(*) FROM (SELECT submitter, trade_id FROM trades WHERE trade_id LIKE "
                                     "'L%' GROUP BY 1, 2 HAVING count(*) > 1) AS t");
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(twice[i], (std::vector<std::string>{"0|"})) << "node " << i;
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
}

}  // namespace
}  // namespace quorumclear::testing
