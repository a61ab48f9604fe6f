#include "settlement/dvp.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace quorumclear::settlement {

Balances::Balances(std::size_t accounts, std::size_t currencies)
    : cash_(accounts * currencies, 0), currencies_(currencies) {}

std::int64_t Balances::get(AccountIndex account, AssetKind kind, std::uint32_t asset) const {
  if (kind == AssetKind::kCash) return cash_.at(account.value * currencies_ + asset);
  const std::int64_t* amount = securities_.find(cell_key(account.value, asset));
  return amount ? *amount : 0;
}

void Balances::add(AccountIndex account, AssetKind kind, std::uint32_t asset,
                   std::int64_t delta) {
  std::int64_t& amount = kind == AssetKind::kCash
                             ? cash_.at(account.value * currencies_ + asset)
                             : securities_[cell_key(account.value, asset)];
  std::int64_t result = 0;
  [[maybe_unused]] const bool fits = !__builtin_add_overflow(amount, delta, &result);
  assert(fits && result >= 0 && "a balance would overflow or go negative");
  amount = result;
}

namespace {

using CashKey = std::pair<std::uint16_t, std::uint8_t>;  // (member, currency)

/// One securities obligation as the run moves it, unit by unit.
struct Leg {
  std::size_t index = 0;  // in the bundle
  MemberIndex member;
  std::uint32_t instrument = 0;
  std::uint8_t currency = 0;
  bool receive = false;
  BusinessDate origin;
  std::int64_t owed = 0;   // units, > 0
  std::int64_t price = 0;  // minor units per unit
  bool refused = false;    // a whole delivery the CCP declined (step 4)
  std::int64_t moved = 0;
  Reason reason = Reason::kNone;
  [[nodiscard]] Int128 cash() const {  // to the member
    return static_cast<Int128>(receive ? -moved : moved) * price;
  }
};

/// A mark: cash that moves on its own (a fresh mark or a carried one).
struct Mark {
  std::size_t index = 0;
  MemberIndex member;
  std::uint8_t currency = 0;
  std::int64_t amount = 0;  // > 0: to the member
  bool withheld = false;    // a credit the CCP could not pay (step 4)
  bool paid = false;
  Reason reason = Reason::kNone;
};

struct Run {
  std::vector<Leg> legs;             // by (instrument, receive, order of service)
  std::vector<Mark> marks;           // bundle order
  std::map<CashKey, int> level;      // 1: receipts retained; 2: debit marks unpaid too
  std::set<std::uint8_t> no_buying;  // the CCP buys nothing it cannot pass on
  std::map<CashKey, Int128> net;     // cash to the member this run
};

Run build_run(const std::vector<Obligation>& bundle, const ReferenceData& ref) {
  Run run;
  for (std::size_t k = 0; k < bundle.size(); ++k) {
    const Obligation& o = bundle[k];
    if (o.kind == AssetKind::kCash) {
      if (o.mark_minor != 0) {
        run.marks.push_back(Mark{k, o.member, static_cast<std::uint8_t>(o.asset), o.mark_minor});
      }
      continue;
    }
    assert(o.net_amount != 0);
    const std::uint8_t ccy = ref.instrument(InstrumentIndex{o.asset}).currency.value;
    run.legs.push_back(Leg{k, o.member, o.asset, ccy, o.net_amount > 0, o.origin_date,
                           o.net_amount > 0 ? o.net_amount : -o.net_amount, o.price_minor});
  }
  std::stable_sort(run.marks.begin(), run.marks.end(),
                   [](const Mark& a, const Mark& b) { return a.member < b.member; });
  // Deliverers by member, oldest fail first (they share the member's
  // holding); receivers oldest fail first, then ascending member index.
  std::sort(run.legs.begin(), run.legs.end(), [](const Leg& a, const Leg& b) {
    if (a.receive) {
      return std::tuple(a.instrument, a.receive, a.origin, a.member) <
             std::tuple(b.instrument, b.receive, b.origin, b.member);
    }
    return std::tuple(a.instrument, a.receive, a.member, a.origin) <
           std::tuple(b.instrument, b.receive, b.member, b.origin);
  });
  return run;
}

// Steps 1 and 2 for the legs of one instrument, [begin, end).
void move_instrument(Run& run, std::size_t begin, std::size_t end, const Balances& balances,
                     AccountIndex ccp) {
  std::vector<Leg>& legs = run.legs;
  const std::uint32_t ins = legs[begin].instrument;
  const std::uint8_t ccy = legs[begin].currency;
  std::size_t first_receiver = begin;
  Int128 delivered = 0;
  std::int64_t left = 0;
  for (; first_receiver < end && !legs[first_receiver].receive; ++first_receiver) {
    Leg& d = legs[first_receiver];
    if (first_receiver == begin || legs[first_receiver - 1].member != d.member) {
      left = balances.get(AccountIndex{d.member.value}, AssetKind::kSecurities, ins);
    }
    d.moved = d.refused ? 0 : std::min(d.owed, left);
    left -= d.moved;
    d.reason = d.moved == d.owed ? Reason::kNone
               : d.refused       ? Reason::kCcpShortfall
                                 : Reason::kInsufficientSecurities;
    delivered += d.moved;
  }
  const Int128 ccp_held = balances.get(ccp, AssetKind::kSecurities, ins);
  if (run.no_buying.count(ccy) != 0) {
    // Accept only what paying receivers will take beyond the CCP's own.
    Int128 demand = 0;
    for (std::size_t k = first_receiver; k < end; ++k) {
      if (run.level[{legs[k].member.value, ccy}] == 0) demand += legs[k].owed;
    }
    Int128 excess = delivered - std::max<Int128>(0, demand - ccp_held);
    for (std::size_t k = first_receiver; k-- > begin && excess > 0;) {
      const auto take = static_cast<std::int64_t>(std::min<Int128>(excess, legs[k].moved));
      if (take == 0) continue;
      legs[k].moved -= take;
      legs[k].reason = Reason::kCcpShortfall;
      excess -= take;
      delivered -= take;
    }
  }
  Int128 pool = ccp_held + delivered;
  for (std::size_t k = first_receiver; k < end; ++k) {
    Leg& r = legs[k];
    const bool retained = run.level[{r.member.value, ccy}] >= 1;
    r.moved = retained ? 0 : static_cast<std::int64_t>(std::min<Int128>(r.owed, pool));
    pool -= r.moved;
    r.reason = retained ? Reason::kInsufficientCash
               : r.moved < r.owed ? Reason::kCcpShortfall : Reason::kNone;
  }
}

void evaluate(Run& run, const Balances& balances, AccountIndex ccp) {
  run.net.clear();
  for (std::size_t begin = 0; begin < run.legs.size();) {
    std::size_t end = begin;
    while (end < run.legs.size() && run.legs[end].instrument == run.legs[begin].instrument) ++end;
    move_instrument(run, begin, end, balances, ccp);
    begin = end;
  }
  for (const Leg& l : run.legs) run.net[{l.member.value, l.currency}] += l.cash();
  for (Mark& m : run.marks) {
    const bool debit_unpaid = m.amount < 0 && run.level[{m.member.value, m.currency}] >= 2;
    m.paid = !m.withheld && !debit_unpaid;
    m.reason = m.withheld ? Reason::kCcpShortfall
               : debit_unpaid ? Reason::kInsufficientCash : Reason::kNone;
    if (m.paid) run.net[{m.member.value, m.currency}] += m.amount;
  }
}

// Step 3: members whose balance does not cover their net cash go one level
// down. All at once, so the result does not depend on visiting order.
bool escalate_members(Run& run, const Balances& balances) {
  bool changed = false;
  for (const auto& [key, net] : run.net) {
    const Int128 held = balances.get(AccountIndex{key.first}, AssetKind::kCash, key.second);
    if (held + net >= 0) continue;
    int& level = run.level[key];
    // At level 2 it pays nothing, so only a level below can be short.
    assert(level < 2);
    ++level;
    changed = true;
  }
  return changed;
}

// Step 4: one relief for the first currency the CCP cannot pay out in.
bool relieve_ccp(Run& run, const Balances& balances, AccountIndex ccp) {
  std::map<std::uint8_t, Int128> paid_out;
  for (const auto& [key, net] : run.net) paid_out[key.second] += net;
  for (const auto& [ccy, out] : paid_out) {
    if (balances.get(ccp, AssetKind::kCash, ccy) - out >= 0) continue;
    if (run.no_buying.insert(ccy).second) return true;
    for (auto m = run.marks.rbegin(); m != run.marks.rend(); ++m) {
      if (m->currency == ccy && m->paid && m->amount > 0) {
        m->withheld = true;
        return true;
      }
    }
    Leg* last = nullptr;
    for (Leg& l : run.legs) {
      if (l.currency == ccy && !l.receive && l.moved > 0 && (!last || l.member >= last->member)) {
        last = &l;
      }
    }
    // With no delivery and no credit mark left the CCP pays nothing out.
    assert(last != nullptr);
    last->refused = true;
    return true;
  }
  return false;
}

}  // namespace
namespace {

// Pay-ins first, then pay-outs: the run checked every end state, and this
// order keeps every intermediate balance non-negative too.
std::vector<BalanceKey> move_balances(const Run& run, Balances& balances, AccountIndex ccp) {
  std::vector<BalanceKey> changed;
  std::set<std::pair<AssetKind, std::uint32_t>> ccp_changed;
  const auto move = [&](AccountIndex account, AssetKind kind, std::uint32_t asset, Int128 delta) {
    if (delta == 0) return;
    const auto amount = static_cast<std::int64_t>(delta);
    balances.add(account, kind, asset, amount);
    balances.add(ccp, kind, asset, -amount);
    changed.push_back(BalanceKey{account, kind, asset});
    ccp_changed.insert({kind, asset});
  };
  for (const bool pay_in : {true, false}) {
    for (const Leg& l : run.legs) {
      if (l.receive == pay_in) continue;
      move(AccountIndex{l.member.value}, AssetKind::kSecurities, l.instrument,
           l.receive ? l.moved : -l.moved);
    }
    for (const auto& [key, net] : run.net) {
      if ((net < 0) == pay_in) move(AccountIndex{key.first}, AssetKind::kCash, key.second, net);
    }
  }
  for (const auto& [kind, asset] : ccp_changed) changed.push_back(BalanceKey{ccp, kind, asset});
  return changed;
}

Obligation remainder(const Obligation& o, std::int64_t amount, Reason reason) {
  Obligation r = o;
  r.net_amount = amount;
  r.status = ObligationStatus::kFailed;
  r.fail_reason = reason;
  r.settled_amount = 0;
  if (o.kind == AssetKind::kSecurities) r.value_minor = -amount * o.price_minor;
  if (o.kind == AssetKind::kCash) r.mark_minor = amount;
  return r;
}

// Records what moved on every obligation and collects the remainders.
std::vector<Obligation> record(const Run& run, std::vector<Obligation>& bundle) {
  std::vector<Obligation> carried;
  // A fresh cash obligation stands for its member's fresh legs and mark.
  std::map<CashKey, std::pair<Int128, Reason>> fresh_moved;
  for (const Leg& l : run.legs) {
    Obligation& o = bundle[l.index];
    o.settled_amount = l.receive ? l.moved : -l.moved;
    o.status = l.moved == l.owed ? ObligationStatus::kSettled : ObligationStatus::kFailed;
    o.fail_reason = l.reason;
    if (l.moved != l.owed) carried.push_back(remainder(o, o.net_amount - o.settled_amount, l.reason));
    if (o.carried()) continue;
    auto& [moved, reason] = fresh_moved[{l.member.value, l.currency}];
    moved += l.cash();
    if (reason == Reason::kNone) reason = l.reason;
  }
  std::map<std::size_t, const Mark*> mark_of;
  for (const Mark& m : run.marks) mark_of[m.index] = &m;
  for (std::size_t k = 0; k < bundle.size(); ++k) {
    Obligation& o = bundle[k];
    if (o.kind != AssetKind::kCash) continue;
    const auto m = mark_of.find(k);
    const Mark* mark = m == mark_of.end() ? nullptr : m->second;
    if (mark && !mark->paid) carried.push_back(remainder(o, o.mark_minor, mark->reason));
    const bool mark_paid = !mark || mark->paid;
    Int128 moved = mark && mark->paid ? mark->amount : 0;
    Reason reason = mark_paid ? Reason::kNone : mark->reason;
    if (!o.carried()) {
      const auto& [legs_moved, leg_reason] = fresh_moved[{o.member.value,
                                                          static_cast<std::uint8_t>(o.asset)}];
      moved += legs_moved;
      if (reason == Reason::kNone) reason = leg_reason;
    }
    o.settled_amount = static_cast<std::int64_t>(moved);
    o.status = reason == Reason::kNone ? ObligationStatus::kSettled : ObligationStatus::kFailed;
    o.fail_reason = reason;
  }
  // Reports list carried fails like fresh ones: by member, kind, asset.
  std::sort(carried.begin(), carried.end(), [](const Obligation& a, const Obligation& b) {
    return std::tuple(a.member, a.kind, a.asset, a.origin_date) <
           std::tuple(b.member, b.kind, b.asset, b.origin_date);
  });
  return carried;
}

}  // namespace

SettleOutcome settle_bundle(std::vector<Obligation>& bundle, Balances& balances,
                            const ReferenceData& ref) {
  const AccountIndex ccp = ref.ccp_account();
  Run run = build_run(bundle, ref);
  // Each pass only takes movements away (a level up, a currency the CCP
  // stops buying in, a withheld credit, a refused delivery), so it ends.
  for (;;) {
    evaluate(run, balances, ccp);
    if (escalate_members(run, balances)) continue;
    if (relieve_ccp(run, balances, ccp)) continue;
    break;
  }
  SettleOutcome out;
  out.changed = move_balances(run, balances, ccp);
  out.carried = record(run, bundle);
  return out;
}

}  // namespace quorumclear::settlement
