#include "settlement/netting.h"

#include "settlement/money.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace quorumclear::settlement {

Direction direction(const Obligation& o) {
  assert(o.net_amount != 0);
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

std::uint8_t currency_of(std::uint32_t instrument, const ReferenceData& ref) {
  return ref.instrument(InstrumentIndex{instrument}).currency.value;
}

// Values every securities obligation and puts the marks on the cash
// obligations. Returns the currencies whose marks overflow int64 (none
// unless a date's gross comes near int64, which limits exclude): the caller
// zeroes their prices, after which every mark is the member's net cash.
std::set<std::uint8_t> value_and_mark(Netting& netting, const FlatMap<std::int64_t>& prices,
                                      const std::set<std::uint8_t>& zeroed,
                                      const ReferenceData& ref) {
  std::map<std::pair<std::uint16_t, std::uint8_t>, Int128> legs;
  std::set<std::uint32_t> unvaluable;
  for (int pass = 0; pass < 2; ++pass) {
    legs.clear();
    for (Obligation& o : netting.obligations) {
      if (o.kind != AssetKind::kSecurities) continue;
      const std::uint8_t ccy = currency_of(o.asset, ref);
      const bool zero = zeroed.count(ccy) != 0 || unvaluable.count(o.asset) != 0;
      o.price_minor = zero ? 0 : *prices.find(o.asset);
      const Int128 value = -static_cast<Int128>(o.net_amount) * o.price_minor;
      // An instrument whose value legs would not fit int64 settles at price
      // 0: deliveries free of payment, the whole consideration as the mark.
      if (!fits(value)) unvaluable.insert(o.asset);
      o.value_minor = fits(value) ? static_cast<std::int64_t>(value) : 0;
      legs[{o.member.value, ccy}] += o.value_minor;
    }
    if (unvaluable.empty()) break;
  }
  std::set<std::uint8_t> overflow;
  for (Obligation& o : netting.obligations) {
    if (o.kind != AssetKind::kCash) continue;
    const auto it = legs.find({o.member.value, static_cast<std::uint8_t>(o.asset)});
    const Int128 mark = o.net_amount - (it == legs.end() ? 0 : it->second);
    if (!fits(mark)) overflow.insert(static_cast<std::uint8_t>(o.asset));
    o.mark_minor = fits(mark) ? static_cast<std::int64_t>(mark) : 0;
    if (it != legs.end()) legs.erase(it);
  }
  // Equal values sold and bought in different instruments: no net cash, but
  // marks that must still move.
  for (const auto& [key, sum] : legs) {
    if (sum == 0) continue;
    if (!fits(sum)) overflow.insert(key.second);
    const auto mark = fits(sum) ? static_cast<std::int64_t>(-sum) : 0;
    netting.obligations.push_back(Obligation{netting.obligations.front().settlement_date,
                                             netting.obligations.front().settlement_date,
                                             MemberIndex{key.first}, AssetKind::kCash, key.second,
                                             0, ObligationStatus::kPending, Reason::kNone, 0, 0,
                                             mark, 0});
  }
  return overflow;
}

}  // namespace

Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                      const ReferenceData& ref) {
  const std::size_t currency_count = ref.currency_count();
  Netting netting;
  netting.obligations.reserve(book.positions.size() + book.cash.size());
  book.positions.for_each([&](std::uint64_t key, const PositionCell& cell) {
    if (cell.net() == 0) return;
    netting.obligations.push_back(Obligation{settlement_date, settlement_date,
                                             MemberIndex{cell_holder(key)}, AssetKind::kSecurities,
                                             cell_asset(key), cell.net(), ObligationStatus::kPending,
                                             Reason::kNone});
  });
  std::vector<Int128> paid(currency_count, 0);
  std::vector<Int128> net_sum(currency_count, 0);
  std::vector<Int128> payers(currency_count, 0);
  book.cash.for_each([&](std::uint64_t key, const CashCell& cell) {
    const std::uint32_t ccy = cell_asset(key);
    paid[ccy] += cell.paid;
    net_sum[ccy] += cell.net();
    if (cell.net() < 0) payers[ccy] -= cell.net();
    if (cell.net() == 0) return;
    netting.obligations.push_back(Obligation{settlement_date, settlement_date,
                                             MemberIndex{cell_holder(key)}, AssetKind::kCash, ccy,
                                             cell.net(), ObligationStatus::kPending, Reason::kNone});
  });
  FlatMap<std::int64_t> prices;
  book.volumes.for_each([&](std::uint64_t instrument, const TradedVolume& v) {
    if (v.quantity > 0) prices[instrument] = settlement_price_minor(v);
  });
  std::set<std::uint8_t> zeroed;
  const std::vector<Obligation> unvalued = netting.obligations;
  for (;;) {
    std::set<std::uint8_t> overflow = value_and_mark(netting, prices, zeroed, ref);
    if (overflow.empty()) break;
    zeroed.insert(overflow.begin(), overflow.end());
    netting.obligations = unvalued;
  }
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
