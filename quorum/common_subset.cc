#include "quorum/common_subset.h"

#include "quorum/erasure.h"

#include <algorithm>
#include <cassert>
#include <type_traits>
#include <utility>

namespace quorumclear::quorum {

namespace {

std::uint16_t to_u16(std::size_t i) { return static_cast<std::uint16_t>(i); }

template <typename Variant>
Payload widen(Variant&& payload) {
  return std::visit([](auto&& p) -> Payload { return Payload{std::forward<decltype(p)>(p)}; },
                    std::forward<Variant>(payload));
}

/// Stamps a part's messages with (epoch, proposer) and passes them and its
/// faults on: the same for an RBC's and an ABA's output.
template <typename PartOutput>
void forward(Epoch epoch, NodeId proposer, PartOutput& part, CommonSubset::Output& out) {
  for (auto& [target, payload] : part.messages) {
    out.messages.push_back(OutgoingMessage{target, Message{epoch, proposer, widen(std::move(payload))}});
  }
  out.faults.insert(out.faults.end(), part.faults.begin(), part.faults.end());
}

}  // namespace

CommonSubset::CommonSubset(const Membership& members, NodeId self, Epoch epoch, const Digest& network_id,
                           const ThresholdCoin& coin, std::shared_ptr<ErasureCoder> coder,
                           PeerStripeBudget* budget)
    : members_(members),
      self_(self),
      epoch_(epoch),
      delivered_(members.n()),
      decisions_(members.n()) {
  assert(members.contains(self));
  // One coder for the epoch's n RBCs: its tables depend only on n and k.
  if (!coder) coder = std::make_shared<ErasureCoder>(members);
  rbc_.reserve(members.n());
  aba_.reserve(members.n());
  for (std::size_t j = 0; j < members.n(); ++j) {
    const NodeId proposer{to_u16(j)};
    rbc_.emplace_back(members, self, proposer, coder, budget);
    // The coin name binds network, epoch and instance, so a share for one
    // ABA can never be replayed into another (Cachin-Kursawe-Shoup section 4).
    const CoinName name{network_id, epoch, proposer, Round{}};
    aba_.emplace_back(members, self, name, coin);
  }
}

CommonSubset::Output CommonSubset::propose(ByteView value) {
  assert(!proposed_ && "one proposal per node per epoch");
  assert(value.size() <= kBatchBytesMax);
  proposed_ = true;
  Output out;
  on_rbc_output(self_, rbc_[self_.value].propose(value), out);
  output_if_complete(out);
  return out;
}

CommonSubset::Output CommonSubset::handle(NodeId from, const Message& message) {
  assert(message.epoch == epoch_);
  assert(members_.contains(from) && members_.contains(message.proposer) && from != self_);
  Output out;
  const NodeId proposer = message.proposer;
  std::visit(
      [&](const auto& payload) {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, RbcVal> || std::is_same_v<T, RbcEcho> ||
                      std::is_same_v<T, RbcReady>) {
          // The one copy out of the shared message; the RBC moves it into its record.
          on_rbc_output(proposer, rbc_[proposer.value].handle(from, RbcPayload{payload}), out);
        } else {
          on_aba_output(proposer, aba_[proposer.value].handle(from, AbaPayload{payload}), out);
        }
      },
      message.payload);
  output_if_complete(out);
  return out;
}

void CommonSubset::on_rbc_output(NodeId proposer, ReliableBroadcast::Output&& rbc, Output& out) {
  forward(epoch_, proposer, rbc, out);
  if (!rbc.delivered) return;
  assert(!delivered_[proposer.value] && "an RBC delivers once");
  delivered_[proposer.value] = std::move(*rbc.delivered);
  // Step 2: a delivered value gets our vote 1, unless step 3 already gave
  // this ABA a 0 (its value came too late for this epoch) or it decided on
  // f+1 TERMs without our input.
  BinaryAgreement& aba = aba_[proposer.value];
  if (!aba.has_input() && !aba.decision()) on_aba_output(proposer, aba.input(true), out);
}

void CommonSubset::on_aba_output(NodeId proposer, BinaryAgreement::Output&& aba, Output& out) {
  forward(epoch_, proposer, aba, out);
  if (!aba.decided) return;
  assert(!decisions_[proposer.value] && "an ABA decides once");
  decisions_[proposer.value] = *aba.decided;
  ++decided_count_;
  if (*aba.decided) ++decided_one_count_;
  assert(decided_count_ <= members_.n());
  input_zeros_if_quorum(out);
}

void CommonSubset::input_zeros_if_quorum(Output& out) {
  if (zeros_input_ || decided_one_count_ < members_.quorum()) return;
  zeros_input_ = true;
  for (std::size_t j = 0; j < members_.n(); ++j) {
    BinaryAgreement& aba = aba_[j];
    if (aba.has_input() || aba.decision()) continue;
    on_aba_output(NodeId{to_u16(j)}, aba.input(false), out);
  }
}

void CommonSubset::output_if_complete(Output& out) {
  if (output_done_ || decided_count_ < members_.n()) return;
  for (std::size_t j = 0; j < members_.n(); ++j) {
    // An ABA decides 1 only if some honest node input 1, i.e. delivered the
    // RBC; RBC totality then guarantees we deliver it too, eventually.
    if (*decisions_[j] && !delivered_[j]) return;
  }
  // ACS validity: at least n - f ABAs decided 1 (step 3 waits for that many
  // before any honest node inputs 0).
  assert(decided_one_count_ >= members_.quorum());
  std::vector<DecidedBatch> batches;
  batches.reserve(decided_one_count_);
  for (std::size_t j = 0; j < members_.n(); ++j) {
    if (!*decisions_[j]) continue;
    batches.push_back(DecidedBatch{NodeId{to_u16(j)}, std::move(*delivered_[j])});
    delivered_[j] = Bytes{};  // keep "delivered" set; the value now lives in the output
  }
  output_done_ = true;
  out.decided = std::move(batches);
}

bool CommonSubset::terminated() const {
  if (!output_done_) return false;
  for (const BinaryAgreement& aba : aba_) {
    if (!aba.terminated()) return false;
  }
  return true;
}

std::size_t CommonSubset::buffered_bytes() const {
  std::size_t total = 0;
  for (std::size_t j = 0; j < members_.n(); ++j) {
    total += rbc_[j].buffered_bytes() + aba_[j].buffered_bytes();
    if (delivered_[j]) total += delivered_[j]->size();
  }
  return total;
}

CommonSubsetStats CommonSubset::stats() const {
  CommonSubsetStats stats;
  for (const BinaryAgreement& aba : aba_) {
    const BinaryAgreementStats& s = aba.stats();
    stats.aba_rounds += s.rounds;
    stats.aba_rounds_max = std::max(stats.aba_rounds_max, s.rounds);
    stats.threshold_coins += s.threshold_coins;
    stats.coin_shares_verified += s.shares_verified;
    stats.dropped_future_round += s.dropped_future_round;
  }
  return stats;
}

}  // namespace quorumclear::quorum
