// Member API tokens (only their SHA-256) and the node-local event log:
// node-local rows that no other node holds or signs.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <regex>

namespace quorumclear::store {

void NodeStore::insert_token(std::string_view member_id, const Digest& token_sha256, std::string_view label) {
  guarded("insert_token", [&](Session& s) {
    pqxx::work tx(s.db);
    const std::string hash = tx.quote(sql::bytea(token_sha256).text);
    tx.exec("INSERT INTO api_tokens (token_sha256, member_id, label) VALUES (" + hash + ", " +
            tx.quote(std::string(member_id)) + ", " + tx.quote(sql::printable(label)) + ") ON CONFLICT DO NOTHING");
    // Registering again (every node registers the operator's) is a no-op;
    // the same hash for another member is a mistake worth stopping for.
    const std::string owner = tx.exec1("SELECT member_id FROM api_tokens WHERE token_sha256 = " + hash)[0].as<std::string>();
    if (owner != member_id) throw StoreError("store: insert_token: this token is registered for another member");
    tx.commit();
    return 0;
  });
}

std::optional<std::string> NodeStore::member_of_token(const Digest& token_sha256) {
  return guarded("member_of_token", [&](Session& s) -> std::optional<std::string> {
    pqxx::work tx(s.db);
    const pqxx::result r = tx.exec("SELECT member_id FROM api_tokens WHERE revoked_at IS NULL AND token_sha256 = " +
                                   tx.quote(sql::bytea(token_sha256).text));
    tx.commit();
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

bool NodeStore::revoke_token(const Digest& token_sha256) {
  return guarded("revoke_token", [&](Session& s) {
    pqxx::work tx(s.db);
    const pqxx::result r = tx.exec("UPDATE api_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND token_sha256 = " +
                                   tx.quote(sql::bytea(token_sha256).text));
    tx.commit();
    return r.affected_rows() == 1;
  });
}

void NodeStore::record_local_event(std::string_view kind, std::optional<std::uint16_t> peer, std::string_view detail) {
  static const std::regex kKind("^[A-Z_]{1,48}$");
  if (!std::regex_match(kind.begin(), kind.end(), kKind)) {
    throw std::invalid_argument("store: local event kind must be UPPER_SNAKE, 1..48 characters");
  }
  const std::string text = sql::printable(detail.substr(0, kLocalEventDetailMax));
  guarded("record_local_event", [&](Session& s) {
    pqxx::work tx(s.db);
    // Diagnostics: not worth a wait for the disk (0009, local_events).
    tx.exec("SET LOCAL synchronous_commit = off");
    tx.exec("INSERT INTO local_events (kind, peer, detail) VALUES (" + tx.quote(std::string(kind)) + ", " +
            (peer ? std::to_string(*peer) : std::string("NULL")) + ", " + tx.quote(text) + ")");
    tx.commit();
    return 0;
  });
}

}  // namespace quorumclear::store
