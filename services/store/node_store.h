#pragma once
// The node's persistence: one PostgreSQL database per node, written through
// one connection owned by a NodeStore.
//
//   NodeStore store(url);                      // connects; throws StoreUnavailable
//   store.migrate();                           // schema/ up to this build
//   store.init_network(reference, network_id, self);
//   StoredState s = store.load_state();        // where the node stands
//   store.for_each_epoch(0, *s.last_applied_epoch, replay);   // rebuild the ledger
//   store.record_entered_epoch(e);             // before a Step's messages go out
//   store.apply_epoch({e, batches, result, reference, output, head});  // one transaction
//
// Threading: a NodeStore is used by one thread at a time; its connection is
// not shared. The core loop (engine + ledger) owns one; the HTTP side opens
// its own for received reports, tokens and reads. Every statement runs
// under a statement timeout (StoreOptions), and connecting under a connect
// timeout, so no call blocks forever on a stuck database (STYLE.md 5).
// After a broken connection the call throws StoreUnavailable and the next
// call reconnects.
//
// Durability: every method that writes commits before it returns, with
// synchronous commit (the WAL is on disk), except record_local_event, whose
// rows are diagnostics and are not waited for.
//
// Received reports. A report or cancel acknowledged with 202 is inserted
// (insert_received) before the answer and deleted by apply_epoch in the
// transaction of the epoch whose outcome answered it. An outcome answers a
// received row with the same (submitter, trade id, content hash) when it
// came from this node's own batch, or from any batch when genesis does not
// bind submitters to their nodes (settlement::Genesis::
// submitter_must_be_proposer false, a trusted test setting). A copy of the
// report in another node's batch answers nothing: with the binding on it is
// refused SUBMITTER_NOT_PROPOSER, and taking that as the answer would let a
// faulty node that copied an honest member's report make this node stop
// proposing it. Every outcome kind answers (a duplicate, a refusal, a
// cancel that found nothing), so load_undecided is simply every row left:
// deletion rather than an anti-join against trades, because a cancel's bytes
// (trade id and submitter) repeat when a member cancels a later version of
// the same trade id, and no row of `trades` could tell the two cancels apart.

#include "services/store/store_errors.h"
#include "settlement/ledger.h"
#include "settlement/obligation_proof.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::store {

using Digest = settlement::Digest;
using Bytes = settlement::Bytes;
using ByteView = settlement::ByteView;

/// How bulk rows (trades, positions, cash, balances, staged updates) reach
/// PostgreSQL. kCopy (the default) streams them with COPY (pqxx::stream_to);
/// kValues sends multi-row INSERT statements. Both write identical rows;
/// the choice exists so the benchmark can compare them (README.md).
enum class BulkMethod : std::uint8_t { kCopy, kValues };

struct StoreOptions {
  /// Per statement; an epoch of 10,000 reports commits in well under a second.
  int statement_timeout_ms = 10'000;
  /// Per connection attempt (libpq connect_timeout, whole seconds, >= 2).
  int connect_timeout_s = 5;
  /// ping()'s own statement timeout: readiness probes must answer quickly.
  int ping_timeout_ms = 1'000;
  BulkMethod bulk = BulkMethod::kCopy;
  /// Where migrate() reads schema/NNNN_*.sql.
  std::filesystem::path schema_dir = QC_SCHEMA_DIR;
};

/// Where the node stands, from node_state.
struct StoredState {
  /// None before epoch 0 was applied.
  std::optional<std::uint64_t> last_applied_epoch;
  /// The highest epoch this node sent a message in; none if it never did.
  std::optional<std::uint64_t> entered_epoch;
  /// After the last applied epoch; before epoch 0 the ledger's genesis digest.
  Digest state_digest{};
  /// After the last applied epoch; before epoch 0 all zero (the chain's start).
  Digest audit_head{};
  settlement::BusinessDate open_business_date;
  /// Set when this node was rebuilt from a peer's certified checkpoint:
  /// its history starts at that epoch (schema/0013, start_from_checkpoint).
  std::optional<std::uint64_t> history_start_epoch;
  /// The lowest stored epoch: 0 from genesis; on a rebuilt node the
  /// checkpoint, or the lowest of the older epochs fetched since.
  std::optional<std::uint64_t> lowest_epoch;
};

