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

/// A mark: cash that moves on its own, in the instrument it arose in.
struct Mark {
  std::size_t index = 0;  // in the bundle: its securities obligation
  MemberIndex member;
  std::uint32_t instrument = 0;
  std::uint8_t currency = 0;
  std::int64_t amount = 0;  // > 0: to the member
  bool withheld = false;    // a credit the CCP could not pay (step 4)
  bool paid = false;
  Reason reason = Reason::kNone;
};

using DrawKey = std::pair<std::uint8_t, std::uint32_t>;  // (currency, instrument)

struct Run {
  std::vector<Leg> legs;              // by (instrument, receive, order of service)
  std::vector<Mark> marks;            // by member, then bundle order
  std::map<CashKey, int> level;       // 1: receipts retained; 2: its marks unpaid too
  std::set<std::uint32_t> no_buying;  // instruments the CCP buys nothing in it cannot pass on
  std::map<CashKey, Int128> net;      // cash to the member this run
  std::map<DrawKey, Int128> draw;     // per instrument: cash the CCP pays out, net
};

Run build_run(const std::vector<Obligation>& bundle, const ReferenceData& ref) {
  Run run;
  for (std::size_t k = 0; k < bundle.size(); ++k) {
    const Obligation& o = bundle[k];
    // A cash obligation only sums up its member's securities obligations.
    if (o.kind == AssetKind::kCash) continue;
    assert(o.net_amount != 0 || o.mark_minor != 0);
    const std::uint8_t ccy = ref.instrument(InstrumentIndex{o.asset}).currency.value;
    if (o.mark_minor != 0) run.marks.push_back(Mark{k, o.member, o.asset, ccy, o.mark_minor});
    if (o.net_amount == 0) continue;
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
  const std::uint8_t ccy = legs[begin].currency;  // receivers' cash cover is per currency
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
  if (run.no_buying.count(ins) != 0) {
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
  run.draw.clear();
  for (std::size_t begin = 0; begin < run.legs.size();) {
    std::size_t end = begin;
    while (end < run.legs.size() && run.legs[end].instrument == run.legs[begin].instrument) ++end;
    move_instrument(run, begin, end, balances, ccp);
    begin = end;
  }
  for (const Leg& l : run.legs) {
    run.net[{l.member.value, l.currency}] += l.cash();
    run.draw[{l.currency, l.instrument}] += l.cash();
  }
  for (Mark& m : run.marks) {
    // A member that cannot pay its debit marks is paid none of its credit
    // marks either: the CCP sets them off, and both carry forward.
    const bool set_off = run.level[{m.member.value, m.currency}] >= 2;
    m.paid = !m.withheld && !set_off;
    m.reason = set_off ? Reason::kInsufficientCash
               : m.withheld ? Reason::kCcpShortfall : Reason::kNone;
    if (!m.paid) continue;
    run.net[{m.member.value, m.currency}] += m.amount;
    run.draw[{m.currency, m.instrument}] += m.amount;
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

// Step 4 inside one instrument: stop buying receipts it cannot pass on,
// else withhold the credit mark of the highest member index, else refuse
// the delivery of the highest member index that brings the member cash.
void relieve_instrument(Run& run, std::uint32_t ins) {
  if (run.no_buying.insert(ins).second) return;
  for (auto m = run.marks.rbegin(); m != run.marks.rend(); ++m) {
    if (m->instrument == ins && m->paid && m->amount > 0) {
      m->withheld = true;
      return;
    }
  }
  Leg* last = nullptr;
  for (Leg& l : run.legs) {
    if (l.instrument == ins && !l.receive && l.cash() > 0 && (!last || l.member >= last->member)) {
      last = &l;
    }
  }
  // The instrument draws on the CCP, so something in it pays a member.
  assert(last != nullptr);
  last->refused = true;
}

// Step 4: one relief for the first currency the CCP cannot pay out in, in
// the instrument of that currency that draws most on it (lowest index on a
// tie). An instrument draws when the CCP pays out more in it than it takes
// in. Fresh obligations balance per instrument (netting.h: units, values and
// marks each sum to zero), so one draws only if an obligation in it failed
// or an open fail in it settles now: an instrument whose obligations all
// settle, like an unrelated self-funded pair's, is never touched.
bool relieve_ccp(Run& run, const Balances& balances, AccountIndex ccp) {
  std::map<std::uint8_t, Int128> paid_out;
  for (const auto& [key, net] : run.net) paid_out[key.second] += net;
  for (const auto& [ccy, out] : paid_out) {
    if (balances.get(ccp, AssetKind::kCash, ccy) - out >= 0) continue;
    const DrawKey* most = nullptr;
    Int128 largest = 0;
    for (const auto& [key, draw] : run.draw) {
      if (key.first == ccy && draw > largest) {
        largest = draw;
        most = &key;
      }
    }
    // Short means it pays out more than it holds, so some instrument draws.
    assert(most != nullptr);
    relieve_instrument(run, most->second);
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

// The unsettled part of a securities obligation, carried at its own price:
// the units that did not move with their value, and its mark if unpaid.
Obligation remainder(const Obligation& o, Reason reason) {
  Obligation r = o;
  r.net_amount = o.net_amount - o.settled_amount;
  r.value_minor = -r.net_amount * o.price_minor;  // |units| <= |net|: fits
  r.mark_minor = o.mark_minor - o.settled_mark_minor;
  r.status = ObligationStatus::kFailed;
  r.fail_reason = reason;
  r.settled_amount = 0;
  r.settled_mark_minor = 0;
  return r;
}

/// What moved, in cash, of a member's fresh securities obligations in one
/// currency: what its cash obligation reports.
struct CashMoved {
  Int128 cash = 0;
  Int128 marks = 0;
  Reason reason = Reason::kNone;
};

// Records what moved of one securities obligation; returns its currency.
std::uint8_t record_securities(Obligation& o, const Leg* leg, const Mark* mark) {
  assert(leg != nullptr || mark != nullptr);
  o.settled_amount = !leg ? 0 : leg->receive ? leg->moved : -leg->moved;
  o.settled_mark_minor = mark && mark->paid ? mark->amount : 0;
  // Units first: a delivery or receipt that failed says more than its mark.
  const Reason units = leg && leg->moved != leg->owed ? leg->reason : Reason::kNone;
  const Reason marked = mark && !mark->paid ? mark->reason : Reason::kNone;
  o.fail_reason = units != Reason::kNone ? units : marked;
  o.status = o.fail_reason == Reason::kNone ? ObligationStatus::kSettled
                                            : ObligationStatus::kFailed;
  return leg ? leg->currency : mark->currency;
}

// Records what moved on every obligation and collects the remainders.
std::vector<Obligation> record(const Run& run, std::vector<Obligation>& bundle) {
  std::vector<const Leg*> leg_of(bundle.size(), nullptr);
  std::vector<const Mark*> mark_of(bundle.size(), nullptr);
  for (const Leg& l : run.legs) leg_of[l.index] = &l;
  for (const Mark& m : run.marks) mark_of[m.index] = &m;
  std::vector<Obligation> carried;
  std::map<CashKey, CashMoved> fresh;
  for (std::size_t k = 0; k < bundle.size(); ++k) {
    Obligation& o = bundle[k];
    if (o.kind != AssetKind::kSecurities) continue;
    const std::uint8_t ccy = record_securities(o, leg_of[k], mark_of[k]);
    if (o.status == ObligationStatus::kFailed) carried.push_back(remainder(o, o.fail_reason));
    if (o.carried()) continue;
    CashMoved& c = fresh[{o.member.value, ccy}];
    c.cash += (leg_of[k] ? leg_of[k]->cash() : 0) + o.settled_mark_minor;
    c.marks += o.settled_mark_minor;
    // The member's own failure to pay says most; else the first failure.
    if (c.reason == Reason::kNone || o.fail_reason == Reason::kInsufficientCash) {
      c.reason = o.fail_reason;
    }
  }
  for (Obligation& o : bundle) {
    if (o.kind != AssetKind::kCash) continue;
    assert(!o.carried());  // failed securities obligations carry their own cash
    const CashMoved& c = fresh[{o.member.value, static_cast<std::uint8_t>(o.asset)}];
    // Bounded by the values and marks it sums, which fit int64 unless the
    // date's gross nears int64 (netting.h), as genesis limits keep it.
    assert(c.cash >= std::numeric_limits<std::int64_t>::min() &&
           c.cash <= std::numeric_limits<std::int64_t>::max());
    o.settled_amount = static_cast<std::int64_t>(c.cash);
    o.settled_mark_minor = static_cast<std::int64_t>(c.marks);
    o.fail_reason = c.reason;
    o.status = c.reason == Reason::kNone ? ObligationStatus::kSettled : ObligationStatus::kFailed;
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
  // Each pass only takes movements away (a level up, an instrument the CCP
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
