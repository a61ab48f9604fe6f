// Proves the end-of-day batch on a real four-node cluster: the scheduled
// cut-off (every node's clock injected through its clock file) and the
// operator's cut-off each produce exactly one settlement run, with the same
// report digest on all four nodes, served by the API and filed by every
// node as data_dir/reports/<date>.json (the API's body) and <date>.csv.

#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace quorumclear::testing {
namespace {

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool confirmed(Cluster& c, std::size_t node, const std::string& member, const std::string& id) {
  const HttpAnswer r = c.api(node, "GET", "/v1/trades/" + id, c.token(member));
  return r.status == 200 && r.body.find("\"CONFIRMED\"") != std::string::npos;
}

// Waits until every node serves the run of `date`, then checks that all
// of them report the same digest and filed it; returns node 0's body.
std::string expect_one_run_everywhere(Cluster& c, const std::string& date) {
  std::vector<std::string> bodies(c.size());
  EXPECT_TRUE(eventually([&] {
    for (std::size_t i = 0; i < c.size(); ++i) {
      const HttpAnswer r = c.api(i, "GET", "/v1/settlement-runs/" + date, c.token("OPS"));
      if (r.status != 200) return false;
      bodies[i] = r.body;
    }
    return true;
  })) << date << " was not settled everywhere\n" << c.log_of(0);
  const auto digests = rows_everywhere(c, "SELECT business_date, report_digest FROM settlement_runs WHERE "
                                          "business_date = '" + date + "'");
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(digests[i].size(), 1u) << "node " << i << " holds one run of " << date;
    EXPECT_EQ(digests[i], digests[0]) << "node " << i;
    EXPECT_EQ(bodies[i], bodies[0]) << "node " << i;
    const std::filesystem::path reports = c.node_dir(i) / "data" / "reports";
    EXPECT_TRUE(eventually([&] { return std::filesystem::exists(reports / (date + ".csv")); },
                           std::chrono::seconds(10)))
        << "node " << i << " filed no report";
    EXPECT_EQ(read_file(reports / (date + ".json")), bodies[i] + "\n") << "node " << i;
    const std::string csv = read_file(reports / (date + ".csv"));
    EXPECT_EQ(csv.rfind("business_date,member,direction,", 0), 0u) << csv;
  }
  return bodies[0];
}

