// Reading epochs back: replay after a restart (for_each_epoch, a cursor so
// that memory holds one epoch), serving a lagging peer (load_epoch), and
// the certificates' signatures.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <limits>

namespace quorumclear::store {
namespace {

constexpr std::uint64_t kEpochMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Rows fetched per round trip while replaying: at most this many batches
// (each at most settlement::kBatchBytesMax) are held beside the epoch
// being assembled.
constexpr int kReplayFetchRows = 16;

StoredEpoch epoch_head(const pqxx::row& row) {
  StoredEpoch e;
  e.epoch = row["epoch"].as<std::uint64_t>();
  e.output_digest = sql::digest_of(row["output_digest"]);
  e.state_digest = sql::digest_of(row["state_digest"]);
  e.audit_head = sql::digest_of(row["audit_head"]);
  if (!row["snapshot_digest"].is_null()) e.snapshot_digest = sql::digest_of(row["snapshot_digest"]);
  if (!row["obligations_root"].is_null()) e.obligations_root = sql::digest_of(row["obligations_root"]);
  return e;
}

void check_complete(const StoredEpoch& e, std::size_t batch_count) {
  if (e.batches.size() != batch_count) {
    throw StoreError("store: epoch " + std::to_string(e.epoch) + " records " + std::to_string(batch_count) +
                     " batches but " + std::to_string(e.batches.size()) + " are stored");
  }
}

}  // namespace

void NodeStore::for_each_epoch(std::uint64_t from, std::uint64_t to_inclusive,
                               const std::function<void(const StoredEpoch&)>& visit) {
  to_inclusive = std::min(to_inclusive, kEpochMax);  // epochs are bigint
  if (from > to_inclusive) return;
  guarded("for_each_epoch", [&](Session& s) {
    pqxx::work tx(s.db);
    tx.exec("DECLARE qc_replay NO SCROLL CURSOR FOR "
            "SELECT e.epoch, e.output_digest, e.state_digest, e.audit_head, e.snapshot_digest, e.obligations_root, "
            "e.batch_count, b.proposer, b.payload "
            "FROM epochs e LEFT JOIN epoch_batches b ON b.epoch = e.epoch "
            "WHERE e.epoch BETWEEN " + std::to_string(from) + " AND " + std::to_string(to_inclusive) +
            " ORDER BY e.epoch, b.proposer");
    std::optional<StoredEpoch> current;
    std::size_t batch_count = 0;
    const auto finish = [&] {
      if (!current) return;
      check_complete(*current, batch_count);
      visit(*current);
      current.reset();
    };
    for (;;) {
      const pqxx::result page = tx.exec("FETCH " + std::to_string(kReplayFetchRows) + " FROM qc_replay");
      if (page.empty()) break;
      for (const pqxx::row& row : page) {
        if (current && current->epoch != row["epoch"].as<std::uint64_t>()) finish();
        if (!current) {
          current = epoch_head(row);
          batch_count = row["batch_count"].as<std::size_t>();
        }
        if (!row["proposer"].is_null()) {
          current->batches.push_back(StoredBatch{row["proposer"].as<std::uint16_t>(), sql::bytes_of(row["payload"])});
        }
      }
    }
    finish();
    tx.commit();
    return 0;
  });
}

std::optional<StoredEpoch> NodeStore::load_epoch(std::uint64_t e) {
  if (e > kEpochMax) return std::nullopt;
  return guarded("load_epoch", [&](Session& s) -> std::optional<StoredEpoch> {
    pqxx::work tx(s.db);
    const std::string epoch = std::to_string(e);
    const pqxx::result head = tx.exec(
        "SELECT epoch, output_digest, state_digest, audit_head, snapshot_digest, obligations_root, batch_count "
        "FROM epochs WHERE epoch = " + epoch);
    if (head.empty()) return std::nullopt;
    StoredEpoch out = epoch_head(head[0]);
    for (const pqxx::row& row :
         tx.exec("SELECT proposer, payload FROM epoch_batches WHERE epoch = " + epoch + " ORDER BY proposer")) {
      out.batches.push_back(StoredBatch{row[0].as<std::uint16_t>(), sql::bytes_of(row[1])});
    }
    check_complete(out, head[0]["batch_count"].as<std::size_t>());
    tx.commit();
    return out;
  });
}

std::vector<EpochSignature> NodeStore::load_signatures(std::uint64_t e) {
  if (e > kEpochMax) return {};
  return guarded("load_signatures", [&](Session& s) {
    pqxx::work tx(s.db);
    std::vector<EpochSignature> out;
    for (const pqxx::row& row : tx.exec("SELECT node_id, signature FROM epoch_signatures WHERE epoch = " +
                                        std::to_string(e) + " ORDER BY node_id")) {
      const Bytes signature = sql::bytes_of(row[1]);
      EpochSignature sig;
      sig.node_id = row[0].as<std::uint16_t>();
      if (signature.size() != sig.signature.size()) throw StoreError("store: a stored signature is not 64 bytes");
      std::copy(signature.begin(), signature.end(), sig.signature.begin());
      out.push_back(sig);
    }
    tx.commit();
    return out;
  });
}

void insert_signatures(pqxx::work& tx, std::uint64_t e, std::span<const EpochSignature> signatures) {
  if (signatures.empty()) return;
  sql::Rows<3> rows{{"epoch", "node_id", "signature"}, {}};
  for (const EpochSignature& sig : signatures) {
    rows.rows.push_back({sql::integer(static_cast<std::int64_t>(e)), sql::integer(sig.node_id), sql::bytea(sig.signature)});
  }
  sql::insert_rows(tx, "epoch_signatures", rows, " ON CONFLICT DO NOTHING");
}

void NodeStore::store_signatures(std::uint64_t e, std::span<const EpochSignature> signatures) {
  if (signatures.empty()) return;
  if (e > kEpochMax) throw std::invalid_argument("store: epoch " + std::to_string(e) + " does not fit a bigint");
  guarded("store_signatures", [&](Session& s) {
    pqxx::work tx(s.db);
    insert_signatures(tx, e, signatures);
    tx.commit();
    return 0;
  });
}

}  // namespace quorumclear::store
