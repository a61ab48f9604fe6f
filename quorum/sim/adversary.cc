#include "quorum/sim/adversary.h"

#include "quorum/erasure.h"
#include "quorum/merkle.h"
#include "quorum/reliable_broadcast.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <set>

namespace quorumclear::quorum::sim {
namespace {

Bytes random_bytes(std::mt19937_64& rng, std::size_t size) {
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

bool coin_flip(std::mt19937_64& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

/// VAL i of every node i for a Merkle tree over these stripes, whatever
/// they are: a faulty proposer's commitment.
std::vector<RbcVal> vals_of(const EncodedValue& encoded) {
  const std::vector<ByteView> stripes = encoded.stripes();
  const MerkleTree tree(stripes);
  std::vector<RbcVal> vals;
  for (std::size_t i = 0; i < stripes.size(); ++i) {
    vals.push_back(RbcVal{tree.root(), tree.branch(i), Bytes(stripes[i].begin(), stripes[i].end())});
  }
  return vals;
}

/// VALs of one proposer instance, keyed by recipient.
std::map<std::uint16_t, RbcVal> vals_of(ReliableBroadcast::Output&& out) {
  std::map<std::uint16_t, RbcVal> vals;
  for (auto& [target, payload] : out.messages) {
    if (!target.to_all && std::holds_alternative<RbcVal>(payload)) {
      vals.emplace(target.node.value, std::get<RbcVal>(std::move(payload)));
    }
  }
  return vals;
}

/// Proposer equivocation (Bracha's RBC must stop it): the nodes in the upper
/// half of the id space get VALs of a second value, so honest nodes hold
/// stripes under two different roots.
class Equivocator final : public Adversary {
 public:
  Equivocator(AdversaryContext context, std::uint64_t seed) : ctx_(std::move(context)), rng_(seed) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    const bool own_val = std::holds_alternative<RbcVal>(m.payload) && m.proposer == ctx_.self;
    if (!own_val || to.value < ctx_.members.n() / 2) return emit(to, m);
    auto& vals = second_vals(m.epoch);
    auto it = vals.find(to.value);
    if (it != vals.end()) emit(to, Message{m.epoch, m.proposer, it->second});
  }

 private:
  std::map<std::uint16_t, RbcVal>& second_vals(Epoch epoch) {
    auto it = second_.find(epoch.value);
    if (it != second_.end()) return it->second;
    ReliableBroadcast other(ctx_.members, ctx_.self, ctx_.self);
    const Bytes value = random_bytes(rng_, ctx_.value_bytes + 1);
    if (second_.size() > 8) second_.erase(second_.begin());
    return second_.emplace(epoch.value, vals_of(other.propose(value))).first->second;
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
  std::map<std::uint64_t, std::map<std::uint16_t, RbcVal>> second_;
};

/// Bad stripes: as proposer, a Merkle tree over stripes that are NOT a
/// Reed-Solomon codeword (every branch verifies; only the RBC's re-encode
/// check can catch it); as echoer, corrupted or resized stripes.
class BadStripes final : public Adversary {
 public:
  BadStripes(AdversaryContext context, std::uint64_t seed)
      : ctx_(std::move(context)), rng_(seed), coder_(ctx_.members) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    if (std::holds_alternative<RbcVal>(m.payload) && m.proposer == ctx_.self) {
      auto& vals = crafted_vals(m.epoch);
      return emit(to, Message{m.epoch, m.proposer, vals.at(to.value)});
    }
    if (const auto* echo = std::get_if<RbcEcho>(&m.payload); echo && coin_flip(rng_, 0.5)) {
      RbcEcho bad = *echo;
      if (coin_flip(rng_, 0.5) && !bad.stripe.empty()) {
        bad.stripe[rng_() % bad.stripe.size()] ^= 0x5a;
      } else {
        bad.stripe.push_back(0);
      }
      return emit(to, Message{m.epoch, m.proposer, std::move(bad)});
    }
    emit(to, m);
  }

 private:
  std::vector<RbcVal>& crafted_vals(Epoch epoch) {
    auto it = crafted_.find(epoch.value);
    if (it != crafted_.end()) return it->second;
    EncodedValue encoded = coder_.encode(random_bytes(rng_, ctx_.value_bytes + 16));
    // Replace one stripe by noise: the tree still proves every stripe, but
    // decoding from different k-subsets gives different values.
    auto bad = encoded.mutable_stripe(rng_() % encoded.stripe_count());
    for (auto& b : bad) b = static_cast<std::uint8_t>(rng_());
    std::vector<RbcVal> vals = vals_of(encoded);
    if (crafted_.size() > 8) crafted_.erase(crafted_.begin());
    return crafted_.emplace(epoch.value, std::move(vals)).first->second;
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
  ErasureCoder coder_;
  std::map<std::uint64_t, std::vector<RbcVal>> crafted_;
};

/// Bad Merkle branches on VAL and ECHO: a flipped sibling, a missing one or
/// an extra one.
class BadBranches final : public Adversary {
 public:
  BadBranches(AdversaryContext context, std::uint64_t seed) : ctx_(std::move(context)), rng_(seed) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    if (!coin_flip(rng_, 0.7)) return emit(to, m);
    Message bad = m;
    std::visit(
        [&](auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, RbcVal> || std::is_same_v<T, RbcEcho>) spoil(p.branch);
        },
        bad.payload);
    emit(to, std::move(bad));
  }

 private:
  void spoil(std::vector<Digest>& branch) {
    const auto how = rng_() % 3;
    if (how == 0 && !branch.empty()) {
      branch[rng_() % branch.size()][rng_() % 32] ^= 1;
    } else if (how == 1 && !branch.empty()) {
      branch.pop_back();
    } else {
      branch.push_back(Digest{});
    }
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
};

/// Wrong or missing coin shares: dropped, a proof that does not verify, or a
/// point that is valid but not x_i * H(C). Also a lazy proposer (below).
class BadCoin final : public Adversary {
 public:
  BadCoin(AdversaryContext context, std::uint64_t seed) : ctx_(std::move(context)), rng_(seed) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    // Withholding our VAL from a third of the nodes makes our RBC deliver
    // late at some of them: split ABA inputs, hence threshold-coin rounds
    // in which the bad shares below get their chance.
    const bool own_val = std::holds_alternative<RbcVal>(m.payload) && m.proposer == ctx_.self;
    if (own_val && (to.value + m.epoch.value) % 3 == 0) return;
    const auto* coin = std::get_if<AbaCoin>(&m.payload);
    if (!coin) return emit(to, m);
    AbaCoin bad = *coin;
    switch (rng_() % 3) {
      case 0: return;  // missing share
      case 1: bad.share.response[rng_() % 32] ^= 0x01; break;
      default: {
        std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> h{};
        for (auto& b : h) b = static_cast<std::uint8_t>(rng_());
        crypto_core_ristretto255_from_hash(bad.share.point.data(), h.data());
        break;
      }
    }
    emit(to, Message{m.epoch, m.proposer, bad});
  }

 private:
  AdversaryContext ctx_;
  std::mt19937_64 rng_;
};

/// Votes both values: every BVAL/AUX/TERM also goes out with the opposite
/// value, every CONF also as {0, 1}.
class BothVotes final : public Adversary {
 public:
  explicit BothVotes(AdversaryContext context) : ctx_(std::move(context)) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    emit(to, m);
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, AbaBval> || std::is_same_v<T, AbaAux>) {
            emit(to, Message{m.epoch, m.proposer, T{p.round, !p.value}});
          } else if constexpr (std::is_same_v<T, AbaTerm>) {
            emit(to, Message{m.epoch, m.proposer, AbaTerm{!p.value}});
          } else if constexpr (std::is_same_v<T, AbaConf>) {
            if (p.values != BoolSet::kBoth) emit(to, Message{m.epoch, m.proposer, AbaConf{p.round, BoolSet::kBoth}});
          }
        },
        m.payload);
  }

 private:
  AdversaryContext ctx_;
};

