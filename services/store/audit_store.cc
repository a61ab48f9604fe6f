// The audit's own reads, its scratch database and the table comparison
// (audit_store.h). Connections are NodeStore's (session_conninfo,
// map_current_exception): same timeouts, same error mapping.
#include "services/store/audit_store.h"

#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>
#include <limits>

namespace quorumclear::store {
namespace {

using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

constexpr std::uint64_t kSeqMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Runs `body` on a fresh connection to `url`, mapping every error as the
// store does everywhere else.
template <class F>
auto on_connection(const char* what, const std::string& url, const StoreOptions& options, F&& body) {
  try {
    pqxx::connection db(session_conninfo(url, options));
    return body(db);
  } catch (...) {
    bool broken = false;
    std::rethrow_exception(map_current_exception(what, broken));
  }
}

std::optional<std::uint64_t> optional_u64(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::uint64_t>();
}

bool is_integer_type(const std::string& type) {
  return type == "smallint" || type == "integer" || type == "bigint";
}

std::string quoted_identifier(pqxx::connection& db, const std::string& name) { return db.quote_name(name); }

struct Column {
  std::string name;
  std::string type;
};

struct TableShape {
  std::vector<Column> columns;  // every column, by position
  std::vector<std::size_t> key;  // indices into columns, in key order
};

TableShape shape_of(pqxx::connection& db, const std::string& table) {
  pqxx::work tx(db);
  TableShape shape;
  const pqxx::result cols = tx.exec_params(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
      table);
  for (const pqxx::row& r : cols) shape.columns.push_back({r[0].c_str(), r[1].c_str()});
  const pqxx::result key = tx.exec_params(
      "SELECT a.attname FROM pg_index i "
      "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
      "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
      "WHERE i.indrelid = to_regclass('public.' || quote_ident($1)) AND i.indisprimary ORDER BY k.n",
      table);
  for (const pqxx::row& r : key) {
    for (std::size_t c = 0; c < shape.columns.size(); ++c) {
      if (shape.columns[c].name == r[0].c_str()) shape.key.push_back(c);
    }
  }
  tx.commit();
  return shape;
}

// A row in text form; nullopt is NULL.
using TextRow = std::vector<std::optional<std::string>>;

// Reads one side's rows through a cursor, kCompareFetchRows at a time.
class RowStream {
 public:
  RowStream(pqxx::connection& db, const std::string& select) : tx_(db) {
    // One output form for both sides, whatever the server's defaults.
    tx_.exec("SET LOCAL DateStyle = ISO, YMD; SET LOCAL bytea_output = hex; SET LOCAL IntervalStyle = postgres");
    tx_.exec("DECLARE qc_audit_rows NO SCROLL CURSOR FOR " + select);
  }
  /// The next row, or nullopt at the end.
  std::optional<TextRow> next() {
    if (at_ >= page_.size()) {
      if (done_) return std::nullopt;
      page_ = tx_.exec("FETCH " + std::to_string(kCompareFetchRows) + " FROM qc_audit_rows");
      at_ = 0;
      if (page_.empty()) {
        done_ = true;
        return std::nullopt;
      }
    }
    const pqxx::row r = page_[static_cast<pqxx::result::size_type>(at_++)];
    TextRow out;
    out.reserve(r.size());
    for (const pqxx::field& f : r) out.push_back(f.is_null() ? std::nullopt : std::optional<std::string>(f.c_str()));
    return out;
  }

