#include "services/node/node_io.h"

#include "settlement/snapshot.h"

#include <algorithm>
#include <chrono>

namespace quorumclear::node {
namespace {

net::Channel to_net(Channel c) { return static_cast<net::Channel>(static_cast<std::uint8_t>(c)); }

std::string peer_text(std::optional<quorum::NodeId> peer) {
  return peer ? std::to_string(peer->value) : std::string("-");
}

}  // namespace

void Worker::start() {
  thread_ = std::thread([this] {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and everything queued ran
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Worker::post(std::function<void()> job, std::size_t max) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || (max > 0 && jobs_.size() >= max)) return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

std::size_t Worker::depth() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

NodeIo::NodeIo(quorum::NodeId self, const settlement::ReferenceData& reference, log::Logger& logger,
               net::Transport& transport, CoreInbox& inbox, store::NodeStore& core_store,
               store::NodeStore& apply_store, store::NodeStore& serve_store, const SnapshotFiles& snapshot_files,
               std::function<void(std::string)> fatal)
    : self_(self),
      reference_(reference),
      log_(logger),
      transport_(transport),
      inbox_(inbox),
      core_store_(core_store),
      apply_store_(apply_store),
      serve_store_(serve_store),
      snapshot_files_(snapshot_files),
      fatal_(std::move(fatal)) {}

NodeIo::~NodeIo() { stop(); }

void NodeIo::start() {
  store_thread_.start();
  serve_thread_.start();
}

void NodeIo::stop() {
  stopping_ = true;
  serve_thread_.stop();
  store_thread_.stop();
}

void NodeIo::until_done(const char* what, const std::function<void()>& body) {
  std::chrono::milliseconds backoff(50);
  for (;;) {
    try {
      body();
      if (!database_ok_.exchange(true)) log_.write(log::Level::kInfo, "store", "DATABASE_BACK", {{"after", what}});
      return;
    } catch (const store::StoreUnavailable& e) {
      if (database_ok_.exchange(false)) {
        log_.write(log::Level::kWarn, "store", "DATABASE_UNAVAILABLE", {{"during", what}, {"error", e.what()}});
      }
      if (stopping_ && std::string_view(what) != "commit") throw;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2'000));
    }
  }
}

// On the core thread, before the Step's messages go out: it blocks while the
// database is away, because sending first could let a restart contradict
// what was sent.
void NodeIo::persist_entered_epoch(std::uint64_t epoch) {
  until_done("entered epoch", [&] { core_store_.record_entered_epoch(epoch); });
  time_entered(epoch);
}

void NodeIo::send(std::optional<quorum::NodeId> to, Channel channel, std::optional<std::uint64_t> epoch,
                  std::shared_ptr<const quorum::Bytes> payload) {
  const std::optional<quorum::Epoch> tag = epoch ? std::optional<quorum::Epoch>(quorum::Epoch{*epoch}) : std::nullopt;
  if (to) {
    (void)transport_.send(*to, to_net(channel), tag, std::move(payload));
  } else {
    (void)transport_.broadcast(to_net(channel), tag, payload);
  }
}

void NodeIo::discard_below(quorum::NodeId peer, std::uint64_t epoch) {
  transport_.discard_below(peer, quorum::Epoch{epoch});
}

void NodeIo::write_epoch(std::shared_ptr<const AppliedEpoch> epoch) {
  // The core bounds how many epochs wait here (CoreOptions::apply_backlog_max).
  time_applied(epoch->decided.epoch.value);
  {
    std::lock_guard lock(pending_mutex_);
    pending_.push_back(std::move(epoch));
  }
  // One job per epoch, though the first to run takes every epoch waiting:
  // the rest find nothing left.
  store_thread_.post([this] { commit_pending(); });
}

store::EpochToWrite epoch_row(const AppliedEpoch& applied, const settlement::ReferenceData& reference,
                              std::vector<settlement::EpochBatch>& batches) {
  batches.clear();
  batches.reserve(applied.decided.batches.size());
  for (const quorum::DecidedBatch& b : applied.decided.batches) batches.push_back({b.proposer.value, b.value});
  return store::EpochToWrite{applied.decided.epoch.value,
                             batches,
                             applied.result,
                             reference,
                             applied.tuple.output_digest,
                             applied.tuple.audit_head,
                             applied.tuple.snapshot_digest,
                             applied.tuple.obligations_root,
                             applied.obligations.proofs};
}

void NodeIo::commit_pending() {
  std::vector<std::shared_ptr<const AppliedEpoch>> group;
  {
    std::lock_guard lock(pending_mutex_);
    group.swap(pending_);
  }
  if (group.empty()) return;
  std::vector<std::vector<settlement::EpochBatch>> batches(group.size());
  std::vector<store::EpochToWrite> rows;
  rows.reserve(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) rows.push_back(epoch_row(*group[i], reference_, batches[i]));
  const auto started = Clock::now();
  try {
    // Epochs the database holds already were committed before a crash that
    // came between commit and notice: the replay at start made the ledger
    // hold them, so they are the same epochs.
    until_done("commit", [&] { (void)apply_store_.apply_epochs(rows, true); });
  } catch (const std::exception& err) {
    fatal_("epochs " + std::to_string(rows.front().epoch) + ".." + std::to_string(rows.back().epoch) +
           " could not be committed: " + err.what());
    return;
  }
  const auto took = (Clock::now() - started) / static_cast<long>(group.size());
  for (const std::shared_ptr<const AppliedEpoch>& applied : group) {
    const std::uint64_t e = applied->decided.epoch.value;
    time_committed(*applied, took);
    log_.write(log::Level::kDebug, "store", "EPOCH_COMMITTED",
               {{"epoch", std::to_string(e)}, {"reports", std::to_string(applied->result.trades.size())},
                {"group", std::to_string(group.size())}});
    inbox_.push_local(EpochCommitted{e});
    if (on_settlement_run_) {
      for (const settlement::SettlementReport& r : applied->result.reports) on_settlement_run_(r.business_date);
    }
    if (applied->snapshot) write_snapshot(e, applied->tuple.snapshot_digest, *applied->snapshot);
  }
}

void NodeIo::start_from_checkpoint(std::shared_ptr<const CheckpointInstall> install) {
  store_thread_.post([this, install = std::move(install)] { install_checkpoint(*install); });
}

void NodeIo::install_checkpoint(const CheckpointInstall& install) {
  const quorum::EpochTuple& t = install.tuple;
  const std::uint64_t e = t.epoch.value;
  store::StoredEpoch epoch{e, {}, t.output_digest, t.state_digest, t.audit_head, t.snapshot_digest, t.obligations_root};
  for (const quorum::DecidedBatch& b : install.decided.batches) epoch.batches.push_back({b.proposer.value, b.value});
  std::vector<store::EpochSignature> signatures;
  for (const auto& [signer, signature] : install.signatures) signatures.push_back({signer.value, signature});
  try {
    until_done("checkpoint start", [&] {
      apply_store_.start_from_checkpoint(
          {epoch, signatures, *install.snapshot, reference_, install.rows, install.open_business_date});
    });
  } catch (const std::exception& err) {
    fatal_("checkpoint epoch " + std::to_string(e) + " could not be stored as where this node's history starts: " +
           err.what());
    return;
  }
  log_.write(log::Level::kInfo, "store", "CHECKPOINT_STORED",
             {{"epoch", std::to_string(e)}, {"bytes", std::to_string(install.snapshot->size())}});
  inbox_.push_local(EpochCommitted{e});
  write_snapshot_file(e, *install.snapshot);
}

void NodeIo::write_history(std::shared_ptr<const std::vector<HistoryEpoch>> epochs) {
  store_thread_.post([this, epochs = std::move(epochs)] {
    try {
      for (const HistoryEpoch& h : *epochs) {
        store::StoredEpoch epoch{h.tuple.epoch.value, {}, h.tuple.output_digest, h.tuple.state_digest,
                                 h.tuple.audit_head, h.tuple.snapshot_digest, h.tuple.obligations_root};
        for (const quorum::DecidedBatch& b : h.decided.batches) epoch.batches.push_back({b.proposer.value, b.value});
        std::vector<store::EpochSignature> signatures;
        for (const auto& [signer, signature] : h.signatures) signatures.push_back({signer.value, signature});
        until_done("history", [&] { apply_store_.store_history_epoch(epoch, signatures); });
      }
      if (!epochs->empty()) {
        log_.write(log::Level::kInfo, "store", "HISTORY_STORED",
                   {{"from", std::to_string(epochs->front().tuple.epoch.value)},
                    {"to", std::to_string(epochs->back().tuple.epoch.value)}});
      }
    } catch (const std::exception& err) {
      // History only: the node goes on; a restart fetches from its floor again.
      log_.write(log::Level::kError, "store", "HISTORY_NOT_STORED", {{"detail", err.what()}});
    }
  });
}

// After the epoch's commit and its EpochCommitted, so signing never waits
// for it. Only restart time depends on it: a snapshot that cannot be
// written is logged and the previous one (or genesis) stays the start.
void NodeIo::write_snapshot(std::uint64_t epoch, const quorum::Digest& digest, const settlement::Bytes& bytes) {
  const auto started = Clock::now();
  try {
    until_done("snapshot", [&] { apply_store_.write_snapshot(epoch, digest, bytes); });
    // The epochs decided meanwhile wait behind this on the store thread.
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    log_.write(log::Level::kInfo, "store", "SNAPSHOT_WRITTEN",
               {{"epoch", std::to_string(epoch)}, {"bytes", std::to_string(bytes.size())},
                {"took_ms", std::to_string(took.count())}});
  } catch (const std::exception& err) {
    log_.write(log::Level::kError, "store", "SNAPSHOT_NOT_WRITTEN",
               {{"epoch", std::to_string(epoch)}, {"detail", err.what()}});
    return;
  }
  write_snapshot_file(epoch, bytes);
}

// The file only speeds a restart up; the database's copy is the snapshot.
void NodeIo::write_snapshot_file(std::uint64_t epoch, const settlement::Bytes& bytes) {
  if (auto error = snapshot_files_.write(epoch, bytes)) {
    log_.write(log::Level::kWarn, "store", "SNAPSHOT_FILE_NOT_WRITTEN",
               {{"epoch", std::to_string(epoch)}, {"detail", *error}});
  }
}

void NodeIo::write_signatures(std::uint64_t epoch,
                              std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures) {
  store_thread_.post([this, epoch, signatures = std::move(signatures)] {
    std::vector<store::EpochSignature> rows;
    rows.reserve(signatures.size());
    for (const auto& [node, sig] : signatures) rows.push_back(store::EpochSignature{node.value, sig});
    try {
      until_done("signatures", [&] { apply_store_.store_signatures(epoch, rows); });
    } catch (const std::exception& err) {
      log_.write(log::Level::kWarn, "store", "SIGNATURES_NOT_STORED",
                 {{"epoch", std::to_string(epoch)}, {"error", err.what()}});
    }
  });
}

void NodeIo::serve_catch_up(quorum::NodeId peer, const CatchUpRequest& request) {
  // Bounded: a peer flooding requests loses the excess; an honest laggard
  // asks again after its timeout.
  constexpr std::size_t kRequestsQueuedMax = 16;
  if (!serve_thread_.post([this, peer, request] { serve(peer, request); }, kRequestsQueuedMax)) {
    log_.write(log::Level::kWarn, "net", "CATCH_UP_REQUEST_DROPPED", {{"peer", peer_text(peer)}});
  }
}

void NodeIo::reply(quorum::NodeId peer, const CatchUpFrame& frame) {
  (void)transport_.send(peer, net::Channel::kCatchUp, std::nullopt,
                        std::make_shared<const quorum::Bytes>(encode(frame)));
}

void NodeIo::serve(quorum::NodeId peer, const CatchUpRequest& request) {
  try {
    for (std::uint64_t e = request.from_epoch; e < request.from_epoch + request.count; ++e) {
      const std::optional<store::StoredEpoch> stored = serve_store_.load_epoch(e);
      const std::vector<store::EpochSignature> signatures = stored ? serve_store_.load_signatures(e)
                                                                   : std::vector<store::EpochSignature>{};
      if (!stored || signatures.empty()) {
        const store::StoredState state = serve_store_.load_state();
        reply(peer, CatchUpUnavailable{e, state.last_applied_epoch});
        return;
      }
      CatchUpEpochHead head{e,
                            stored->output_digest,
                            stored->state_digest,
                            stored->audit_head,
                            stored->snapshot_digest,
                            stored->obligations_root,
                            static_cast<std::uint16_t>(stored->batches.size()),
                            {}};
      for (const store::EpochSignature& s : signatures) head.signatures.emplace_back(quorum::NodeId{s.node_id}, s.signature);
      reply(peer, head);
      for (std::size_t i = 0; i < stored->batches.size(); ++i) {
        quorum::Bytes bytes = stored->batches[i].bytes;
        if (alter_served_epochs_) {
          if (bytes.empty()) bytes.push_back(0);
          bytes.back() ^= 0x01;
        }
        reply(peer, CatchUpBatch{e, static_cast<std::uint16_t>(i),
                                 quorum::NodeId{stored->batches[i].proposer}, std::move(bytes)});
      }
    }
    log_.write(log::Level::kInfo, "net", "CATCH_UP_SERVED",
               {{"peer", peer_text(peer)}, {"from", std::to_string(request.from_epoch)},
                {"count", std::to_string(request.count)}});
  } catch (const std::exception& err) {
    log_.write(log::Level::kWarn, "net", "CATCH_UP_NOT_SERVED", {{"peer", peer_text(peer)}, {"error", err.what()}});
  }
}

void NodeIo::serve_snapshot(quorum::NodeId peer, const SnapshotRequest& request) {
  // Bounded like catch-up (the bound counts every job queued on the serve
  // thread): the excess is dropped and the fetching node asks again.
  constexpr std::size_t kSnapshotRequestsQueuedMax = 8;
  if (!serve_thread_.post([this, peer, request] { serve_chunk(peer, request); },
                          kSnapshotRequestsQueuedMax)) {
    log_.write(log::Level::kWarn, "net", "SNAPSHOT_REQUEST_DROPPED",
               {{"peer", peer_text(peer)}, {"epoch", std::to_string(request.epoch)}});
  }
}

// The bytes are served as stored: the fetching node checks them against the
// snapshot digest its certified tuple signs.
void NodeIo::serve_chunk(quorum::NodeId peer, const SnapshotRequest& request) {
  try {
    const std::vector<std::uint64_t> epochs = serve_store_.snapshot_epochs();  // newest first
    if (served_snapshot_ &&
        std::find(epochs.begin(), epochs.end(), served_snapshot_->epoch) == epochs.end()) {
      served_snapshot_.reset();  // dropped from the store since: let its memory go
    }
    std::optional<std::uint64_t> epoch;
    if (request.epoch == kNewestSnapshot) {
      if (!epochs.empty()) epoch = epochs.front();
    } else if (std::find(epochs.begin(), epochs.end(), request.epoch) != epochs.end()) {
      epoch = request.epoch;
    }
    const settlement::ByteView bytes = epoch ? served_snapshot(*epoch) : settlement::ByteView{};
    const std::uint32_t chunks = bytes.empty() ? 0 : snapshot_wire_chunks(bytes.size());
    if (request.chunk >= chunks) {
      reply(peer, SnapshotUnavailable{request.epoch});
      return;
    }
    const std::size_t offset = std::size_t{request.chunk} * kSnapshotWireChunkBytes;
    const settlement::ByteView chunk =
        bytes.subspan(offset, std::min(kSnapshotWireChunkBytes, bytes.size() - offset));
    reply(peer, SnapshotChunk{*epoch, bytes.size(), request.chunk, chunks,
                              quorum::Bytes(chunk.begin(), chunk.end())});
    if (request.chunk == 0 || request.chunk + 1 == chunks) {
      log_.write(log::Level::kInfo, "net", "SNAPSHOT_SERVED",
                 {{"peer", peer_text(peer)},
                  {"epoch", std::to_string(*epoch)},
                  {"chunk", std::to_string(request.chunk)},
                  {"chunks", std::to_string(chunks)}});
    }
  } catch (const std::exception& err) {
    log_.write(log::Level::kWarn, "net", "SNAPSHOT_NOT_SERVED",
               {{"peer", peer_text(peer)}, {"epoch", std::to_string(request.epoch)}, {"error", err.what()}});
  }
}

settlement::ByteView NodeIo::served_snapshot(std::uint64_t epoch) {
  if (!served_snapshot_ || served_snapshot_->epoch != epoch) {
    served_snapshot_.reset();  // before loading: never two in memory
    ServedSnapshot s{epoch, snapshot_files_.map(epoch), {}};
    // A damaged file would get this node refused as a faulty peer: it is
    // served only when it hashes to the digest its epoch signed.
    if (s.file) {
      const std::optional<store::StoredEpoch> signed_epoch = serve_store_.load_epoch(epoch);
      if (!signed_epoch || settlement::snapshot_digest(s.file->bytes()) != signed_epoch->snapshot_digest) s.file.reset();
    }
    if (!s.file) {
      std::optional<store::StoredSnapshot> stored = serve_store_.load_snapshot(epoch);
      if (!stored) return {};
      s.stored = std::move(stored->bytes);
    }
    served_snapshot_.emplace(std::move(s));
  }
  const settlement::ByteView bytes = served_snapshot_->bytes();
  // Nothing to send, or more than any snapshot may be: as if none were held.
  if (bytes.size() > settlement::kSnapshotBytesMax) return {};
  return bytes;
}

void NodeIo::local_event(std::string_view kind, std::optional<quorum::NodeId> peer, std::string detail) {
  log_.write(kind == "DIVERGED" ? log::Level::kError : log::Level::kWarn, "core", kind,
             {{"peer", peer_text(peer)}, {"detail", detail}});
  count_fault(kind, peer, detail);
  constexpr std::size_t kEventsQueuedMax = 1'000;
  const std::optional<std::uint16_t> id = peer ? std::optional<std::uint16_t>(peer->value) : std::nullopt;
  (void)store_thread_.post(
      [this, kind = std::string(kind), id, detail = std::move(detail)] {
        try {
          apply_store_.record_local_event(kind, id, detail);
        } catch (const std::exception&) {
          // Diagnostics only: the log line above already tells it.
        }
      },
      kEventsQueuedMax);
}

}  // namespace quorumclear::node
