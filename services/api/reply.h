#pragma once
// Shared pieces of the handlers: turning a node Answer into a Reply, and
// writing the values every resource uses (decimals, dates, codes, trades).

#include "services/api/json_writer.h"
#include "services/api/router.h"
#include "services/api/text.h"

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace quorumclear::api {

[[nodiscard]] inline Reply json_reply(int status, std::string body) {
  return Reply{status, std::move(body), {}};
}

/// The HTTP status of a refusal kind (400, 403, 404, 409, 429, 503).
[[nodiscard]] int http_status(RefusalKind kind);

/// A node refusal as an error reply. A code that is not UPPER_SNAKE (1..48)
/// is replaced by the kind's generic code, so clients can rely on the form.
[[nodiscard]] Reply refusal_reply(const Refusal& refusal);

/// The node's answer: its refusal, or `status` with the document `write`
/// makes of its value (write(JsonWriter&, const T&) writes one JSON value).
template <class T, class Write>
[[nodiscard]] Reply answer_reply(const Answer<T>& answer, int status, Write&& write) {
  if (const auto* refusal = std::get_if<Refusal>(&answer)) return refusal_reply(*refusal);
  JsonWriter w;
  write(w, std::get<T>(answer));
  return json_reply(status, w.take());
}

/// The name a settlement validation field has in the report JSON: the
/// price's scale travels inside "price".
[[nodiscard]] std::string_view json_field(std::string_view field);

/// settlement::to_string(reason), or empty for Reason::kNone.
[[nodiscard]] std::string_view reason_name(settlement::Reason reason);

inline JsonWriter& write_decimal(JsonWriter& w, std::string_view name, const Decimal& value) {
  return w.field(name, format_decimal(value));
}
inline JsonWriter& write_date(JsonWriter& w, std::string_view name, settlement::BusinessDate date) {
  return w.field(name, format_date(date));
}
inline JsonWriter& write_digest(JsonWriter& w, std::string_view name, const settlement::Digest& d) {
  return w.field(name, to_hex(d));
}
/// "SECURITIES" or "CASH".
[[nodiscard]] std::string_view asset_kind_name(settlement::AssetKind kind);
/// "DELIVER", "RECEIVE", "PAY" or "COLLECT".
[[nodiscard]] std::string_view direction_name(settlement::Direction direction);
/// "PENDING", "SETTLED" or "FAILED".
[[nodiscard]] std::string_view obligation_status_name(settlement::ObligationStatus status);

/// The {trade_id} path parameter: ^[A-Za-z0-9._:-]{1,64}$, else 400
/// PARAMETER_INVALID.
[[nodiscard]] std::variant<settlement::TradeId, ApiError> trade_id_param(const std::string& text);

/// One TradeView as a JSON object (GET /v1/trades/{id}, lists, allegations).
void write_trade(JsonWriter& w, const TradeView& trade);

/// One EpochView as a JSON object (GET /v1/epochs/{epoch}, a run's proof).
void write_epoch(JsonWriter& w, const EpochView& epoch);

/// {"<list_name>": [...], "next_cursor": "..."} with `write_item` for each.
template <class T, class Write>
void write_page(JsonWriter& w, std::string_view list_name, const Paged<T>& page, Write&& write_item) {
  w.begin_object().key(list_name).begin_array();
  for (const T& item : page.items) write_item(w, item);
  w.end_array();
  w.field_if("next_cursor", page.next_cursor);
  w.end_object();
}

}  // namespace quorumclear::api
