// The connection behind a NodeStore: how it is opened, what every session
// is set to, how database errors map to the store's exceptions, and the
// calls that need nothing else (migrate, ping).
#include "services/store/migrations.h"
#include "services/store/node_store_internal.h"

#include <poll.h>

#include <utility>

namespace quorumclear::store {
namespace {

bool is_uri(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// Percent-encoding for a URI query value: everything but unreserved characters.
std::string uri_encoded(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A key=value connection string value in single quotes.
std::string quoted_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// SQLSTATEs that say "try again later", not "this is wrong": connection
// exceptions (08), a cancelled statement (57014: our statement timeout),
// the server shutting down or starting (57P01..57P03), resources exhausted
// (53: disk full, out of memory, too many connections), and transaction
// rollbacks (40: serialization failure, deadlock).
bool is_transient(const std::string& sqlstate) {
  const std::string cls = sqlstate.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "40" || sqlstate == "57014" ||
         sqlstate.rfind("57P", 0) == 0;
}

std::string prefix(const char* what) { return std::string("store: ") + what + ": "; }

}  // namespace

std::string session_conninfo(const std::string& url, const StoreOptions& options) {
  if (url.find("options=") != std::string::npos) {
    throw std::invalid_argument("store: the database URL sets 'options'; the store sets them itself");
  }
  std::vector<std::pair<std::string, std::string>> params = {
      {"options", "-c statement_timeout=" + std::to_string(options.statement_timeout_ms) +
                      " -c synchronous_commit=on -c client_min_messages=warning"},
      {"client_encoding", "UTF8"}};
  if (url.find("connect_timeout=") == std::string::npos) {
    params.emplace_back("connect_timeout", std::to_string(options.connect_timeout_s));
  }
  std::string out = url;
  if (is_uri(url)) {
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [key, value] : params) {
      out += separator + key + "=" + uri_encoded(value);
      separator = '&';
    }
  } else {
    for (const auto& [key, value] : params) out += " " + key + "=" + quoted_value(value);
  }
  return out;
}

std::exception_ptr map_current_exception(const char* what, bool& broken) {
  try {
    throw;
  } catch (const StoreError&) {
    return std::current_exception();
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    return std::make_exception_ptr(StoreUnavailable(prefix(what) + "database unreachable: " + e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    broken = true;
    return std::make_exception_ptr(
        StoreUnavailable(prefix(what) + "connection lost during commit, outcome unknown: " + e.what()));
  } catch (const pqxx::sql_error& e) {
    broken = true;
    if (is_transient(e.sqlstate())) {
      return std::make_exception_ptr(StoreUnavailable(prefix(what) + e.what()));
    }
    return std::make_exception_ptr(StoreError(prefix(what) + "SQLSTATE " + e.sqlstate() + ": " + e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    broken = true;
    return std::make_exception_ptr(StoreUnavailable(prefix(what) + e.what()));
  } catch (const pqxx::pqxx_exception& e) {
    // Any other libpqxx error (usage, conversion, an unexpected row count),
    // before std::invalid_argument: pqxx::argument_error is one too.
    broken = true;
    return std::make_exception_ptr(StoreError(prefix(what) + e.base().what()));
  } catch (const std::invalid_argument&) {
    return std::current_exception();
  }
  // Anything else (MigrationError, bad_alloc) propagates as it is.
}

NodeStore::Session::Session(const std::string& url, const StoreOptions& options)
    : db(session_conninfo(url, options)) {}

NodeStore::NodeStore(std::string url, StoreOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
  guarded("connect", [](Session&) { return 0; });
}

NodeStore::~NodeStore() = default;

bool connection_alive(pqxx::connection_base& db) noexcept {
  if (!db.is_open() || db.sock() < 0) return false;
  // An idle connection has nothing to read: the server speaks unprompted
  // only to end it (a FATAL, then EOF), or with notices and notifications
  // this store never asks for, which at worst cost one reconnect.
  pollfd in{db.sock(), POLLIN, 0};
  return ::poll(&in, 1, 0) == 0;
}

// A connection the server ended while it sat idle is replaced here, before
// the call: else the first call after the database came back would fail
// though nothing is wrong any more (and readiness would say ready meanwhile).
NodeStore::Session& NodeStore::session() {
  if (session_ && !connection_alive(session_->db)) session_.reset();
  if (!session_) session_ = std::make_unique<Session>(url_, options_);
  return *session_;
}

void NodeStore::migrate() { migrate(options_.schema_dir); }

void NodeStore::migrate(const std::filesystem::path& dir) {
  const std::vector<Migration> migrations = load_migrations(dir);
  guarded("migrate", [&](Session& s) {
    (void)apply_migrations(s.db, migrations);
    return 0;
  });
}

bool NodeStore::ping() noexcept {
  try {
    return guarded("ping", [&](Session& s) {
      pqxx::work tx(s.db);
      tx.exec("SET LOCAL statement_timeout = " + std::to_string(options_.ping_timeout_ms));
      tx.exec1("SELECT 1");
      tx.commit();
      return true;
    });
  } catch (...) {
    return false;
  }
}

}  // namespace quorumclear::store
