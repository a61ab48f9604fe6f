// Proves what members see of a real four-node cluster's REST API: a refused
// report carries the same reason and field on every node, a one-sided
// report stays ALLEGED and moves nothing, an identical resubmission changes
// nothing and conflicting content is 409; members act and read only as
// themselves at their own node; bad input gets the documented status and a
// JSON error naming the field while the node keeps serving; every answer
// matches the OpenAPI document.

#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>

namespace quorumclear::testing {
namespace {

std::string report(const std::string& id, const std::string& buyer, const std::string& seller,
                   const std::string& extra = {}, const std::string& trade_date = "2026-12-01") {
  return "{\"trade_id\": \"" + id + "\", \"buyer\": \"" + buyer + "\", \"seller\": \"" + seller +
         "\", \"isin\": \"DE0007164600\", \"quantity\": 10, \"price\": \"20.00\", \"currency\": \"EUR\", "
         "\"trade_date\": \"" + trade_date + "\", \"settlement_date\": \"2026-12-02\"" + extra + "}";
}

std::vector<std::string> column_everywhere(Cluster& c, const std::string& sql) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    pqxx::connection db(c.database_url(i));
    pqxx::nontransaction tx(db);
    std::string all;
    for (const auto& row : tx.exec(sql)) {
      for (const auto& f : row) all += std::string(f.is_null() ? "NULL" : f.c_str()) + "|";
      all += "\n";
    }
    out.push_back(all);
  }
  return out;
}

void expect_error(const HttpAnswer& a, int status, const std::string& code, const std::string& field = {}) {
  EXPECT_EQ(a.status, status) << a.body;
  EXPECT_NE(a.body.find("\"code\":\"" + code + "\""), std::string::npos) << a.body;
  if (!field.empty()) {
    EXPECT_NE(a.body.find("\"field\":\"" + field + "\""), std::string::npos) << a.body;
  }
}

class ClusterApi : public ::testing::Test {
 protected:
  // One cluster for the suite; a suite whose cluster could not start fails
  // each test with the reason instead of dereferencing nothing.
  static void SetUpTestSuite() {
    try {
      auto cluster = std::make_unique<Cluster>();
      cluster->start_all();
      for (std::size_t i = 0; i < cluster->size(); ++i) {
        if (!cluster->wait_ready(i)) throw std::runtime_error("node " + std::to_string(i) + " never ready:\n" +
                                                              cluster->log_of(i));
      }
      cluster_ = cluster.release();
    } catch (const std::exception& e) {
      setup_failure_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (cluster_ == nullptr) return;
    EXPECT_TRUE(cluster_->openapi_violations().empty()) << cluster_->openapi_violations().front();
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (cluster_ == nullptr) GTEST_FAIL() << "the cluster could not be set up: " << setup_failure_;
  }
  static inline std::string setup_failure_;
  static Cluster* cluster_;
};
Cluster* ClusterApi::cluster_ = nullptr;

TEST_F(ClusterApi, RefusedAllegedDuplicateAndConflictingReports) {
  Cluster& c = *cluster_;
  // Decided statefully (a trade date not yet open) by every node alike.
  const std::string early = report("R-1", "BANK_A", "BANK_B", "", "2026-12-02");
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), early).status, 202);
  const std::string one_sided = report("A-1", "BANK_A", "BANK_C");
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), one_sided).status, 202);
  ASSERT_TRUE(eventually([&] {
    for (const std::string& rows : column_everywhere(c, "SELECT status FROM trades WHERE trade_id IN ('R-1', 'A-1') "
                                                        "ORDER BY trade_id")) {
      if (rows != "ALLEGED|\nREJECTED|\n") return false;
    }
    return true;
  }));
  const auto refused = column_everywhere(c, "SELECT reject_reason, reject_field, epoch FROM trades WHERE trade_id = 'R-1'");
  for (const std::string& r : refused) EXPECT_EQ(r, refused[0]);
  EXPECT_EQ(refused[0].substr(0, 30), "TRADE_DATE_NOT_OPEN|trade_date");
  const HttpAnswer seen = c.api(0, "GET", "/v1/trades/R-1", c.token("BANK_A"));
  EXPECT_NE(seen.body.find("TRADE_DATE_NOT_OPEN"), std::string::npos) << seen.body;
  // A one-sided report books nothing anywhere.
  for (const std::string& n : column_everywhere(c, "SELECT count(*) FROM positions")) EXPECT_EQ(n, "0|\n");
  const HttpAnswer alleged = c.api(2, "GET", "/v1/allegations", c.token("BANK_C"));
  EXPECT_NE(alleged.body.find("A-1"), std::string::npos) << alleged.body;

  const auto before = column_everywhere(c, "SELECT submitter, trade_id, version, status FROM trades ORDER BY 1, 2, 3");
  const HttpAnswer again = c.api(0, "POST", "/v1/trades", c.token("BANK_A"), one_sided);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.body.find("ALLEGED"), std::string::npos) << again.body;
  expect_error(c.api(0, "POST", "/v1/trades", c.token("BANK_A"),
                     report("A-1", "BANK_A", "BANK_C", ", \"client_ref\": \"changed\"")),
               409, "DUPLICATE_CONFLICT");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(column_everywhere(c, "SELECT submitter, trade_id, version, status FROM trades ORDER BY 1, 2, 3"), before);
}

