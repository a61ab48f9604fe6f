#include "quorum/binary_agreement.h"

#include <algorithm>
#include <bitset>
#include <cassert>
#include <map>
#include <type_traits>

// Rules, in QUORUM_PROTOCOL.md's table order, for round r and estimate est:
//   BVAL   broadcast est; relay b on f+1 BVAL(r, b); b joins bin_values on 2f+1.
//   AUX    broadcast the first value to join bin_values, once.
//   vals   n-f senders whose AUX values lie in bin_values.
//   CONF   threshold-coin rounds only: broadcast vals, wait for n-f senders whose
//          CONF set lies in bin_values (HoneyBadgerBFT issue 59: the coin must
//          stay hidden until n-f nodes have fixed their vals).
//   COIN   release our share only after that wait; f+1 verified shares give s.
//   update vals == {b}: est = b, decide if b == s; otherwise est = s.
//
// Termination. A node that decides b in round r broadcasts TERM(b) and stops.
// Every honest node then holds est = b from round r+1 on (MMR 2014, lemma on
// agreement), and TERM(b) stands in for the stopped node's BVAL(b), AUX(b)
// and CONF({b}) in the receiver's current round and every later one, so the
// remaining nodes still see n-f voters. (Counting a TERM in the decider's own
// round is safe too: the quorum-intersection argument for round r rests on
// the FIRST honest decider, whose n-f AUX(b) all predate any honest TERM, and
// a TERM only ever adds the decided value.) The one thing a stopped node no
// longer provides is its coin share. Let D be the honest nodes stopped before
// a threshold round: if D >= f+1, every honest node eventually holds f+1
// TERM(b), one of them honest, and decides b at once (safe: honest decisions
// agree); if D <= f, at least (n-f) - f >= f+1 honest nodes still reach the
// round and release shares. Either way every honest node decides, so no
// 2f+1-TERM rule and no extra round after deciding is needed.
//
// Catch-up. Messages more than kRoundWindow rounds ahead are dropped to bound
// memory, so a node far behind may have dropped ours and, once it gets there,
// wait forever for votes we will not send again. We remember, per round, what
// we sent and which peers looked that far behind when the round began; the
// first message from such a peer for that round (past or current) makes us
// send our messages of that round again, to it alone, once. A Byzantine peer
// can trigger at most one re-send per round, so the cost stays bounded.

namespace quorumclear::quorum {
namespace {

using NodeSet = std::bitset<kNodesMax>;

std::size_t bit(bool value) { return value ? 1 : 0; }

std::uint8_t mask(BoolSet set) { return static_cast<std::uint8_t>(set); }

BoolSet single(bool value) { return value ? BoolSet::kTrue : BoolSet::kFalse; }

bool contains(BoolSet set, bool value) { return (mask(set) & mask(single(value))) != 0; }

BoolSet with(BoolSet set, bool value) { return static_cast<BoolSet>(mask(set) | mask(single(value))); }

bool is_subset(BoolSet inner, BoolSet outer) { return (mask(inner) & ~mask(outer)) == 0; }

bool uses_threshold_coin(std::uint32_t round) { return round % 3 == 2; }

enum class ShareStatus : std::uint8_t { kEmpty, kUnverified, kValid, kInvalid };

struct ShareSlot {
  ShareStatus status = ShareStatus::kEmpty;
  CoinShare share;
};

/// What we sent in a round, kept after the round so a lagging peer can
/// catch up (a few bytes per round).
struct SentRecord {
  std::array<bool, 2> bval{};
  std::optional<bool> aux;
  BoolSet conf = BoolSet::kNone;
  bool coin_share = false;
  NodeSet may_have_missed;  // peers that looked > kRoundWindow behind at start
};

/// Everything known about one round: peers' votes (ours included, since
/// "to all" excludes ourselves) and our own progress through the round.
struct RoundState {
  std::array<NodeSet, 2> bval;
  std::array<NodeSet, 2> aux;    // at most one value per sender
  std::vector<BoolSet> conf;     // by sender; kNone = nothing received
  std::vector<ShareSlot> coins;  // by sender; allocated in coin rounds only
  BoolSet bin_values = BoolSet::kNone;
  BoolSet vals = BoolSet::kNone;  // kNone until the AUX wait ends
  std::optional<bool> coin;
  SentRecord sent;
};

}  // namespace

struct BinaryAgreement::State {
  State(const Membership& m, NodeId s, const CoinName& n, const ThresholdCoin& c)
      : members(m), self(s), name(n), coin(&c), term(m.n()), highest_round_seen(m.n(), 0) {}

