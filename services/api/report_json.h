#pragma once
// Decodes trade reports from request bodies (POST /v1/trades and
// /v1/trades/bulk). A report is
//   {"trade_id": "T-1", "buyer": "BANK_A", "seller": "BANK_B",
//    "isin": "DE0001102580", "quantity": 100, "price": "10.50",
//    "currency": "EUR", "trade_date": "2026-12-01",
//    "settlement_date": "2026-12-02", "client_ref": "optional"}
// Rules, each refusal a 400 naming the field (first in document order,
// then missing fields in the order above):
//   - price: a decimal string, no sign, no exponent, at most 9 decimals,
//     exact in int64 units; its scale is the number of decimals written.
//     A JSON number is refused (FIELD_TYPE), with or without a fraction.
//   - quantity: a JSON integer within int64; a string, a fraction or an
//     exponent is refused. Sign and zero are the node's to judge.
//   - dates: YYYY-MM-DD, a real calendar date.
//   - codes (ids, ISIN, currency, client_ref): strings no longer than their
//     settlement type holds; their syntax is validate_trade's to judge.
//   - "submitter" is refused (FIELD_NOT_ALLOWED): the submitter is always
//     the authenticated member. Unknown or repeated keys are refused.
// Codes: MALFORMED_JSON, FIELD_MISSING, FIELD_UNKNOWN, FIELD_DUPLICATE,
// FIELD_NOT_ALLOWED, FIELD_TYPE, FIELD_INVALID, BULK_EMPTY, TOO_MANY_REPORTS.

#include "services/api/api_error.h"
#include "services/api/json_value.h"

#include "settlement/trade.h"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::api {

// Limits (STYLE.md section 5). A body over its byte bound is 413; a bulk
// array over kBulkReportsMax reports is 400 TOO_MANY_REPORTS.
inline constexpr std::size_t kSingleBodyBytesMax = 64 * 1024;
inline constexpr std::size_t kBulkBodyBytesMax = 8 * 1024 * 1024;
inline constexpr std::size_t kBulkReportsMax = 10'000;
/// Decimals a price may be written with (settlement: price_scale 0..9).
inline constexpr int kPriceScaleMax = 9;

using DecodedReport = std::variant<settlement::Trade, ApiError>;

/// One report object. `path` prefixes field names in errors: "" for a
/// single report, "[17]" for bulk item 17 (fields read "[17].price").
[[nodiscard]] DecodedReport decode_report(const JsonValue& value, const settlement::MemberId& submitter,
                                          std::string_view path);

/// The body of POST /v1/trades: one report object.
[[nodiscard]] DecodedReport decode_single_body(const std::string& body,
                                               const settlement::MemberId& submitter);

/// The body of POST /v1/trades/bulk: an array of 1..kBulkReportsMax report
/// objects. A body that is not such an array is one ApiError; otherwise
/// every item decodes on its own, so one bad item does not refuse the rest.
[[nodiscard]] std::variant<std::vector<DecodedReport>, ApiError> decode_bulk_body(
    const std::string& body, const settlement::MemberId& submitter);

/// Parses a body as JSON within `limits`; a parse failure is 400
/// MALFORMED_JSON. Shared with other routes that take a body.
[[nodiscard]] std::variant<JsonValue, ApiError> parse_body(const std::string& body, const JsonLimits& limits);

/// "[17].price", "price", "[17]" or "" as `path` and `name` say.
[[nodiscard]] std::string field_path(std::string_view path, std::string_view name);

}  // namespace quorumclear::api
