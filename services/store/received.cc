// Received reports: what the node acknowledged before the quorum decided
// it (node_store.h, "Received reports"): inserted before the 202, deleted
// by the epoch that answered it, reloaded after a restart.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <unordered_set>

namespace quorumclear::store {
namespace {

using sql::Rows;

constexpr std::array<const char*, 3> kKeyColumns{"submitter", "trade_id", "content_hash"};

std::string key_of(std::string_view submitter, std::string_view trade_id, settlement::ByteView hash) {
  std::string key(submitter);
  key += '\0';
  key += trade_id;
  key += '\0';
  key.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return key;
}

void check_bounds(const ReceivedReport& r) {
  if (!settlement::is_valid_member_id(r.submitter)) {
    throw std::invalid_argument("store: received report: submitter is not a member id");
  }
  if (!settlement::is_valid_trade_id(r.trade_id)) {
    throw std::invalid_argument("store: received report: trade_id is not a trade id");
  }
  if (r.entry.empty() || r.entry.size() > kReceivedEntryBytesMax) {
    throw std::invalid_argument("store: received report: entry of " + std::to_string(r.entry.size()) +
                                " bytes is outside 1.." + std::to_string(kReceivedEntryBytesMax));
  }
}

Rows<5> received_rows(std::span<const ReceivedReport> reports) {
  Rows<5> rows{{"submitter", "trade_id", "content_hash", "entry", "is_cancel"}, {}};
  rows.rows.reserve(reports.size());
  for (const ReceivedReport& r : reports) {
    check_bounds(r);
    rows.rows.push_back({sql::text(r.submitter), sql::text(r.trade_id), sql::bytea(r.content_hash),
                         sql::bytea(r.entry), sql::boolean(r.is_cancel)});
  }
  return rows;
}

}  // namespace

std::vector<bool> NodeStore::insert_received(std::span<const ReceivedReport> reports) {
  const Rows<5> rows = received_rows(reports);
  std::unordered_set<std::string> inserted;
  guarded("insert_received", [&](Session& s) {
    pqxx::work tx(s.db);
    // Multi-row INSERT, not COPY: COPY cannot skip a row already there, and
    // RETURNING says which rows were new.
    const std::string head = "INSERT INTO received_reports (" + sql::column_list(rows.columns) + ") VALUES ";
    for (std::size_t first = 0; first < rows.rows.size(); first += sql::kValuesRowsPerStatement) {
      const std::size_t last = std::min(rows.rows.size(), first + sql::kValuesRowsPerStatement);
      const pqxx::result r = tx.exec(head + sql::values_list(tx, rows, first, last) +
                                     " ON CONFLICT DO NOTHING RETURNING submitter, trade_id, content_hash");
      for (const pqxx::row& row : r) {
        const Bytes hash = sql::bytes_of(row[2]);
        inserted.insert(key_of(row[0].c_str(), row[1].c_str(), hash));
      }
    }
    tx.commit();
    return 0;
  });
  std::vector<bool> fresh;
  fresh.reserve(reports.size());
  for (const ReceivedReport& r : reports) {
    // erase: a repeat within `reports` is new once.
    fresh.push_back(inserted.erase(key_of(r.submitter, r.trade_id, r.content_hash)) == 1);
  }
  return fresh;
}

std::vector<ReceivedReport> NodeStore::load_undecided() {
  return guarded("load_undecided", [&](Session& s) {
    pqxx::work tx(s.db);
    const pqxx::result rows = tx.exec(
        "SELECT submitter, trade_id, content_hash, entry, is_cancel FROM received_reports "
        "ORDER BY received_at, submitter, trade_id, content_hash");
    std::vector<ReceivedReport> out;
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      out.push_back(ReceivedReport{row[0].as<std::string>(), row[1].as<std::string>(), sql::digest_of(row[2]),
                                   sql::bytes_of(row[3]), row[4].as<bool>()});
    }
    tx.commit();
    return out;
  });
}

void delete_answered_received(pqxx::work& tx, const EpochToWrite& e, std::uint16_t self, BulkMethod bulk) {
  // Usually a few rows wait, often none (another node's members, a quiet
  // API): one probe is cheaper than staging every outcome's key.
  if (!tx.exec1("SELECT EXISTS (SELECT 1 FROM received_reports)")[0].as<bool>()) return;
  const bool bound = e.reference.submitter_must_be_proposer();
  Rows<3> answered{kKeyColumns, {}};
  for (const settlement::TradeOutcome& o : e.result.trades) {
    if (bound && o.proposer != self) continue;
    // Received rows hold valid ids only, so a refused outcome's mangled
    // bytes ('?') can never match one; they only must not fail the epoch.
    answered.rows.push_back({sql::untrusted_text(o.trade.submitter.view()),
                             sql::untrusted_text(o.trade.trade_id.view()), sql::bytea(o.content_hash)});
  }
  if (answered.rows.empty()) return;
  sql::write_rows(tx, bulk, "qc_stage_answered", answered);
  tx.exec(
      "DELETE FROM received_reports r USING qc_stage_answered a "
      "WHERE r.submitter = a.submitter AND r.trade_id = a.trade_id AND r.content_hash = a.content_hash");
}

}  // namespace quorumclear::store