  Membership members;
  NodeId self;
  CoinName name;
  const ThresholdCoin* coin;
  bool has_input = false;
  std::optional<bool> est;
  std::uint32_t round = 0;
  std::optional<bool> decided;
  bool halted = false;                         // kRoundsMax reached without a decision
  std::map<std::uint32_t, RoundState> rounds;  // round .. round + kRoundWindow
  std::vector<SentRecord> past;                // indexed by round
  std::vector<std::optional<bool>> term;       // by sender
  std::array<NodeSet, 2> term_senders;
  std::vector<std::uint32_t> highest_round_seen;  // by sender
  BinaryAgreementStats stats;

  bool stopped() const { return decided.has_value() || halted; }

  CoinName name_of(std::uint32_t r) const {
    CoinName out = name;
    out.round = Round{r};
    return out;
  }

  RoundState& state_of(std::uint32_t r) {
    auto [it, inserted] = rounds.try_emplace(r);
    if (inserted) it->second.conf.assign(members.n(), BoolSet::kNone);
    return it->second;
  }

  static void fault(Output& out, NodeId from, FaultKind kind) { out.faults.push_back({from, kind}); }

  // --- sending -----------------------------------------------------------

  void send_bval(RoundState& rs, bool value, Output& out) {
    rs.sent.bval[bit(value)] = true;
    rs.bval[bit(value)].set(self.value);
    out.messages.emplace_back(Target::all(), AbaBval{Round{round}, value});
  }

  void send_aux(RoundState& rs, bool value, Output& out) {
    rs.sent.aux = value;
    rs.aux[bit(value)].set(self.value);
    out.messages.emplace_back(Target::all(), AbaAux{Round{round}, value});
  }

  void send_conf(RoundState& rs, Output& out) {
    rs.sent.conf = rs.vals;
    rs.conf[self.value] = rs.vals;
    out.messages.emplace_back(Target::all(), AbaConf{Round{round}, rs.vals});
  }

  void release_coin_share(RoundState& rs, Output& out) {
    rs.sent.coin_share = true;
    if (rs.coins.empty()) rs.coins.resize(members.n());
    ShareSlot& own = rs.coins[self.value];
    own.share = coin->make_share(name_of(round));
    own.status = ShareStatus::kValid;
    out.messages.emplace_back(Target::all(), AbaCoin{Round{round}, own.share});
  }

  void decide(bool value, Output& out) {
    // A halted instance may still decide, by f+1 TERMs (on_term).
    assert(!decided.has_value());
    decided = value;
    out.decided = value;
    out.messages.emplace_back(Target::all(), AbaTerm{value});
    // Nothing of the rounds is needed any more: TERM speaks for us.
    rounds.clear();
    past.clear();
    past.shrink_to_fit();
  }

  // --- the round ----------------------------------------------------------

  void start_round(Output& out) {
    assert(est.has_value() && !stopped());
    ++stats.rounds;
    RoundState& rs = state_of(round);
    for (std::size_t j = 0; j < members.n(); ++j) {
      if (j != self.value && highest_round_seen[j] + kRoundWindow < round) {
        rs.sent.may_have_missed.set(j);
      }
    }
    if (!rs.sent.bval[bit(*est)]) send_bval(rs, *est, out);
  }

  void update_bin_values(RoundState& rs, Output& out) {
    for (const bool b : {false, true}) {
      const auto votes = [&] { return (rs.bval[bit(b)] | term_senders[bit(b)]).count(); };
      // Bracha amplification: f+1 senders include an honest one, so b is some
      // honest node's estimate and safe to support.
      if (votes() >= members.weak() && !rs.sent.bval[bit(b)]) send_bval(rs, b, out);
      if (votes() >= members.strong() && !contains(rs.bin_values, b)) {
        rs.bin_values = with(rs.bin_values, b);
        if (!rs.sent.aux) send_aux(rs, b, out);
      }
    }
  }

