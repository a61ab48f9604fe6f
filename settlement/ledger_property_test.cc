// Proves, over random streams of decided epochs (thousands of trade reports,
// many members and instruments, duplicates, conflicts, forgeries, limit
// breaches, garbage batches, funding, suspensions and cut-offs), that
// positions and cash sum to zero, net obligations equal the trades they
// replace, balances stay non-negative and are conserved, settlement with a
// default fund keeps an unrelated self-funded pair settled, nobody pays for
// securities it did not receive, value legs and marks sum to zero, the CCP
// holds capital + fund + open fails, replaying an epoch changes nothing, and
// the same epochs give the same digests on a fresh ledger (even one with a
// different hash-table key). Every confirmed trade is within the late-trade
// window and after genesis, and within its parties' limits per business
// date; trades far beyond any limit (considerations near int64 max) never
// overflow a shared total. Control entries are votes spread over the epochs:
// the operator's requests reach f+1..n nodes (sometimes only f or fewer,
// which must never take effect), the nodes' scheduled cut-off 2f+1..n
// (sometimes only f+1..2f, which must never take effect either), faulty
// nodes add entries of their own (at most f voters each), and no funding
// reference is ever applied twice.
//
// Trades are two-sided (ledger.h, "Matching"). Most are reported by both
// parties, each from its own node: in one epoch or the second side several
// epochs later, across cut-offs, in either order, sometimes with the price
// written with more trailing zeros. Some second sides differ in one
// economic field and are often corrected later under the same trade id;
// some reports stay one-sided and must expire at the cut-off genesis sets
// (allegation_expiry_days, 0..2 per seed); some are cancelled before or
// after matching; a third member reports one party's trade id naming itself;
// two trading venues submit locked-in trades for the members they may (and
// sometimes for one they may not), and the parties affirm them, before or
// after, sometimes differing; on some seeds a small max_open_reports_per_member
// refuses allegations. A second account of matching (test_matching_model.h)
// predicts every outcome, transition and unmatched list; after every epoch
// the confirmed set is exactly the matched pairs and the venue trades, no
// report or match key is booked twice, and only those bookings moved a
// position or cash.
#include "settlement/ledger.h"
#include "settlement/snapshot.h"

#include "settlement/test_matching_model.h"
#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <tuple>

#ifndef QC_PROPERTY_SEEDS
#define QC_PROPERTY_SEEDS 3
#endif
#ifndef QC_PROPERTY_EPOCHS
#define QC_PROPERTY_EPOCHS 60
#endif

