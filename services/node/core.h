#pragma once
// The node's core: the one thread that owns the quorum Engine, the clearing
// Ledger and the certificate bookkeeping. Everything else (peer links, the
// store, HTTP) reaches it only through CoreEvents from bounded queues and
// hears back only through CoreIo. services/README.md tells the whole story;
// the order of one Step's effects, the correctness argument, is written once,
// in NodeCore::run (core.cc):
//
//   1. the highest epoch entered is durable      (never contradict a vote)
//   2. the Step's messages go to the transport
//   3. faults are recorded
//   4. decided epochs are applied to the ledger in order and queued for the
//      store; each is signed only once the store has committed it.
//
// A node that restarts, or lags beyond the epoch window, takes decided
// epochs from one peer by catch-up (core_catch_up.cc) and then rebuilds its
// engine above every epoch it entered.

#include "quorum/certificate.h"
#include "quorum/engine.h"
#include "services/metrics/node_stats.h"
#include "services/node/peer_wire.h"
#include "services/node/pending_entries.h"
#include "settlement/ledger.h"
#include "settlement/obligation_proof.h"

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace quorumclear::node {

/// Peer-link channels (the transport's frame tag).
enum class Channel : std::uint8_t { kQuorum = 1, kCertificate = 2, kCatchUp = 3 };

/// An epoch as applied here, handed to the store to commit in one transaction.
struct AppliedEpoch {
  quorum::DecidedEpoch decided;
  settlement::EpochResult result;
  quorum::EpochTuple tuple;   // what this node will sign once it is committed
  quorum::Digest previous_audit_head{};
  bool by_catch_up = false;
  /// At a checkpoint: the ledger's snapshot after this epoch
  /// (tuple.snapshot_digest is its digest), for the store to keep.
  std::shared_ptr<const settlement::Bytes> snapshot;
  /// When the epoch closed a business date: every clearing member's proof
  /// under tuple.obligations_root, for the store to serve.
  settlement::EpochObligations obligations;
};

/// A checkpoint taken from a peer by a node that lost its data
/// (core_snapshot_fetch.cc): what its store writes as where its history
/// starts (store::NodeStore::start_from_checkpoint).
struct CheckpointInstall {
  quorum::DecidedEpoch decided;  // the checkpoint epoch, its batches verified
  quorum::EpochTuple tuple;      // f+1 signed it, snapshot digest included
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures;  // each verified
  std::shared_ptr<const settlement::Bytes> snapshot;
  /// The ledger decoded from the snapshot, as rows, and its open date.
  settlement::LedgerStateRows rows;
  settlement::BusinessDate open_business_date;
};

/// An epoch below a rebuilt node's checkpoint, fetched in the background
/// (core_history_fetch.cc) and stored as history only, never applied.
struct HistoryEpoch {
  quorum::DecidedEpoch decided;
  quorum::EpochTuple tuple;
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures;  // each verified
};

/// What the node derives from an epoch its ledger has just applied
/// (`applied.decided` and `applied.result` set, `ledger` standing after
/// it): the tuple it will sign, with the audit link after `audit_head`
/// (advanced to it), at a checkpoint the snapshot and its digest, and when
/// the epoch closed a date the obligations root and every member's proof.
/// NodeCore::apply seals each epoch with it; the restart benchmark's
/// database generator does too, so its epochs are the node's to the byte.
void seal_applied_epoch(AppliedEpoch& applied, const settlement::Ledger& ledger, const quorum::Digest& network_id,
                        bool checkpoint, quorum::Digest& audit_head);

/// Entries this node acknowledged and may still hold: shared with the API
/// threads, which reserve room before they make a report durable, so an
/// acknowledged report always fits (a full pool answers 429 before that).
class IngestBudget {
 public:
  explicit IngestBudget(std::size_t capacity) : capacity_(capacity) {}
  /// Reserves `n` places; false (nothing reserved) when they do not fit.
  bool try_reserve(std::size_t n);
  /// Reserves even beyond capacity: reports found RECEIVED at restart.
  void force_reserve(std::size_t n) { used_.fetch_add(n); }
  void release(std::size_t n) { used_.fetch_sub(n); }
  [[nodiscard]] std::size_t used() const { return used_.load(); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::atomic<std::size_t> used_{0};
};

/// What the core asks of the world. The node implements it with the
/// transport and the store thread; tests implement it in memory.
class CoreIo {
 public:
  virtual ~CoreIo() = default;
  /// Durable before it returns: the highest epoch this node sent a message in.
  virtual void persist_entered_epoch(std::uint64_t epoch) = 0;
  /// `to` empty: every other node. `epoch` tags the frame for discarding.
  virtual void send(std::optional<quorum::NodeId> to, Channel channel,
                    std::optional<std::uint64_t> epoch, std::shared_ptr<const quorum::Bytes> payload) = 0;
  /// `peer` has epochs below `epoch`: frames for them need not reach it.
  virtual void discard_below(quorum::NodeId peer, std::uint64_t epoch) = 0;
  /// Queues an applied epoch for the store, in epoch order. The store
  /// answers with an EpochCommitted event. May block while its queue is full.
  virtual void write_epoch(std::shared_ptr<const AppliedEpoch> epoch) = 0;
  /// Valid signatures over this node's committed tuple of `epoch`.
  virtual void write_signatures(std::uint64_t epoch,
                                std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures) = 0;
  /// Queues, before any later write_epoch, the checkpoint this node took
  /// in place of the epochs up to it; the store answers with an
  /// EpochCommitted for the checkpoint epoch. May block like write_epoch.
  virtual void start_from_checkpoint(std::shared_ptr<const CheckpointInstall> install) = 0;
  /// Queues older epochs for the store (store::NodeStore::store_history_epoch).
  virtual void write_history(std::shared_ptr<const std::vector<HistoryEpoch>> epochs) = 0;
  /// A peer's catch-up request, answered from the store off the core thread.
  virtual void serve_catch_up(quorum::NodeId peer, const CatchUpRequest& request) = 0;
  /// A peer's request for a snapshot chunk, answered off the core thread
  /// with a SnapshotChunk or SnapshotUnavailable.
  virtual void serve_snapshot(quorum::NodeId peer, const SnapshotRequest& request) = 0;
  /// Node-local log (faults, catch-ups, divergence): never part of the audit chain.
  virtual void local_event(std::string_view kind, std::optional<quorum::NodeId> peer,
                           std::string detail) = 0;
};

struct PeerFrame {
  quorum::NodeId from;
  Channel channel = Channel::kQuorum;
  quorum::Bytes payload;
};
/// Reports and cancels made durable as RECEIVED (their places reserved).
struct EntriesReceived {
  std::vector<ReceivedEntry> entries;
};
struct EpochCommitted {
  std::uint64_t epoch = 0;
};
/// The node's clock: monotonic milliseconds for pacing, and the wall time in
/// the business time zone for the scheduled cut-off.
struct ClockTick {
  std::uint64_t now_ms = 0;
  settlement::BusinessDate local_date;
  int local_minute_of_day = 0;
};
/// The operator asked this node to propose the cut-off of `business_date`,
/// the date open when it asked: a request that reaches the core after that
/// date closed (by the scheduled cut-off, say) must not close the next one.
struct CutOffRequested {
  settlement::MemberId operator_id;
  settlement::BusinessDate business_date;
};
/// Stop starting epochs; finish the ones entered (SIGTERM).
struct DrainRequested {};
using CoreEvent =
    std::variant<PeerFrame, EntriesReceived, EpochCommitted, ClockTick, CutOffRequested, DrainRequested>;

struct CoreOptions {
  std::size_t batch_entries_max = 8'000;
  std::size_t batch_bytes_max = quorum::kBatchBytesMax;
  /// Batches queued in the engine at once: more adds latency, not throughput.
  std::size_t proposals_queued_max = 2;
  /// How often a batch holding only control entries is re-proposed.
  std::uint64_t control_repropose_ms = 1'000;
  /// A catch-up peer that answers nothing for this long is replaced.
  std::uint64_t catch_up_timeout_ms = 5'000;
  /// Applied epochs waiting for the store before the core stops taking input.
  std::size_t apply_backlog_max = 8;
  /// A rejoining node votes from epoch (bound + 1) + W + this (core_rejoin.cc).
  std::uint64_t rejoin_margin_epochs = 16;
  /// How often a rejoining node asks its peers again for their progress.
  std::uint64_t rejoin_ask_ms = 1'000;
  /// Decided epochs held above a gap being caught up; later ones are left
  /// to catch-up too, so a stalled catch-up cannot pin memory.
  std::size_t waiting_epochs_max = 32;
  /// Minutes after local midnight at which the business date closes (genesis).
  int cutoff_minute_of_day = 17 * 60 + 30;
  /// Epoch e is a checkpoint when (e + 1) is a multiple of this (genesis):
  /// its tuple signs the ledger's snapshot digest too.
  std::uint64_t checkpoint_interval_epochs = 256;
  quorum::EngineConfig engine;
};

/// What the node needs to build its core after a restart.
struct CoreSetup {
  quorum::Membership members{4};
  quorum::NodeId self;
  quorum::NodeKeys keys;
  quorum::Digest network_id{};
  CoreOptions options;
  /// The ledger rebuilt from every stored epoch, and the audit head after it.
  std::shared_ptr<settlement::Ledger> ledger;
  quorum::Digest audit_head{};
  /// Highest epoch ever entered (node_state.entered_epoch), if any.
  std::optional<std::uint64_t> entered_epoch;
  /// The node lost its data (an empty database where it had joined before):
  /// it has lost its record of the epochs it entered too, so it votes only
  /// once its peers told it an epoch bound it can trust (core_rejoin.cc).
  bool rejoin = false;
  /// The node lost its data (its database starts again): it takes its
  /// peers' newest certified checkpoint instead of replaying every epoch
  /// since genesis, and replays from genesis only when no peer serves one.
  bool from_checkpoint = false;
  /// A node rebuilt from a checkpoint: the tuple of the lowest epoch it
  /// holds. It fetches the epochs below it in the background down to
  /// genesis (core_history_fetch.cc).
  std::optional<quorum::EpochTuple> history_floor;
  /// node_state.history_start_epoch: its database holds the rows decided
  /// from this checkpoint on.
  std::optional<std::uint64_t> history_start_epoch;
};

/// One node's state digest as this node knows it: its own, or what a peer
/// signed (dashboard: every node's digest side by side).
struct NodeDigest {
  std::uint16_t node = 0;
  std::optional<std::uint64_t> last_signed;  // its newest epoch signed (ours: applied)
  /// Its digest at CoreStatus::comparison_epoch, when known.
  std::optional<quorum::Digest> at_comparison;
};

/// A copy of where the core stands, for readiness, status and metrics.
struct CoreStatus {
  std::uint64_t engine_epoch = 0;
  std::optional<std::uint64_t> last_applied;
  std::optional<std::uint64_t> last_committed;
  std::optional<std::uint64_t> last_certified;
  std::optional<std::uint64_t> entered_epoch;
  settlement::Digest state_digest{};
  quorum::Digest audit_head{};
  settlement::BusinessDate open_business_date;
  std::size_t pending_entries = 0;
  std::uint64_t catch_ups = 0;
  bool catching_up = false;
  /// Waiting for its peers' progress before it votes (a node that lost its data).
  bool rejoining = false;
  /// Epochs others certified that this node has not applied (0 when current).
  std::uint64_t behind_epochs = 0;
  std::optional<std::uint64_t> diverged_at;
  /// Rebuilt from this checkpoint: rows decided before it are not here.
  std::optional<std::uint64_t> history_start_epoch;
  std::uint64_t faults = 0;
  std::uint64_t malformed_frames = 0;
  bool drained = false;
  /// Totals over every engine this process built (a rebuild keeps them).
  quorum::EngineStats engine;
  settlement::MatchingStats matching;
  metrics::LedgerCounters ledger_counters;
  /// The newest epoch this node and every peer that is not far behind have
  /// all signed, and each node's digest there (in node id order).
  std::optional<std::uint64_t> comparison_epoch;
  std::vector<NodeDigest> node_digests;
};

/// The first epoch a node that lost its data may vote in, from its peers'
/// reports (each the highest of its entered, applied and frontier epochs)
/// and the highest epoch it signed that a peer showed it (`own_signed`):
/// v = max(the (f+1)-th highest report of at least 2f+1 distinct peers,
/// own_signed), then (v + 1) + W + margin. Why that is enough:
/// services/README.md, "A node that lost its data". Precondition:
/// reports.size() >= 2f + 1.
[[nodiscard]] std::uint64_t rejoin_first_epoch(std::vector<std::optional<std::uint64_t>> reports,
                                               std::optional<std::uint64_t> own_signed, std::size_t f,
                                               std::uint64_t margin);

class NodeCore {
 public:
  NodeCore(CoreSetup setup, CoreIo& io, IngestBudget& budget);
  ~NodeCore();
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  /// Reports found RECEIVED and undecided at restart: proposed again.
  void restore_pending(std::vector<ReceivedEntry> entries);
  void handle(CoreEvent&& event);
  /// False while the store has `apply_backlog_max` epochs to commit: the
  /// caller stops taking peer frames and submissions (they wait in their
  /// bounded queues) and feeds only EpochCommitted until it is true again.
  [[nodiscard]] bool accepting() const;
  [[nodiscard]] CoreStatus status() const;
  [[nodiscard]] const settlement::Ledger& ledger() const { return *ledger_; }

 private:
  struct CatchUp;
  void run(quorum::Step&& step);
  void on_peer(PeerFrame&& frame);
  void on_quorum(quorum::NodeId from, const quorum::Bytes& payload);
  void on_signature(quorum::NodeId from, const quorum::Bytes& payload);
  void on_committed(std::uint64_t epoch);
  void on_tick(const ClockTick& tick);
  void on_decided(quorum::DecidedEpoch&& decided);
  void apply(quorum::DecidedEpoch&& decided, bool by_catch_up);
  void settle_outcomes(const settlement::EpochResult& result);
  void drain_waiting();
  void maybe_propose(std::uint64_t now_ms);
  void schedule_cut_off(const ClockTick& tick);
  /// Carries `entry` in every batch until the ledger decides it.
  void add_control(const settlement::Entry& entry, std::string_view what);
  void flush_signatures(std::uint64_t epoch);
  void forget_settled_epochs();
  void note_peer_progress(quorum::NodeId peer, std::uint64_t epoch);
  void note_peer_signature(quorum::NodeId peer, const quorum::EpochTuple& tuple, const quorum::Signature& signature);
  void diverge(std::uint64_t epoch, std::string why);
  void rebuild_engine();
  [[nodiscard]] bool is_checkpoint(std::uint64_t epoch) const;
  // Catch-up (core_catch_up.cc).
  void on_catch_up(quorum::NodeId from, const quorum::Bytes& payload);
  void maybe_catch_up(std::uint64_t now_ms);
  void ask_next_peer(std::uint64_t now_ms, std::string_view why);
  void request_more(std::uint64_t now_ms);
  void refuse_catch_up_peer(std::string why);
  void finish_catch_up_epoch();
  /// After an epoch is taken (by catch-up, or meanwhile by agreement): asks
  /// for more, or ends the catch-up once past its target.
  void catch_up_progress();
  [[nodiscard]] std::optional<std::uint64_t> certified_frontier() const;
  // Fetching a checkpoint's snapshot (core_snapshot_fetch.cc).
  // Taking a peer's checkpoint instead of genesis (core_snapshot_fetch.cc).
  struct CheckpointFetch;
  void on_snapshot_frame(quorum::NodeId from, const CatchUpFrame& frame);
  void maybe_fetch_checkpoint(std::uint64_t now_ms);
  void ask_checkpoint_peer(std::uint64_t now_ms);
  void refuse_checkpoint_peer(std::string why, bool fault);
  /// The checkpoint epoch's head and batches (catch-up frames) while fetching.
  void on_checkpoint_epoch_frame(const CatchUpFrame& frame);
  void request_chunks();
  void finish_checkpoint_fetch();
  // The history below a checkpoint (core_history_fetch.cc).
  struct HistoryFetch;
  void maybe_fetch_history(std::uint64_t now_ms);
  void ask_history_peer(std::uint64_t now_ms, std::string_view why);
  void request_history_block();
  void on_history_frame(const CatchUpFrame& frame);
  void finish_history_block();
  /// Whether a catch-up frame from `from` answers the history fetch.
  [[nodiscard]] bool is_history_frame(quorum::NodeId from, const CatchUpFrame& frame) const;
  // Rejoining after the data was lost (core_rejoin.cc).
  void ask_progress(std::uint64_t now_ms);
  void answer_progress(quorum::NodeId from);
  void on_progress(quorum::NodeId from, const ProgressReport& report);

  quorum::Membership members_;
  quorum::NodeId self_;
  quorum::NodeKeys keys_;
  quorum::Digest network_id_;
  CoreOptions options_;
  CoreIo& io_;
  IngestBudget& budget_;
  std::shared_ptr<settlement::Ledger> ledger_;
  std::optional<quorum::Engine> engine_;
  quorum::CertificateTracker tracker_;
  PendingEntries pending_;
  /// Control entries this node proposes until the ledger decides them: the
  /// operator's cut-off requests (canonical entry bytes, kind byte first).
  std::vector<quorum::Bytes> controls_;
  std::uint64_t next_apply_ = 0;
  std::optional<std::uint64_t> entered_;
  std::optional<std::uint64_t> committed_;
  std::optional<std::uint64_t> certified_;
  quorum::Digest audit_head_{};
  /// Decided by the engine but not yet applicable (a gap before them is
  /// being caught up), by epoch.
  std::map<std::uint64_t, quorum::DecidedEpoch> waiting_;
  /// Applied, not yet committed, or committed and not yet certified.
  std::map<std::uint64_t, quorum::EpochTuple> own_tuples_;
  /// Per node, one above the highest epoch it validly signed (0: none yet).
  std::vector<std::uint64_t> peer_signed_next_;
  /// Each peer's newest valid signature seen (kept apart from the tracker,
  /// which prunes): shown to it if it lost its data (core_rejoin.cc).
  std::vector<std::optional<SignatureFrame>> peer_latest_signature_;
  std::unique_ptr<CatchUp> catch_up_;
  std::uint64_t catch_ups_ = 0;
  /// CoreSetup::from_checkpoint until a checkpoint was installed or no
  /// peer served one; catch-up waits meanwhile.
  bool fetch_checkpoint_ = false;
  std::unique_ptr<CheckpointFetch> checkpoint_fetch_;
  /// The lowest epoch held by a node rebuilt from a checkpoint, until the
  /// history down to genesis is stored; the fetch of the block below it.
  std::optional<quorum::EpochTuple> history_floor_;
  std::optional<std::uint64_t> history_start_;
  std::unique_ptr<HistoryFetch> history_fetch_;
  struct Rejoin {
    /// Each peer's latest report: the highest of its entered, applied and
    /// frontier epochs (nullopt: none of them yet).
    std::map<std::uint16_t, std::optional<std::uint64_t>> reports;
    /// The highest epoch a peer showed this node's own valid signature for.
    std::optional<std::uint64_t> own_signed;
    std::optional<std::uint64_t> last_ask_ms;
  };
  std::optional<Rejoin> rejoin_;
  std::uint64_t now_ms_ = 0;
  std::uint64_t last_control_proposal_ms_ = 0;
  std::uint64_t last_apply_ms_ = 0;
  std::optional<std::uint64_t> diverged_at_;
  /// Counters of the engines replaced by rebuild_engine.
  quorum::EngineStats retired_engine_stats_;
  metrics::LedgerCounters ledger_counters_;
  /// Per node (ours included), the state digests of its newest signed
  /// epochs, oldest first (at most kDigestsKept): what the dashboard compares.
  std::vector<std::deque<std::pair<std::uint64_t, quorum::Digest>>> recent_digests_;
  static constexpr std::size_t kDigestsKept = 128;
  void note_digest(std::uint16_t node, std::uint64_t epoch, const quorum::Digest& digest);
  void fill_digests(CoreStatus& status) const;
  std::uint64_t faults_ = 0;
  std::uint64_t malformed_frames_ = 0;
  bool draining_ = false;
};

}  // namespace quorumclear::node
