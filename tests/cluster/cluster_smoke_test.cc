// Proves a real four-node cluster confirms trades end to end: both sides of
// two-sided trades, each submitted at its own member's node over HTTPS, and a
// venue trade become CONFIRMED on all four nodes, whose databases then hold
// identical trades, positions and cash rows, identical epoch digests and
// certificates of 2f+1 signatures.

#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>

namespace quorumclear::testing {
namespace {

TEST(ClusterSmoke, TwoSidedAndVenueTradesConfirmIdenticallyOnAllFourNodes) {
  Cluster c;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  const std::string t1 = report_json("T-1", "BANK_A", "BANK_B", "DE0007164600", 100, "10.50");
  HttpAnswer a = c.api(0, "POST", "/v1/trades", c.token("BANK_A"), t1);
  ASSERT_EQ(a.status, 202) << a.body;
  a = c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t1);
  ASSERT_EQ(a.status, 202) << a.body;
  a = c.api(3, "POST", "/v1/trades", c.token("VENUE"), report_json("V-1", "BANK_C", "BANK_A", "US0378331005", 7, "150.25"));
  ASSERT_EQ(a.status, 202) << a.body;

  const auto confirmed = [&](std::size_t node, const std::string& member, const std::string& id) {
    const HttpAnswer r = c.api(node, "GET", "/v1/trades/" + id, c.token(member));
    return r.status == 200 && r.body.find("\"CONFIRMED\"") != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] {
    return confirmed(0, "BANK_A", "T-1") && confirmed(1, "BANK_B", "T-1") && confirmed(3, "VENUE", "V-1");
  })) << c.api(0, "GET", "/v1/trades/T-1", c.token("BANK_A")).body << "\n" << c.log_of(0);

  // Every node holds the same rows once all have applied the same epochs.
  ASSERT_TRUE(eventually([&] {
    const auto counts = rows_everywhere(c, "SELECT count(*) FROM trades WHERE status = 'CONFIRMED'");
    for (const auto& n : counts) if (n != std::vector<std::string>{"3|"}) return false;
    return true;
  }));
  const std::string trades_sql =
      "SELECT submitter, trade_id, version, status, quantity, price, consideration_minor, epoch FROM trades "
      "ORDER BY submitter, trade_id, version";
  const auto trades = rows_everywhere(c, trades_sql);
  const auto positions = rows_everywhere(c, "SELECT * FROM positions ORDER BY 1, 2, 3");
  const auto cash = rows_everywhere(c, "SELECT * FROM cash_positions ORDER BY 1, 2, 3");
  for (std::size_t i = 1; i < c.size(); ++i) {
    EXPECT_EQ(trades[i], trades[0]) << "node " << i;
    EXPECT_EQ(positions[i], positions[0]) << "node " << i;
    EXPECT_EQ(cash[i], cash[0]) << "node " << i;
  }
  EXPECT_EQ(trades[0].size(), 3u);
  EXPECT_FALSE(positions[0].empty());

  // The epoch that confirmed T-1: same digests everywhere, 2f+1 signatures.
  const std::string epoch_of = rows_everywhere(c, "SELECT epoch FROM trades WHERE trade_id = 'T-1' AND "
                                                  "submitter = 'BANK_B'")[0][0];
  const std::string e = epoch_of.substr(0, epoch_of.size() - 1);
  ASSERT_TRUE(eventually([&] {
    for (const auto& n : rows_everywhere(c, "SELECT count(*) FROM epoch_signatures WHERE epoch = " + e)) {
      if (n.empty() || std::stoi(n[0]) < 3) return false;
    }
    return true;
  }));
  const auto digests = rows_everywhere(c, "SELECT output_digest, state_digest, audit_head FROM epochs WHERE epoch = " + e);
  for (std::size_t i = 1; i < c.size(); ++i) EXPECT_EQ(digests[i], digests[0]) << "node " << i;
  const HttpAnswer cert = c.api(2, "GET", "/v1/epochs/" + e, c.token("BANK_C"));
  EXPECT_EQ(cert.status, 200) << cert.body;
  EXPECT_NE(cert.body.find("\"certified\":true"), std::string::npos) << cert.body;

  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_FALSE(c.running(i));
}

}  // namespace
}  // namespace quorumclear::testing
