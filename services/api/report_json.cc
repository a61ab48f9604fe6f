#include "services/api/report_json.h"

#include "services/api/text.h"

#include <array>
#include <optional>

namespace quorumclear::api {
namespace {

using settlement::Trade;
using Type = JsonValue::Type;
using MaybeError = std::optional<ApiError>;

// Where an error is reported: the full path for `field`, the bare name for
// messages.
struct At {
  std::string path;
  std::string_view name;
};

ApiError refuse(std::string code, const At& at, std::string_view what) {
  return bad_request(std::move(code), std::string(at.name) + " " + std::string(what), at.path);
}

ApiError wrong_type(const At& at, const JsonValue& v, std::string_view wanted) {
  return refuse("FIELD_TYPE", at,
                "must be " + std::string(wanted) + ", not " + std::string(type_name(v.type)));
}

template <class Code>
MaybeError decode_code(const JsonValue& v, const At& at, Code& out) {
  if (v.type != Type::kString) return wrong_type(at, v, "a string");
  const std::optional<Code> code = Code::from(v.text);
  if (!code) {
    return refuse("FIELD_INVALID", at, "must be at most " + std::to_string(Code::kCapacity) + " characters");
  }
  out = *code;
  return std::nullopt;
}

MaybeError decode_quantity(const JsonValue& v, const At& at, Trade& t) {
  if (v.type == Type::kUnsigned) return refuse("FIELD_INVALID", at, "is out of range");
  if (v.type != Type::kInteger) return wrong_type(at, v, "a JSON integer");
  t.quantity.units = v.integer;
  return std::nullopt;
}

MaybeError decode_price(const JsonValue& v, const At& at, Trade& t) {
  if (v.type != Type::kString) return wrong_type(at, v, "a decimal string such as \"10.50\"");
  const auto parsed = parse_decimal(v.text, kPriceScaleMax);
  if (const auto* error = std::get_if<DecimalError>(&parsed)) {
    switch (*error) {
      case DecimalError::kSyntax:
        return refuse("FIELD_INVALID", at,
                      "must be digits with an optional fraction, such as \"10.50\" "
                      "(no sign, no exponent)");
      case DecimalError::kScale:
        return refuse("FIELD_INVALID", at, "has more than " + std::to_string(kPriceScaleMax) + " decimals");
      case DecimalError::kRange:
        return refuse("FIELD_INVALID", at, "is out of range");
    }
  }
  const Decimal price = std::get<Decimal>(parsed);
  t.price.units = price.units;
  t.price_scale = price.scale;
  return std::nullopt;
}

MaybeError decode_date(const JsonValue& v, const At& at, settlement::BusinessDate& out) {
  if (v.type != Type::kString) return wrong_type(at, v, "a date string YYYY-MM-DD");
  const std::optional<settlement::BusinessDate> date = parse_date(v.text);
  if (!date) return refuse("FIELD_INVALID", at, "must be a calendar date YYYY-MM-DD");
  out = *date;
  return std::nullopt;
}

MaybeError decode_client_ref(const JsonValue& v, const At& at, Trade& t) {
  settlement::ClientRef ref;
  if (MaybeError e = decode_code(v, at, ref)) return e;
  t.client_ref = ref;
  return std::nullopt;
}

// One decoder per field, as the table below names them.
template <auto Field>
MaybeError code_field(const JsonValue& v, const At& at, Trade& t) {
  return decode_code(v, at, t.*Field);
}
template <auto Field>
MaybeError date_field(const JsonValue& v, const At& at, Trade& t) {
  return decode_date(v, at, t.*Field);
}

using FieldDecoder = MaybeError (*)(const JsonValue&, const At&, Trade&);

struct FieldSpec {
  std::string_view name;
  bool required;
  FieldDecoder decode;
};

// In the order of the report's documentation; missing fields are named in
// this order, so every node and client sees the same first error.
const std::array<FieldSpec, 10> kFields = {{
    {"trade_id", true, code_field<&Trade::trade_id>},
    {"buyer", true, code_field<&Trade::buyer>},
    {"seller", true, code_field<&Trade::seller>},
    {"isin", true, code_field<&Trade::isin>},
    {"quantity", true, decode_quantity},
    {"price", true, decode_price},
    {"currency", true, code_field<&Trade::currency>},
    {"trade_date", true, date_field<&Trade::trade_date>},
    {"settlement_date", true, date_field<&Trade::settlement_date>},
    {"client_ref", false, decode_client_ref},
}};

std::optional<std::size_t> field_index(std::string_view key) {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].name == key) return i;
  }
  return std::nullopt;
}

