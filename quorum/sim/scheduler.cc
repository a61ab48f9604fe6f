#include "quorum/sim/scheduler.h"

#include <cassert>

namespace quorumclear::quorum::sim {

void TimeOrderScheduler::push(Delivery delivery) { queue_.push(std::move(delivery)); }

std::optional<Delivery> TimeOrderScheduler::pop() {
  if (queue_.empty()) return std::nullopt;
  Delivery d = queue_.top();
  queue_.pop();
  return d;
}

Issue59Attack::Issue59Attack(const Membership& members, NodeId byzantine, const NodeKeys& byzantine_keys,
                             const Digest& network_id, std::vector<NodeId> honest)
    : members_(members),
      byzantine_(byzantine),
      network_id_(network_id),
      coin_(members, byzantine_keys.coin),
      groups_(members.n(), Group::kB),
      hold_max_(3 * members.n() * members.n() * members.n()) {
  assert(honest.size() + 1 == members.n());
  const std::size_t f = members.f();
  for (std::size_t i = 0; i < honest.size(); ++i) {
    groups_[honest[i].value] = i < f ? Group::kA0 : (i < 2 * f ? Group::kA1 : Group::kB);
  }
  groups_[byzantine.value] = Group::kF;
}

std::optional<bool> Issue59Attack::coin(const CoinKey& key) const {
  // QUORUM_PROTOCOL.md coin schedule: fixed coins are public in advance.
  if (key.round % 3 == 0) return true;
  if (key.round % 3 == 1) return false;
  auto it = coins_.find(key);
  if (it == coins_.end()) return std::nullopt;
  return it->second;
}

bool Issue59Attack::a_estimate(const Message& m, std::uint32_t round) const {
  if (round == 0) return false;
  return coin(CoinKey{m.epoch.value, m.proposer.value, round - 1}).value_or(false);
}

std::optional<std::pair<std::uint32_t, bool>> Issue59Attack::vote(const Message& m) const {
  if (const auto* p = std::get_if<AbaBval>(&m.payload)) return std::pair{p->round.value, p->value};
  if (const auto* p = std::get_if<AbaAux>(&m.payload)) return std::pair{p->round.value, p->value};
  if (const auto* p = std::get_if<AbaConf>(&m.payload)) {
    if (p->values == BoolSet::kTrue) return std::pair{p->round.value, true};
    if (p->values == BoolSet::kFalse) return std::pair{p->round.value, false};
  }
  return std::nullopt;
}

Issue59Attack::Priority Issue59Attack::priority(const Delivery& d) const {
  const Message& m = *d.message;
  const Group to = group_of(d.to);
  const bool rbc = m.payload.index() <= 2;
  if (rbc) return (m.proposer == byzantine_ && to == Group::kB) ? Priority::kHeld : Priority::kNeutral;
  if (std::holds_alternative<AbaCoin>(m.payload)) {
    if (to == Group::kF) return Priority::kFavoured;
    return to == Group::kB ? Priority::kHeld : Priority::kNeutral;
  }
  const auto v = vote(m);
  if (!v) return Priority::kNeutral;
  const auto [round, value] = *v;
  const bool a_est = a_estimate(m, round);
  switch (to) {
    case Group::kA0: return value != a_est ? Priority::kFavoured : Priority::kNeutral;
    case Group::kA1: return value == a_est ? Priority::kFavoured : Priority::kNeutral;
    case Group::kB: {
      const auto s = coin(CoinKey{m.epoch.value, m.proposer.value, round});
      if (!s) return Priority::kHeld;
      return value != *s ? Priority::kFavoured : Priority::kHeld;
    }
    case Group::kF: return Priority::kNeutral;
  }
  return Priority::kNeutral;
}

void Issue59Attack::learn_share(const Delivery& d) {
  const auto* c = std::get_if<AbaCoin>(&d.message->payload);
  if (!c || d.from == byzantine_ || c->round.value % 3 != 2) return;
  const CoinKey key{d.message->epoch.value, d.message->proposer.value, c->round.value};
  if (coins_.contains(key)) return;
  auto& shares = shares_[key];
  for (const auto& [node, share] : shares) {
    if (node == d.from) return;
  }
  shares.emplace_back(d.from, c->share);
  if (shares.size() < members_.f()) return;
  // f honest shares in flight plus F's own make f + 1: the adversary knows
  // the coin before any honest node can combine it.
  const CoinName name{network_id_, Epoch{key.epoch}, NodeId{key.proposer}, Round{key.round}};
  std::vector<std::pair<NodeId, CoinShare>> all = shares;
  all.emplace_back(byzantine_, coin_.make_share(name));
  if (const auto value = coin_.combine(name, all)) {
    coins_.emplace(key, *value);
    shares_.erase(key);
    reclassify();
  }
}

void Issue59Attack::reclassify() {
  for (auto& set : by_priority_) set.clear();
  for (const auto& [seq, entry] : pending_) {
    by_priority_[static_cast<std::size_t>(priority(entry.first))].emplace(entry.first.time_ms, seq);
  }
}

void Issue59Attack::push(Delivery delivery) {
  const std::uint64_t seq = delivery.seq;
  const std::uint64_t time = delivery.time_ms;
  const Priority p = priority(delivery);
  auto [it, inserted] = pending_.emplace(seq, std::pair{std::move(delivery), delivered_});
  assert(inserted);
  by_priority_[static_cast<std::size_t>(p)].emplace(time, seq);
  learn_share(it->second.first);
}

std::optional<Delivery> Issue59Attack::pop() {
  if (pending_.empty()) return std::nullopt;
  std::uint64_t seq = pending_.begin()->first;
  // Asynchrony, not omission: a message held too long goes next.
  if (delivered_ - pending_.begin()->second.second <= hold_max_) {
    for (const auto& set : by_priority_) {
      if (!set.empty()) {
        seq = set.begin()->second;
        break;
      }
    }
  }
  auto it = pending_.find(seq);
  Delivery d = std::move(it->second.first);
  pending_.erase(it);
  for (auto& set : by_priority_) set.erase({d.time_ms, seq});
  ++delivered_;
  return d;
}

void Issue59Attack::on_send(NodeId to, const Message& m, const Emit& emit) {
  const Group g = group_of(to);
  if (std::holds_alternative<RbcVal>(m.payload) && m.proposer == byzantine_) {
    if (g != Group::kB) emit(to, m);  // B must get F's value late, via echoes
    return;
  }
  const auto v = vote(m);
  const bool bval_or_aux = std::holds_alternative<AbaBval>(m.payload) || std::holds_alternative<AbaAux>(m.payload);
  if (!v && !std::holds_alternative<AbaConf>(m.payload)) return emit(to, m);
  const std::uint32_t round = std::visit(
      [](const auto& p) -> std::uint32_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, AbaBval> || std::is_same_v<T, AbaAux> || std::is_same_v<T, AbaConf>) {
          return p.round.value;
        } else {
          return 0;
        }
      },
      m.payload);
  const bool a_est = a_estimate(m, round);
  const auto s = coin(CoinKey{m.epoch.value, m.proposer.value, round});
  auto with_value = [&](bool value) {
    Message out = m;
    if (auto* p = std::get_if<AbaBval>(&out.payload)) p->value = value;
    if (auto* p = std::get_if<AbaAux>(&out.payload)) p->value = value;
    if (auto* p = std::get_if<AbaConf>(&out.payload)) p->values = value ? BoolSet::kTrue : BoolSet::kFalse;
    return out;
  };
  if (g == Group::kB) return emit(to, s ? with_value(!*s) : m);
  if (g == Group::kA0 || g == Group::kA1) {
    const bool first = g == Group::kA0 ? !a_est : a_est;
    emit(to, with_value(first));
    if (bval_or_aux) emit(to, with_value(!first));  // later both, so A's bin_values = {0, 1}
    return;
  }
  emit(to, m);
}

}  // namespace quorumclear::quorum::sim
