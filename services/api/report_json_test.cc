// Proves the pure edge of the API: report decoding refuses every malformed
// field with the documented code and field path, decimals and dates are
// exact both ways, and the JSON writer always emits valid JSON.

#include "services/api/json_writer.h"
#include "services/api/report_json.h"
#include "services/api/test_support.h"
#include "services/api/text.h"

#include "settlement/business_calendar.h"

#include <gtest/gtest.h>

#include <limits>

namespace quorumclear::api {
namespace {

using testing::report_json;

const settlement::MemberId kBankA = settlement::MemberId::of("BANK_A");

// The decoded trade, or a failure naming the error.
settlement::Trade decoded(const std::string& body) {
  DecodedReport r = decode_single_body(body, kBankA);
  if (const auto* e = std::get_if<ApiError>(&r)) {
    ADD_FAILURE() << e->code << " " << e->field << ": " << e->message;
    return {};
  }
  return std::get<settlement::Trade>(r);
}

ApiError refused(const std::string& body) {
  DecodedReport r = decode_single_body(body, kBankA);
  if (const auto* e = std::get_if<ApiError>(&r)) return *e;
  ADD_FAILURE() << "decoded: " << body;
  return {};
}

void expect_refused(const std::string& body, std::string_view code, std::string_view field) {
  const ApiError e = refused(body);
  EXPECT_EQ(e.status, 400) << body;
  EXPECT_EQ(e.code, code) << body << " -> " << e.message;
  EXPECT_EQ(e.field, field) << body;
}

TEST(ApiReportJson, DecodesAValidReportWithTheCallerAsSubmitter) {
  const settlement::Trade t = decoded(report_json({{"client_ref", "\"order 7\""}}));
  EXPECT_EQ(t.trade_id.view(), "T-1");
  EXPECT_EQ(t.submitter, kBankA);
  EXPECT_EQ(t.buyer.view(), "BANK_A");
  EXPECT_EQ(t.seller.view(), "BANK_B");
  EXPECT_EQ(t.isin.view(), "DE0001102580");
  EXPECT_EQ(t.quantity.units, 100);
  EXPECT_EQ(t.price.units, 1050);
  EXPECT_EQ(t.price_scale, 2);
  EXPECT_EQ(t.currency.view(), "EUR");
  EXPECT_EQ(t.trade_date, settlement::date_from_civil(2026, 12, 1));
  EXPECT_EQ(t.settlement_date, settlement::date_from_civil(2026, 12, 2));
  ASSERT_TRUE(t.client_ref);
  EXPECT_EQ(t.client_ref->view(), "order 7");
}

TEST(ApiReportJson, PriceScaleIsTheDecimalsWritten) {
  struct Case {
    const char* text;
    std::int64_t units;
    int scale;
  };
  for (const Case& c :
       {Case{"10", 10, 0}, Case{"10.5", 105, 1}, Case{"10.50", 1050, 2}, Case{"0.000000001", 1, 9},
        Case{"9223372036854775807", INT64_MAX, 0}, Case{"0", 0, 0}}) {
    const settlement::Trade t = decoded(report_json({{"price", std::string("\"") + c.text + "\""}}));
    EXPECT_EQ(t.price.units, c.units) << c.text;
    EXPECT_EQ(t.price_scale, c.scale) << c.text;
  }
}

TEST(ApiReportJson, RefusesPricesThatAreNotExactDecimalStrings) {
  for (const char* raw : {"10.5", "10", "1e3", "-1", "true", "null", "[]", "{}"}) {
    expect_refused(report_json({{"price", raw}}), "FIELD_TYPE", "price");
  }
  for (const char* text : {"-1", "+1", "1e3", "1E3", " 1", "1 ", "1.", ".5", "1,5", "", "1.2.3", "0x10",
                           "1.0000000001", "9223372036854775808", "92233720368547758.08"}) {
    expect_refused(report_json({{"price", std::string("\"") + text + "\""}}), "FIELD_INVALID", "price");
  }
}

TEST(ApiReportJson, QuantityMustBeAJsonIntegerWithinInt64) {
  for (const char* raw : {"\"100\"", "100.0", "1.5", "1e3", "1E+2", "null", "false"}) {
    expect_refused(report_json({{"quantity", raw}}), "FIELD_TYPE", "quantity");
  }
  expect_refused(report_json({{"quantity", "9223372036854775808"}}), "FIELD_INVALID", "quantity");
  expect_refused(report_json({{"quantity", "18446744073709551615"}}), "FIELD_INVALID", "quantity");
  // Beyond uint64 the parser itself refuses the number.
  expect_refused(report_json({{"quantity", "99999999999999999999999"}}), "MALFORMED_JSON", "");
  // Sign and zero are the node's to judge (QUANTITY_NOT_POSITIVE).
  EXPECT_EQ(decoded(report_json({{"quantity", "-5"}})).quantity.units, -5);
  EXPECT_EQ(decoded(report_json({{"quantity", "9223372036854775807"}})).quantity.units, INT64_MAX);
}

TEST(ApiReportJson, DatesAreRealCalendarDates) {
  EXPECT_EQ(decoded(report_json({{"trade_date", "\"2028-02-29\""}})).trade_date,
            settlement::date_from_civil(2028, 2, 29));
  for (const char* text : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "26-12-01",
                           "2026/12/01", "2026-12-01T00:00:00Z", ""}) {
    expect_refused(report_json({{"trade_date", std::string("\"") + text + "\""}}), "FIELD_INVALID",
                   "trade_date");
  }
  expect_refused(report_json({{"settlement_date", "20261202"}}), "FIELD_TYPE", "settlement_date");
}

TEST(ApiReportJson, NamesTheFirstMissingFieldInDocumentOrder) {
  expect_refused(report_json({}, {"isin", "currency"}), "FIELD_MISSING", "isin");
  expect_refused(report_json({}, {"settlement_date"}), "FIELD_MISSING", "settlement_date");
  EXPECT_FALSE(decoded(report_json({}, {})).client_ref);
}

TEST(ApiReportJson, RefusesUnknownRepeatedAndSubmitterFields) {
  expect_refused(report_json({{"venue", "\"X\""}}), "FIELD_UNKNOWN", "venue");
  expect_refused(report_json({{"submitter", "\"BANK_A\""}}), "FIELD_NOT_ALLOWED", "submitter");
  expect_refused(R"({"trade_id": "T-1", "trade_id": "T-2"})", "FIELD_DUPLICATE", "trade_id");
  expect_refused(report_json({{"client_ref", "null"}}), "FIELD_TYPE", "client_ref");
}

TEST(ApiReportJson, BoundsCodesByTheirSettlementTypes) {
  expect_refused(report_json({{"trade_id", "\"" + std::string(65, 'T') + "\""}}), "FIELD_INVALID",
                 "trade_id");
  expect_refused(report_json({{"buyer", "\"" + std::string(17, 'B') + "\""}}), "FIELD_INVALID", "buyer");
  expect_refused(report_json({{"currency", "\"EURO\""}}), "FIELD_INVALID", "currency");
  expect_refused(report_json({{"isin", "12"}}), "FIELD_TYPE", "isin");
  EXPECT_EQ(decoded(report_json({{"trade_id", "\"" + std::string(64, 'T') + "\""}})).trade_id.size(), 64u);
}

TEST(ApiReportJson, RefusesBodiesThatAreNotOneJsonObject) {
  for (const char* body : {"", "   ", "{", "{\"trade_id\": }", "{} {}", "{'a': 1}", "[1, 2,]", "nul",
                           "{\"a\": 1} trailing", "/* c */ {}"}) {
    expect_refused(body, "MALFORMED_JSON", "");
  }
  expect_refused("[]", "FIELD_TYPE", "");
  expect_refused("42", "FIELD_TYPE", "");
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  expect_refused(deep, "MALFORMED_JSON", "");
}

TEST(ApiReportJson, BulkDecodesEachItemOnItsOwnWithIndexedPaths) {
  const std::string body = "[" + report_json() + ", " + report_json({{"price", "10.5"}}) + ", 7, " +
                           report_json({}, {"seller"}) + "]";
  auto result = decode_bulk_body(body, kBankA);
  ASSERT_TRUE(std::holds_alternative<std::vector<DecodedReport>>(result));
  const auto& items = std::get<std::vector<DecodedReport>>(result);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<settlement::Trade>(items[0]));
  EXPECT_EQ(std::get<ApiError>(items[1]).field, "[1].price");
  EXPECT_EQ(std::get<ApiError>(items[2]).field, "[2]");
  EXPECT_EQ(std::get<ApiError>(items[3]).code, "FIELD_MISSING");
  EXPECT_EQ(std::get<ApiError>(items[3]).field, "[3].seller");
}

