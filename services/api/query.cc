#include "services/api/query.h"

#include "services/api/text.h"

#include <algorithm>

namespace quorumclear::api {
namespace {

bool is_cursor_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~' || c == '=';
}

std::string shown(std::string_view name) { return std::string(name.substr(0, 64)); }

}  // namespace

bool reads_everything(const Caller& caller) {
  return caller.role == settlement::Role::kOperator || caller.role == settlement::Role::kRegulator;
}

QueryReader::QueryReader(const QueryParams& query, std::initializer_list<std::string_view> allowed)
    : query_(query) {
  for (std::size_t i = 0; i < query.size(); ++i) {
    const std::string& name = query[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      error_ = bad_request("PARAMETER_UNKNOWN", "unknown query parameter " + shown(name), shown(name));
      return;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (query[j].first == name) {
        error_ = bad_request("PARAMETER_DUPLICATE", name + " is given twice", name);
        return;
      }
    }
  }
}

void QueryReader::invalid(std::string_view name, std::string_view what) {
  if (!error_) {
    error_ = bad_request("PARAMETER_INVALID", std::string(name) + " " + std::string(what), std::string(name));
  }
}

std::optional<std::string_view> QueryReader::text(std::string_view name) {
  if (error_) return std::nullopt;
  for (const auto& [key, value] : query_) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<settlement::BusinessDate> QueryReader::date(std::string_view name) {
  return parsed(name, parse_date, "must be a calendar date YYYY-MM-DD");
}

std::optional<ReportStatus> QueryReader::status(std::string_view name) {
  return parsed(name, parse_report_status, "is not a report status");
}

std::optional<std::uint64_t> QueryReader::unsigned_integer(std::string_view name) {
  return parsed(name, parse_unsigned, "must be a non-negative integer");
}

std::optional<settlement::MemberId> QueryReader::member(std::string_view name, const Caller& caller) {
  std::optional<settlement::MemberId> value = code<settlement::MemberId>(name);
  if (value && !error_ && !reads_everything(caller) && *value != caller.member) {
    error_ = ApiError{403, "MEMBER_FORBIDDEN", "a member reads only its own data", std::string(name), 0};
  }
  return value;
}

Page QueryReader::page(std::uint32_t limit_default, std::uint32_t limit_max) {
  Page page;
  page.limit = limit_default;
  if (const std::optional<std::string_view> cursor = text("cursor")) {
    if (cursor->empty() || cursor->size() > kCursorCharsMax ||
        !std::all_of(cursor->begin(), cursor->end(), is_cursor_char)) {
      invalid("cursor", "is not a cursor this API issued");
    } else {
      page.cursor = std::string(*cursor);
    }
  }
  if (const std::optional<std::uint64_t> limit = unsigned_integer("limit")) {
    if (*limit < 1 || *limit > limit_max) {
      invalid("limit", "must be 1.." + std::to_string(limit_max));
    } else {
      page.limit = static_cast<std::uint32_t>(*limit);
    }
  }
  return page;
}

}  // namespace quorumclear::api