/// Replays what it has seen, under its own name (it cannot forge others'):
/// old messages as they were, and old messages re-stamped into the epoch it
/// is currently sending in.
class Replayer final : public Adversary {
 public:
  Replayer(AdversaryContext context, std::uint64_t seed) : ctx_(std::move(context)), rng_(seed) {}

  void on_receive(NodeId, const Message& m) override { remember(m); }

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    emit(to, m);
    remember(m);
    if (seen_.empty() || !coin_flip(rng_, 0.4)) return;
    Message old = seen_[rng_() % seen_.size()];
    if (coin_flip(rng_, 0.5)) old.epoch = m.epoch;
    emit(to, std::move(old));
  }

 private:
  void remember(const Message& m) {
    if (seen_.size() >= 256) seen_.pop_front();
    seen_.push_back(m);
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
  std::deque<Message> seen_;
};

/// Floods far-future epochs (must be dropped, never buffered) and pins as
/// much memory as one peer can (issue 11, item 2) in two victims that every
/// flooder shares (the lowest and the highest honest id): in every instance
/// of every epoch inside the window, one ECHO of a maximum-size stripe under
/// a junk root with a valid branch for its own leaf, and its own VAL under
/// that root. Each is a proven leaf, so none can be blamed; the per-peer
/// bound must hold anyway, with all f flooders at once on one node. Two
/// victims rather than all: the per-node bound is the same, and flooding
/// every node moves gigabytes per epoch at n = 31.
class Flooder final : public Adversary {
 public:
  Flooder(AdversaryContext context, std::uint64_t seed) : ctx_(std::move(context)), rng_(seed) {
    std::vector<Bytes> leaves;
    const std::size_t stripe = erasure_max_stripe_bytes(ctx_.members);
    for (std::size_t i = 0; i < ctx_.members.n(); ++i) leaves.push_back(random_bytes(rng_, stripe));
    const std::vector<ByteView> views(leaves.begin(), leaves.end());
    const MerkleTree tree(views);
    for (std::size_t i = 0; i < ctx_.members.n(); ++i) {
      junk_.push_back(RbcVal{tree.root(), tree.branch(i), leaves[i]});
    }
    for (std::size_t i = 0; i < ctx_.members.n(); ++i) {
      if (i >= ctx_.faulty.size() || !ctx_.faulty[i]) victims_.push_back(i);
    }
    if (victims_.size() > 2) victims_.erase(victims_.begin() + 1, victims_.end() - 1);
  }

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    if (!(std::holds_alternative<RbcVal>(m.payload) && m.proposer == ctx_.self)) emit(to, m);
    for (int i = 0; i < 2; ++i) {
      const std::uint64_t ahead = kEpochWindow + 1 + rng_() % 1'000'000;
      emit(to, Message{Epoch{m.epoch.value + ahead}, random_proposer(), AbaBval{Round{0}, true}});
    }
    if (std::find(victims_.begin(), victims_.end(), to.value) == victims_.end()) return;
    for (std::uint64_t e = m.epoch.value; e <= m.epoch.value + kEpochWindow; ++e) pin(to, Epoch{e}, emit);
  }

 private:
  NodeId random_proposer() { return NodeId{static_cast<std::uint16_t>(rng_() % ctx_.members.n())}; }

  void pin(NodeId to, Epoch epoch, const Emit& emit) {
    if (!pinned_.insert({epoch.value, to.value}).second) return;
    // Epochs this far below are over everywhere: forget them.
    while (pinned_.begin()->first + 2 * kEpochWindow < epoch.value) pinned_.erase(pinned_.begin());
    const RbcVal& own = junk_[ctx_.self.value];
    emit(to, Message{epoch, ctx_.self, junk_[to.value]});
    for (std::size_t j = 0; j < ctx_.members.n(); ++j) {
      emit(to, Message{epoch, NodeId{static_cast<std::uint16_t>(j)}, RbcEcho{own.root, own.branch, own.stripe}});
    }
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
  std::vector<RbcVal> junk_;  // leaf i of one junk tree of maximum-size stripes
  std::vector<std::size_t> victims_;
  std::set<std::pair<std::uint64_t, std::uint16_t>> pinned_;  // (epoch, recipient) done
};