/// One decided batch as stored: the proposer and the exact bytes.
struct StoredBatch {
  std::uint16_t proposer = 0;
  Bytes bytes;
};

/// A stored epoch: what a lagging peer is served and a restart replays.
struct StoredEpoch {
  std::uint64_t epoch = 0;
  std::vector<StoredBatch> batches;  // by proposer
  Digest output_digest{};
  Digest state_digest{};
  Digest audit_head{};
  /// The signed tuple's checkpoint and obligations digests; zero when absent.
  Digest snapshot_digest{};
  Digest obligations_root{};
};

/// A ledger snapshot as stored (settlement/snapshot.h), whole.
struct StoredSnapshot {
  std::uint64_t epoch = 0;
  Digest digest{};
  Bytes bytes;
};

/// Chunks a snapshot is stored (and served) in.
inline constexpr std::size_t kSnapshotChunkBytes = std::size_t{16} << 20;
/// The newest snapshots kept (write_snapshot drops older ones, but never
/// the checkpoint a rebuilt node's history starts at); the node's snapshot
/// files keep the newest ones.
inline constexpr std::size_t kSnapshotsKept = 2;

/// One node's Ed25519 signature over an epoch's certificate tuple.
struct EpochSignature {
  std::uint16_t node_id = 0;
  std::array<std::uint8_t, 64> signature{};
  friend bool operator==(const EpochSignature&, const EpochSignature&) = default;
};

/// A report or cancel the node acknowledged and the quorum has not yet
/// decided. The API validated it; the store bounds it again (lengths).
struct ReceivedReport {
  std::string submitter;  // member id, 1..16 characters
  std::string trade_id;   // 1..64 characters
  /// What the ledger will report as TradeOutcome::content_hash: a report's
  /// SHA-256 over its entry bytes after the kind byte (encode_trade), a
  /// cancel's over all its entry bytes.
  Digest content_hash{};
  /// The canonical settlement entry, kind byte first (settlement/codec.h).
  Bytes entry;
  bool is_cancel = false;
  friend bool operator==(const ReceivedReport&, const ReceivedReport&) = default;
};

/// Bound on ReceivedReport::entry (a report encodes in at most 225 bytes).
inline constexpr std::size_t kReceivedEntryBytesMax = 1024;
/// Bound on a local event's detail; longer details are cut.
inline constexpr std::size_t kLocalEventDetailMax = 1000;

/// Everything apply_epoch writes for one decided epoch. References only:
/// the caller keeps them alive for the call.
struct EpochToWrite {
  std::uint64_t epoch = 0;
  /// As decided and applied: ascending by proposer (quorum::DecidedEpoch).
  std::span<const settlement::EpochBatch> batches;
  /// ledger.apply(epoch, batches); status kApplied.
  const settlement::EpochResult& result;
  /// The ledger's reference data (the genesis init_network wrote).
  const settlement::ReferenceData& reference;
  /// SHA-256 over the decided batches (issue 13 plan, "Output digest").
  const Digest& output_digest;
  /// audit_link(previous head, epoch, output_digest, result.state_digest).
  const Digest& audit_head;
  /// The rest of the tuple the node signs (quorum::EpochTuple): zero when
  /// the epoch is no checkpoint, or closed no business date.
  Digest snapshot_digest{};
  Digest obligations_root{};
  /// Every clearing member's proof under obligations_root, one per member
  /// per run the epoch closed (settlement/obligation_proof.h).
  std::span<const settlement::MemberObligationProof> obligation_proofs{};
};

/// Where a node that lost its data starts when it is rebuilt from a peer's
/// certified checkpoint. References only: the caller keeps them alive.
struct CheckpointStart {
  /// The checkpoint epoch as decided: its batches ascending by proposer,
  /// and the digests its certified tuple signs (snapshot_digest set).
  const StoredEpoch& epoch;
  /// The valid signatures over that tuple the caller checked.
  std::span<const EpochSignature> signatures;
  /// The snapshot whose digest the tuple signs.
  ByteView snapshot;
  /// The ledger decoded from it (the caller checked that it stands after
  /// the epoch with its state digest): its reference data, its rows
  /// (Ledger::state_rows) and its open business date.
  const settlement::ReferenceData& reference;
  const settlement::LedgerStateRows& rows;
  settlement::BusinessDate open_business_date;
};