TEST(ClusterEndOfDay, ScheduledAndOperatorCutOffsEachSettleOnceWithOneDigestEverywhere) {
  ClusterOptions options;
  options.clock = "2026-12-01T09:00:00Z";  // 10:00 in Berlin; the cut-off is 17:30
  Cluster c(options);
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  const std::string t1 = report_json("T-1", "BANK_A", "BANK_B", "DE0007164600", 100, "10.50");
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), t1).status, 202);
  ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t1).status, 202);
  ASSERT_EQ(c.api(3, "POST", "/v1/trades", c.token("VENUE"),
                  report_json("V-1", "BANK_C", "BANK_A", "US0378331005", 7, "150.25")).status,
            202);
  // One side only: still ALLEGED at the cut-off, so the report lists it.
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"),
                  report_json("A-1", "BANK_A", "BANK_C", "DE0007164600", 5, "10.00")).status,
            202);
  // A-1 must be decided (ALLEGED) before the clock passes the cut-off: one
  // still RECEIVED then is decided after the date closed and rolls on.
  const auto alleged = [&] {
    const HttpAnswer r = c.api(0, "GET", "/v1/trades/A-1", c.token("BANK_A"));
    return r.status == 200 && r.body.find("\"ALLEGED\"") != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] {
    return confirmed(c, 0, "BANK_A", "T-1") && confirmed(c, 3, "VENUE", "V-1") && alleged();
  })) << c.log_of(0);
  EXPECT_EQ(c.api(0, "GET", "/v1/settlement-runs/2026-12-01", c.token("OPS")).status, 404);

  // 17:31 in Berlin on every node: the scheduled cut-off closes 2026-12-01.
  c.set_clock("2026-12-01T16:31:00Z");
  const std::string first = expect_one_run_everywhere(c, "2026-12-01");
  EXPECT_NE(first.find("\"trade_id\":\"A-1\""), std::string::npos) << first;

  // Wednesday 2026-12-02 is open now. The operator closes it early, at
  // every node (the cut-off takes effect at f+1 of them).
  const std::string t2 = report_json("T-2", "BANK_B", "BANK_C", "US5949181045", 40, "300.00", "2026-12-02",
                                     "2026-12-03");
  ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t2).status, 202);
  ASSERT_EQ(c.api(2, "POST", "/v1/trades", c.token("BANK_C"), t2).status, 202);
  ASSERT_TRUE(eventually([&] { return confirmed(c, 1, "BANK_B", "T-2") && confirmed(c, 2, "BANK_C", "T-2"); }));
  // f+1 of them suffice, so a node asked late may have closed the date already.
  for (std::size_t i = 0; i < c.size(); ++i) {
    const HttpAnswer r = c.api(i, "POST", "/v1/cutoff", c.token("OPS"), "{\"business_date\": \"2026-12-02\"}");
    if (i < 2) {
      EXPECT_EQ(r.status, 202) << "node " << i << ": " << r.body;
      EXPECT_NE(r.body.find("\"state\":\"QUEUED\""), std::string::npos) << r.body;
    } else {
      EXPECT_TRUE(r.status == 202 || (r.status == 200 && r.body.find("\"state\":\"CLOSED\"") != std::string::npos))
          << "node " << i << ": " << r.body;
    }
  }
  // Asked again once closed, every node says so and queues nothing.
  const std::string second = expect_one_run_everywhere(c, "2026-12-02");
  for (std::size_t i = 0; i < c.size(); ++i) {
    const HttpAnswer r = c.api(i, "POST", "/v1/cutoff", c.token("OPS"), "{\"business_date\": \"2026-12-02\"}");
    EXPECT_EQ(r.status, 200) << "node " << i << ": " << r.body;
    EXPECT_EQ(r.body, "{\"business_date\":\"2026-12-02\",\"state\":\"CLOSED\"}") << "node " << i;
  }
  const HttpAnswer early = c.api(0, "POST", "/v1/cutoff", c.token("OPS"), "{\"business_date\": \"2026-12-04\"}");
  EXPECT_EQ(early.status, 400) << early.body;
  // It settled what was due on 2026-12-02: T-1 and V-1, booked on Tuesday.
  EXPECT_NE(second.find("\"member\":\"BANK_A\""), std::string::npos) << second;
  EXPECT_NE(second.find("\"asset\":\"US0378331005\""), std::string::npos) << second;
  // Nothing else closed: each date settled once, and 2026-12-03 is open.
  ASSERT_TRUE(eventually([&] {
    for (const auto& runs : rows_everywhere(c, "SELECT count(*) FROM settlement_runs")) {
      if (runs != std::vector<std::string>{"2|"}) return false;
    }
    return true;
  }));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a stray vote would close 2026-12-03 by now
  for (const auto& runs : rows_everywhere(c, "SELECT count(*) FROM settlement_runs")) {
    EXPECT_EQ(runs, std::vector<std::string>{"2|"});
  }
  const HttpAnswer node = c.api(0, "GET", "/v1/node", c.token("OPS"));
  EXPECT_NE(node.body.find("\"2026-12-03\""), std::string::npos) << node.body;
  // The regulator reads the run; a member sees only its own instructions.
  const HttpAnswer mine = c.api(2, "GET", "/v1/settlement-runs/2026-12-02", c.token("BANK_C"));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body.find("\"member\":\"BANK_B\""), std::string::npos) << mine.body;
  EXPECT_EQ(c.api(1, "POST", "/v1/cutoff", c.token("REG")).status, 403);

  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
}

}  // namespace
}  // namespace quorumclear::testing
