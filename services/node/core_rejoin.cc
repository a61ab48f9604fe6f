// A node that lost its data rejoins voting (services/README.md, "A node that
// lost its data"). Its empty database has no record of the epochs it entered,
// and voting again in one of them could contradict what it sent then, which
// would make an honest node Byzantine. So it asks its peers how far they are,
// waits for 2f+1 of them, and votes only from an epoch above what it could
// have entered; below that it takes decided epochs by certificate like any
// node that lags. The bound is persisted as its entered epoch, so a restart
// while it waits keeps it.
#include "services/node/core.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace quorumclear::node {

std::uint64_t rejoin_first_epoch(std::vector<std::optional<std::uint64_t>> reports,
                                 std::optional<std::uint64_t> own_signed, std::size_t f, std::uint64_t margin) {
  assert(reports.size() >= 2 * f + 1);
  // nullopt (nothing entered, applied or seen) sorts below every epoch.
  std::sort(reports.begin(), reports.end(), std::greater<>());
  const std::optional<std::uint64_t> v = std::max(reports.at(f), own_signed);
  return (v ? *v + 1 : 0) + quorum::kEpochWindow + margin;
}

void NodeCore::ask_progress(std::uint64_t now_ms) {
  Rejoin& r = *rejoin_;
  if (r.last_ask_ms && now_ms < *r.last_ask_ms + options_.rejoin_ask_ms) return;
  r.last_ask_ms = now_ms;
  io_.send(std::nullopt, Channel::kCatchUp, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{ProgressRequest{}})));
}

void NodeCore::answer_progress(quorum::NodeId from) {
  const ProgressReport report{entered_, ledger_->last_applied_epoch(), certified_frontier(),
                              peer_latest_signature_.at(from.value)};
  io_.send(from, Channel::kCatchUp, std::nullopt, std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{report})));
}

void NodeCore::on_progress(quorum::NodeId from, const ProgressReport& report) {
  if (!rejoin_ || from == self_) return;
  // nullopt orders below every epoch: the highest of the three it has.
  rejoin_->reports[from.value] = std::max({report.entered, report.applied, report.frontier});
  // Our own signature cannot be forged: it shows how far we went before.
  if (report.yours &&
      quorum::verify_epoch(tuple_of(network_id_, *report.yours), report.yours->signature,
                           keys_.signing_public.at(self_.value)) &&
      (!rejoin_->own_signed || report.yours->epoch > *rejoin_->own_signed)) {
    rejoin_->own_signed = report.yours->epoch;
  }
  if (rejoin_->reports.size() < 2 * members_.f() + 1) return;
  std::vector<std::optional<std::uint64_t>> values;
  std::string detail;
  for (const auto& [peer, v] : rejoin_->reports) {
    values.push_back(v);
    detail += "node " + std::to_string(peer) + ": " + (v ? std::to_string(*v) : "-") + "; ";
  }
  if (rejoin_->own_signed) detail += "signed by this node up to " + std::to_string(*rejoin_->own_signed) + "; ";
  const std::uint64_t first =
      rejoin_first_epoch(values, rejoin_->own_signed, members_.f(), options_.rejoin_margin_epochs);
  // Durable first, like any entered epoch: a restart keeps the bound.
  io_.persist_entered_epoch(first - 1);
  entered_ = first - 1;
  rejoin_.reset();
  io_.local_event("REJOINED", std::nullopt, detail + "votes again from epoch " + std::to_string(first));
  rebuild_engine();
}

}  // namespace quorumclear::node
