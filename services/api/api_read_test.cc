// Proves the read and control routes over real HTTP: scoping by role and
// member filter, cursor pagination round trips, query validation, the
// operator-only cut-off, settlement runs, epochs, audit, node info and the
// ops listener; every answer is checked against openapi.json.

#include "services/api/test_openapi_check.h"
#include "services/api/test_support.h"

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPClientSession.h>

#include <set>
#include <thread>

namespace quorumclear::api::testing {
namespace {

using Poco::JSON::Array;

class ApiReadTest : public ApiTest {
 protected:
  HttpAnswer ops(const std::string& method, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1", server_->ops_port());
    HttpAnswer a = send_call(session, HttpCall{method, path, "", std::nullopt, "", false});
    // The ops listener serves only the two ops paths; anything else there
    // is an Error body (the document's /v1 paths are the other listener's).
    const bool ops_path = path == "/healthz" || path == "/readyz";
    const auto errors = ops_path
                            ? OpenApiDocument::instance().check(method, path, a.status, a.headers, a.body)
                            : OpenApiDocument::instance().check_schema("Error", a.body);
    for (const std::string& error : errors) ADD_FAILURE() << method << " " << path << ": " << error;
    return a;
  }
  // Every page of `path` (a list answering under `list`) with ?limit=limit.
  std::vector<std::string> all_trade_ids(const std::string& path, std::string_view member, int limit,
                                         int& pages) {
    std::vector<std::string> ids;
    std::string cursor;
    pages = 0;
    do {
      const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
      const HttpAnswer a =
          get(path + sep + "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor),
              member);
      if (a.status != 200) {
        ADD_FAILURE() << a.body;
        break;
      }
      ++pages;
      const auto doc = json(a);
      const Array::Ptr trades = doc->getArray("trades");
      EXPECT_LE(trades->size(), static_cast<std::size_t>(limit));
      for (unsigned i = 0; i < trades->size(); ++i)
        ids.push_back(trades->getObject(i)->getValue<std::string>("trade_id"));
      cursor = doc->has("next_cursor") ? doc->getValue<std::string>("next_cursor") : "";
    } while (!cursor.empty() && pages < 100);
    return ids;
  }
};

TEST_F(ApiReadTest, ATradeShowsItsStatusAndTheCounterpartysSide) {
  const HttpAnswer a = get("/v1/trades/B-1", "BANK_B");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto doc = json(a);
  EXPECT_EQ(doc->getValue<std::string>("status"), "ALLEGED");
  EXPECT_EQ(doc->getValue<int>("epoch"), 3);
  EXPECT_EQ(doc->getValue<std::string>("price"), "10.50");
  EXPECT_EQ(doc->getValue<std::string>("consideration"), "1050.00");
  EXPECT_EQ(doc->getObject("counterparty")->getValue<std::string>("member"), "BANK_A");
  EXPECT_FALSE(doc->getObject("counterparty")->has("status"));
}

TEST_F(ApiReadTest, MembersReadOnlyTheirOwnReports) {
  expect_error(get("/v1/trades/B-1", "BANK_A"), 404, "TRADE_NOT_FOUND");
  expect_error(get("/v1/trades/B-1?submitter=BANK_B", "BANK_A"), 403, "MEMBER_FORBIDDEN", "submitter");
  EXPECT_EQ(get("/v1/trades/B-1?submitter=BANK_B", "REG").status, 200);
  EXPECT_EQ(get("/v1/trades/B-1?submitter=BANK_B", "OPS").status, 200);
  expect_error(get("/v1/trades?member=BANK_B", "BANK_A"), 403, "MEMBER_FORBIDDEN", "member");
  expect_error(get("/v1/positions?member=BANK_B", "BANK_A"), 403, "MEMBER_FORBIDDEN", "member");
  expect_error(get("/v1/trades/bad%20id", "BANK_A"), 400, "PARAMETER_INVALID", "trade_id");
}

TEST_F(ApiReadTest, CursorPaginationVisitsEveryReportOnce) {
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(post("/v1/trades", "BANK_A", report_with_id("P-" + std::to_string(i))).status, 202);
  int pages = 0;
  const std::vector<std::string> ids = all_trade_ids("/v1/trades", "BANK_A", 3, pages);
  EXPECT_EQ(ids.size(), 8u);  // A-9 and the seven
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(pages, 3);
  const std::vector<std::string> received =
      all_trade_ids("/v1/trades?status=RECEIVED", "BANK_A", 1000, pages);
  EXPECT_EQ(received.size(), 7u);
  EXPECT_EQ(all_trade_ids("/v1/trades?member=BANK_B", "OPS", 2, pages), std::vector<std::string>{"B-1"});
  EXPECT_EQ(all_trade_ids("/v1/trades?settlement_date=2026-12-03", "BANK_A", 5, pages).size(), 0u);
}

TEST_F(ApiReadTest, RefusesBadQueryParameters) {
  expect_error(get("/v1/trades?status=BOGUS", "BANK_A"), 400, "PARAMETER_INVALID", "status");
  expect_error(get("/v1/trades?settlement_date=2026-02-30", "BANK_A"), 400, "PARAMETER_INVALID",
               "settlement_date");
  expect_error(get("/v1/trades?limit=0", "BANK_A"), 400, "PARAMETER_INVALID", "limit");
  expect_error(get("/v1/trades?limit=1001", "BANK_A"), 400, "PARAMETER_INVALID", "limit");
  expect_error(get("/v1/trades?limit=-1", "BANK_A"), 400, "PARAMETER_INVALID", "limit");
  expect_error(get("/v1/trades?cursor=no!such", "BANK_A"), 400, "PARAMETER_INVALID", "cursor");
  // A well-formed cursor the node never issued is the node's to refuse.
  expect_error(get("/v1/trades?cursor=xyz", "BANK_A"), 400, "CURSOR_INVALID", "cursor");
  expect_error(get("/v1/positions?isin=" + std::string(13, 'X'), "BANK_A"), 400, "PARAMETER_INVALID", "isin");
}

TEST_F(ApiReadTest, AllegationsAreOthersReportsNamingTheCaller) {
  HttpAnswer a = get("/v1/allegations", "BANK_A");
  ASSERT_EQ(a.status, 200);
  Array::Ptr list = json(a)->getArray("allegations");
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("trade_id"), "B-1");
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("submitter"), "BANK_B");
  a = get("/v1/allegations", "BANK_C");
  EXPECT_EQ(json(a)->getArray("allegations")->size(), 0u);
}