/// The audit chain's link for epoch `epoch`: SHA-256(prev || record) with
/// record = u64be(epoch) || output || state (72 bytes); prev is the head
/// after epoch - 1, all zero before epoch 0. The head after `epoch` is the
/// result. Pure; the caller signs it, the writer stores it (audit_log row
/// seq = epoch + 1), and PostgreSQL re-checks it.
[[nodiscard]] Digest audit_link(const Digest& prev, std::uint64_t epoch, const Digest& output,
                                const Digest& state);

/// The 72-byte record audit_link hashes after `prev`.
[[nodiscard]] std::array<std::uint8_t, 72> audit_record(std::uint64_t epoch, const Digest& output,
                                                        const Digest& state);

class NodeStore {
 public:
  /// Connects to `url` (a libpq URI or key=value string) and sets the
  /// session up. Throws StoreUnavailable if the database cannot be reached.
  explicit NodeStore(std::string url, StoreOptions options = {});
  ~NodeStore();
  NodeStore(const NodeStore&) = delete;
  NodeStore& operator=(const NodeStore&) = delete;

  /// Applies the pending migrations in options.schema_dir (or `dir`).
  /// Throws MigrationError (migrations.h) on a bad or tampered file set.
  void migrate();
  void migrate(const std::filesystem::path& dir);

  /// First start (no node_state row): writes genesis in one transaction:
  /// currencies, members (and the CCP account), instruments, limits, the
  /// network row, venue members, default-fund contributions, opening
  /// balances (the ledger's view at genesis: holdings, the CCP's capital
  /// plus the fund) and node_state. Later starts: checks that the stored
  /// network id, node id and genesis digest (the ledger's state digest
  /// before epoch 0) are these, else throws NetworkMismatch naming what
  /// differs; writes nothing.
  void init_network(const settlement::ReferenceData& reference, const Digest& network_id,
                    std::uint16_t self);

  /// node_state. Throws StoreError before init_network.
  [[nodiscard]] StoredState load_state();

  /// Raises node_state.entered_epoch to `epoch` (a lower value changes
  /// nothing) and commits durably before returning: call it before the
  /// messages of a Step that entered `epoch` go out.
  void record_entered_epoch(std::uint64_t epoch);

  /// Writes decided epoch `e` in ONE transaction: the epoch row and its
  /// batches, every report outcome (new versions as trades rows, status
  /// changes of earlier rows, unkeyed refusals as trade_rejections), control
  /// votes, positions, cash positions and balances as the epoch left them,
  /// settlement runs (totals, obligations, unmatched reports), the audit
  /// link (seq e + 1), node_state, and deletes the received reports the
  /// epoch answered (see the top of this file). Preconditions: e is
  /// last applied + 1, result.status == kApplied, result.epoch == e, and
  /// audit_head extends the stored head. Throws EpochAlreadyApplied if e is
  /// stored, EpochOutOfOrder if it skips ahead, StoreError otherwise; on
  /// any throw nothing of the epoch was committed.
  void apply_epoch(const EpochToWrite& epoch);

  /// Consecutive epochs in ONE transaction, each written exactly as
  /// apply_epoch writes it (its rows, its audit link, node_state one step
  /// at a time), so a group waiting in the store queue pays one durable
  /// commit. With `skip_applied`, epochs the database holds already at the
  /// front are left out (a restart's replay wrote them) and the count
  /// written is returned; otherwise they throw EpochAlreadyApplied. Throws
  /// as apply_epoch does; on any throw nothing of the group was committed.
  std::size_t apply_epochs(std::span<const EpochToWrite> epochs, bool skip_applied);

  /// A node rebuilt from a checkpoint (schema/0013 says what its database
  /// then holds): writes in ONE transaction the checkpoint epoch with its
  /// batches and signatures, the snapshot, the positions, cash positions
  /// and balances of the ledger (Ledger::state_rows, replacing the genesis
  /// balances), and node_state at the epoch with history_start_epoch set.
  /// Later epochs then apply as usual, their audit chain continuing from
  /// the checkpoint's certified head. Preconditions: init_network ran and
  /// no epoch was applied; the snapshot's digest is the epoch's
  /// snapshot_digest. Throws StoreError (nothing written) otherwise.
  void start_from_checkpoint(const CheckpointStart& start);