  /// The AUX wait: n-f senders whose AUX values lie in bin_values. A single
  /// value is preferred when it alone reaches n-f (any such set is valid).
  BoolSet aux_outcome(const RoundState& rs) const {
    const auto aux_of = [&](bool b) { return rs.aux[bit(b)] | term_senders[bit(b)]; };
    for (const bool b : {false, true}) {
      if (contains(rs.bin_values, b) && aux_of(b).count() >= members.quorum()) return single(b);
    }
    if (rs.bin_values == BoolSet::kBoth && (aux_of(false) | aux_of(true)).count() >= members.quorum()) {
      return BoolSet::kBoth;
    }
    return BoolSet::kNone;
  }

  /// The CONF wait: n-f senders whose CONF set (or TERM value) lies in
  /// bin_values.
  bool conf_quorum(const RoundState& rs) const {
    std::size_t count = 0;
    for (std::size_t j = 0; j < members.n(); ++j) {
      const bool by_conf = rs.conf[j] != BoolSet::kNone && is_subset(rs.conf[j], rs.bin_values);
      const bool by_term = term[j].has_value() && contains(rs.bin_values, *term[j]);
      if (by_conf || by_term) ++count;
    }
    return count >= members.quorum();
  }

  /// Verifies stored shares in sender order, only until f+1 are valid:
  /// each verification costs four scalar multiplications.
  std::optional<bool> try_combine(RoundState& rs, Output& out) {
    std::vector<std::pair<NodeId, CoinShare>> valid;
    const CoinName coin_name = name_of(round);
    for (std::size_t j = 0; j < rs.coins.size() && valid.size() < members.weak(); ++j) {
      ShareSlot& slot = rs.coins[j];
      const NodeId from{static_cast<std::uint16_t>(j)};
      if (slot.status == ShareStatus::kUnverified) {
        ++stats.shares_verified;
        const bool ok = coin->verify_share(from, coin_name, slot.share);
        slot.status = ok ? ShareStatus::kValid : ShareStatus::kInvalid;
        if (!ok) fault(out, from, FaultKind::kInvalidCoinShare);
      }
      if (slot.status == ShareStatus::kValid) valid.emplace_back(from, slot.share);
    }
    if (valid.size() < members.weak()) return std::nullopt;
    const std::optional<bool> value = coin->combine(coin_name, valid);
    assert(value.has_value() && "f+1 verified shares always combine");
    ++stats.threshold_coins;
    rs.coins.clear();  // the shares have served their purpose
    rs.coins.shrink_to_fit();
    return value;
  }

  /// The round's coin, once it may be used: fixed in two rounds of three,
  /// otherwise after the CONF wait and f+1 valid shares.
  std::optional<bool> coin_of_round(RoundState& rs, Output& out) {
    if (round % 3 == 0) return true;
    if (round % 3 == 1) return false;
    if (rs.sent.conf == BoolSet::kNone) send_conf(rs, out);
    if (rs.coin) return rs.coin;
    if (!conf_quorum(rs)) return std::nullopt;
    if (!rs.sent.coin_share) release_coin_share(rs, out);
    rs.coin = try_combine(rs, out);
    return rs.coin;
  }

  void finish_round(RoundState& rs, bool coin_value, Output& out) {
    past.resize(round + 1);
    past[round] = rs.sent;
    const bool definite = rs.vals != BoolSet::kBoth;
    est = definite ? contains(rs.vals, true) : coin_value;
    if (definite && *est == coin_value) {
      decide(*est, out);
      return;
    }
    rounds.erase(round);
    ++round;
    if (round >= kRoundsMax) {
      // Beyond the model (each coin round decides with probability >= 1/2):
      // stop cleanly rather than assert on a condition peers can influence.
      halted = true;
      rounds.clear();
      return;
    }
    start_round(out);
  }