TEST_F(ApiReadTest, HoldingsAreScopedToTheCaller) {
  HttpAnswer a = get("/v1/positions", "BANK_A");
  ASSERT_EQ(a.status, 200);
  Array::Ptr rows = json(a)->getArray("positions");
  ASSERT_EQ(rows->size(), 2u);
  for (unsigned i = 0; i < rows->size(); ++i)
    EXPECT_EQ(rows->getObject(i)->getValue<std::string>("member"), "BANK_A");
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("paid"), "3150.00");
  EXPECT_EQ(json(get("/v1/positions?isin=US0378331005", "OPS"))->getArray("positions")->size(), 3u);
  a = get("/v1/cash?currency=EUR", "BANK_B");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(json(a)->getArray("cash")->getObject(0)->getValue<std::string>("net"), "-2100.00");
  EXPECT_EQ(json(get("/v1/balances", "BANK_A"))->getArray("balances")->size(), 2u);
  EXPECT_EQ(json(get("/v1/balances", "REG"))->getArray("balances")->size(), 6u);
  EXPECT_EQ(json(get("/v1/balances?member=CCP", "OPS"))->getArray("balances")->size(), 2u);
}

TEST_F(ApiReadTest, CutoffIsTheOperatorsAlone) {
  const std::string token = FakeNode::token_of("OPS");
  HttpAnswer a = call(HttpCall{"POST", "/v1/cutoff", token, std::nullopt, "", false});
  ASSERT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(json(a)->getValue<std::string>("business_date"), "2026-12-01");
  EXPECT_EQ(json(a)->getValue<std::string>("state"), "QUEUED");
  EXPECT_EQ(post("/v1/cutoff", "OPS", R"({"business_date": "2026-12-01"})").status, 202);
  // A date already closed was cut off by f+1 others: done, nothing queued.
  a = post("/v1/cutoff", "OPS", R"({"business_date": "2026-11-30"})");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json(a)->getValue<std::string>("state"), "CLOSED");
  expect_error(post("/v1/cutoff", "OPS", R"({"business_date": "2026-12-02"})"), 400, "CUT_OFF_DATE_NOT_OPEN",
               "business_date");
  expect_error(post("/v1/cutoff", "OPS", R"({"business_date": 20261201})"), 400, "FIELD_INVALID",
               "business_date");
  expect_error(post("/v1/cutoff", "OPS", R"({"date": "2026-12-01"})"), 400, "FIELD_UNKNOWN", "date");
  expect_error(post("/v1/cutoff", "OPS", "{"), 400, "MALFORMED_JSON");
  expect_error(call(HttpCall{"POST", "/v1/cutoff", token, "{}", "text/plain", false}), 415,
               "UNSUPPORTED_MEDIA_TYPE");
  expect_error(post("/v1/cutoff", "OPS", std::string(5000, ' ')), 413, "BODY_TOO_LARGE");
  expect_error(post("/v1/cutoff", "BANK_A", ""), 403, "ROLE_FORBIDDEN");
  expect_error(post("/v1/cutoff", "VENUE_X", ""), 403, "ROLE_FORBIDDEN");
  node_.busy = true;
  expect_error(post("/v1/cutoff", "OPS", ""), 429, "QUEUE_FULL");
}

