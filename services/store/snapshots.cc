// Ledger snapshots at checkpoints: written in chunks after their epoch
// committed, read back whole at a restart (node_store.h).
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <limits>

namespace quorumclear::store {
namespace {

constexpr std::uint64_t kEpochMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

/// An integer column of a BINARY cursor: four bytes, big-endian.
std::uint64_t binary_int4(const pqxx::field& f) {
  if (f.size() != 4) throw StoreError("store: a snapshot chunk number is not a binary integer");
  const auto* b = reinterpret_cast<const unsigned char*>(f.c_str());
  const std::uint32_t v = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  return v;
}

}  // namespace

void insert_snapshot(pqxx::work& tx, std::uint64_t e, const Digest& digest, ByteView bytes) {
  if (e > kEpochMax) throw std::invalid_argument("store: epoch " + std::to_string(e) + " does not fit a bigint");
  if (bytes.empty()) throw std::invalid_argument("store: an empty snapshot");
  const std::size_t chunks = (bytes.size() + kSnapshotChunkBytes - 1) / kSnapshotChunkBytes;
  const auto epoch = static_cast<std::int64_t>(e);
  const pqxx::result inserted = tx.exec_params(
      "INSERT INTO ledger_snapshots (epoch, digest, byte_count, chunk_count) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (epoch) DO NOTHING RETURNING epoch",
      epoch, pqxx::binarystring(digest.data(), digest.size()), static_cast<std::int64_t>(bytes.size()),
      static_cast<int>(chunks));
  if (!inserted.empty()) {
    // Binary parameters: a hex text form would double what is sent.
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t at = c * kSnapshotChunkBytes;
      const std::size_t length = std::min(kSnapshotChunkBytes, bytes.size() - at);
      tx.exec_params("INSERT INTO ledger_snapshot_chunks (epoch, chunk, bytes) VALUES ($1, $2, $3)", epoch,
                     static_cast<int>(c), pqxx::binarystring(bytes.data() + at, length));
    }
  }
  // A node rebuilt from a checkpoint keeps that one too: its history
  // starts there, and an audit replays from it (schema/0013).
  tx.exec("DELETE FROM ledger_snapshots WHERE epoch NOT IN "
          "(SELECT epoch FROM ledger_snapshots ORDER BY epoch DESC LIMIT " +
          std::to_string(kSnapshotsKept) +
          ") AND epoch IS DISTINCT FROM (SELECT history_start_epoch FROM node_state)");
}

void NodeStore::write_snapshot(std::uint64_t e, const Digest& digest, ByteView bytes) {
  if (e > kEpochMax) throw std::invalid_argument("store: epoch " + std::to_string(e) + " does not fit a bigint");
  if (bytes.empty()) throw std::invalid_argument("store: an empty snapshot");
  guarded("write_snapshot", [&](Session& s) {
    pqxx::work tx(s.db);
    insert_snapshot(tx, e, digest, bytes);
    tx.commit();
    return 0;
  });
}

std::vector<std::uint64_t> NodeStore::snapshot_epochs() {
  return guarded("snapshot_epochs", [&](Session& s) {
    pqxx::work tx(s.db);
    std::vector<std::uint64_t> out;
    for (const pqxx::row& row : tx.exec("SELECT epoch FROM ledger_snapshots ORDER BY epoch DESC")) {
      out.push_back(row[0].as<std::uint64_t>());
    }
    tx.commit();
    return out;
  });
}

std::optional<StoredSnapshot> NodeStore::load_snapshot(std::uint64_t e) {
  if (e > kEpochMax) return std::nullopt;
  return guarded("load_snapshot", [&](Session& s) -> std::optional<StoredSnapshot> {
    pqxx::work tx(s.db);
    const std::string epoch = std::to_string(e);
    const pqxx::result head =
        tx.exec("SELECT digest, byte_count, chunk_count FROM ledger_snapshots WHERE epoch = " + epoch);
    if (head.empty()) return std::nullopt;
    StoredSnapshot out;
    out.epoch = e;
    out.digest = sql::digest_of(head[0][0]);
    const auto byte_count = head[0][1].as<std::uint64_t>();
    const auto chunk_count = head[0][2].as<std::uint64_t>();
    if (byte_count > chunk_count * kSnapshotChunkBytes) {
      throw StoreError("store: snapshot " + epoch + " claims more bytes than its chunks can hold");
    }
    out.bytes.reserve(byte_count);
    // One chunk per fetch: memory holds the snapshot and one chunk. A BINARY
    // cursor sends the bytes as they are: libpqxx 6.4 asks for text
    // results, and bytea as hex text would double what crosses the socket
    // and cost an unescaping pass over it.
    tx.exec("DECLARE qc_snapshot BINARY NO SCROLL CURSOR FOR SELECT chunk, bytes FROM ledger_snapshot_chunks "
            "WHERE epoch = " + epoch + " ORDER BY chunk");
    for (std::uint64_t c = 0;; ++c) {
      const pqxx::result page = tx.exec("FETCH 1 FROM qc_snapshot");
      if (page.empty()) {
        if (c != chunk_count) throw StoreError("store: snapshot " + epoch + " is missing chunks");
        break;
      }
      if (binary_int4(page[0][0]) != c) throw StoreError("store: snapshot " + epoch + " skips a chunk");
      const pqxx::field chunk = page[0][1];
      if (chunk.size() > byte_count - out.bytes.size()) {
        throw StoreError("store: snapshot " + epoch + " has more bytes than it claims");
      }
      const auto* data = reinterpret_cast<const std::uint8_t*>(chunk.c_str());
      out.bytes.insert(out.bytes.end(), data, data + chunk.size());
    }
    if (out.bytes.size() != byte_count) throw StoreError("store: snapshot " + epoch + " has the wrong length");
    tx.commit();
    return out;
  });
}

}  // namespace quorumclear::store