// A key as it may appear in an error: bounded, so a long key cannot bloat
// the answer (the writer escapes its bytes).
std::string shown_key(const std::string& key) { return key.substr(0, 64); }

}  // namespace

std::string field_path(std::string_view path, std::string_view name) {
  if (name.empty()) return std::string(path);
  if (path.empty()) return std::string(name);
  return std::string(path) + "." + std::string(name);
}

DecodedReport decode_report(const JsonValue& value, const settlement::MemberId& submitter,
                            std::string_view path) {
  if (value.type != Type::kObject) {
    return bad_request("FIELD_TYPE",
                       "a report must be a JSON object, not " + std::string(type_name(value.type)),
                       std::string(path));
  }
  Trade trade;
  trade.submitter = submitter;
  std::array<bool, kFields.size()> seen{};
  for (std::size_t i = 0; i < value.keys.size(); ++i) {
    const std::string& key = value.keys[i];
    const std::string where = field_path(path, shown_key(key));
    const std::optional<std::size_t> index = field_index(key);
    if (key == "submitter") {
      return bad_request("FIELD_NOT_ALLOWED",
                         "submitter is not a report field: it is the authenticated member", where);
    }
    if (!index) return bad_request("FIELD_UNKNOWN", "unknown field " + shown_key(key), where);
    if (seen[*index]) return bad_request("FIELD_DUPLICATE", key + " is given twice", where);
    seen[*index] = true;
    const At at{where, kFields[*index].name};
    if (MaybeError e = kFields[*index].decode(value.items[i], at, trade)) return std::move(*e);
  }
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].required && !seen[i]) {
      return bad_request("FIELD_MISSING", std::string(kFields[i].name) + " is required",
                         field_path(path, kFields[i].name));
    }
  }
  return trade;
}

std::variant<JsonValue, ApiError> parse_body(const std::string& body, const JsonLimits& limits) {
  JsonParse parsed = parse_json(body, limits);
  if (!parsed.value) {
    return bad_request("MALFORMED_JSON", "the body is not valid JSON: " + parsed.error);
  }
  return std::move(*parsed.value);
}

DecodedReport decode_single_body(const std::string& body, const settlement::MemberId& submitter) {
  auto parsed = parse_body(body, JsonLimits{8, 1'000});
  if (auto* error = std::get_if<ApiError>(&parsed)) return std::move(*error);
  return decode_report(std::get<JsonValue>(parsed), submitter, "");
}

std::variant<std::vector<DecodedReport>, ApiError> decode_bulk_body(const std::string& body,
                                                                    const settlement::MemberId& submitter) {
  // Room for kBulkReportsMax reports of every field, and for noticing one
  // report too many rather than failing on the value count first.
  const JsonLimits limits{8, (kBulkReportsMax + 1) * (kFields.size() + 1) + 1};
  auto parsed = parse_body(body, limits);
  if (auto* error = std::get_if<ApiError>(&parsed)) return std::move(*error);
  const JsonValue& root = std::get<JsonValue>(parsed);
  if (root.type != Type::kArray) {
    return bad_request("FIELD_TYPE",
                       "the body must be a JSON array of reports, not " + std::string(type_name(root.type)));
  }
  if (root.items.empty()) return bad_request("BULK_EMPTY", "the array holds no report");
  if (root.items.size() > kBulkReportsMax) {
    return bad_request("TOO_MANY_REPORTS",
                       "at most " + std::to_string(kBulkReportsMax) + " reports per request",
                       "[" + std::to_string(kBulkReportsMax) + "]");
  }
  std::vector<DecodedReport> reports;
  reports.reserve(root.items.size());
  for (std::size_t i = 0; i < root.items.size(); ++i) {
    reports.push_back(decode_report(root.items[i], submitter, "[" + std::to_string(i) + "]"));
  }
  return reports;
}

}  // namespace quorumclear::api