namespace quorumclear::settlement {
namespace {

constexpr std::size_t kMembers = 12;
constexpr std::size_t kInstruments = 24;
constexpr std::size_t kThinMembers = 2;
// Two more members trade only with each other, only in one more instrument,
// and always hold what they owe: whoever else fails, they must settle.
constexpr std::uint16_t kPairFirst = kMembers;
constexpr std::uint32_t kPairInstrument = kInstruments;
constexpr std::uint16_t kParties = kMembers + 2;  // every clearing member runs node = its index
constexpr std::uint16_t kOpsNode = kParties;
// Two trading venues, each running its own node; member indices follow
// OPS (kParties) and OPS2 (kParties + 1).
constexpr std::size_t kVenues = 2;
constexpr std::uint16_t kVenueNode = kOpsNode + 1;
constexpr std::uint16_t kNodes = kVenueNode + kVenues;
constexpr std::size_t kFaulty = (kNodes - 1) / 3;
/// One epoch in this many, on average, the nodes' clocks pass the cut-off
/// time (the operator requests one every 3).
constexpr std::uint64_t kScheduledCutOffEvery = 5;

using EpochBytes = std::vector<std::pair<std::uint16_t, Bytes>>;
using AssetKey = std::pair<AssetKind, std::uint32_t>;

std::string member_name(std::size_t i) { return "M" + std::to_string(i); }
std::string venue_name(std::size_t v) { return "VENUE" + std::to_string(v); }

/// Venue 0 may submit for M0..M7, venue 1 for M4..M11; never for the pair.
bool venue_permits(std::size_t venue, std::size_t member) {
  return venue == 0 ? member < 8 : member >= 4 && member < kMembers;
}

/// Far below the Cover-1 size (README): with it, any default exhausts the
/// fund, and the pair must still settle.
constexpr std::int64_t kExhaustedFundMinor = 100;

struct StreamShape {
  bool exhausted_fund = false;  // a fund any default exhausts
  bool small_cap = false;       // a max_open_reports_per_member that refuses allegations
};

Genesis random_genesis(std::mt19937_64& rng, StreamShape shape) {
  const bool exhausted_fund = shape.exhausted_fund;
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}, {CurrencyCode::of("JPY"), 0}};
  for (std::size_t i = 0; i < kMembers; ++i) {
    g.members.push_back({MemberId::of(member_name(i)), "Member " + std::to_string(i),
                         Role::kClearingMember, static_cast<std::uint16_t>(i)});
  }
  for (std::uint16_t p = kPairFirst; p < kPairFirst + 2; ++p) {
    g.members.push_back({MemberId::of(member_name(p)), "Pair " + std::to_string(p),
                         Role::kClearingMember, p});
  }
  g.members.push_back({MemberId::of("OPS"), "Operator", Role::kOperator, kOpsNode});
  // Faulty nodes sign their own control entries as this operator: bytes the
  // real operator never sends.
  g.members.push_back({MemberId::of("OPS2"), "Operator 2", Role::kOperator, std::nullopt});
  for (std::size_t v = 0; v < kVenues; ++v) {
    g.members.push_back({MemberId::of(venue_name(v)), "Venue " + std::to_string(v),
                         Role::kTradingVenue, static_cast<std::uint16_t>(kVenueNode + v)});
    for (std::size_t m = 0; m < kMembers; ++m) {
      if (venue_permits(v, m)) {
        g.venue_members.push_back({MemberId::of(venue_name(v)), MemberId::of(member_name(m))});
      }
    }
  }
  g.node_count = kNodes;
  for (std::size_t i = 0; i < kInstruments; ++i) {
    const bool yen = i % 3 == 0;
    const int scale = yen ? 0 : (i % 3 == 1 ? 2 : 3);
    const std::int64_t low = yen ? 100 : (scale == 2 ? 100 : 1000);
    g.instruments.push_back({testing::synthetic_isin(i), CurrencyCode::of(yen ? "JPY" : "EUR"),
                             scale, Price{low}, Price{low * 100}, false});
  }
  g.instruments.push_back({testing::synthetic_isin(kPairInstrument), CurrencyCode::of("EUR"), 2,
                           Price{100}, Price{10'000}, false});
  for (std::uint16_t p = kPairFirst; p < kPairFirst + 2; ++p) {
    g.securities.push_back({MemberId::of(member_name(p)), testing::synthetic_isin(kPairInstrument),
                            Quantity{1'000'000'000}});
    g.cash.push_back({MemberId::of(member_name(p)), CurrencyCode::of("EUR"),
                      AmountMinor{1'000'000'000'000}});
  }
  for (std::size_t i = 0; i < kMembers; i += 3) {  // every third member is tightly limited
    g.limits.push_back(
        {MemberId::of(member_name(i)), {AmountMinor{5'000'000}, Quantity{500}, Quantity{8'000}}});
  }
  // The others share a default far above their normal trading; its net
  // position lets a whale trade (below) reach the gross notional check.
  g.default_limits = Limits{AmountMinor{1'000'000'000'000}, Quantity{1'000'000'000'000'000},
                            Quantity{100'000'000}};
  // Most members hold plenty; the last two are thin and will fail until funded.
  for (std::size_t m = 0; m < kMembers; ++m) {
    const bool thin = m >= kMembers - kThinMembers;
    for (std::size_t i = 0; i < kInstruments; ++i) {
      const auto units = static_cast<std::int64_t>(thin ? rng() % 300 : 20'000 + rng() % 5'000);
      g.securities.push_back(
          {MemberId::of(member_name(m)), testing::synthetic_isin(i), Quantity{units}});
    }
    // With a token fund the thin members are nearly cashless too, so that
    // their debit marks go unpaid and the CCP must withhold credit marks.
    const std::uint64_t thin_eur = exhausted_fund ? 1'000 : 1'000'000;
    const std::uint64_t thin_jpy = exhausted_fund ? 100 : 100'000;
    const auto eur = static_cast<std::int64_t>(thin ? rng() % thin_eur : 2'000'000'000);
    const auto jpy = static_cast<std::int64_t>(thin ? rng() % thin_jpy : 200'000'000);
    g.cash.push_back({MemberId::of(member_name(m)), CurrencyCode::of("EUR"), AmountMinor{eur}});
    g.cash.push_back({MemberId::of(member_name(m)), CurrencyCode::of("JPY"), AmountMinor{jpy}});
  }
  // The CCP lends securities; the default fund, not CCP capital, covers
  // cash: every member contributes, sized (README) to cover a thin member.
  // On some seeds the fund is a token that any default exhausts, and the
  // CCP lends nothing (what receivers pay for lent units is cash it would
  // hold), so its cash really runs out.
  for (std::size_t i = 0; i < kInstruments && !exhausted_fund; ++i) {
    g.securities.push_back({kCcpAccountId, testing::synthetic_isin(i), Quantity{5'000}});
  }
  for (std::size_t m = 0; m < kMembers; ++m) {
    g.default_fund.push_back({MemberId::of(member_name(m)), CurrencyCode::of("EUR"),
                              AmountMinor{exhausted_fund ? kExhaustedFundMinor : 50'000'000}});
    g.default_fund.push_back({MemberId::of(member_name(m)), CurrencyCode::of("JPY"),
                              AmountMinor{exhausted_fund ? kExhaustedFundMinor : 5'000'000}});
  }
  g.holidays = {date_from_civil(2026, 12, 24), date_from_civil(2026, 12, 25)};
  g.first_business_date = date_from_civil(2026, 12, 21);
  g.settlement_cycle_max_days = 2;
  g.late_trade_window_days = 1 + static_cast<int>(rng() % 2);
  g.allegation_expiry_days = static_cast<int>(rng() % 3);
  // Small enough that busy members reach it within a few epochs.
  g.max_open_reports_per_member = shape.small_cap ? 45 + static_cast<std::uint32_t>(rng() % 26) : 10'000;
  return g;
}

// What the test expects, built from the outcomes the ledger reported after
// the matching model found each equal to its prediction.
struct Model {
  testing::BookState book;  // positions and limits used, per booking
  /// (date, member, instrument) -> cash its trades moved, received - paid.
  std::map<std::tuple<BusinessDate, std::uint16_t, std::uint32_t>, std::int64_t> trade_cash;
  std::map<std::tuple<BusinessDate, std::uint16_t, std::uint8_t>, std::int64_t> cash_net;
  std::map<std::pair<BusinessDate, std::uint8_t>, std::pair<std::int64_t, std::uint32_t>> gross;
  std::map<AssetKey, Int128> supply;
  std::map<AssetKey, Int128> ccp_capital;
  std::map<std::string, int> counts;
  /// Every control entry (canonical bytes) -> the distinct nodes it was
  /// ever given to propose. Fewer than f+1 -> it must never take effect.
  std::map<Bytes, std::set<std::uint16_t>> voters;
  std::set<std::string> applied_refs;
};

BusinessDate business_days_before(const BusinessCalendar& calendar, BusinessDate date, int count) {
  while (count > 0) {
    date.days -= 1;
    if (calendar.is_business_day(date)) --count;
  }
  return date;
}

class Generator {
 public:
  Generator(std::mt19937_64& rng, std::uint64_t seed, const ReferenceData& ref,
            const testing::MatchingModel& matching)
      : rng_(rng), ref_(ref), matching_(matching), clocks_(~seed) {}

  EpochBytes next_epoch(const Ledger& ledger, Model& model) {
    EpochBytes epoch;
    operator_requests(ledger, model);
    faulty_entries(ledger, model);
    scheduled_cut_off(ledger, model);
    std::vector<std::uint16_t> nodes;
    for (std::uint16_t n = 0; n < kNodes; ++n) {
      if (rng_() % 2 == 0) nodes.push_back(n);
    }
    // Every proposing node's members report first, so that a counterparty
    // proposing in this epoch can carry its side in the same epoch.
    for (std::uint16_t node : nodes) {
      if (node < kMembers) member_traffic(node, ledger);
      if (node == kPairFirst || node == kPairFirst + 1) pair_traffic(node, ledger);
      if (node >= kVenueNode) venue_traffic(node - kVenueNode, ledger);
    }
    for (std::uint16_t node : nodes) {
      if (rng_() % 40 == 0) {
        epoch.emplace_back(node, garbage());  // its reports and votes wait for its next batch
        continue;
      }
      std::vector<Entry> entries = take_due(node);
      // Each node proposes the control entries it was given, at random
      // places among its reports, sometimes twice.
      for (const Entry& vote : outbox_[node]) {
        const int copies = rng_() % 20 == 0 ? 2 : 1;
        for (int c = 0; c < copies; ++c) {
          const auto at = static_cast<std::ptrdiff_t>(rng_() % (entries.size() + 1));
          entries.insert(entries.begin() + at, vote);
        }
      }
      outbox_[node].clear();
      epoch.emplace_back(node, testing::batch_of(std::move(entries)));
    }
    ++epoch_;
    return epoch;
  }

 private:
  std::int64_t pick(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }

  Bytes garbage() {
    Bytes bytes(rng_() % 80);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng_());
    if (!bytes.empty()) bytes[0] = kBatchVersion;
    return bytes;
  }

  // --- who sends what, when ------------------------------------------------

  /// Queues `entry` for `node`'s first batch `delay` or more epochs from now;
  /// a node's entries keep their order.
  void report(std::uint16_t node, Entry entry, std::uint64_t delay = 0) {
    queue_[node].push_back(Queued{epoch_ + delay, std::move(entry)});
  }

  std::vector<Entry> take_due(std::uint16_t node) {
    std::vector<Entry> due;
    std::vector<Queued> later;
    for (Queued& q : queue_[node]) {
      if (q.due <= epoch_) {
        due.push_back(std::move(q.entry));
      } else {
        later.push_back(std::move(q));
      }
    }
    queue_[node] = std::move(later);
    return due;
  }

  /// When a second side comes: often in the same epoch, else up to 6 later.
  std::uint64_t delay() {
    const std::uint64_t r = rng_() % 10;
    return r < 4 ? 0 : r < 7 ? 1 : 2 + rng_() % 5;
  }

  std::uint16_t node_of(const MemberId& id) const {
    return *ref_.member(*ref_.find_member(id)).node;
  }

  // --- what a report says --------------------------------------------------

  Trade fresh_trade(std::uint16_t node, const Ledger& ledger) {
    const std::size_t other = (node + 1 + rng_() % (kMembers - 1)) % kMembers;
    const InstrumentIndex ins{static_cast<std::uint32_t>(rng_() % kInstruments)};
    const InstrumentInfo& info = ref_.instrument(ins);
    Trade t;
    t.trade_id = TradeId::of("t" + std::to_string(next_id_++));
    t.submitter = MemberId::of(member_name(node));
    const bool buys = rng_() % 2 == 0;
    t.buyer = MemberId::of(member_name(buys ? node : other));
    t.seller = MemberId::of(member_name(buys ? other : node));
    t.isin = info.isin;
    t.quantity = Quantity{pick(1, 400)};
    // Mostly inside the band, sometimes just outside it.
    t.price = Price{rng_() % 25 == 0 ? info.band_high.units + 1
                                     : pick(info.band_low.units, info.band_low.units * 20)};
    t.price_scale = static_cast<std::uint8_t>(info.price_scale);
    t.currency = ref_.currency(info.currency).code;
    const BusinessCalendar& cal = ref_.calendar();
    BusinessDate date = ledger.open_business_date();
    const std::uint64_t roll = rng_() % 20;
    if (roll == 0) date = *cal.next_business_day(date);  // not open yet
    if (roll == 1 && last_open_ && *last_open_ < date) date = *last_open_;  // rolls
    if (roll == 2) {
      // Late by up to two days beyond the window, or before genesis.
      const auto window = static_cast<std::uint64_t>(ref_.late_trade_window_days());
      const int late = 1 + static_cast<int>(rng_() % (window + 2));
      date = business_days_before(cal, date, late);
    }
    if (roll == 3 && rng_() % 4 == 0) date = date_from_civil(2000, 1, 3);
    t.trade_date = date;
    t.settlement_date = *cal.add_business_days(date, static_cast<int>(rng_() % 3));
    if (rng_() % 50 == 0) t.settlement_date = *cal.add_business_days(date, 3);  // too long
    return t;
  }

  /// A consideration from int64 max / 4 up to int64 max: what could fill a
  /// date's gross if limits did not stop it first.
  Trade whale_trade(std::uint16_t node, const Ledger& ledger) {
    Trade t = fresh_trade(node, ledger);
    const InstrumentInfo& info = ref_.instrument(*ref_.find_instrument(t.isin));
    t.price = info.band_high;
    std::int64_t per_unit = info.band_high.units;  // minor units per unit, times 10^(scale - minor)
    for (int s = ref_.currency(info.currency).minor_units; s < info.price_scale; ++s) per_unit /= 10;
    t.quantity = Quantity{std::numeric_limits<std::int64_t>::max() / per_unit / pick(1, 4)};
    return t;
  }

  /// The same price with 1..3 more trailing zeros: "10.5" as "10.500".
  Trade trailing_zeros(Trade t) {
    const int k = 1 + static_cast<int>(rng_() % 3);
    if (t.price_scale + k > 9) return t;
    for (int i = 0; i < k; ++i) t.price.units *= 10;
    t.price_scale = static_cast<std::uint8_t>(t.price_scale + k);
    return t;
  }

  /// `t` with one economic field changed: MISMATCHED naming it, except a
  /// currency that is not the instrument's, which validation refuses.
  Trade one_field_off(Trade t) {
    const BusinessCalendar& cal = ref_.calendar();
    const InstrumentIndex ins = *ref_.find_instrument(t.isin);
    const InstrumentInfo& info = ref_.instrument(ins);
    switch (rng_() % 6) {
      case 0:  // instruments i and i + 3 share currency, scale and band
        t.isin = testing::synthetic_isin((ins.value + 3) % kInstruments);
        break;
      case 1: t.quantity.units += pick(1, 5); break;
      case 2: t.price.units += t.price.units < info.band_high.units ? 1 : -1; break;
      case 3: t.currency = CurrencyCode::of(t.currency.view() == "EUR" ? "JPY" : "EUR"); break;
      case 4:
        t.trade_date = business_days_before(cal, t.trade_date, 1);
        t.settlement_date = business_days_before(cal, t.settlement_date, 1);
        break;
      default: {
        const std::optional<int> cycle =
            cal.business_days_between(t.trade_date, t.settlement_date, kSettlementCycleMax);
        t.settlement_date = cycle && *cycle < 2 ? *cal.add_business_days(t.settlement_date, 1)
                                                : business_days_before(cal, t.settlement_date, 1);
      }
    }
    return t;
  }

  std::uint16_t third_member(const Trade& t) {
    for (;;) {
      const auto m = static_cast<std::uint16_t>(rng_() % kMembers);
      const MemberId id = MemberId::of(member_name(m));
      if (id != t.buyer && id != t.seller) return m;
    }
  }

  // --- traffic ---------------------------------------------------------------

  void two_sided(const Trade& t) {
    report(node_of(t.submitter), t);
    const Trade counter = testing::counter_report(t);
    report(node_of(counter.submitter), counter, delay());
  }

  /// A new trade `t` by its submitter, and what its counterparty does.
  void plan(const Trade& t) {
    const std::uint16_t me = node_of(t.submitter);
    const Trade counter = testing::counter_report(t);
    const std::uint16_t them = node_of(counter.submitter);
    // Sometimes the counterparty's side is the first to arrive.
    const std::uint64_t mine_due = rng_() % 4 == 0 ? 1 + rng_() % 3 : 0;
    report(me, t, mine_due);
    const std::uint64_t kind = rng_() % 100;
    if (kind < 58) {
      report(them, rng_() % 6 == 0 ? trailing_zeros(counter) : counter, delay());
    } else if (kind < 72) {
      // A second side wrong in one field; usually corrected later under the
      // same trade id by the side in error.
      const std::uint64_t wrong_due = delay();
      report(them, one_field_off(counter), wrong_due);
      if (rng_() % 4 != 0) report(them, counter, wrong_due + rng_() % 4);
    } else if (kind < 80) {
      // One-sided: an allegation nobody answers.
    } else if (kind < 86) {
      // Cancelled by its submitter; sometimes the counterparty reports anyway.
      report(me, TradeCancel{t.trade_id, t.submitter}, mine_due + rng_() % 2);
      if (rng_() % 2 == 0) report(them, counter, delay());
    } else if (kind < 93) {
      // A third member reports the trade id naming itself and one party.
      report(them, counter, delay());
      const std::uint16_t third = third_member(t);
      Trade x = t;
      x.submitter = MemberId::of(member_name(third));
      x.client_ref.reset();
      (rng_() % 2 == 0 ? x.buyer : x.seller) = x.submitter;
      report(third, x, rng_() % 3);
    } else {
      // Both sides, then one of them tries to take it back.
      const std::uint64_t due = delay();
      report(them, counter, due);
      const Trade& who = rng_() % 2 == 0 ? t : counter;
      report(node_of(who.submitter), TradeCancel{who.trade_id, who.submitter},
             std::max(mine_due, due) + rng_() % 3);
    }
  }

  void member_traffic(std::uint16_t node, const Ledger& ledger) {
    const std::vector<Trade>& mine = matching_.sent(node);
    const std::vector<std::string>& ids = matching_.ids_of(node);
    const MemberId me = MemberId::of(member_name(node));
    for (int i = static_cast<int>(rng_() % 40); i > 0; --i) {
      const std::uint64_t kind = rng_() % 100;
      if (kind < 6 && !mine.empty()) {
        report(node, mine[rng_() % mine.size()]);  // exact resubmission of some version
      } else if (kind < 10 && !mine.empty()) {
        Trade t = mine[rng_() % mine.size()];
        t.quantity.units += 1;  // same id, other content: a correction, or a conflict once matched
        report(node, t);
      } else if (kind < 13) {
        // A faulty node's forgery: another member's report, sometimes the
        // counterparty's side of this member's own trade.
        report(node, rng_() % 2 == 0 && !mine.empty()
                         ? testing::counter_report(mine[rng_() % mine.size()])
                         : fresh_trade(static_cast<std::uint16_t>((node + 1) % kMembers), ledger));
      } else if (kind < 15) {
        two_sided(whale_trade(node, ledger));
      } else if (kind < 18 && !ids.empty()) {
        report(node, TradeCancel{TradeId::of(ids[rng_() % ids.size()]), me});
      } else if (kind < 19 && rng_() % 4 == 0 && !mine.empty()) {
        // A burst of corrections of one report, past the version limit.
        Trade t = mine.back();
        for (int v = 0; v <= kReportVersionsMax; ++v) {
          t.quantity.units += 1;
          report(node, t);
        }
      } else {
        plan(fresh_trade(node, ledger));
      }
    }
  }

  void pair_traffic(std::uint16_t node, const Ledger& ledger) {
    const InstrumentInfo& info = ref_.instrument(InstrumentIndex{kPairInstrument});
    const std::uint16_t other = node == kPairFirst ? kPairFirst + 1 : kPairFirst;
    for (int i = static_cast<int>(rng_() % 10); i > 0; --i) {
      Trade t;
      t.trade_id = TradeId::of("p" + std::to_string(next_id_++));
      t.submitter = MemberId::of(member_name(node));
      const bool buys = rng_() % 2 == 0;
      t.buyer = MemberId::of(member_name(buys ? node : other));
      t.seller = MemberId::of(member_name(buys ? other : node));
      t.isin = info.isin;
      t.quantity = Quantity{pick(1, 1'000)};
      t.price = Price{pick(100, 10'000)};
      t.price_scale = 2;
      t.currency = CurrencyCode::of("EUR");
      t.trade_date = ledger.open_business_date();
      t.settlement_date = *ref_.calendar().add_business_days(t.trade_date, static_cast<int>(rng_() % 3));
      report(node, t);
      report(other, testing::counter_report(t), rng_() % 3 == 0 ? 1 + rng_() % 2 : 0);
    }
  }

  /// Locked-in trades of venue `v`, mostly for members it may submit for,
  /// and what their parties and the other venue report of them.
  void venue_traffic(std::size_t v, const Ledger& ledger) {
    std::vector<std::uint16_t> permitted, others;
    for (std::uint16_t m = 0; m < kMembers; ++m) (venue_permits(v, m) ? permitted : others).push_back(m);
    const MemberId venue = MemberId::of(venue_name(v));
    for (int i = static_cast<int>(rng_() % 12); i > 0; --i) {
      const std::uint16_t b = permitted[rng_() % permitted.size()];
      std::uint16_t s = b;
      while (s == b) s = permitted[rng_() % permitted.size()];
      if (rng_() % 12 == 0) s = others[rng_() % others.size()];  // VENUE_NOT_PERMITTED
      Trade t = fresh_trade(b, ledger);
      t.trade_id = TradeId::of("v" + std::to_string(next_id_++));
      t.submitter = venue;
      t.buyer = MemberId::of(member_name(b));
      t.seller = MemberId::of(member_name(s));
      const std::uint64_t kind = rng_() % 100;
      // Its parties matched it between themselves before it came.
      const bool parties_first = kind >= 56 && kind < 64;
      report(static_cast<std::uint16_t>(kVenueNode + v), t,
             parties_first || rng_() % 4 == 0 ? 1 + rng_() % 3 : 0);
      Trade side = t;
      side.client_ref.reset();
      if (parties_first) {
        for (const MemberId& party : {t.buyer, t.seller}) {
          side.submitter = party;
          report(node_of(party), side);
        }
      } else if (kind < 35) {
        // Its parties affirm it, before or after it arrives.
        for (const std::uint16_t party : {b, s}) {
          if (rng_() % 3 == 0) continue;
          side.submitter = MemberId::of(member_name(party));
          report(party, side, delay());
        }
      } else if (kind < 50) {
        // A party's own report differs from the venue's.
        side.submitter = rng_() % 2 == 0 ? t.buyer : t.seller;
        report(node_of(side.submitter), one_field_off(side), delay());
      } else if (kind < 56) {
        // The other venue reports the same trade.
        side = t;
        side.submitter = MemberId::of(venue_name(1 - v));
        report(static_cast<std::uint16_t>(kVenueNode + 1 - v), side, delay());
      }
    }
  }

  /// Gives `entry` to `count` distinct random nodes to propose.
  void send(const Entry& entry, std::size_t count, Model& model) {
    send_among(kNodes, rng_, entry, count, model);
  }

  /// Gives `entry` to `count` distinct random nodes of 0..nodes-1.
  void send_among(std::uint16_t nodes, std::mt19937_64& rng, const Entry& entry, std::size_t count,
                  Model& model) {
    std::vector<std::uint16_t> all(nodes);
    for (std::uint16_t n = 0; n < nodes; ++n) all[n] = n;
    std::shuffle(all.begin(), all.end(), rng);
    std::set<std::uint16_t>& voters = model.voters[encode_entry(entry)];
    for (std::size_t i = 0; i < count; ++i) {
      outbox_[all[i]].push_back(entry);
      voters.insert(all[i]);
    }
  }

  /// The operator's request as the network receives it: mostly f+1..n
  /// nodes, sometimes only f or fewer.
  void request(const Entry& entry, Model& model) {
    const std::size_t count = rng_() % 5 == 0 ? 1 + rng_() % kFaulty
                                              : kFaulty + 1 + rng_() % (kNodes - kFaulty);
    send(entry, count, model);
  }

  /// The nodes' own cut-off, now and then, with draws of its own so the
  /// rest of the stream is what it was before scheduled cut-offs existed.
  /// Mostly 2f+1..n clocks have passed the time; on a "slow" day only
  /// f+1..2f of the nodes 0..2f-1 ever propose it, which must never close
  /// the day (the operator's cut-off closes it instead).
  void scheduled_cut_off(const Ledger& ledger, Model& model) {
    if (clocks_() % kScheduledCutOffEvery != 0) return;
    const BusinessDate open = ledger.open_business_date();
    if (scheduled_days_.insert(open).second && clocks_() % 4 == 0) slow_days_.insert(open);
    const ScheduledCutOff entry{open};
    if (slow_days_.count(open) != 0) {
      send_among(2 * kFaulty, clocks_, entry, kFaulty + 1 + clocks_() % kFaulty, model);
    } else {
      send_among(kNodes, clocks_, entry, 2 * kFaulty + 1 + clocks_() % (kNodes - 2 * kFaulty), model);
    }
  }

  ControlRef next_ref(std::string_view prefix) {
    return ControlRef::of(std::string(prefix) + std::to_string(next_ref_++));
  }

  void operator_requests(const Ledger& ledger, Model& model) {
    const MemberId ops = MemberId::of("OPS");
    if (rng_() % 3 == 0) {
      last_open_ = ledger.open_business_date();
      request(CutOff{ops, ledger.open_business_date()}, model);
    }
    if (rng_() % 3 != 0) return;
    // Funding goes mostly to the thin members, so their fails can clear.
    for (int i = 0; i < 4; ++i) {
      const std::size_t m =
          rng_() % 4 == 0 ? rng_() % kMembers : kMembers - 1 - rng_() % kThinMembers;
      if (rng_() % 10 == 0) {
        request(Funding{ops, next_ref("ccp-"), kCcpAccountId, AssetKind::kSecurities,
                        AssetCode::of(testing::synthetic_isin(rng_() % kInstruments).view()),
                        pick(1, 1'000)}, model);
      } else if (rng_() % 3 == 0) {
        last_funding_ = Funding{ops, next_ref("cash-"), MemberId::of(member_name(m)),
                                AssetKind::kCash, AssetCode::of(rng_() % 2 ? "EUR" : "JPY"),
                                pick(1, 100'000'000)};
        request(*last_funding_, model);
      } else {
        const Isin isin = testing::synthetic_isin(rng_() % kInstruments);
        request(Funding{ops, next_ref("sec-"), MemberId::of(member_name(m)),
                        AssetKind::kSecurities, AssetCode::of(isin.view()), pick(1, 3'000)},
                model);
      }
    }
    // Sometimes a failing member is given what its open fails lack (a buy-in).
    if (rng_() % 2 == 0) {
      const std::uint16_t thin = static_cast<std::uint16_t>(kMembers - 1 - rng_() % kThinMembers);
      for (const Obligation& o : ledger.carried_obligations()) {
        if (o.member.value != thin) continue;
        const InstrumentInfo& info = ref_.instrument(InstrumentIndex{o.asset});
        if (o.net_amount < 0) {
          request(Funding{ops, next_ref("buy-in-"), MemberId::of(member_name(thin)),
                          AssetKind::kSecurities, AssetCode::of(info.isin.view()), -o.net_amount},
                  model);
        }
        if (o.mark_minor < 0) {  // an unpaid debit mark
          request(Funding{ops, next_ref("mark-"), MemberId::of(member_name(thin)), AssetKind::kCash,
                          AssetCode::of(ref_.currency(info.currency).code.view()), -o.mark_minor},
                  model);
        }
      }
    }
    if (rng_() % 8 == 0) {
      request(SuspensionChange{ops, next_ref("halt-"),
                               testing::synthetic_isin(rng_() % kInstruments), rng_() % 2 == 0},
              model);
    }
  }

  /// Control entries only faulty nodes propose: never more than f voters.
  void faulty_entries(const Ledger& ledger, Model& model) {
    if (rng_() % 2 != 0) return;
    const MemberId rogue = MemberId::of("OPS2");
    const std::size_t count = 1 + rng_() % kFaulty;
    if (last_funding_ && rng_() % 3 == 0) {
      // The operator's reference with other bytes: must not combine with it.
      Funding forged = *last_funding_;
      forged.amount += 1;
      send(forged, count, model);
      return;
    }
    switch (rng_() % 3) {
      case 0: send(CutOff{rogue, ledger.open_business_date()}, count, model); break;
      case 1:
        send(Funding{rogue, next_ref("rogue-"), MemberId::of(member_name(rng_() % kMembers)),
                     AssetKind::kCash, AssetCode::of("EUR"), pick(1, 1'000'000'000)},
             count, model);
        break;
      default:
        send(SuspensionChange{rogue, next_ref("rogue-"),
                              testing::synthetic_isin(rng_() % kInstruments), true},
             count, model);
    }
  }

  struct Queued {
    std::uint64_t due = 0;
    Entry entry;
  };

  std::mt19937_64& rng_;
  const ReferenceData& ref_;
  const testing::MatchingModel& matching_;
  std::uint64_t epoch_ = 0;
  std::uint64_t next_id_ = 0;
  std::uint64_t next_ref_ = 0;
  std::optional<Funding> last_funding_;
  std::optional<BusinessDate> last_open_;
  std::mt19937_64 clocks_;  // the scheduled cut-off's own draws
  std::set<BusinessDate> scheduled_days_;
  std::set<BusinessDate> slow_days_;
  std::vector<std::vector<Entry>> outbox_ = std::vector<std::vector<Entry>>(kNodes);
  std::vector<std::vector<Queued>> queue_ = std::vector<std::vector<Queued>>(kNodes);
};

// The late-trade window and genesis as every trade outcome must show them.
void check_trade_dates(const TradeOutcome& t, BusinessDate open_after, const ReferenceData& ref) {
  const int window = ref.late_trade_window_days();
  const BusinessCalendar& cal = ref.calendar();
  if (t.reason == Reason::kTradeDateBeforeGenesis) {
    ASSERT_LT(t.trade.trade_date, ref.first_business_date());
  }
  if (t.reason == Reason::kTradeDateTooOld) {
    // The open date only moves forward, so too old then is too old now.
    ASSERT_GE(t.trade.trade_date, ref.first_business_date());
    ASSERT_FALSE(cal.business_days_between(t.trade.trade_date, open_after, window));
  }
  if (t.kind != TradeOutcomeKind::kConfirmed) return;
  ASSERT_GE(t.trade.trade_date, ref.first_business_date());
  // business_date is the open date the trade was booked on.
  ASSERT_TRUE(cal.business_days_between(t.trade.trade_date, t.business_date, window))
      << "confirmed a trade older than the late-trade window";
  ASSERT_EQ(t.rolled, t.trade.trade_date != t.business_date);
}

// What a confirmed trade used of each party's limits on its business date.
void check_limits_used(const TradeOutcome& t, const ReferenceData& ref, Model& model) {
  const InstrumentIndex ins = *ref.find_instrument(t.trade.isin);
  const std::uint8_t ccy = ref.instrument(ins).currency.value;
  for (const MemberId& id : {t.trade.buyer, t.trade.seller}) {
    const MemberIndex m = *ref.find_member(id);
    const Limits& limits = ref.member(m).limits;
    Int128& notional = model.book.notional_used[{m.value, t.business_date, ccy}];
    Int128& quantity = model.book.quantity_used[{m.value, t.business_date}];
    notional += t.consideration.minor;
    quantity += t.trade.quantity.units;
    ASSERT_LE(notional, limits.max_gross_notional.minor) << "gross notional limit exceeded";
    ASSERT_LE(quantity, limits.max_gross_quantity.units) << "gross quantity limit exceeded";
  }
}

// A booking the matching model predicted and the ledger reported alike:
// what it moves, and what it used of each party's limits.
void book(const TradeOutcome& t, const ReferenceData& ref, Model& model) {
  ASSERT_NO_FATAL_FAILURE(check_limits_used(t, ref, model));
  const MemberIndex buyer = *ref.find_member(t.trade.buyer);
  const MemberIndex seller = *ref.find_member(t.trade.seller);
  const InstrumentIndex ins = *ref.find_instrument(t.trade.isin);
  const std::uint8_t ccy = ref.instrument(ins).currency.value;
  const BusinessDate d = t.settlement_date;
  model.book.positions[{d, buyer.value, ins.value}].first += t.trade.quantity.units;
  model.book.positions[{d, seller.value, ins.value}].second += t.trade.quantity.units;
  model.trade_cash[{d, buyer.value, ins.value}] -= t.consideration.minor;
  model.trade_cash[{d, seller.value, ins.value}] += t.consideration.minor;
  model.cash_net[{d, buyer.value, ccy}] -= t.consideration.minor;
  model.cash_net[{d, seller.value, ccy}] += t.consideration.minor;
  auto& [gross, count] = model.gross[{d, ccy}];
  gross += t.consideration.minor;
  count += 1;
}

void record_outcomes(const EpochResult& r, const ReferenceData& ref, Model& model) {
  for (const TradeOutcome& t : r.trades) {
    model.counts[std::string(to_string(t.reason))] += 1;
    // Limits come before sums: within them no shared total can overflow.
    ASSERT_NE(t.reason, Reason::kPositionOverflow);
    ASSERT_NO_FATAL_FAILURE(check_trade_dates(t, r.open_business_date, ref));
    if (t.rolled && t.kind == TradeOutcomeKind::kConfirmed) model.counts["ROLLED"] += 1;
  }
  for (const SettlementReport& report : r.reports) {
    for (const Obligation& o : report.obligations) {
      model.counts["OBLIGATION_" + std::string(to_string(o.fail_reason))] += 1;
      if (o.carried() && o.status == ObligationStatus::kSettled) model.counts["CARRIED_SETTLED"] += 1;
      if (o.kind == AssetKind::kSecurities && o.mark_minor > 0 && o.settled_mark_minor == 0 &&
          o.fail_reason == Reason::kCcpShortfall) {
        model.counts["MARK_WITHHELD"] += 1;
      }
    }
  }
  for (const ControlOutcome& c : r.controls) {
    model.counts[std::string(to_string(c.reason))] += 1;
    model.counts["CONTROL_" + std::string(to_string(c.status))] += 1;
    if (!c.applied()) continue;
    // Only what its quorum of distinct nodes was given may take effect:
    // f+1, or 2f+1 for the scheduled cut-off.
    const std::size_t quorum = control_quorum(c.entry, ref);
    ASSERT_EQ(quorum, std::holds_alternative<ScheduledCutOff>(c.entry) ? 2 * kFaulty + 1
                                                                       : kFaulty + 1);
    const auto voters = model.voters.find(encode_entry(c.entry));
    ASSERT_NE(voters, model.voters.end());
    ASSERT_GE(voters->second.size(), quorum) << "an entry took effect below its quorum";
    ASSERT_EQ(c.votes, quorum);
    model.counts["APPLIED_" + std::string(to_string(c.kind()))] += 1;
    const Funding* f = std::get_if<Funding>(&c.entry);
    if (!f) continue;
    ASSERT_TRUE(model.applied_refs.insert(std::string(f->reference.view())).second)
        << "funding applied twice";
    const std::uint32_t asset =
        f->kind == AssetKind::kCash
            ? ref.find_currency(CurrencyCode::of(f->asset.view()))->value
            : ref.find_instrument(Isin::of(f->asset.view()))->value;
    model.supply[{f->kind, asset}] += f->amount;
    if (f->member == kCcpAccountId) model.ccp_capital[{f->kind, asset}] += f->amount;
  }
}

void check_positions(const Ledger& ledger, const Model& model) {
  std::map<std::pair<BusinessDate, std::uint32_t>, Int128> per_instrument;
  for (const auto& [key, value] : model.book.positions) {
    const auto [date, member, ins] = key;
    const PositionCell cell = ledger.position(MemberIndex{member}, InstrumentIndex{ins}, date);
    ASSERT_EQ(cell.bought, value.first);
    ASSERT_EQ(cell.sold, value.second);
    per_instrument[{date, ins}] += cell.net();
  }
  for (const auto& [key, sum] : per_instrument) ASSERT_EQ(sum, 0) << "positions must sum to zero";
  std::map<std::pair<BusinessDate, std::uint8_t>, Int128> per_currency;
  for (const auto& [key, net] : model.cash_net) {
    const auto [date, member, ccy] = key;
    ASSERT_EQ(ledger.cash_position(MemberIndex{member}, CurrencyIndex{ccy}, date).net(), net);
    per_currency[{date, ccy}] += net;
  }
  for (const auto& [key, sum] : per_currency) ASSERT_EQ(sum, 0) << "cash must sum to zero";
}

std::uint8_t currency_of(std::uint32_t instrument) {  // as random_genesis sets them
  return instrument == kPairInstrument ? 0 : (instrument % 3 == 0 ? 1 : 0);
}

// One obligation on its own: status, the pair, what may move.
void check_obligation(const Obligation& o) {
  ASSERT_NE(o.status, ObligationStatus::kPending);
  ASSERT_EQ(o.status == ObligationStatus::kFailed, o.fail_reason != Reason::kNone);
  ASSERT_TRUE(o.net_amount != 0 || o.mark_minor != 0) << "an obligation moves something";
  // The unrelated self-funded pair settles whoever else fails, marks included.
  if (o.member.value >= kPairFirst) {
    ASSERT_EQ(o.status, ObligationStatus::kSettled);
    ASSERT_EQ(o.settled_mark_minor, o.mark_minor);
    ASSERT_EQ(o.settled_amount, o.net_amount);
  }
  if (o.kind == AssetKind::kCash) {
    ASSERT_FALSE(o.carried()) << "open fails carry their cash on their securities";
    return;
  }
  ASSERT_EQ(o.value_minor, -o.net_amount * o.price_minor);
  // Partial deliveries allowed; never more than owed, never the other way;
  // a mark moves whole or not at all.
  ASSERT_LE(std::abs(o.settled_amount), std::abs(o.net_amount));
  ASSERT_GE(o.settled_amount * o.net_amount, 0);
  ASSERT_TRUE(o.settled_mark_minor == 0 || o.settled_mark_minor == o.mark_minor);
  const bool whole = o.settled_amount == o.net_amount && o.settled_mark_minor == o.mark_minor;
  ASSERT_EQ(o.status == ObligationStatus::kSettled, whole);
}

void check_report(const SettlementReport& report, const Model& model) {
  const BusinessDate d = report.settlement_date;
  using Key = std::tuple<std::uint16_t, std::uint32_t>;
  std::map<Key, const Obligation*> fresh_securities;  // (member, instrument)
  std::map<Key, const Obligation*> fresh_cash;        // (member, currency)
  std::map<std::uint32_t, Int128> instrument_sum;     // fresh value legs plus marks
  // Per (member, currency): fresh cash at trade prices, marks, what moved.
  std::map<Key, std::array<Int128, 3>> per_cash;
  for (const Obligation& o : report.obligations) {
    ASSERT_NO_FATAL_FAILURE(check_obligation(o));
    if (o.carried()) continue;
    if (o.kind == AssetKind::kCash) {
      fresh_cash[{o.member.value, o.asset}] = &o;
      continue;
    }
    fresh_securities[{o.member.value, o.asset}] = &o;
    instrument_sum[o.asset] += static_cast<Int128>(o.value_minor) + o.mark_minor;
    std::array<Int128, 3>& c = per_cash[{o.member.value, currency_of(o.asset)}];
    c[0] += static_cast<Int128>(o.value_minor) + o.mark_minor;
    c[1] += o.mark_minor;
    c[2] += -static_cast<Int128>(o.settled_amount) * o.price_minor + o.settled_mark_minor;
  }
  // Cash sums to zero to the minor unit within each instrument: value legs
  // plus marks, so every instrument settles against itself.
  for (const auto& [ins, sum] : instrument_sum) ASSERT_EQ(sum, 0) << "instrument " << ins;
  // Each (member, instrument) moves exactly what its trades moved at trade
  // prices: its value leg plus its mark.
  std::size_t expected = 0;
  for (const auto& [key, value] : model.book.positions) {
    const auto [date, member, ins] = key;
    if (date != d) continue;
    const std::int64_t traded = model.trade_cash.at(key);
    const auto it = fresh_securities.find({member, ins});
    if (value.first == value.second && traded == 0) continue;  // nothing to move
    ++expected;
    ASSERT_NE(it, fresh_securities.end());
    ASSERT_EQ(it->second->net_amount, value.first - value.second);
    ASSERT_EQ(it->second->value_minor + it->second->mark_minor, traded);
  }
  ASSERT_EQ(fresh_securities.size(), expected);
  // A cash obligation is its member's net cash at trade prices, the sum of
  // its securities obligations; nobody pays for securities it did not
  // receive: what moved in cash is the value of the units that moved plus
  // the marks that moved.
  expected = 0;
  for (const auto& [key, net] : model.cash_net) {
    const auto [date, member, ccy] = key;
    if (date != d) continue;
    const std::array<Int128, 3> c = per_cash[{member, ccy}];
    ASSERT_EQ(c[0], net);
    const auto it = fresh_cash.find({member, ccy});
    if (net == 0 && c[1] == 0) {  // nothing to pay together: no cash obligation
      ASSERT_EQ(it, fresh_cash.end());
      continue;
    }
    ++expected;
    ASSERT_NE(it, fresh_cash.end());
    ASSERT_EQ(it->second->net_amount, net);
    ASSERT_EQ(it->second->mark_minor, c[1]);
    ASSERT_EQ(it->second->settled_amount, c[2]);
  }
  ASSERT_EQ(fresh_cash.size(), expected);
  for (const CurrencyTotals& t : report.totals) {
    const auto it = model.gross.find({d, t.currency.value});
    ASSERT_NE(it, model.gross.end());
    ASSERT_EQ(t.gross_minor, it->second.first);
    ASSERT_EQ(t.trade_count, it->second.second);
    ASSERT_LE(t.net_minor, t.gross_minor);
  }
}

void check_balances(const Ledger& ledger, const Model& model) {
  const ReferenceData& ref = ledger.reference();
  // The CCP holds its capital plus what open obligations owe out.
  // ... and the default fund, and the value legs of open securities fails.
  // Open fails are securities obligations carrying their own value and mark.
  std::map<AssetKey, Int128> open = model.ccp_capital;
  for (const Obligation& o : ledger.carried_obligations()) {
    ASSERT_EQ(o.kind, AssetKind::kSecurities);
    open[{o.kind, o.asset}] += o.net_amount;
    open[{AssetKind::kCash, ref.instrument(InstrumentIndex{o.asset}).currency.value}] +=
        static_cast<Int128>(o.value_minor) + o.mark_minor;
  }
  for (std::uint32_t ins = 0; ins <= kPairInstrument; ++ins) {
    for (AssetKind kind : {AssetKind::kSecurities, AssetKind::kCash}) {
      if (kind == AssetKind::kCash && ins >= ref.currency_count()) continue;
      Int128 total = 0;
      for (std::uint16_t a = 0; a <= ref.ccp_account().value; ++a) {
        const std::int64_t held = ledger.balance(AccountIndex{a}, kind, ins);
        ASSERT_GE(held, 0) << "balances never go negative";
        total += held;
      }
      const auto supply = model.supply.find({kind, ins});
      ASSERT_EQ(total, supply == model.supply.end() ? 0 : supply->second) << "holdings conserved";
      const auto in_transit = open.find({kind, ins});
      ASSERT_EQ(ledger.balance(ref.ccp_account(), kind, ins),
                in_transit == open.end() ? 0 : in_transit->second);
    }
  }
}

struct Recorded {
  std::vector<EpochBytes> epochs;
  std::vector<Digest> digests;
  Model model;
};

void seed_supply(const Genesis& g, const ReferenceData& ref, Model& model) {
  for (const auto& s : g.securities) {
    const AssetKey key{AssetKind::kSecurities, ref.find_instrument(s.isin)->value};
    model.supply[key] += s.quantity.units;
    if (s.member == kCcpAccountId) model.ccp_capital[key] += s.quantity.units;
  }
  for (const auto& c : g.cash) {
    const AssetKey key{AssetKind::kCash, ref.find_currency(c.currency)->value};
    model.supply[key] += c.amount.minor;
    if (c.member == kCcpAccountId) model.ccp_capital[key] += c.amount.minor;
  }
  // The default fund sits in the CCP account beside its capital.
  for (const auto& f : g.default_fund) {
    const AssetKey key{AssetKind::kCash, ref.find_currency(f.currency)->value};
    model.supply[key] += f.amount.minor;
    model.ccp_capital[key] += f.amount.minor;
  }
}

// Every row the epoch reports is a cell the model booked, with its values:
// nothing but the predicted bookings moved a position or cash.
void check_rows(const EpochResult& r, const Model& model) {
  for (const PositionRow& row : r.positions) {
    const auto it = model.book.positions.find({row.settlement_date, row.member.value, row.instrument.value});
    ASSERT_NE(it, model.book.positions.end()) << "a position no booking made";
    ASSERT_EQ(row.bought, it->second.first);
    ASSERT_EQ(row.sold, it->second.second);
  }
  for (const CashRow& row : r.cash) {
    const auto it = model.cash_net.find({row.settlement_date, row.member.value, row.currency.value});
    ASSERT_NE(it, model.cash_net.end()) << "cash no booking moved";
    ASSERT_EQ(row.received - row.paid, it->second);
  }
}

// Positions rebuilt from the ledger's own confirmed set (find_trade): a
// bilateral trade is two CONFIRMED reports, counted once on its buyer's; a
// venue trade is one. They must be exactly what the model booked.
void check_confirmed_positions(const Ledger& ledger, const testing::MatchingModel& matching,
                               const ReferenceData& ref, const Model& model) {
  std::map<std::tuple<BusinessDate, std::uint16_t, std::uint32_t>, std::pair<std::int64_t, std::int64_t>>
      rebuilt;
  for (const auto& [key, report] : matching.reports()) {
    const TradeRecord* r = ledger.find_trade(MemberIndex{key.first}, key.second);
    ASSERT_NE(r, nullptr);
    if (r->status != TradeStatus::kConfirmed) continue;
    if (!r->locked_in) {
      const MemberIndex other = r->submitter == r->buyer ? r->seller : r->buyer;
      const TradeRecord* p = ledger.find_trade(other, key.second);
      ASSERT_NE(p, nullptr);
      ASSERT_EQ(p->status, TradeStatus::kConfirmed) << "half a match booked: " << key.second;
      ASSERT_EQ(std::tuple(p->buyer, p->seller, p->settlement_date, p->business_date),
                std::tuple(r->buyer, r->seller, r->settlement_date, r->business_date));
      ASSERT_EQ(matching.reports().at({other.value, key.second}).trade.quantity, report.trade.quantity);
      if (r->submitter != r->buyer) continue;
    }
    const std::uint32_t ins = ref.find_instrument(report.trade.isin)->value;
    rebuilt[{r->settlement_date, r->buyer.value, ins}].first += report.trade.quantity.units;
    rebuilt[{r->settlement_date, r->seller.value, ins}].second += report.trade.quantity.units;
  }
  ASSERT_TRUE(rebuilt == model.book.positions)
      << rebuilt.size() << " cells from the confirmed set, " << model.book.positions.size() << " booked";
}

class LedgerProperty : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(LedgerProperty, HoldsEveryInvariantOverARandomStream) {
  std::mt19937_64 rng(GetParam());
  // Every other seed with a fund any default exhausts; every third with an
  // open-report cap busy members reach.
  const std::uint64_t n = GetParam() / 7919;
  const StreamShape shape{n % 2 == 0, n % 3 == 0};
  const Genesis genesis = random_genesis(rng, shape);
  const ReferenceData ref = testing::load(genesis);
  Ledger ledger(ref, LedgerOptions{{GetParam(), 1}, true, 0});
  Recorded run;
  seed_supply(genesis, ref, run.model);
  testing::MatchingModel matching(ref, run.model.book);
  const testing::MatchingModel::Booker booker = [&](const TradeOutcome& t) {
    book(t, ref, run.model);
  };
  Generator generator(rng, GetParam(), ref, matching);
  std::size_t reports = 0;
  for (std::uint64_t e = 0; e < QC_PROPERTY_EPOCHS; ++e) {
    const EpochBytes epoch = generator.next_epoch(ledger, run.model);
    const EpochResult r = testing::apply_epoch(ledger, e, epoch);
    ASSERT_EQ(r.status, ApplyStatus::kApplied);
    // Every outcome, transition and unmatched list as predicted; bookings
    // go into the model as they come (limits at matching read them).
    ASSERT_NO_FATAL_FAILURE(matching.walk(e, epoch, r, booker));
    const bool sweep = e % 10 == 9 || e + 1 == QC_PROPERTY_EPOCHS;
    ASSERT_NO_FATAL_FAILURE(matching.check_ledger(ledger, sweep));
    ASSERT_TRUE(matching.ledger_confirmed() == matching.model_confirmed())
        << "the ledger confirmed " << matching.ledger_confirmed().size() << " reports, the model "
        << matching.model_confirmed().size();
    ASSERT_NO_FATAL_FAILURE(record_outcomes(r, ref, run.model));
    ASSERT_NO_FATAL_FAILURE(check_positions(ledger, run.model));
    ASSERT_NO_FATAL_FAILURE(check_rows(r, run.model));
    if (sweep) {
      ASSERT_NO_FATAL_FAILURE(check_confirmed_positions(ledger, matching, ref, run.model));
    }
    for (const SettlementReport& report : r.reports) {
      ASSERT_NO_FATAL_FAILURE(check_report(report, run.model));
      ++reports;
    }
    ASSERT_NO_FATAL_FAILURE(check_balances(ledger, run.model));
    // Replaying the epoch just applied changes nothing.
    const Digest snapshot = e % 10 == 0 ? ledger.business_state_digest() : Digest{};
    const EpochResult replay = testing::apply_epoch(ledger, e, epoch);
    ASSERT_EQ(replay.status, ApplyStatus::kAlreadyApplied);
    ASSERT_EQ(ledger.state_digest(), r.state_digest);
    if (e % 10 == 0) {
      ASSERT_EQ(ledger.business_state_digest(), snapshot);
    }
    run.epochs.push_back(epoch);
    run.digests.push_back(r.state_digest);
  }
  // The stream must have exercised what it claims to.
  auto& counts = run.model.counts;
  for (const auto& [what, count] : matching.counts()) counts[what] += count;
  EXPECT_GT(ledger.trade_count(), 1'000u);
  EXPECT_GT(matching.bookings(), 300u);
  EXPECT_GT(reports, 3u);
  for (const char* seen : {"NONE", "DUPLICATE", "DUPLICATE_CONFLICT", "SUBMITTER_NOT_PROPOSER",
                           "PRICE_OUTSIDE_BAND", "ROLLED", "TRADE_DATE_NOT_OPEN",
                           "TRADE_DATE_TOO_OLD", "TRADE_DATE_BEFORE_GENESIS",
                           "LIMIT_NET_POSITION", "LIMIT_GROSS_NOTIONAL", "LIMIT_GROSS_QUANTITY",
                           "SETTLEMENT_CYCLE_TOO_LONG", "CUTOFF_ALREADY_APPLIED"}) {
    EXPECT_GT(counts[seen], 0) << seen;
  }
  // Matching: pairs in one epoch and across epochs and cut-offs, either side
  // second, other price scales, mismatches (and corrections that then
  // match), third-party reports, cancels before and after matching, expiry,
  // venue trades, their affirmations before and after, and their refusals.
  for (const char* seen :
       {"KEYED_ALLEGED", "MATCHED_SAME_EPOCH", "MATCHED_LATER_EPOCH",
        "SECOND_SIDE_BUYER", "SECOND_SIDE_SELLER", "MATCHED_OTHER_PRICE_SCALE", "FIELD_MISMATCH",
        "TRANSITION_MISMATCHED", "CURRENCY_MISMATCH", "CORRECTION_OF_LIVE", "TRANSITION_REPLACED",
        "MATCHED_AFTER_CORRECTION", "MISMATCH_RELEASED", "MATCHED_BESIDE_THIRD_PARTY_REPORT",
        "CANCEL_NONE", "CANCEL_ALREADY_MATCHED", "CANCEL_REPORT_NOT_OPEN", "TRANSITION_UNMATCHED_EXPIRED",
        "TRANSITION_CONFIRMED", "VENUE_NOT_PERMITTED", "AFFIRMED_BEFORE_VENUE", "AFFIRMED_AFTER_VENUE",
        "LOCKED_IN_MISMATCH", "VENUE_AFTER_MATCH", "VENUE_AFTER_VENUE", "CUTOFF_UNMATCHED_ROWS",
        "MISMATCHED_ON_isin", "MISMATCHED_ON_quantity", "MISMATCHED_ON_price",
        "MISMATCHED_ON_trade_date", "MISMATCHED_ON_settlement_date", "VERSION_LIMIT"}) {
    EXPECT_GT(counts[seen], 0) << seen;
  }
  if (shape.small_cap) {
    EXPECT_GT(counts["ALLEGATION_LIMIT"], 0);
  }
  // A first side lives past its own date's cut-off only with an expiry of
  // a day or more; with 0 a second side after the cut-off finds it expired.
  if (ref.allegation_expiry_days() > 0) {
    EXPECT_GT(counts["MATCHED_ACROSS_CUTOFF"], 0);
  }
  EXPECT_GT(counts["OBLIGATION_NONE"], 0);
  EXPECT_GT(counts["OBLIGATION_INSUFFICIENT_SECURITIES"] + counts["OBLIGATION_INSUFFICIENT_CASH"], 0);
  EXPECT_GT(counts["CARRIED_SETTLED"], 0);
  // An exhausted fund left the CCP short: it withheld credit marks, never the pair's.
  if (shape.exhausted_fund) {
    EXPECT_GT(counts["MARK_WITHHELD"], 0);
  }
  for (const char* seen : {"CONTROL_PENDING", "CONTROL_APPLIED", "CONTROL_REPEATED_VOTE",
                           "CONTROL_ALREADY_APPLIED", "CONTROL_EXPIRED", "CONTROL_REF_CONFLICT"}) {
    EXPECT_GT(counts[seen], 0) << seen;
  }
  // Entries given to f or fewer nodes existed and none took effect (checked
  // per outcome in record_outcomes).
  std::size_t sub_quorum = 0;
  std::size_t scheduled_sub_quorum = 0;
  for (const auto& [bytes, voters] : run.model.voters) {
    sub_quorum += voters.size() <= kFaulty;
    // A scheduled cut-off (kind byte 6) with more than f but at most 2f.
    scheduled_sub_quorum += bytes.at(0) == 6 && voters.size() > kFaulty && voters.size() <= 2 * kFaulty;
  }
  EXPECT_GT(sub_quorum, 10u);
  EXPECT_GT(scheduled_sub_quorum, 0u);
  EXPECT_GT(counts["APPLIED_CUTOFF"], 0);
  EXPECT_GT(counts["APPLIED_SCHEDULED_CUTOFF"], 0);
  std::string summary;
  for (const auto& [what, count] : counts) summary += what + "=" + std::to_string(count) + " ";
  RecordProperty("outcomes", summary);
  std::printf("seed %llu: %zu reports, %llu bookings, expiry %d, cap %u; %s\n",
              static_cast<unsigned long long>(GetParam()), ledger.trade_count(),
              static_cast<unsigned long long>(matching.bookings()), ref.allegation_expiry_days(),
              ref.max_open_reports_per_member(), summary.c_str());

  // Same epochs from scratch, different hash-table key: same digests.
  Ledger replica(ref, LedgerOptions{{~GetParam(), 99}, false, 0});
  for (std::size_t e = 0; e < run.epochs.size(); ++e) {
    const EpochResult r = testing::apply_epoch(replica, e, run.epochs[e]);
    ASSERT_EQ(r.state_digest, run.digests[e]) << "epoch " << e;
  }
  EXPECT_EQ(replica.business_state_digest(), ledger.business_state_digest());
  // Every field of the state, not only the business part, is the same
  // whatever the node's hash key: what a checkpoint signs.
  EXPECT_EQ(encode_snapshot(replica), encode_snapshot(ledger));

  // A ledger restored from a snapshot anywhere in the stream goes on
  // exactly like the one that lived through it.
  for (const std::size_t at : {run.epochs.size() / 3, 2 * run.epochs.size() / 3}) {
    Ledger lived(ref, LedgerOptions{{GetParam(), 5}, false, 0});
    for (std::size_t e = 0; e <= at; ++e) (void)testing::apply_epoch(lived, e, run.epochs[e]);
    auto decoded = decode_snapshot(encode_snapshot(lived), ref, LedgerOptions{{7, GetParam()}, true, 0});
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Ledger>>(decoded))
        << "snapshot after epoch " << at << ": " << std::get<SnapshotError>(decoded).what;
    Ledger& restored = *std::get<std::unique_ptr<Ledger>>(decoded);
    for (std::size_t e = at + 1; e < run.epochs.size(); ++e) {
      const EpochResult r = testing::apply_epoch(restored, e, run.epochs[e]);
      ASSERT_EQ(r.state_digest, run.digests[e]) << "epoch " << e << " after a snapshot at " << at;
    }
    EXPECT_EQ(encode_snapshot(restored), encode_snapshot(ledger));
  }

  // A stream differing in one funding entry diverges from then on.
  Ledger other(ref);
  for (std::size_t e = 0; e < run.epochs.size(); ++e) {
    EpochBytes epoch = run.epochs[e];
    if (e == run.epochs.size() / 2) {
      // One more pending vote: no balance changes, but the digest must.
      epoch.emplace_back(0, testing::batch_of({Funding{MemberId::of("OPS"),
                                                       ControlRef::of("extra"), MemberId::of("M0"),
                                                       AssetKind::kCash, AssetCode::of("EUR"), 1}}));
    }
    (void)testing::apply_epoch(other, e, epoch);
  }
  EXPECT_NE(other.state_digest(), ledger.state_digest());
}

std::vector<std::uint64_t> seeds() {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= QC_PROPERTY_SEEDS; ++s) out.push_back(s * 7919);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Seeds, LedgerProperty, ::testing::ValuesIn(seeds()));

}  // namespace
}  // namespace quorumclear::settlement
