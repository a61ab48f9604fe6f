#include "services/node/core_inbox.h"

namespace quorumclear::node {

bool CoreInbox::try_push_peer(PeerFrame&& frame) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || peer_.size() >= peer_max_) return false;
    peer_.push_back(std::move(frame));
  }
  ready_.notify_one();
  return true;
}

bool CoreInbox::try_push_local(CoreEvent&& event) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || local_.size() >= local_max_) return false;
    local_.push_back(std::move(event));
  }
  ready_.notify_one();
  return true;
}

void CoreInbox::push_local(CoreEvent&& event) {
  {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return closed_ || local_.size() < local_max_; });
    if (closed_) return;
    local_.push_back(std::move(event));
  }
  ready_.notify_one();
}

std::optional<CoreEvent> CoreInbox::pop(bool take_peer_frames, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool any = ready_.wait_for(lock, timeout, [&] {
    return closed_ || !local_.empty() || (take_peer_frames && !peer_.empty());
  });
  if (!any || closed_) return std::nullopt;
  std::optional<CoreEvent> out;
  if (!local_.empty()) {
    out.emplace(std::move(local_.front()));
    local_.pop_front();
    lock.unlock();
    room_.notify_one();
    return out;
  }
  out.emplace(std::move(peer_.front()));
  peer_.pop_front();
  return out;
}

void CoreInbox::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
  room_.notify_all();
}

std::size_t CoreInbox::peer_depth() const {
  std::lock_guard lock(mutex_);
  return peer_.size();
}

std::size_t CoreInbox::local_depth() const {
  std::lock_guard lock(mutex_);
  return local_.size();
}

}  // namespace quorumclear::node