/// A proposer whose VALs are a genuine codeword of maximum-size stripes with
/// a frame no honest proposer makes (issue 11, item 1): over-long (longer
/// than kBatchBytesMax where the stripe leaves room: every honest node once
/// aborted on it), declaring more bytes than the stripes hold, or exactly
/// kBatchBytesMax (a maximal value, which must deliver).
class OverlongFrames final : public Adversary {
 public:
  OverlongFrames(AdversaryContext context, std::uint64_t seed)
      : ctx_(std::move(context)), rng_(seed), coder_(ctx_.members) {}

  void on_send(NodeId to, const Message& m, const Emit& emit) override {
    if (!(std::holds_alternative<RbcVal>(m.payload) && m.proposer == ctx_.self)) return emit(to, m);
    emit(to, Message{m.epoch, m.proposer, crafted_vals(m.epoch).at(to.value)});
  }

 private:
  std::vector<RbcVal>& crafted_vals(Epoch epoch) {
    auto it = crafted_.find(epoch.value);
    if (it != crafted_.end()) return it->second;
    const std::size_t stripe = erasure_max_stripe_bytes(ctx_.members);
    const std::size_t capacity = coder_.data_stripes() * stripe - kErasureFrameHeaderBytes;
    std::uint64_t declared = capacity;  // over-long wherever k leaves room for it
    if (const auto pick = rng_() % 3; pick == 1) {
      declared = capacity + 1 + rng_() % 1000;  // more than the stripes hold
    } else if (pick == 2) {
      declared = kBatchBytesMax;
    }
    Bytes frame(kErasureFrameHeaderBytes);
    for (std::size_t b = 0; b < kErasureFrameHeaderBytes; ++b) {
      frame[b] = static_cast<std::uint8_t>(declared >> (8 * (kErasureFrameHeaderBytes - 1 - b)));
    }
    const Bytes body = random_bytes(rng_, std::min<std::size_t>(declared, capacity));
    frame.insert(frame.end(), body.begin(), body.end());
    const EncodedValue encoded = coder_.encode_any_frame(frame, stripe);
    std::vector<RbcVal> vals = vals_of(encoded);
    if (crafted_.size() > 2) crafted_.erase(crafted_.begin());
    return crafted_.emplace(epoch.value, std::move(vals)).first->second;
  }