  /// An epoch below a rebuilt node's history start, fetched from its peers
  /// in the background so an audit can replay from genesis there too: the
  /// epochs row (trade_count NULL: this node computed no outcomes for it),
  /// its batches and the signatures the caller verified. Nothing derived
  /// (trades, runs, audit_log) is written for it. Allowed only below
  /// node_state.history_start_epoch, or before any epoch was applied (an
  /// audit's scratch database, which starts from the checkpoint next);
  /// one already stored is kept. Throws StoreError otherwise.
  void store_history_epoch(const StoredEpoch& epoch, std::span<const EpochSignature> signatures);

  /// Calls `visit` for each stored epoch in [from, to_inclusive], in order,
  /// holding one epoch's batches at a time (a server-side cursor). `visit`
  /// must not call this NodeStore (its transaction is open). Throws
  /// StoreError if a stored epoch's batch count disagrees with its batches.
  void for_each_epoch(std::uint64_t from, std::uint64_t to_inclusive,
                      const std::function<void(const StoredEpoch&)>& visit);

  /// Epoch `e` as stored, or none if it is not (catch-up serving; any e,
  /// a peer's request included).
  [[nodiscard]] std::optional<StoredEpoch> load_epoch(std::uint64_t e);

  /// The signatures stored for epoch `e`, by node id (none for any e not stored).
  [[nodiscard]] std::vector<EpochSignature> load_signatures(std::uint64_t e);
  /// Stores signatures for applied epoch `e` (the caller verified them);
  /// one already stored for a node is kept and the new one ignored.
  /// Precondition: e is applied (the rows reference epochs).
  void store_signatures(std::uint64_t e, std::span<const EpochSignature> signatures);

  /// Stores the snapshot of applied checkpoint epoch `e` durably, in chunks
  /// of kSnapshotChunkBytes, and drops every stored snapshot but the newest
  /// two (the older is the fallback should the newer prove damaged) and
  /// the history start's. A snapshot already stored for `e` is left as it is.
  void write_snapshot(std::uint64_t e, const Digest& digest, ByteView bytes);
  /// The stored snapshots' epochs, newest first.
  [[nodiscard]] std::vector<std::uint64_t> snapshot_epochs();
  /// The snapshot stored for epoch `e`, whole, or none. Its bytes are as
  /// stored: the caller checks them against the signed digest.
  [[nodiscard]] std::optional<StoredSnapshot> load_snapshot(std::uint64_t e);

  /// Inserts `reports` in one durable commit; a row already there (a retry)
  /// is left as it was. Returns, per input, whether it was new (a repeat
  /// within `reports` counts as new once). Throws std::invalid_argument on
  /// a field beyond its bound.
  std::vector<bool> insert_received(std::span<const ReceivedReport> reports);
  /// Every received report no applied epoch answered, oldest first. Call
  /// once the node has applied every epoch it entered (after catch-up): a
  /// row answered by a decided but unapplied epoch is still here, and
  /// proposing a cancel again could withdraw a later version of its trade.
  [[nodiscard]] std::vector<ReceivedReport> load_undecided();

  /// Registers the SHA-256 of a member's API token. Registering the same
  /// token for the same member again changes nothing; for another member it
  /// throws StoreError. Precondition: member_id is a member (genesis).
  void insert_token(std::string_view member_id, const Digest& token_sha256, std::string_view label);
  /// The member whose unrevoked token has this SHA-256, if any.
  [[nodiscard]] std::optional<std::string> member_of_token(const Digest& token_sha256);
  /// Revokes a token; false if there was no unrevoked one.
  bool revoke_token(const Digest& token_sha256);

  /// Appends to the node-local event log: `kind` UPPER_SNAKE (1..48, else
  /// std::invalid_argument), `detail` cut to kLocalEventDetailMax with bytes
  /// outside printable ASCII replaced by '?' (details may quote peer input).
  void record_local_event(std::string_view kind, std::optional<std::uint16_t> peer,
                          std::string_view detail);

  /// Whether the database answers `SELECT 1` within options.ping_timeout_ms
  /// (reconnecting first if the connection broke). Never throws.
  [[nodiscard]] bool ping() noexcept;

 private:
  struct Session;
  Session& session();
  template <class F>
  auto guarded(const char* what, F&& body);

  std::string url_;
  StoreOptions options_;
  std::unique_ptr<Session> session_;
};

}  // namespace quorumclear::store
