#include "settlement/netting.h"

#include "settlement/money.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace quorumclear::settlement {

Direction direction(const Obligation& o) {
  assert(o.net_amount != 0 || o.mark_minor != 0);
  if (o.net_amount == 0) return o.mark_minor > 0 ? Direction::kCollect : Direction::kPay;
  if (o.kind == AssetKind::kSecurities) {
    return o.net_amount > 0 ? Direction::kReceive : Direction::kDeliver;
  }
  return o.net_amount > 0 ? Direction::kCollect : Direction::kPay;
}

std::int64_t settlement_price_minor(const TradedVolume& volume) {
  assert(volume.quantity > 0 && volume.consideration_minor >= 0);
  const Int128 quotient = volume.consideration_minor / volume.quantity;
  const Int128 twice_remainder = 2 * (volume.consideration_minor % volume.quantity);
  const bool up = twice_remainder > volume.quantity ||
                  (twice_remainder == volume.quantity && quotient % 2 != 0);
  // A weighted mean never exceeds the largest consideration per unit, which
  // fits int64; rounding up from below it cannot pass it.
  return static_cast<std::int64_t>(quotient + (up ? 1 : 0));
}

namespace {

constexpr Int128 kInt64Max = std::numeric_limits<std::int64_t>::max();

bool fits(Int128 v) { return v <= kInt64Max && v >= -kInt64Max; }

using CashKey = std::pair<std::uint16_t, std::uint8_t>;  // (member, currency)

std::uint8_t currency_of(std::uint32_t instrument, const ReferenceData& ref) {
  return ref.instrument(InstrumentIndex{instrument}).currency.value;
}

/// One (member, instrument) cell before valuation.
struct Unvalued {
  MemberIndex member;
  std::uint32_t instrument = 0;
  std::int64_t net = 0;         // units
  std::int64_t trade_cash = 0;  // received - paid at trade prices
};

/// Per (member, instrument): value = -net x P, mark = trade cash - value.
/// The marks of one instrument sum to zero (its trade cash and its values
/// both do), so each instrument balances on its own. An instrument whose
/// value or mark would not fit int64 goes free of payment (P = 0, mark =
/// trade cash, which fits); a currency whose summed marks would not fit
/// goes free of payment as a whole (then the sum is the cash cell's net).
/// Returns the marks summed per (member, currency).
std::map<CashKey, std::int64_t> value_and_mark(std::vector<Obligation>& out,
                                               const std::vector<Unvalued>& cells,
                                               BusinessDate date,
                                               const FlatMap<std::int64_t>& prices,
                                               const ReferenceData& ref) {
  std::set<std::uint32_t> free_instruments;
  std::set<std::uint8_t> free_currencies;
  for (;;) {
    out.clear();
    std::map<CashKey, Int128> marks;
    bool again = false;
    for (const Unvalued& c : cells) {
      const std::uint8_t ccy = currency_of(c.instrument, ref);
      const bool free = free_instruments.count(c.instrument) != 0 || free_currencies.count(ccy) != 0;
      const std::int64_t price = free ? 0 : *prices.find(c.instrument);
      const Int128 value = -static_cast<Int128>(c.net) * price;
      const Int128 mark = c.trade_cash - value;
      if (!fits(value) || !fits(mark)) {
        free_instruments.insert(c.instrument);
        again = true;
        continue;
      }
      marks[{c.member.value, ccy}] += mark;
      if (c.net == 0 && mark == 0) continue;  // nothing to move
      Obligation o{date, date, c.member, AssetKind::kSecurities, c.instrument, c.net,
                   ObligationStatus::kPending, Reason::kNone};
      o.price_minor = price;
      o.value_minor = static_cast<std::int64_t>(value);
      o.mark_minor = static_cast<std::int64_t>(mark);
      out.push_back(o);
    }
    for (const auto& [key, sum] : marks) {
      if (!fits(sum)) {
        free_currencies.insert(key.second);
        again = true;
      }
    }
    if (again) continue;
    std::map<CashKey, std::int64_t> result;
    for (const auto& [key, sum] : marks) result[key] = static_cast<std::int64_t>(sum);
    return result;
  }
}

// Units and marks sum to zero per instrument, and so do value legs: each
// instrument settles against itself, which is what lets a run keep a loss
// within the instrument it arose in (dvp.h).
void check_marks_balance([[maybe_unused]] const std::vector<Obligation>& obligations) {
#ifndef NDEBUG
  std::map<std::uint32_t, std::array<Int128, 3>> sums;
  for (const Obligation& o : obligations) {
    if (o.kind != AssetKind::kSecurities) continue;
    std::array<Int128, 3>& sum = sums[o.asset];
    sum[0] += o.net_amount;
    sum[1] += o.value_minor;
    sum[2] += o.mark_minor;
  }
  for (const auto& [instrument, sum] : sums) assert(sum[0] == 0 && sum[1] == 0 && sum[2] == 0);
#endif
}

}  // namespace

Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                      const ReferenceData& ref) {
  const std::size_t currency_count = ref.currency_count();
  Netting netting;
  std::vector<Unvalued> cells;
  cells.reserve(book.positions.size());
  book.positions.for_each([&](std::uint64_t key, const PositionCell& cell) {
    if (cell.empty()) return;
    cells.push_back(Unvalued{MemberIndex{cell_holder(key)}, cell_asset(key), cell.net(),
                             cell.trade_cash()});
  });
  FlatMap<std::int64_t> prices;
  book.volumes.for_each([&](std::uint64_t instrument, const TradedVolume& v) {
    if (v.quantity > 0) prices[instrument] = settlement_price_minor(v);
  });
  netting.obligations.reserve(book.positions.size() + book.cash.size());
  const std::map<CashKey, std::int64_t> marks =
      value_and_mark(netting.obligations, cells, settlement_date, prices, ref);
  std::vector<Int128> paid(currency_count, 0);
  std::vector<Int128> net_sum(currency_count, 0);
  std::vector<Int128> payers(currency_count, 0);
  book.cash.for_each([&](std::uint64_t key, const CashCell& cell) {
    const std::uint32_t ccy = cell_asset(key);
    paid[ccy] += cell.paid;
    net_sum[ccy] += cell.net();
    if (cell.net() < 0) payers[ccy] -= cell.net();
    const auto mark = marks.find({cell_holder(key), static_cast<std::uint8_t>(ccy)});
    Obligation o{settlement_date, settlement_date, MemberIndex{cell_holder(key)},
                 AssetKind::kCash, ccy, cell.net(), ObligationStatus::kPending, Reason::kNone};
    o.mark_minor = mark == marks.end() ? 0 : mark->second;
    // Equal values sold and bought at trade prices: no net cash, but marks.
    if (o.net_amount != 0 || o.mark_minor != 0) netting.obligations.push_back(o);
  });
  check_marks_balance(netting.obligations);
  // The map iterates in slot order; reports need one order on every node.
  std::sort(netting.obligations.begin(), netting.obligations.end(),
            [](const Obligation& a, const Obligation& b) {
              return std::tuple(a.member, a.kind, a.asset) < std::tuple(b.member, b.kind, b.asset);
            });
  for (std::size_t c = 0; c < currency_count; ++c) {
    if (book.trade_count.empty() || book.trade_count[c] == 0) continue;
    // Every trade's consideration is paid by exactly one buyer: what was paid
    // is the gross, net cash sums to zero, and payers pay no more than gross.
    assert(paid[c] == book.gross_minor[c]);
    assert(net_sum[c] == 0);
    assert(payers[c] <= paid[c]);
    const auto net = static_cast<std::int64_t>(payers[c]);
    netting.totals.push_back(CurrencyTotals{CurrencyIndex{static_cast<std::uint8_t>(c)},
                                            book.gross_minor[c], net, book.trade_count[c],
                                            netting_efficiency_bps(book.gross_minor[c], net)});
  }
  return netting;
}

}  // namespace quorumclear::settlement
