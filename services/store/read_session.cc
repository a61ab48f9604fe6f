// The connection behind a ReadStore, built from NodeStore's session
// helpers (session_conninfo, map_current_exception), so both kinds of
// store connect, time out and fail the same way; plus the query builder
// and node_state's open date.
#include "services/store/read_store_internal.h"

#include <limits>
#include <utility>

namespace quorumclear::store {

ReadStore::Session::Session(const std::string& url, const StoreOptions& options)
    : db(session_conninfo(url, options)) {}

ReadStore::ReadStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(std::move(options)) {
  guarded("connect", [](Session&) { return 0; });
}

ReadStore::~ReadStore() = default;

ReadStore::Session& ReadStore::session() {
  if (session_ && !connection_alive(session_->db)) session_.reset();  // as NodeStore::session
  if (!session_) session_ = std::make_unique<Session>(url_, options_);
  return *session_;
}

std::string_view to_string(ControlKind kind) {
  switch (kind) {
    case ControlKind::kCutOff: return "CUTOFF";
    case ControlKind::kScheduledCutOff: return "SCHEDULED_CUTOFF";
    case ControlKind::kFunding: return "FUNDING";
    case ControlKind::kSuspension: return "SUSPENSION";
  }
  return "UNKNOWN";
}

StoredOpenDate ReadStore::open_date() {
  return guarded("open_date", [&](Session& s) {
    Snapshot tx(s.db);
    const pqxx::result rows =
        tx.exec("SELECT " + read::days("open_business_date") + ", last_applied_epoch FROM node_state");
    if (rows.empty() || rows[0][0].is_null()) {
      throw StoreError("store: open_date: no open business date in node_state; run init_network first");
    }
    StoredOpenDate out;
    out.business_date = read::date_of(rows[0][0]);
    const auto last = rows[0][1].as<std::int64_t>();
    if (last >= 0) out.last_applied_epoch = static_cast<std::uint64_t>(last);
    tx.commit();
    return out;
  });
}

namespace read {

std::string Query::param(sql::Field value) {
  params_.push_back(std::move(value));
  return "$" + std::to_string(params_.size());
}

Query& Query::where(std::string_view condition) {
  sql_ += has_where_ ? " AND " : " WHERE ";
  sql_ += condition;
  has_where_ = true;
  return *this;
}

Query& Query::append(std::string_view text) {
  sql_ += ' ';
  sql_ += text;
  return *this;
}

pqxx::result Query::run(pqxx::transaction_base& tx) const {
  return tx.exec_params(sql_, pqxx::prepare::make_dynamic_params(params_));
}

std::string days(std::string_view column) {
  const std::string c(column);
  return "(CASE WHEN " + c + " = 'infinity' THEN " + std::to_string(std::numeric_limits<std::int32_t>::max()) +
         " WHEN " + c + " = '-infinity' THEN " + std::to_string(std::numeric_limits<std::int32_t>::min()) +
         " ELSE " + c + " - DATE '1970-01-01' END)";
}

void check_limit(std::uint32_t limit, std::uint32_t max) {
  if (limit < 1 || limit > max) {
    throw std::invalid_argument("store: a page limit must be 1.." + std::to_string(max));
  }
}

void check_scope(const Scope& scope) {
  if (scope && !settlement::is_valid_member_id(scope->view())) {
    throw std::invalid_argument("store: a scope must name a member id");
  }
}

}  // namespace read
}  // namespace quorumclear::store
