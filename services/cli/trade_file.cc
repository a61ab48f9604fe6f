#include "services/cli/trade_file.h"

#include "services/api/json_writer.h"
#include "services/cli/json_access.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace quorumclear::cli {
namespace {

// The report's fields, in the API's order; client_ref is optional.
enum Column : std::size_t {
  kTradeId, kBuyer, kSeller, kIsin, kQuantity, kPrice, kCurrency, kTradeDate, kSettlementDate, kClientRef,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "trade_id", "buyer", "seller", "isin", "quantity", "price", "currency", "trade_date", "settlement_date",
    "client_ref"};

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

std::optional<std::int64_t> parse_quantity(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.front() == '+') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string& field_of(TradeRow& row, std::size_t column) {
  switch (column) {
    case kTradeId: return row.trade_id;
    case kBuyer: return row.buyer;
    case kSeller: return row.seller;
    case kIsin: return row.isin;
    case kPrice: return row.price;
    case kCurrency: return row.currency;
    case kTradeDate: return row.trade_date;
    case kSettlementDate: return row.settlement_date;
    default: return row.client_ref;
  }
}

// header[i] = the Column of CSV column i.
std::variant<std::vector<std::size_t>, std::string> read_header(const std::vector<std::string>& names,
                                                                std::string_view where) {
  std::vector<std::size_t> order;
  std::array<bool, kColumnCount> seen{};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = trim(names[i]);
    const auto it = std::find(kColumnNames.begin(), kColumnNames.end(), name);
    const std::string at = std::string(where) + ", column " + std::to_string(i + 1);
    if (it == kColumnNames.end()) return at + ": unknown column \"" + name.substr(0, 40) + "\"";
    const auto column = static_cast<std::size_t>(it - kColumnNames.begin());
    if (seen[column]) return at + ": column " + name + " appears twice";
    seen[column] = true;
    order.push_back(column);
  }
  for (std::size_t c = 0; c < kClientRef; ++c) {
    if (!seen[c]) return std::string(where) + ": the header lacks the column " + std::string(kColumnNames[c]);
  }
  return order;
}

std::variant<TradeRow, RowRefusal> read_row(const std::vector<std::string>& fields,
                                            const std::vector<std::size_t>& order, const std::string& where) {
  TradeRow row;
  row.where = where;
  const auto id_at = std::find(order.begin(), order.end(), kTradeId);
  const std::string id =
      id_at != order.end() && static_cast<std::size_t>(id_at - order.begin()) < fields.size()
          ? trim(fields[static_cast<std::size_t>(id_at - order.begin())])
          : "";
  if (fields.size() != order.size()) {
    return RowRefusal{where, std::to_string(fields.size()) + " fields, the header has " + std::to_string(order.size()),
                      id};
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string value = trim(fields[i]);
    const std::string at = where + ", column " + std::to_string(i + 1) + " (" + std::string(kColumnNames[order[i]]) + ")";
    if (value.size() > kCsvFieldBytesMax) return RowRefusal{at, "longer than " + std::to_string(kCsvFieldBytesMax) + " bytes", id};
    if (order[i] == kQuantity) {
      const auto quantity = parse_quantity(value);
      if (!quantity) return RowRefusal{at, "\"" + value.substr(0, 40) + "\" is not a whole number", id};
      row.quantity = *quantity;
    } else {
      field_of(row, order[i]) = value;
    }
  }
  return row;
}

}  // namespace

std::variant<std::vector<std::string>, CsvLineError> split_csv_line(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const std::size_t column = fields.size();
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
      }
    } else if (c == ',') {
      fields.emplace_back();
      was_quoted = false;
    } else if (c == '"') {
      if (!trim(fields.back()).empty() || was_quoted) return CsvLineError{column, "a quote inside an unquoted field"};
      fields.back().clear();
      quoted = true;
    } else if (was_quoted && c != ' ' && c != '\t') {
      return CsvLineError{column, "text after the closing quote"};
    } else if (!was_quoted) {
      fields.back() += c;
    }
  }
  if (quoted) return CsvLineError{fields.size(), "the quote is not closed on this line"};
  return fields;
}

