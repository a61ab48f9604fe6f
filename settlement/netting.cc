#include "settlement/netting.h"

#include "settlement/money.h"

#include <algorithm>
#include <cassert>
#include <tuple>

namespace quorumclear::settlement {

Direction direction(const Obligation& o) {
  assert(o.net_amount != 0);
  if (o.kind == AssetKind::kSecurities) {
    return o.net_amount > 0 ? Direction::kReceive : Direction::kDeliver;
  }
  return o.net_amount > 0 ? Direction::kCollect : Direction::kPay;
}

Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                      std::size_t currency_count) {
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