  /// Runs the current round as far as the votes allow, then the next ones.
  void progress(Output& out) {
    while (!stopped() && est.has_value()) {
      RoundState& rs = state_of(round);
      update_bin_values(rs, out);
      if (rs.vals == BoolSet::kNone && rs.sent.aux) rs.vals = aux_outcome(rs);
      if (rs.vals == BoolSet::kNone) return;
      const std::optional<bool> coin_value = coin_of_round(rs, out);
      if (!coin_value) return;
      finish_round(rs, *coin_value, out);
    }
  }

  // --- receiving ----------------------------------------------------------

  /// Our messages of round r again, to `to` alone, once: it was too far
  /// behind when we sent them and may have dropped them (see Catch-up).
  void resend_round(NodeId to, std::uint32_t r, SentRecord& p, Output& out) {
    p.may_have_missed.reset(to.value);
    for (const bool b : {false, true}) {
      if (p.bval[bit(b)]) out.messages.emplace_back(Target::one(to), AbaBval{Round{r}, b});
    }
    if (p.aux) out.messages.emplace_back(Target::one(to), AbaAux{Round{r}, *p.aux});
    if (p.conf != BoolSet::kNone) out.messages.emplace_back(Target::one(to), AbaConf{Round{r}, p.conf});
    if (p.coin_share) {
      out.messages.emplace_back(Target::one(to), AbaCoin{Round{r}, coin->make_share(name_of(r))});
    }
  }

  /// True when a message of round r from `from` is to be recorded.
  bool admit(NodeId from, Round r, Output& out) {
    // An honest node halts at kRoundsMax and never sends that round: only a
    // faulty peer can. Checked before the round is remembered, so a round
    // such as 0xFFFFFFFF never enters highest_round_seen, whose "+
    // kRoundWindow" would otherwise wrap and mark a peer as lagging forever.
    if (r.value >= kRoundsMax) {
      fault(out, from, FaultKind::kRoundOutOfWindow);
      return false;
    }
    highest_round_seen[from.value] = std::max(highest_round_seen[from.value], r.value);
    if (r.value < round) {
      if (r.value < past.size() && past[r.value].may_have_missed.test(from.value)) {
        resend_round(from, r.value, past[r.value], out);
      }
      return false;  // that round is done here
    }
    if (r.value == round && est.has_value()) {
      SentRecord& current = state_of(round).sent;
      // Later sends of this round reach it: it is here now.
      if (current.may_have_missed.test(from.value)) resend_round(from, round, current, out);
    }
    // A round merely beyond our window is no evidence: under asynchrony an
    // honest peer may be that far ahead (it saw n - f votes we have not), so
    // dropping it is memory control.
    if (r.value > round + kRoundWindow) {
      ++stats.dropped_future_round;
      return false;
    }
    return true;
  }

  void on_bval(NodeId from, const AbaBval& m, Output& out) {
    if (!admit(from, m.round, out)) return;
    // One BVAL per (sender, round, value); a network duplicate is harmless.
    state_of(m.round.value).bval[bit(m.value)].set(from.value);
    progress(out);
  }

  void on_aux(NodeId from, const AbaAux& m, Output& out) {
    if (!admit(from, m.round, out)) return;
    RoundState& rs = state_of(m.round.value);
    if (rs.aux[bit(m.value)].test(from.value)) return;
    if (rs.aux[bit(!m.value)].test(from.value)) {
      fault(out, from, FaultKind::kConflictingVote);
      return;
    }
    rs.aux[bit(m.value)].set(from.value);
    progress(out);
  }

  void on_conf(NodeId from, const AbaConf& m, Output& out) {
    if (m.values != BoolSet::kFalse && m.values != BoolSet::kTrue && m.values != BoolSet::kBoth) {
      fault(out, from, FaultKind::kMalformedMessage);
      return;
    }
    if (!uses_threshold_coin(m.round.value)) {
      fault(out, from, FaultKind::kMalformedMessage);  // no CONF in fixed-coin rounds
      return;
    }
    if (!admit(from, m.round, out)) return;
    BoolSet& slot = state_of(m.round.value).conf[from.value];
    if (slot == m.values) return;
    if (slot != BoolSet::kNone) {
      fault(out, from, FaultKind::kConflictingVote);
      return;
    }
    slot = m.values;
    progress(out);
  }