std::variant<TradeFile, std::string> parse_trades_csv(std::string_view text, std::string_view name) {
  TradeFile file;
  std::optional<std::vector<std::size_t>> order;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (trim(line).empty()) continue;
    const std::string where = std::string(name) + " line " + std::to_string(line_number);
    auto fields = split_csv_line(line);
    if (!order) {
      if (auto* e = std::get_if<CsvLineError>(&fields)) {
        return where + ", column " + std::to_string(e->column) + ": " + e->message;
      }
      auto header = read_header(std::get<0>(fields), where);
      if (auto* problem = std::get_if<std::string>(&header)) return *problem;
      order = std::move(std::get<0>(header));
      continue;
    }
    if (file.records() == kTradeFileRecordsMax) {
      return std::string(name) + ": more than " + std::to_string(kTradeFileRecordsMax) + " reports";
    }
    if (auto* e = std::get_if<CsvLineError>(&fields)) {
      file.refused.push_back({where + ", column " + std::to_string(e->column), e->message, ""});
      continue;
    }
    auto row = read_row(std::get<0>(fields), *order, where);
    if (auto* refusal = std::get_if<RowRefusal>(&row)) {
      file.refused.push_back(std::move(*refusal));
    } else {
      file.rows.push_back(std::move(std::get<TradeRow>(row)));
    }
  }
  if (!order) return std::string(name) + ": empty (a header line is needed: " + "trade_id,buyer,seller,...)";
  return file;
}

namespace {

std::variant<TradeRow, RowRefusal> read_item(const JsonValue& item, const std::string& where) {
  TradeRow row;
  row.where = where;
  const std::string id = field_text(item, "trade_id");
  if (item.type != JsonValue::Type::kObject) return RowRefusal{where, "not a JSON object", ""};
  std::array<bool, kColumnCount> seen{};
  for (std::size_t i = 0; i < item.keys.size(); ++i) {
    const std::string& key = item.keys[i];
    const JsonValue& value = item.items[i];
    const auto it = std::find(kColumnNames.begin(), kColumnNames.end(), key);
    const std::string at = where + ", field " + key.substr(0, 40);
    if (it == kColumnNames.end()) return RowRefusal{at, "unknown field", id};
    const auto column = static_cast<std::size_t>(it - kColumnNames.begin());
    if (seen[column]) return RowRefusal{at, "given twice", id};
    seen[column] = true;
    if (column == kQuantity) {
      if (value.type != JsonValue::Type::kInteger) return RowRefusal{at, "must be a JSON integer", id};
      row.quantity = value.integer;
    } else {
      // A price written as a JSON number would have passed through floating point: refused.
      if (value.type != JsonValue::Type::kString) return RowRefusal{at, "must be a string", id};
      field_of(row, column) = value.text;
    }
  }
  for (std::size_t c = 0; c < kClientRef; ++c) {
    if (!seen[c]) return RowRefusal{where + ", field " + std::string(kColumnNames[c]), "missing", id};
  }
  return row;
}

}  // namespace

std::variant<TradeFile, std::string> parse_trades_json(const std::string& text, std::string_view name) {
  const api::JsonParse parsed = api::parse_json(text, api::JsonLimits{4, kTradeFileRecordsMax * 12});
  if (!parsed.value) return std::string(name) + ": not JSON (" + parsed.error + ")";
  if (parsed.value->type != JsonValue::Type::kArray) return std::string(name) + ": must be a JSON array of reports";
  if (parsed.value->items.size() > kTradeFileRecordsMax) {
    return std::string(name) + ": more than " + std::to_string(kTradeFileRecordsMax) + " reports";
  }
  TradeFile file;
  for (std::size_t i = 0; i < parsed.value->items.size(); ++i) {
    auto row = read_item(parsed.value->items[i], std::string(name) + " item " + std::to_string(i));
    if (auto* refusal = std::get_if<RowRefusal>(&row)) {
      file.refused.push_back(std::move(*refusal));
    } else {
      file.rows.push_back(std::move(std::get<TradeRow>(row)));
    }
  }
  return file;
}

std::variant<TradeFile, std::string> read_trade_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return path.string() + ": " + ec.message();
  if (size > kTradeFileBytesMax) return path.string() + ": larger than " + std::to_string(kTradeFileBytesMax) + " bytes";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return path.string() + ": cannot be read";
  const std::string body = text.str();
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && body[first] == '[') return parse_trades_json(body, path.filename().string());
  return parse_trades_csv(body, path.filename().string());
}

std::string bulk_body(std::span<const TradeRow> rows) {
  api::JsonWriter w;
  w.begin_array();
  for (const TradeRow& r : rows) {
    w.begin_object().field("trade_id", r.trade_id).field("buyer", r.buyer).field("seller", r.seller);
    w.field("isin", r.isin).field("quantity", r.quantity).field("price", r.price).field("currency", r.currency);
    w.field("trade_date", r.trade_date).field("settlement_date", r.settlement_date).field_if("client_ref", r.client_ref);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace quorumclear::cli