TEST_F(ApiReadTest, SettlementRunsShowInstructionsFailsAndUnmatched) {
  HttpAnswer a = get("/v1/settlement-runs", "BANK_A");
  ASSERT_EQ(a.status, 200);
  const auto run = json(a)->getArray("runs")->getObject(0);
  EXPECT_EQ(run->getValue<std::string>("status"), "PARTIALLY_SETTLED");
  EXPECT_EQ(run->getArray("totals")->getObject(0)->getValue<int>("netting_efficiency_bps"), 5000);
  a = get("/v1/settlement-runs/2026-11-30", "OPS");
  ASSERT_EQ(a.status, 200);
  const Array::Ptr instructions = json(a)->getArray("instructions");
  ASSERT_EQ(instructions->size(), 2u);
  EXPECT_EQ(instructions->getObject(0)->getValue<std::string>("status"), "FAILED");
  EXPECT_EQ(instructions->getObject(0)->getValue<std::string>("fail_reason"), "INSUFFICIENT_SECURITIES");
  EXPECT_EQ(instructions->getObject(0)->getValue<std::string>("net_amount"), "-200");
  EXPECT_EQ(json(a)->getArray("unmatched")->getObject(0)->getValue<std::string>("field"), "price");
  EXPECT_EQ(json(get("/v1/settlement-runs/2026-11-30", "BANK_A"))->getArray("instructions")->size(), 1u);
  expect_error(get("/v1/settlement-runs/2026-11-27", "BANK_A"), 404, "RUN_NOT_FOUND");
  expect_error(get("/v1/settlement-runs/2026-02-30", "BANK_A"), 400, "PARAMETER_INVALID", "date");
}