  void on_coin(NodeId from, const AbaCoin& m, Output& out) {
    if (!uses_threshold_coin(m.round.value)) {
      fault(out, from, FaultKind::kMalformedMessage);  // fixed coins need no shares
      return;
    }
    if (!admit(from, m.round, out)) return;
    RoundState& rs = state_of(m.round.value);
    if (rs.coin) return;  // already combined; nothing more to learn
    if (rs.coins.empty()) rs.coins.resize(members.n());
    ShareSlot& slot = rs.coins[from.value];
    if (slot.status != ShareStatus::kEmpty) {
      if (!(slot.share == m.share)) fault(out, from, FaultKind::kDuplicateMessage);
      return;
    }
    // Stored unverified: verification waits until the coin is needed.
    slot = ShareSlot{ShareStatus::kUnverified, m.share};
    progress(out);
  }

  void on_term(NodeId from, const AbaTerm& m, Output& out) {
    std::optional<bool>& slot = term[from.value];
    if (slot) {
      if (*slot != m.value) fault(out, from, FaultKind::kConflictingVote);
      return;
    }
    slot = m.value;
    term_senders[bit(m.value)].set(from.value);
    // f+1 TERM(b) include an honest decider, and honest decisions agree.
    if (term_senders[bit(m.value)].count() >= members.weak()) {
      decide(m.value, out);
      return;
    }
    progress(out);
  }
};

BinaryAgreement::BinaryAgreement(const Membership& members, NodeId self, const CoinName& name,
                                 const ThresholdCoin& coin)
    : state_(std::make_unique<State>(members, self, name, coin)) {
  assert(members.contains(self));
  assert(coin.members().n() == members.n());
}

BinaryAgreement::~BinaryAgreement() = default;
BinaryAgreement::BinaryAgreement(BinaryAgreement&&) noexcept = default;
BinaryAgreement& BinaryAgreement::operator=(BinaryAgreement&&) noexcept = default;

BinaryAgreement::Output BinaryAgreement::input(bool value) {
  Output out;
  State& s = *state_;
  if (s.has_input || s.stopped()) return out;
  s.has_input = true;
  s.est = value;
  s.start_round(out);
  s.progress(out);
  return out;
}

BinaryAgreement::Output BinaryAgreement::handle(NodeId from, const AbaPayload& message) {
  Output out;
  State& s = *state_;
  assert(s.members.contains(from) && from != s.self);
  // A decided instance needs nothing more: its TERM speaks for it. A halted
  // one (kRoundsMax rounds without a decision) takes no more votes, but
  // still takes TERMs: f+1 TERM(b) include an honest decider, so deciding b
  // on them is as safe there as anywhere, and it is the only way such an
  // instance, and with it its epoch, can still finish.
  if (s.decided.has_value()) return out;
  if (s.halted && !std::holds_alternative<AbaTerm>(message)) return out;
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, AbaBval>) s.on_bval(from, m, out);
        if constexpr (std::is_same_v<M, AbaAux>) s.on_aux(from, m, out);
        if constexpr (std::is_same_v<M, AbaConf>) s.on_conf(from, m, out);
        if constexpr (std::is_same_v<M, AbaCoin>) s.on_coin(from, m, out);
        if constexpr (std::is_same_v<M, AbaTerm>) s.on_term(from, m, out);
      },
      message);
  return out;
}

bool BinaryAgreement::has_input() const { return state_->has_input; }

std::optional<bool> BinaryAgreement::decision() const { return state_->decided; }

bool BinaryAgreement::terminated() const { return state_->decided.has_value(); }

const BinaryAgreementStats& BinaryAgreement::stats() const { return state_->stats; }

std::size_t BinaryAgreement::buffered_bytes() const {
  // Every round held is at most kRoundWindow ahead of the current one, and
  // each is O(n) whatever peers send.
  std::size_t bytes = 0;
  for (const auto& [r, rs] : state_->rounds) {
    bytes +=
        sizeof(RoundState) + rs.conf.capacity() * sizeof(BoolSet) + rs.coins.capacity() * sizeof(ShareSlot);
  }
  return bytes;
}

}  // namespace quorumclear::quorum