 private:
  Snapshot tx_;
  pqxx::result page_;
  std::size_t at_ = 0;
  bool done_ = false;
};

std::string shown(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  if (v->size() <= kShownValueChars) return *v;
  return v->substr(0, kShownValueChars) + "... (" + std::to_string(v->size()) + " characters)";
}

// Key order as the SELECT sorts: integers by value, everything else by its
// text in byte order (COLLATE "C"), so the merge below and the server agree
// whatever the databases' collations are.
int compare_keys(const TextRow& a, const TextRow& b, const std::vector<bool>& integer_key) {
  for (std::size_t k = 0; k < integer_key.size(); ++k) {
    const std::string& x = *a[k];
    const std::string& y = *b[k];
    if (integer_key[k]) {
      std::int64_t xv = 0, yv = 0;
      std::from_chars(x.data(), x.data() + x.size(), xv);
      std::from_chars(y.data(), y.data() + y.size(), yv);
      if (xv != yv) return xv < yv ? -1 : 1;
    } else if (const int c = x.compare(y); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

}  // namespace

// ---- AuditStore ---------------------------------------------------------------

struct AuditStore::Session {
  Session(const std::string& url, const StoreOptions& options) : db(session_conninfo(url, options)) {}
  pqxx::connection db;
};

template <class F>
auto AuditStore::guarded(const char* what, F&& body) {
  try {
    if (session_ && !connection_alive(session_->db)) session_.reset();
    if (!session_) session_ = std::make_unique<Session>(url_, options_);
    return body(*session_);
  } catch (...) {
    bool broken = false;
    std::exception_ptr mapped = map_current_exception(what, broken);
    if (broken) session_.reset();
    std::rethrow_exception(mapped);
  }
}

AuditStore::AuditStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(std::move(options)) {
  guarded("connect", [](Session&) { return 0; });
}

AuditStore::~AuditStore() = default;

std::optional<AuditLogRow> AuditStore::audit_row(std::uint64_t seq) {
  if (seq > kSeqMax) return std::nullopt;
  return guarded("audit_row", [&](Session& s) -> std::optional<AuditLogRow> {
    Snapshot tx(s.db);
    const pqxx::result r = tx.exec(
        "SELECT seq, epoch, kind, actor, record, prev_hash, entry_hash FROM audit_log WHERE seq = " +
        std::to_string(seq));
    tx.commit();
    if (r.empty()) return std::nullopt;
    AuditLogRow row;
    row.seq = r[0][0].as<std::uint64_t>();
    row.epoch = optional_u64(r[0][1]);
    row.kind = r[0][2].c_str();
    if (!r[0][3].is_null()) row.actor = r[0][3].c_str();
    row.record = sql::bytes_of(r[0][4]);
    row.prev_hash = sql::bytes_of(r[0][5]);
    row.entry_hash = sql::bytes_of(r[0][6]);
    return row;
  });
}

KeyRange AuditStore::key_range(const char* what, const std::string& table, const std::string& column) {
  return guarded(what, [&](Session& s) {
    Snapshot tx(s.db);
    const pqxx::row r = tx.exec1("SELECT count(*), min(" + column + "), max(" + column + ") FROM " + table);
    tx.commit();
    return KeyRange{r[0].as<std::uint64_t>(), optional_u64(r[1]), optional_u64(r[2])};
  });
}

KeyRange AuditStore::audit_seq_range() { return key_range("audit_seq_range", "audit_log", "seq"); }

KeyRange AuditStore::epoch_range() { return key_range("epoch_range", "epochs", "epoch"); }

std::uint16_t AuditStore::node_id() {
  return guarded("node_id", [&](Session& s) {
    Snapshot tx(s.db);
    const pqxx::result r = tx.exec("SELECT node_id FROM node_state");
    tx.commit();
    if (r.size() != 1) throw StoreError("store: node_state holds " + std::to_string(r.size()) + " rows, not one");
    const auto id = r[0][0].as<std::int64_t>();
    if (id < 0 || id > std::numeric_limits<std::uint16_t>::max()) {
      throw StoreError("store: node_state.node_id " + std::to_string(id) + " is no node id");
    }
    return static_cast<std::uint16_t>(id);
  });
}

// ---- Scratch databases ----------------------------------------------------------

std::string with_database(const std::string& url, const std::string& database) {
  const bool valid = !database.empty() && database.size() <= 63 &&
                     database.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!valid) throw std::invalid_argument("store: not a database name this tool makes: " + database);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    const std::size_t authority = url.find("://") + 3;
    const std::size_t query = url.find('?', authority);
    const std::size_t path = url.find('/', authority);
    const std::size_t end = query == std::string::npos ? url.size() : query;
    const std::size_t cut = path == std::string::npos || path > end ? end : path;
    return url.substr(0, cut) + "/" + database + url.substr(end);
  }
  // key=value: a later dbname overrides an earlier one (libpq).
  return url + " dbname=" + database;
}

bool database_is_empty(const std::string& url, StoreOptions options) {
  return on_connection("database_is_empty", url, options, [](pqxx::connection& db) {
    pqxx::work tx(db);
    const pqxx::row r = tx.exec1("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    tx.commit();
    return r[0].as<std::int64_t>() == 0;
  });
}

ScratchDatabase::ScratchDatabase(const std::string& server_url, StoreOptions options)
    : server_url_(server_url), options_(std::move(options)) {
  std::array<unsigned char, 8> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw StoreError("store: no randomness for a scratch database name");
  }
  name_ = "qc_audit_";
  for (const unsigned char b : random) {
    name_ += "0123456789abcdef"[b >> 4];
    name_ += "0123456789abcdef"[b & 15];
  }
  url_ = with_database(server_url_, name_);
  on_connection("create scratch database", server_url_, options_, [&](pqxx::connection& db) {
    pqxx::nontransaction tx(db);  // CREATE DATABASE cannot run in a transaction block
    tx.exec("CREATE DATABASE " + quoted_identifier(db, name_));
    return 0;
  });
}

ScratchDatabase::~ScratchDatabase() { (void)drop(); }

bool ScratchDatabase::drop(std::string* error) noexcept {
  if (dropped_) return true;
  try {
    on_connection("drop scratch database", server_url_, options_, [&](pqxx::connection& db) {
      pqxx::nontransaction tx(db);
      tx.exec("DROP DATABASE IF EXISTS " + quoted_identifier(db, name_) + " WITH (FORCE)");
      return 0;
    });
    dropped_ = true;
    return true;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
}

// ---- Comparison ---------------------------------------------------------------------

TableComparison compare_table(const std::string& stored_url, const std::string& replayed_url,
                              const TableToCompare& t, StoreOptions options) {
  return on_connection("compare_table", stored_url, options,
                       [&](pqxx::connection& stored_db) {
    pqxx::connection replayed_db(session_conninfo(replayed_url, options));
    TableComparison out;
    out.table = t.table;
    const TableShape stored_shape = shape_of(stored_db, t.table);
    const TableShape replayed_shape = shape_of(replayed_db, t.table);
    if (stored_shape.columns.empty()) throw StoreError("store: the audited database has no table " + t.table);
    if (stored_shape.key.empty()) throw StoreError("store: table " + t.table + " has no primary key");
    const auto excluded = [&](const std::string& c) {
      return std::find(t.excluded.begin(), t.excluded.end(), c) != t.excluded.end();
    };
    const auto has = [](const TableShape& s, const std::string& c) {
      return std::any_of(s.columns.begin(), s.columns.end(), [&](const Column& x) { return x.name == c; });
    };
    for (const auto& [side, other, where] :
         {std::tuple{&stored_shape, &replayed_shape, "only the audited database"},
          std::tuple{&replayed_shape, &stored_shape, "only the replay's database"}}) {
      for (const Column& c : side->columns) {
        if (!excluded(c.name) && !has(*other, c.name)) {
          out.difference = RowDifference{t.table, "(schema)", c.name, side == &stored_shape ? "a column" : "absent",
                                         std::string("absent: the column is in ") + where};
          return out;
        }
      }
    }
    // Key columns first (the merge reads them as 0..k-1), then the rest.
    std::vector<std::string> names;
    std::vector<bool> integer_key;
    std::string select = "SELECT ", order;
    for (const std::size_t k : stored_shape.key) {
      const Column& c = stored_shape.columns[k];
      const std::string q = quoted_identifier(stored_db, c.name);
      names.push_back(c.name);
      integer_key.push_back(is_integer_type(c.type));
      select += (names.size() > 1 ? ", " : "") + q + "::text";
      order += (order.empty() ? "" : ", ") + (is_integer_type(c.type) ? q : "(" + q + "::text) COLLATE \"C\"");
    }
    for (std::size_t i = 0; i < stored_shape.columns.size(); ++i) {
      const Column& c = stored_shape.columns[i];
      if (excluded(c.name) || std::find(stored_shape.key.begin(), stored_shape.key.end(), i) != stored_shape.key.end()) {
        continue;
      }
      names.push_back(c.name);
      select += ", " + quoted_identifier(stored_db, c.name) + "::text";
    }
    select += " FROM " + quoted_identifier(stored_db, t.table) + " ORDER BY " + order;
    out.columns = names;
    RowStream stored(stored_db, select);
    RowStream replayed(replayed_db, select);
    const auto key_text = [&](const TextRow& r) {
      std::string key;
      for (std::size_t k = 0; k < integer_key.size(); ++k) key += (k ? ", " : "") + names[k] + "=" + shown(r[k]);
      return key;
    };
    std::optional<TextRow> a = stored.next(), b = replayed.next();
    while (a || b) {
      const int order_of = !a ? 1 : !b ? -1 : compare_keys(*a, *b, integer_key);
      if (order_of != 0) {
        const bool stored_only = order_of < 0;
        out.difference = RowDifference{t.table, key_text(stored_only ? *a : *b), "(row)",
                                       stored_only ? "present" : "absent", stored_only ? "absent" : "present"};
        return out;
      }
      for (std::size_t c = integer_key.size(); c < names.size(); ++c) {
        if ((*a)[c] != (*b)[c]) {
          out.difference = RowDifference{t.table, key_text(*a), names[c], shown((*a)[c]), shown((*b)[c])};
          return out;
        }
      }
      ++out.rows;
      a = stored.next();
      b = replayed.next();
    }
    return out;
  });
}

}  // namespace quorumclear::store