TEST(ApiReportJson, BulkRefusesAWrongShapeOrCount) {
  auto code_of = [](const std::string& body) {
    auto result = decode_bulk_body(body, kBankA);
    return std::holds_alternative<ApiError>(result) ? std::get<ApiError>(result).code : "decoded";
  };
  EXPECT_EQ(code_of(report_json()), "FIELD_TYPE");
  EXPECT_EQ(code_of("[]"), "BULK_EMPTY");
  EXPECT_EQ(code_of("[" + report_json()), "MALFORMED_JSON");
  auto array_of = [](std::size_t n) {
    std::string out = "[";
    for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + report_json();
    return out + "]";
  };
  auto result = decode_bulk_body(array_of(kBulkReportsMax + 1), kBankA);
  ASSERT_TRUE(std::holds_alternative<ApiError>(result));
  EXPECT_EQ(std::get<ApiError>(result).code, "TOO_MANY_REPORTS");
  EXPECT_EQ(std::get<ApiError>(result).field, "[10000]");
  result = decode_bulk_body(array_of(kBulkReportsMax), kBankA);
  ASSERT_TRUE(std::holds_alternative<std::vector<DecodedReport>>(result))
      << std::get<ApiError>(result).code << ": " << std::get<ApiError>(result).message;
  EXPECT_EQ(std::get<std::vector<DecodedReport>>(result).size(), kBulkReportsMax);
}

