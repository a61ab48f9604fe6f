#pragma once
// The core's world in a running node: CoreIo over the peer transport, a
// store thread that commits applied epochs in order (one transaction each)
// and tells the core, and a thread that serves peers' catch-up and snapshot
// requests from the database (snapshots from their files when there are).
// services/README.md draws the threads.

#include "services/log/log.h"
#include "services/metrics/node_stats.h"
#include "services/net/transport.h"
#include "services/node/core_inbox.h"
#include "services/node/snapshot_files.h"
#include "services/store/node_store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace quorumclear::node {

/// One queue, one thread: jobs run in the order they were posted.
class Worker {
 public:
  explicit Worker(std::string name) : name_(std::move(name)) {}
  ~Worker() { stop(); }
  void start();
  /// Runs what is queued, then joins.
  void stop();
  /// False when `bounded` and `max` jobs wait already (the job is dropped).
  bool post(std::function<void()> job, std::size_t max = 0);
  [[nodiscard]] std::size_t depth() const;

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The store's row for an applied epoch, as NodeIo commits it (and the
/// restart benchmark's generator writes it); `batches` is filled with views
/// of applied.decided's batches, and both must outlive the row.
[[nodiscard]] store::EpochToWrite epoch_row(const AppliedEpoch& applied, const settlement::ReferenceData& reference,
                                            std::vector<settlement::EpochBatch>& batches);

class NodeIo final : public CoreIo {
 public:
  /// `apply_store` is used only on the store thread, `core_store` only on the
  /// core thread, `serve_store` only on the catch-up thread. `fatal` is
  /// called (from the store thread) when an epoch cannot be committed for a
  /// reason retrying cannot mend.
  NodeIo(quorum::NodeId self, const settlement::ReferenceData& reference, log::Logger& logger,
         net::Transport& transport, CoreInbox& inbox, store::NodeStore& core_store,
         store::NodeStore& apply_store, store::NodeStore& serve_store, const SnapshotFiles& snapshot_files,
         std::function<void(std::string)> fatal);
  ~NodeIo() override;

  void start();
  /// Finishes queued commits, then stops the threads.
  void stop();

  void persist_entered_epoch(std::uint64_t epoch) override;
  void send(std::optional<quorum::NodeId> to, Channel channel, std::optional<std::uint64_t> epoch,
            std::shared_ptr<const quorum::Bytes> payload) override;
  void discard_below(quorum::NodeId peer, std::uint64_t epoch) override;
  void write_epoch(std::shared_ptr<const AppliedEpoch> epoch) override;
  void write_signatures(std::uint64_t epoch,
                        std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures) override;
  void serve_catch_up(quorum::NodeId peer, const CatchUpRequest& request) override;
  void serve_snapshot(quorum::NodeId peer, const SnapshotRequest& request) override;
  void start_from_checkpoint(std::shared_ptr<const CheckpointInstall> install) override;
  void write_history(std::shared_ptr<const std::vector<HistoryEpoch>> epochs) override;
  void local_event(std::string_view kind, std::optional<quorum::NodeId> peer, std::string detail) override;

  [[nodiscard]] bool database_reachable() const { return database_ok_.load(); }
  /// Reports this node has just made durable and acknowledged (their
  /// content hashes), so the commit that confirms one times its latency.
  /// Thread-safe (the HTTP threads call it).
  void note_accepted(const std::vector<settlement::Digest>& content_hashes);
  /// A copy of the counters (metrics). Thread-safe.
  [[nodiscard]] metrics::IoStats stats() const;
  /// Called on the store thread for each settlement run an epoch carried,
  /// once that epoch is committed. Set before start().
  void on_settlement_run(std::function<void(settlement::BusinessDate)> callback) {
    on_settlement_run_ = std::move(callback);
  }
  /// Fault injection for tests (config::Tuning::alter_served_epochs): every
  /// batch served to a catch-up request has a byte flipped. Set before start().
  void alter_served_epochs(bool on) { alter_served_epochs_ = on; }

 private:
  void write_snapshot(std::uint64_t epoch, const quorum::Digest& digest, const settlement::Bytes& bytes);
  void install_checkpoint(const CheckpointInstall& install);
  void write_snapshot_file(std::uint64_t epoch, const settlement::Bytes& bytes);
  void serve(quorum::NodeId peer, const CatchUpRequest& request);
  void serve_chunk(quorum::NodeId peer, const SnapshotRequest& request);
  /// The snapshot of stored epoch `epoch`, from served_snapshot_ or loaded
  /// into it; empty when there is none after all. Serve thread only.
  [[nodiscard]] settlement::ByteView served_snapshot(std::uint64_t epoch);
  void reply(quorum::NodeId peer, const CatchUpFrame& frame);
  /// Runs `body` until it stops throwing StoreUnavailable, backing off.
  void until_done(const char* what, const std::function<void()>& body);

  quorum::NodeId self_;
  const settlement::ReferenceData& reference_;
  log::Logger& log_;
  net::Transport& transport_;
  CoreInbox& inbox_;
  store::NodeStore& core_store_;
  store::NodeStore& apply_store_;
  store::NodeStore& serve_store_;
  const SnapshotFiles& snapshot_files_;
  std::function<void(std::string)> fatal_;
  std::function<void(settlement::BusinessDate)> on_settlement_run_;
  Worker store_thread_{"store"};
  /// Decided epochs waiting for the store thread, in order; it commits all
  /// of them in one transaction (group commit). Bounded by the core's
  /// apply_backlog_max.
  std::mutex pending_mutex_;
  std::vector<std::shared_ptr<const AppliedEpoch>> pending_;
  void commit_pending();
  Worker serve_thread_{"catch-up"};
  bool alter_served_epochs_ = false;
  /// The snapshot last served, kept so that serving its chunks one by one
  /// reads it once: the file mapped, else the database's copy. One at a
  /// time; serve thread only.
  struct ServedSnapshot {
    std::uint64_t epoch = 0;
    std::optional<MappedFile> file;
    settlement::Bytes stored;
    [[nodiscard]] settlement::ByteView bytes() const {
      return file ? file->bytes() : settlement::ByteView(stored);
    }
  };
  std::optional<ServedSnapshot> served_snapshot_;
  using Clock = std::chrono::steady_clock;
  /// Fault events by kind and peer, and timings; stats_mutex_ guards the lot.
  void count_fault(std::string_view kind, std::optional<quorum::NodeId> peer, const std::string& detail);
  void time_entered(std::uint64_t epoch);
  void time_applied(std::uint64_t epoch);
  void time_committed(const AppliedEpoch& applied, Clock::duration took);
  mutable std::mutex stats_mutex_;
  metrics::IoStats stats_;
  std::map<std::uint64_t, Clock::time_point> entered_at_;         // epochs entered, not yet applied
  std::map<settlement::Digest, Clock::time_point> accepted_at_;   // acknowledged here, not yet decided
  std::atomic<bool> database_ok_{true};
  std::atomic<bool> stopping_{false};
};

}  // namespace quorumclear::node
