// Booking one matched or locked-in trade: roll, suspension, limits, positions.
#include "settlement/ledger.h"

#include "settlement/ledger_context.h"
#include "settlement/money.h"

#include <cassert>
#include <cstdlib>

namespace quorumclear::settlement {
namespace {

bool abs_within(Int128 net, std::int64_t limit) { return net <= limit && -net <= limit; }

// One party's use of its limits (reference_data.h) if the trade is booked.
struct LimitUse {
  const Limits& limits;
  Int128 net;  // net position in the instrument on the settlement date
  std::int64_t notional_before;  // gross of the open date, in the currency
  std::int64_t quantity_before;  // units bought plus sold on the open date
};

// A gross counter that would overflow has passed its limit: never a wrap.
bool fits(std::int64_t before, std::int64_t add, std::int64_t limit) {
  std::int64_t after = 0;
  return checked_add(before, add, after) && after <= limit;
}

// One fixed order, so every node names the same limit: net position, gross
// notional, gross quantity, each for the buyer and then the seller.
Reason check_limits(const LimitUse (&parties)[2], std::int64_t q, std::int64_t c,
                    std::string_view& field) {
  static constexpr std::string_view kParty[2] = {"buyer", "seller"};
  for (std::size_t p = 0; p < 2; ++p) {
    field = kParty[p];
    if (!abs_within(parties[p].net, parties[p].limits.max_net_position.units)) {
      return Reason::kLimitNetPosition;
    }
  }
  for (std::size_t p = 0; p < 2; ++p) {
    field = kParty[p];
    if (!fits(parties[p].notional_before, c, parties[p].limits.max_gross_notional.minor)) {
      return Reason::kLimitGrossNotional;
    }
  }
  for (std::size_t p = 0; p < 2; ++p) {
    field = kParty[p];
    if (!fits(parties[p].quantity_before, q, parties[p].limits.max_gross_quantity.units)) {
      return Reason::kLimitGrossQuantity;
    }
  }
  field = {};
  return Reason::kNone;
}

}  // namespace

void Ledger::roll(const Trade& t, TradeOutcome& out) const {
  // Roll rule (ledger.h): a closed trade date moves to the open date and
  // keeps its settlement cycle.
  if (t.trade_date > open_date_) {
    out.reason = Reason::kTradeDateNotOpen;
    out.field = "trade_date";
    return;
  }
  if (t.trade_date == open_date_) return;
  // Late-trade window: at most late_trade_window_days business days in
  // (trade date, open date]. The open date moves only by cut-offs in the
  // log, so every node draws the same line.
  if (!reference_.calendar().business_days_between(t.trade_date, open_date_,
                                                   reference_.late_trade_window_days())) {
    out.reason = Reason::kTradeDateTooOld;
    out.field = "trade_date";
    return;
  }
  const std::optional<int> cycle = reference_.calendar().business_days_between(
      t.trade_date, t.settlement_date, reference_.settlement_cycle_max_days());
  assert(cycle.has_value());  // validation bounded it
  const std::optional<BusinessDate> settle =
      reference_.calendar().add_business_days(open_date_, *cycle);
  out.rolled = true;
  out.business_date = open_date_;
  if (!settle) {
    out.reason = Reason::kDateOutOfRange;
    out.field = "settlement_date";
    return;
  }
  out.settlement_date = *settle;
}

Reason Ledger::book_trade(Context& ctx, const ValidTrade& v, Quantity quantity,
                          BusinessDate settle, std::string_view& field) {
  if (suspended_[v.instrument.value] != 0) {
    field = "isin";
    return Reason::kInstrumentSuspended;
  }
  assert(settle >= open_date_);
  DateBook& book = book_for(settle);
  assert(!book.settled);
  // Reserve first so the second lookup cannot rehash away the first reference.
  book.positions.reserve(book.positions.size() + 2);
  book.cash.reserve(book.cash.size() + 2);
  book.volumes.reserve(book.volumes.size() + 1);
  PositionCell& buy = book.positions[cell_key(v.buyer.value, v.instrument.value)];
  PositionCell& sell = book.positions[cell_key(v.seller.value, v.instrument.value)];
  CashCell& pay = book.cash[cell_key(v.buyer.value, v.currency.value)];
  CashCell& receive = book.cash[cell_key(v.seller.value, v.currency.value)];
  const std::size_t ccys = reference_.currency_count();
  std::int64_t& gross_buyer = gross_today_[v.buyer.value * ccys + v.currency.value];
  std::int64_t& gross_seller = gross_today_[v.seller.value * ccys + v.currency.value];
  std::int64_t& units_buyer = gross_quantity_today_[v.buyer.value];
  std::int64_t& units_seller = gross_quantity_today_[v.seller.value];
  const std::int64_t q = quantity.units;
  const std::int64_t c = v.consideration.minor;

  // Limits before sums: within its limits no trade can overflow a total
  // (the genesis rule, reference_data.cc), so a member is stopped by its
  // own limit, never by a total it shares.
  const LimitUse parties[2] = {
      {reference_.member(v.buyer).limits, static_cast<Int128>(buy.bought) + q - buy.sold,
       gross_buyer, units_buyer},
      {reference_.member(v.seller).limits, static_cast<Int128>(sell.bought) - sell.sold - q,
       gross_seller, units_seller}};
  if (Reason r = check_limits(parties, q, c, field); r != Reason::kNone) return r;
  std::int64_t bought = 0, sold = 0, paid = 0, received = 0, total = 0;
  std::int64_t paid_here = 0, received_here = 0;  // in this instrument
  field = "quantity";
  // Unreachable under a loaded genesis; kept so a flaw in that rule would
  // reject a trade rather than wrap a total. (Per instrument sums are parts
  // of the per currency ones, so they cannot overflow first.)
  if (!checked_add(buy.bought, q, bought) || !checked_add(sell.sold, q, sold) ||
      !checked_add(pay.paid, c, paid) || !checked_add(receive.received, c, received) ||
      !checked_add(buy.paid_minor, c, paid_here) ||
      !checked_add(sell.received_minor, c, received_here) ||
      !checked_add(book.gross_minor[v.currency.value], c, total)) {
    return Reason::kPositionOverflow;
  }
  field = {};

  buy.bought = bought;
  sell.sold = sold;
  buy.paid_minor = paid_here;
  sell.received_minor = received_here;
  pay.paid = paid;
  receive.received = received;
  gross_buyer += c;  // check_limits proved both fit
  gross_seller += c;
  units_buyer += q;
  units_seller += q;
  book.gross_minor[v.currency.value] = total;
  book.trade_count[v.currency.value] += 1;
  TradedVolume& volume = book.volumes[v.instrument.value];
  volume.quantity += q;
  volume.consideration_minor += c;
  if (ctx.touched_dates.empty() || ctx.touched_dates.back() != settle) {
    ctx.touched_dates.push_back(settle);
  }
  const auto touch = [&](auto& cell, std::uint64_t key, auto& list) {
    if (cell.touched_epoch == ctx.epoch) return;
    cell.touched_epoch = ctx.epoch;
    list.emplace_back(settle, key);
  };
  touch(buy, cell_key(v.buyer.value, v.instrument.value), ctx.touched_positions);
  touch(sell, cell_key(v.seller.value, v.instrument.value), ctx.touched_positions);
  touch(pay, cell_key(v.buyer.value, v.currency.value), ctx.touched_cash);
  touch(receive, cell_key(v.seller.value, v.currency.value), ctx.touched_cash);
  return Reason::kNone;
}

void Ledger::hash_trade_outcome(const TradeOutcome& out) {
  epoch_hasher_.update(Record().u8('T').u16(out.proposer).u32(out.entry_index)
                           .u8(static_cast<std::uint8_t>(out.kind)).u8(out.cancel ? 1 : 0)
                           .u8(static_cast<std::uint8_t>(out.reason)).text(out.field)
                           .bytes(out.content_hash).i32(out.business_date.days)
                           .i32(out.settlement_date.days).i64(out.consideration.minor)
                           .u8(out.version).u8(out.paired_with ? 1 : 0)
                           .u16(out.paired_with.value_or(MemberIndex{}).value)
                           .u8(out.paired_version).view());
}

}  // namespace quorumclear::settlement