TEST_F(ClusterApi, MembersActAndReadOnlyAsThemselvesAtTheirOwnNode) {
  Cluster& c = *cluster_;
  expect_error(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), report("X-1", "BANK_B", "BANK_C")), 403,
               "SUBMITTER_NOT_PARTY");
  expect_error(c.api(1, "POST", "/v1/trades", c.token("BANK_A"), report("X-2", "BANK_A", "BANK_B")), 401,
               "UNAUTHENTICATED");
  expect_error(c.api(0, "POST", "/v1/trades", "qc_wrong", report("X-3", "BANK_A", "BANK_B")), 401, "UNAUTHENTICATED");
  expect_error(c.api(0, "GET", "/v1/trades", ""), 401, "UNAUTHENTICATED");
  expect_error(c.api(0, "POST", "/v1/trades", c.token("REG"), report("X-4", "BANK_A", "BANK_B")), 403,
               "ROLE_FORBIDDEN");
  ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), report("B-1", "BANK_B", "BANK_C")).status, 202);
  // BANK_A cannot see BANK_B's report, its trades or its positions.
  EXPECT_EQ(c.api(0, "GET", "/v1/trades/B-1", c.token("BANK_A")).status, 404);
  expect_error(c.api(0, "GET", "/v1/trades/B-1?submitter=BANK_B", c.token("BANK_A")), 403, "MEMBER_FORBIDDEN");
  expect_error(c.api(0, "GET", "/v1/positions?member=BANK_B", c.token("BANK_A")), 403, "MEMBER_FORBIDDEN");
  const HttpAnswer own = c.api(0, "GET", "/v1/trades", c.token("BANK_A"));
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body.find("B-1"), std::string::npos) << own.body;
  // The regulator reads everything at any node.
  EXPECT_TRUE(eventually([&] {
    return c.api(3, "GET", "/v1/trades/B-1?submitter=BANK_B", c.token("REG")).status == 200;
  }));
}

TEST_F(ClusterApi, BadInputIsAnsweredWithTheFieldAndTheNodeKeepsServing) {
  Cluster& c = *cluster_;
  const std::string& t = c.token("BANK_A");
  expect_error(c.api(0, "POST", "/v1/trades", t, "{\"trade_id\": "), 400, "MALFORMED_JSON");
  std::string floating = report("F-1", "BANK_A", "BANK_B");
  floating.replace(floating.find("\"20.00\""), 7, "20.5");
  expect_error(c.api(0, "POST", "/v1/trades", t, floating), 400, "FIELD_TYPE", "price");
  std::string missing = report("M-1", "BANK_A", "BANK_B");
  missing.replace(missing.find("\"quantity\": 10, "), 16, "");
  expect_error(c.api(0, "POST", "/v1/trades", t, missing), 400, "FIELD_MISSING", "quantity");
  std::string unknown = report("U-1", "BANK_A", "BANK_B");
  unknown.replace(unknown.find("DE0007164600"), 12, "US0000000000");
  const HttpAnswer isin = c.api(0, "POST", "/v1/trades", t, unknown);
  EXPECT_EQ(isin.status, 400) << isin.body;
  EXPECT_NE(isin.body.find("\"field\":\"isin\""), std::string::npos) << isin.body;
  expect_error(c.api(0, "POST", "/v1/trades", t, std::string(70'000, ' ')), 413, "BODY_TOO_LARGE");
  std::string bulk = "[";
  for (int i = 0; i <= 10'000; ++i) bulk += (i ? "," : "") + std::string("{}");
  bulk += "]";
  expect_error(c.api(0, "POST", "/v1/trades/bulk", t, bulk), 400, "TOO_MANY_REPORTS");
  expect_error(c.api(0, "POST", "/v1/trades", t, report("C-1", "BANK_A", "BANK_B"), "text/plain"), 415,
               "UNSUPPORTED_MEDIA_TYPE");
  EXPECT_EQ(c.ops(0, "/healthz").status, 200);
  EXPECT_EQ(c.api(0, "POST", "/v1/trades", t, report("OK-1", "BANK_A", "BANK_B")).status, 202);
}

}  // namespace
}  // namespace quorumclear::testing