  AdversaryContext ctx_;
  std::mt19937_64 rng_;
  ErasureCoder coder_;
  std::map<std::uint64_t, std::vector<RbcVal>> crafted_;
};

}  // namespace

std::unique_ptr<Adversary> make_adversary(AdversaryKind kind, AdversaryContext context, std::uint64_t seed) {
  switch (kind) {
    case AdversaryKind::kEquivocate: return std::make_unique<Equivocator>(std::move(context), seed);
    case AdversaryKind::kBadStripes: return std::make_unique<BadStripes>(std::move(context), seed);
    case AdversaryKind::kBadBranches: return std::make_unique<BadBranches>(std::move(context), seed);
    case AdversaryKind::kBadCoin: return std::make_unique<BadCoin>(std::move(context), seed);
    case AdversaryKind::kBothVotes: return std::make_unique<BothVotes>(std::move(context));
    case AdversaryKind::kReplay: return std::make_unique<Replayer>(std::move(context), seed);
    case AdversaryKind::kFlood: return std::make_unique<Flooder>(std::move(context), seed);
    case AdversaryKind::kOverlongFrames: return std::make_unique<OverlongFrames>(std::move(context), seed);
    case AdversaryKind::kNone:
    case AdversaryKind::kCrash:
    case AdversaryKind::kIssue59:
    case AdversaryKind::kByzantine:
    case AdversaryKind::kCrashRestart: break;
  }
  assert(false && "not a per-node behaviour");
  return nullptr;
}

}  // namespace quorumclear::quorum::sim