TEST_F(ApiReadTest, EpochsAuditAndNode) {
  HttpAnswer a = get("/v1/epochs/3", "BANK_C");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(json(a)->getArray("signatures")->size(), 3u);
  EXPECT_EQ(json(a)->getValue<std::string>("state_digest"), std::string(64, '2'));
  expect_error(get("/v1/epochs/99", "BANK_C"), 404, "EPOCH_NOT_FOUND");
  expect_error(get("/v1/epochs/abc", "BANK_C"), 400, "PARAMETER_INVALID", "epoch");
  expect_error(get("/v1/epochs/007", "BANK_C"), 400, "PARAMETER_INVALID", "epoch");

  expect_error(get("/v1/audit", "BANK_A"), 403, "ROLE_FORBIDDEN");
  expect_error(get("/v1/audit?limit=101", "REG"), 400, "PARAMETER_INVALID", "limit");
  std::vector<int> epochs;
  std::string after;
  for (int round = 0; round < 10; ++round) {
    a = get("/v1/audit?limit=2" + (after.empty() ? "" : "&after_epoch=" + after), "REG");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto doc = json(a);
    for (unsigned i = 0; i < doc->getArray("links")->size(); ++i) {
      epochs.push_back(doc->getArray("links")->getObject(i)->getValue<int>("epoch"));
    }
    if (!doc->has("next_after_epoch")) break;
    after = std::to_string(doc->getValue<int>("next_after_epoch"));
  }
  EXPECT_EQ(epochs, (std::vector<int>{0, 1, 2, 3, 4, 5}));

  a = get("/v1/node", "VENUE_X");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(json(a)->getObject("caller")->getValue<std::string>("role"), "TRADING_VENUE");
  EXPECT_EQ(json(a)->getValue<std::string>("open_business_date"), "2026-12-01");
}

TEST_F(ApiReadTest, OpsListenerAnswersProbesWithoutAToken) {
  EXPECT_EQ(ops("GET", "/healthz").status, 200);
  HttpAnswer a = ops("GET", "/readyz");
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(json(a)->getValue<bool>("ready"));
  node_.database_down = true;
  a = ops("GET", "/readyz");
  EXPECT_EQ(a.status, 503);
  const auto check = json(a)->getArray("checks")->getObject(0);
  EXPECT_EQ(check->getValue<std::string>("name"), "database");
  EXPECT_FALSE(check->getValue<bool>("ok"));
  EXPECT_EQ(check->getValue<std::string>("reason"), "connection refused");
  EXPECT_EQ(ops("GET", "/healthz").status, 200);  // alive, though not ready
  expect_error(ops("GET", "/v1/node"), 404, "NOT_FOUND");
  expect_error(ops("GET", "/metrics"), 404, "NOT_FOUND");  // this fake keeps none
  expect_error(ops("POST", "/healthz"), 405, "METHOD_NOT_ALLOWED");
}

TEST_F(ApiReadTest, ConcurrentClientsAreAllAnswered) {
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([this, c, &ok] {
      Poco::Net::HTTPClientSession session("127.0.0.1", server_->api_port());
      session.setTimeout(Poco::Timespan(10, 0));
      for (int i = 0; i < 25; ++i) {
        const std::string id = "C" + std::to_string(c) + "-" + std::to_string(i);
        HttpCall submit{
            "POST", "/v1/trades", FakeNode::token_of("BANK_A"), report_with_id(id), "application/json",
            false};
        if (send_call(session, submit).status == 202) ++ok;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(ApiOpenApiDocument, DescribesEveryRoute) {
  const std::vector<std::string> paths = OpenApiDocument::instance().paths();
  for (const char* path :
       {"/v1/trades", "/v1/trades/bulk", "/v1/trades/{trade_id}", "/v1/allegations", "/v1/positions",
        "/v1/cash", "/v1/balances", "/v1/cutoff", "/v1/settlement-runs", "/v1/settlement-runs/{date}",
        "/v1/epochs/{epoch}", "/v1/audit", "/v1/node", "/v1/dashboard", "/dashboard", "/healthz", "/readyz", "/metrics"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), path), paths.end()) << path;
  }
  EXPECT_EQ(paths.size(), 18u);
  // The request schemas accept what the API accepts.
  EXPECT_TRUE(
      OpenApiDocument::instance().check_schema("Report", report_json({{"client_ref", "\"x\""}})).empty());
  EXPECT_FALSE(OpenApiDocument::instance().check_schema("Report", report_json({{"price", "10.5"}})).empty());
  EXPECT_FALSE(
      OpenApiDocument::instance().check_schema("Report", report_json({{"submitter", "\"A\""}})).empty());
}

}  // namespace
}  // namespace quorumclear::api::testing
