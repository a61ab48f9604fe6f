#pragma once
// Where every other thread hands events to the core thread. Two bounded
// lanes: peers' frames, which the core stops taking while the store lags
// (the transport then stops reading and TCP pushes back on the peer), and
// the node's own events (commits, submissions, ticks, operator requests),
// which always go first so a flood of peer frames can never delay a commit
// notice. A full lane refuses: the transport retries, an HTTP thread answers
// 429. Nothing taken is dropped.

#include "services/node/core.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace quorumclear::node {

class CoreInbox {
 public:
  CoreInbox(std::size_t peer_frames_max, std::size_t local_events_max)
      : peer_max_(peer_frames_max), local_max_(local_events_max) {}

  /// False when the lane is full (or the inbox closed): nothing was queued.
  bool try_push_peer(PeerFrame&& frame);
  bool try_push_local(CoreEvent&& event);
  /// Local events that must not be refused (a commit notice): waits for room.
  void push_local(CoreEvent&& event);

  /// The next event: a local one if any, else a peer frame when
  /// `take_peer_frames`; nullopt after `timeout` or once closed.
  std::optional<CoreEvent> pop(bool take_peer_frames, std::chrono::milliseconds timeout);
  void close();

  [[nodiscard]] std::size_t peer_depth() const;
  [[nodiscard]] std::size_t local_depth() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable room_;
  std::deque<PeerFrame> peer_;
  std::deque<CoreEvent> local_;
  std::size_t peer_max_;
  std::size_t local_max_;
  bool closed_ = false;
};

}  // namespace quorumclear::node
