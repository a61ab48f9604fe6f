// NodeIo's counters for the metrics layer: epoch and commit timings, the
// 202-to-CONFIRMED latency of reports acknowledged here, and the faults
// among the node's local events.

#include "services/node/node_io.h"

#include <algorithm>
#include <array>

namespace quorumclear::node {
namespace {

// Local events that blame a peer or say this node's state is wrong. For the
// two that carry an enum's name (the engine's and the transport's fault
// kinds), that name is the label; every other kind is its own.
constexpr std::array<std::string_view, 9> kFaultEvents = {
    "PEER_FAULT",         "PEER_LINK_FAULT",    "MALFORMED_FRAME", "INVALID_SIGNATURE", "CONFLICTING_SIGNATURE",
    "CATCH_UP_REFUSED",   "CHECKPOINT_REFUSED", "HISTORY_REFUSED", "DIVERGED"};
// Label values come from code, but are checked anyway: an unexpected one is
// counted as OTHER, and so is any beyond the first kFaultKindsMax seen.
constexpr std::size_t kFaultKindsMax = 48;
// Epochs entered and reports acknowledged, waiting for their outcome; a
// report never decided here (lost with a crash of the peer that carried
// it, say) must not pin memory.
constexpr std::size_t kEnteredHeldMax = 1'024;
constexpr std::size_t kAcceptedHeldMax = 1 << 20;

bool is_label(std::string_view v) {
  return !v.empty() && v.size() <= 48 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
         });
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void NodeIo::count_fault(std::string_view kind, std::optional<quorum::NodeId> peer, const std::string& detail) {
  if (std::find(kFaultEvents.begin(), kFaultEvents.end(), kind) == kFaultEvents.end()) return;
  std::string label(kind);
  if (kind == "PEER_FAULT" || kind == "PEER_LINK_FAULT") label = detail.substr(0, detail.find(':'));
  const int blamed = peer ? static_cast<int>(peer->value) : -1;
  std::lock_guard lock(stats_mutex_);
  const bool known = std::any_of(stats_.faults.begin(), stats_.faults.end(),
                                 [&](const auto& f) { return f.first.first == label; });
  if (!is_label(label) || (!known && stats_.faults.size() >= kFaultKindsMax)) label = "OTHER";
  ++stats_.faults[{label, blamed}];
  auto& recent = stats_.recent_faults;
  if (recent.size() >= metrics::IoStats::kRecentFaultsMax) recent.erase(recent.begin());
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  recent.push_back({std::move(label), peer ? std::optional<std::uint16_t>(peer->value) : std::nullopt,
                    detail.substr(0, 200), std::chrono::duration_cast<std::chrono::milliseconds>(now).count()});
}

void NodeIo::note_accepted(const std::vector<settlement::Digest>& content_hashes) {
  const auto now = Clock::now();
  std::lock_guard lock(stats_mutex_);
  for (const settlement::Digest& h : content_hashes) {
    if (accepted_at_.size() >= kAcceptedHeldMax) return;
    accepted_at_.emplace(h, now);
  }
}

void NodeIo::time_entered(std::uint64_t epoch) {
  std::lock_guard lock(stats_mutex_);
  if (entered_at_.size() >= kEnteredHeldMax) entered_at_.erase(entered_at_.begin());
  entered_at_.emplace(epoch, Clock::now());
}

void NodeIo::time_applied(std::uint64_t epoch) {
  const auto now = Clock::now();
  std::lock_guard lock(stats_mutex_);
  if (const auto it = entered_at_.find(epoch); it != entered_at_.end()) {
    stats_.epoch_duration.observe(seconds(now - it->second));
  }
  entered_at_.erase(entered_at_.begin(), entered_at_.upper_bound(epoch));
}

void NodeIo::time_committed(const AppliedEpoch& applied, Clock::duration took) {
  const auto now = Clock::now();
  std::lock_guard lock(stats_mutex_);
  ++stats_.epochs_committed;
  stats_.apply_latency.observe(seconds(took));
  if (accepted_at_.empty()) return;
  for (const settlement::TradeOutcome& o : applied.result.trades) {
    if (o.proposer != self_.value) continue;
    const auto it = accepted_at_.find(o.content_hash);
    if (it == accepted_at_.end()) continue;
    if (o.kind == settlement::TradeOutcomeKind::kConfirmed) {
      stats_.confirmation_latency.observe(seconds(now - it->second));
    }
    accepted_at_.erase(it);  // decided, one way or another
  }
}

metrics::IoStats NodeIo::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace quorumclear::node