TEST(ApiText, FormatsDecimalsExactly) {
  EXPECT_EQ(format_decimal({105000, 2}), "1050.00");
  EXPECT_EQ(format_decimal({-1250, 2}), "-12.50");
  EXPECT_EQ(format_decimal({5, 2}), "0.05");
  EXPECT_EQ(format_decimal({-5, 3}), "-0.005");
  EXPECT_EQ(format_decimal({0, 2}), "0.00");
  EXPECT_EQ(format_decimal({42, 0}), "42");
  EXPECT_EQ(format_decimal({std::numeric_limits<std::int64_t>::min(), 4}), "-922337203685477.5808");
  EXPECT_EQ(format_decimal({INT64_MAX, 18}), "9.223372036854775807");
  for (const char* text : {"0.05", "1050.00", "7", "123456789.123456789"}) {
    EXPECT_EQ(format_decimal(std::get<Decimal>(parse_decimal(text, 9))), text);
  }
}

TEST(ApiText, DatesRoundTripOverTheWholeRange) {
  for (std::int32_t d = settlement::kDateMin.days; d <= settlement::kDateMax.days; d += 37) {
    const std::string text = format_date(settlement::BusinessDate{d});
    EXPECT_EQ(parse_date(text), settlement::BusinessDate{d}) << text;
  }
  EXPECT_EQ(format_date(settlement::date_from_civil(2026, 1, 5)), "2026-01-05");
  EXPECT_EQ(parse_unsigned("0"), 0u);
  EXPECT_EQ(parse_unsigned("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_unsigned("18446744073709551616"));
  EXPECT_FALSE(parse_unsigned("01"));
  EXPECT_FALSE(parse_unsigned("-1"));
  EXPECT_FALSE(parse_unsigned(""));
}

TEST(ApiJsonWriter, EscapesEveryByteOutsidePrintableAscii) {
  JsonWriter w;
  w.begin_object().field("text", std::string_view("a\"b\\c\n\x01\x7f\xc3\xa9", 10)).key("list").begin_array();
  w.integer(-1).unsigned_integer(UINT64_MAX).boolean(true).end_array().end_object();
  EXPECT_EQ(w.take(),
            R"({"text":"a\"b\\c\u000a\u0001\u007f\u00c3\u00a9","list":[-1,18446744073709551615,true]})");
}

}  // namespace
}  // namespace quorumclear::api
