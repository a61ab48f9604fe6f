#include "quorum/reliable_broadcast.h"

#include "quorum/erasure.h"
#include "quorum/memory_budget.h"
#include "quorum/merkle.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <type_traits>
#include <utility>
#include <variant>

namespace quorumclear::quorum {
namespace {

/// One sender's accepted ECHO (or our own stripe from the VAL). The branch
/// is kept only so an identical network duplicate can be told apart from
/// an equivocation without hashing again.
struct EchoRecord {
  Digest root{};
  std::vector<Digest> branch;
  Bytes stripe;
  Digest leaf_hash{};  // kept so the re-encode check need not hash it again
};

/// Votes seen for one root. At most one ECHO and one READY per sender ever
/// create or grow a tally, so there are at most 2n of them.
struct RootTally {
  std::size_t echoes = 0;
  std::size_t readies = 0;
  std::size_t stripe_bytes = 0;  // fixed by the first valid ECHO; 0 = none yet
};

template <class StripeMessage>
bool same_stripe_message(const EchoRecord& record, const StripeMessage& m) {
  return record.root == m.root && record.branch == m.branch && record.stripe == m.stripe;
}

}  // namespace

struct ReliableBroadcast::State {
  State(const Membership& m, NodeId self_id, NodeId proposer_id, std::shared_ptr<ErasureCoder> shared_coder,
        PeerStripeBudget* peer_budget)
      : members(m),
        self(self_id),
        proposer(proposer_id),
        coder(shared_coder ? std::move(shared_coder) : std::make_shared<ErasureCoder>(m)),
        memo(std::in_place, m.n()),
        depth(merkle_depth(m.n())),
        min_stripe_bytes(erasure_min_stripe_bytes(m)),
        max_stripe_bytes(erasure_max_stripe_bytes(m)),
        echoes(m.n()),
        readies(m.n()),
        budget(peer_budget) {
    assert(coder->total_stripes() == m.n() && coder->data_stripes() == m.data_stripes());
  }
  // Whatever is still held goes back to its peers' budgets.
  ~State() { release_stripes(); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  Membership members;
  NodeId self;
  NodeId proposer;
  std::shared_ptr<ErasureCoder> coder;
  /// Inner hashes already computed for this instance's branches; the n
  /// ECHOs of one tree share most of their inner nodes. Dropped when finished.
  std::optional<MerkleInnerMemo> memo;
  std::size_t depth;
  std::size_t min_stripe_bytes;
  std::size_t max_stripe_bytes;

  bool proposed = false;
  bool val_accepted = false;
  bool ready_sent = false;
  bool delivered = false;
  /// The proposer's stripes did not form a codeword under the root that
  /// gathered 2f+1 READY: no honest node can ever deliver (only one root can
  /// reach that many READY), so the instance stops.
  bool failed = false;

  std::vector<std::optional<EchoRecord>> echoes;  // by sender; [self] is our own stripe
  std::vector<std::optional<Digest>> readies;     // by sender; [self] once we sent READY
  std::map<Digest, RootTally> tallies;
  std::size_t held_bytes = 0;  // stripes and branches in `echoes`, and `own_encoding`
  /// Proposer only, until finished: all n stripes it sent and their leaf
  /// hashes, so the ECHOs of its own stripes are checked by comparing bytes.
  std::optional<EncodedValue> own_encoding;
  std::vector<Digest> own_leaf_hashes;
  PeerStripeBudget* budget;  // not owned; may be null

  [[nodiscard]] bool finished() const { return delivered || failed; }

  /// RbcVal / RbcEcho, by const reference (copied) or rvalue (moved).
  template <class Val>
  void on_val(NodeId from, Val&& val, Output& out);
  template <class Echo>
  void on_echo(NodeId from, Echo&& echo, Output& out);
  void on_ready(NodeId from, const RbcReady& ready, Output& out);
  template <class Payload>
  Output dispatch(NodeId from, Payload&& message);

  /// Checks size and Merkle proof of the stripe claimed to be leaf `index`;
  /// on success returns its leaf hash, on failure the fault.
  std::variant<Digest, FaultKind> check_stripe(std::size_t index, const Digest& root,
                                               const std::vector<Digest>& branch, const Bytes& stripe);
  /// merkle_leaf_hash(stripe), looked up instead when the bytes are our own
  /// stripe `index`.
  [[nodiscard]] Digest leaf_hash_of(std::size_t index, ByteView stripe) const;
  /// All leaves of one honest tree have one size. A proven leaf of another
  /// size than those already held under `root` shows that root's author is
  /// faulty; the relaying sender may be honest.
  [[nodiscard]] bool conflicts_with_root_size(const Digest& root, std::size_t stripe_bytes) const;
  void accept_own_stripe(EchoRecord record, Output& out);
  [[nodiscard]] bool reencoding_matches(const Bytes& value, const Digest& root);
  void record_echo(NodeId from, EchoRecord record);
  /// Charges a peer's stripe and branch to its budget; on refusal records
  /// the fault and returns false (the stripe is then dropped).
  template <class StripeMessage>
  bool charge(NodeId peer, const StripeMessage& m, Output& out);
  /// Who a held record was charged to: its sender, or for our own slot the
  /// proposer whose VAL it is (nobody when we are the proposer).
  [[nodiscard]] std::optional<NodeId> charged_peer(std::size_t index) const;
  void advance(const Digest& root, Output& out);
  void try_deliver(const Digest& root, Output& out);
  void release_stripes();
};

std::variant<Digest, FaultKind> ReliableBroadcast::State::check_stripe(std::size_t index, const Digest& root,
                                                                       const std::vector<Digest>& branch,
                                                                       const Bytes& stripe) {
  // Sizes first: they are free to check and bound the hashing work.
  if (stripe.size() < min_stripe_bytes || stripe.size() > max_stripe_bytes) return FaultKind::kInvalidStripeSize;
  if (branch.size() != depth) return FaultKind::kInvalidMerkleBranch;
  assert(memo.has_value() && index < members.n());
  const Digest leaf_hash = leaf_hash_of(index, stripe);
  if (!memo->verify_hash(root, index, leaf_hash, branch)) return FaultKind::kInvalidMerkleBranch;
  return leaf_hash;
}

bool ReliableBroadcast::State::conflicts_with_root_size(const Digest& root, std::size_t stripe_bytes) const {
  auto tally = tallies.find(root);
  return tally != tallies.end() && tally->second.stripe_bytes != 0 && tally->second.stripe_bytes != stripe_bytes;
}

Digest ReliableBroadcast::State::leaf_hash_of(std::size_t index, ByteView stripe) const {
  // A leaf hash depends on the bytes alone, so equal bytes have the hash we
  // computed building our tree; a compare costs a fraction of a SHA-256.
  if (own_encoding.has_value()) {
    const ByteView own = own_encoding->stripe(index);
    if (std::equal(stripe.begin(), stripe.end(), own.begin(), own.end())) return own_leaf_hashes[index];
  }
  return merkle_leaf_hash(stripe);
}

void ReliableBroadcast::State::record_echo(NodeId from, EchoRecord record) {
  assert(!echoes[from.value].has_value());
  RootTally& tally = tallies[record.root];
  assert(tally.stripe_bytes == 0 || tally.stripe_bytes == record.stripe.size());
  tally.stripe_bytes = record.stripe.size();
  ++tally.echoes;
  held_bytes += record.stripe.size() + record.branch.size() * sizeof(Digest);
  echoes[from.value] = std::move(record);
}

namespace {
std::size_t held_bytes_of(const std::vector<Digest>& branch, const Bytes& stripe) {
  return stripe.size() + branch.size() * sizeof(Digest);
}
}  // namespace

template <class StripeMessage>
bool ReliableBroadcast::State::charge(NodeId peer, const StripeMessage& m, Output& out) {
  if (budget == nullptr || budget->try_charge(peer, held_bytes_of(m.branch, m.stripe))) return true;
  out.faults.push_back(Fault{peer, FaultKind::kPeerBudgetExceeded});
  return false;
}

std::optional<NodeId> ReliableBroadcast::State::charged_peer(std::size_t index) const {
  if (index != self.value) return NodeId{static_cast<std::uint16_t>(index)};
  if (proposer != self) return proposer;
  return std::nullopt;
}

void ReliableBroadcast::State::accept_own_stripe(EchoRecord record, Output& out) {
  assert(!val_accepted);
  val_accepted = true;
  // HoneyBadgerBFT section 4.4: on VAL, ECHO our stripe to everyone; our
  // own ECHO counts here, since Target::all() excludes us.
  out.messages.emplace_back(Target::all(), RbcEcho{record.root, record.branch, record.stripe});
  const Digest root = record.root;
  record_echo(self, std::move(record));
  advance(root, out);
}

template <class Val>
void ReliableBroadcast::State::on_val(NodeId from, Val&& val, Output& out) {
  if (from != proposer) {
    out.faults.push_back(Fault{from, FaultKind::kValNotFromProposer});
    return;
  }
  if (finished()) return;
  if (val_accepted) {
    // Our own stripe record is exactly the VAL we accepted.
    const auto& own = echoes[self.value];
    if (!own.has_value() || !same_stripe_message(*own, val)) {
      out.faults.push_back(Fault{from, FaultKind::kDuplicateMessage});
    }
    return;
  }
  const auto checked = check_stripe(self.value, val.root, val.branch, val.stripe);
  if (const auto* fault = std::get_if<FaultKind>(&checked)) {
    out.faults.push_back(Fault{from, *fault});
    return;
  }
  // The proposer vouches for its root by sending it: a malformed tree is its own.
  if (conflicts_with_root_size(val.root, val.stripe.size())) {
    out.faults.push_back(Fault{from, FaultKind::kInvalidStripeSize});
    return;
  }
  if (!charge(from, val, out)) return;
  accept_own_stripe(EchoRecord{val.root, std::forward<Val>(val).branch, std::forward<Val>(val).stripe,
                               std::get<Digest>(checked)},
                    out);
}

template <class Echo>
void ReliableBroadcast::State::on_echo(NodeId from, Echo&& echo, Output& out) {
  if (finished()) return;
  if (const auto& seen = echoes[from.value]) {
    // Networks duplicate: an identical copy is no fault, a different one is.
    if (!same_stripe_message(*seen, echo)) out.faults.push_back(Fault{from, FaultKind::kDuplicateMessage});
    return;
  }
  // Stripe j travels in node j's ECHO, so the sender's id is the leaf index.
  const auto checked = check_stripe(from.value, echo.root, echo.branch, echo.stripe);
  if (const auto* fault = std::get_if<FaultKind>(&checked)) {
    out.faults.push_back(Fault{from, *fault});
    return;
  }
  if (conflicts_with_root_size(echo.root, echo.stripe.size())) {
    // The stripe is a proven leaf of a malformed tree, so the echoer may be
    // an honest node relaying what the proposer gave it: blame the proposer
    // only if it sent us this very root, otherwise nobody. The stripe is
    // dropped either way; such a root can never deliver.
    const auto& own = echoes[self.value];
    if (val_accepted && own.has_value() && own->root == echo.root) {
      out.faults.push_back(Fault{proposer, FaultKind::kInvalidStripeSize});
    }
    return;
  }
  if (!charge(from, echo, out)) return;
  const Digest root = echo.root;
  record_echo(from, EchoRecord{root, std::forward<Echo>(echo).branch, std::forward<Echo>(echo).stripe,
                               std::get<Digest>(checked)});
  advance(root, out);
}

void ReliableBroadcast::State::on_ready(NodeId from, const RbcReady& ready, Output& out) {
  if (finished()) return;
  if (const auto& seen = readies[from.value]) {
    if (*seen != ready.root) out.faults.push_back(Fault{from, FaultKind::kDuplicateMessage});
    return;
  }
  readies[from.value] = ready.root;
  ++tallies[ready.root].readies;
  advance(ready.root, out);
}

void ReliableBroadcast::State::advance(const Digest& root, Output& out) {
  assert(!finished());
  const RootTally& tally = tallies.at(root);
  // Bracha: READY after n-f ECHO (enough honest nodes hold stripes), or
  // after f+1 READY (at least one honest node saw that), and only once.
  if (!ready_sent && (tally.echoes >= members.quorum() || tally.readies >= members.weak())) {
    ready_sent = true;
    readies[self.value] = root;
    ++tallies[root].readies;
    out.messages.emplace_back(Target::all(), RbcReady{root});
  }
  if (tally.readies >= members.strong() && tally.echoes >= members.data_stripes()) {
    try_deliver(root, out);
  }
  assert(tallies.size() <= 2 * members.n());
}

void ReliableBroadcast::State::try_deliver(const Digest& root, Output& out) {
  std::vector<IndexedStripe> stripes;
  stripes.reserve(members.n());
  for (std::size_t i = 0; i < echoes.size(); ++i) {
    if (echoes[i].has_value() && echoes[i]->root == root) stripes.push_back(IndexedStripe{i, echoes[i]->stripe});
  }
  assert(stripes.size() >= members.data_stripes());
  std::optional<Bytes> value = coder->decode(stripes);
  // HoneyBadgerBFT section 4.4: a Byzantine proposer may commit to leaves
  // that are not a codeword, and then different k-subsets decode to
  // different values. Re-encoding and comparing roots makes every honest
  // node either deliver the one value the root names or reject it alike.
  if (value.has_value() && reencoding_matches(*value, root)) {
    delivered = true;
    out.delivered = std::move(value);
  } else {
    failed = true;
    out.faults.push_back(Fault{proposer, FaultKind::kRbcEncodingMismatch});
  }
  release_stripes();
}

bool ReliableBroadcast::State::reencoding_matches(const Bytes& value, const Digest& root) {
  const EncodedValue reencoded = coder->encode(value);
  std::vector<Digest> leaf_hashes(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    const ByteView stripe = reencoded.stripe(i);
    const auto& held = echoes[i];
    if (held.has_value() && held->root == root) {
      // A held stripe is verified leaf i of `root`: if the re-encoding
      // differs there, the roots differ; if it is equal, so is its hash.
      if (!std::equal(stripe.begin(), stripe.end(), held->stripe.begin(), held->stripe.end())) return false;
      leaf_hashes[i] = held->leaf_hash;
    } else {
      leaf_hashes[i] = leaf_hash_of(i, stripe);
    }
  }
  assert(memo.has_value());
  return memo->root_from_leaf_hashes(leaf_hashes) == root;
}

void ReliableBroadcast::State::release_stripes() {
  for (std::size_t i = 0; i < echoes.size(); ++i) {
    auto& echo = echoes[i];
    if (!echo.has_value()) continue;
    if (const auto peer = charged_peer(i); peer && budget != nullptr) {
      budget->release(*peer, held_bytes_of(echo->branch, echo->stripe));
    }
    echo.reset();
  }
  own_encoding.reset();
  own_leaf_hashes = {};
  memo.reset();
  held_bytes = 0;
}

template <class Payload>
ReliableBroadcast::Output ReliableBroadcast::State::dispatch(NodeId from, Payload&& message) {
  assert(members.contains(from));
  // Our own ECHO and READY are counted when made; a message "from" us is a
  // routing bug in the caller, not peer input.
  assert(from != self && "Target::all() excludes the sender");
  Output out;
  std::visit(
      [&](auto&& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, RbcVal>) {
          on_val(from, std::forward<decltype(m)>(m), out);
        } else if constexpr (std::is_same_v<T, RbcEcho>) {
          on_echo(from, std::forward<decltype(m)>(m), out);
        } else {
          on_ready(from, m, out);
        }
      },
      std::forward<Payload>(message));
  return out;
}

ReliableBroadcast::ReliableBroadcast(const Membership& members, NodeId self, NodeId proposer,
                                     std::shared_ptr<ErasureCoder> coder, PeerStripeBudget* budget)
    : state_(std::make_unique<State>(members, self, proposer, std::move(coder), budget)) {
  assert(members.contains(self) && members.contains(proposer));
}

ReliableBroadcast::~ReliableBroadcast() = default;
ReliableBroadcast::ReliableBroadcast(ReliableBroadcast&&) noexcept = default;
ReliableBroadcast& ReliableBroadcast::operator=(ReliableBroadcast&&) noexcept = default;

ReliableBroadcast::Output ReliableBroadcast::propose(ByteView value) {
  State& s = *state_;
  assert(s.self == s.proposer && "only the proposer proposes");
  assert(!s.proposed && "propose is called once per instance");
  assert(value.size() <= kBatchBytesMax);
  s.proposed = true;
  Output out;
  if (s.val_accepted || s.finished()) return out;
  EncodedValue encoded = s.coder->encode(value);
  const std::vector<ByteView> leaves = encoded.stripes();
  const MerkleTree tree(leaves);
  assert(s.memo.has_value());
  s.memo->remember(tree);
  for (std::size_t i = 0; i < s.members.n(); ++i) {
    if (i == s.self.value) continue;
    const ByteView stripe = encoded.stripe(i);
    out.messages.emplace_back(Target::one(NodeId{static_cast<std::uint16_t>(i)}),
                              RbcVal{tree.root(), tree.branch(i), Bytes(stripe.begin(), stripe.end())});
  }
  const ByteView own = encoded.stripe(s.self.value);
  EchoRecord own_record{tree.root(), tree.branch(s.self.value), Bytes(own.begin(), own.end()),
                        tree.leaf_hash(s.self.value)};
  // Kept until finished: the ECHOs and the re-encode check then compare
  // bytes with these stripes instead of hashing them again.
  s.own_leaf_hashes.reserve(s.members.n());
  for (std::size_t i = 0; i < s.members.n(); ++i) s.own_leaf_hashes.push_back(tree.leaf_hash(i));
  s.held_bytes += encoded.stripe_count() * encoded.stripe_bytes();
  s.own_encoding = std::move(encoded);
  s.accept_own_stripe(std::move(own_record), out);
  return out;
}

ReliableBroadcast::Output ReliableBroadcast::handle(NodeId from, const RbcPayload& message) {
  return state_->dispatch(from, message);
}

ReliableBroadcast::Output ReliableBroadcast::handle(NodeId from, RbcPayload&& message) {
  return state_->dispatch(from, std::move(message));
}

bool ReliableBroadcast::has_delivered() const { return state_->delivered; }

std::size_t ReliableBroadcast::buffered_bytes() const {
  const State& s = *state_;
  const std::size_t memo_bytes = s.memo.has_value() ? s.memo->held_bytes() : 0;
  return s.held_bytes + memo_bytes + s.own_leaf_hashes.size() * sizeof(Digest) +
         s.echoes.size() * sizeof(std::optional<EchoRecord>) +
         s.readies.size() * sizeof(std::optional<Digest>) + s.tallies.size() * (sizeof(Digest) + sizeof(RootTally));
}

}  // namespace quorumclear::quorum
