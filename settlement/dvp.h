#pragma once
// Settlement against balances, delivery versus payment.
//
// Model (see README): every obligation is against the CCP account. A run
// settles a bundle of obligations (the date's fresh ones plus every earlier
// fail carried forward) member by member, all-or-nothing per member:
//   1. A member can settle if, for every asset, its pre-run balance covers
//      its net outflow in that asset across the whole bundle. Receipts of
//      the same run never fund its deliveries, so the outcome does not depend
//      on the order members are visited in.
//   2. The CCP must be able to pay out every receipt of the settling set
//      from what that set pays in plus what the CCP already holds: its own
//      capital (liquidity given to account CCP at genesis or by funding) and
//      the pay-ins of earlier fails. While some asset is short, the receiver
//      of that asset with the highest member index drops out with
//      CCP_SHORTFALL ("fail to receive", as in DTCC's CNS); repeat. Dropping
//      a receiver also drops its pay-ins, so without CCP capital one
//      member's fail can cascade to others: capital is what absorbs it.
//   3. The settling set moves: each member's net per asset goes between its
//      account and the CCP's. Everyone else FAILS, moves nothing, and its
//      obligations carry forward unchanged to the next run.
// Hence no member is ever half settled, no balance goes negative, every
// asset is conserved, and the CCP's holding of an asset always equals its
// capital plus the sum of the obligations still open in it.

#include "settlement/flat_map.h"
#include "settlement/netting.h"

#include <vector>

namespace quorumclear::settlement {

/// What members and the CCP hold. Never negative.
class Balances {
 public:
  Balances(std::size_t accounts, std::size_t currencies);

  [[nodiscard]] std::int64_t get(AccountIndex account, AssetKind kind, std::uint32_t asset) const;
  /// Precondition: the result stays within [0, int64 max].
  void add(AccountIndex account, AssetKind kind, std::uint32_t asset, std::int64_t delta);

  /// Calls f(account, kind, asset, amount) for every non-zero balance, in slot order.
  template <class F>
  void for_each(F&& f) const {
    securities_.for_each([&](std::uint64_t key, std::int64_t amount) {
      if (amount != 0) {
        f(AccountIndex{cell_holder(key)}, AssetKind::kSecurities, cell_asset(key), amount);
      }
    });
    for (std::size_t i = 0; i < cash_.size(); ++i) {
      if (cash_[i] == 0) continue;
      f(AccountIndex{static_cast<std::uint16_t>(i / currencies_)}, AssetKind::kCash,
        static_cast<std::uint32_t>(i % currencies_), cash_[i]);
    }
  }

 private:
  FlatMap<std::int64_t> securities_;  // cell_key(account, instrument)
  std::vector<std::int64_t> cash_;    // account * currencies + currency
  std::size_t currencies_;
};

/// A balance a run changed: (account, kind, asset).
struct BalanceKey {
  AccountIndex account;
  AssetKind kind;
  std::uint32_t asset;
  friend bool operator==(const BalanceKey&, const BalanceKey&) = default;
};

/// Settles `bundle` in place (status and fail_reason of every obligation) and
/// moves balances; returns the balances it changed, in a deterministic order.
/// Preconditions: every obligation pending, net_amount != 0.
[[nodiscard]] std::vector<BalanceKey> settle_bundle(std::vector<Obligation>& bundle,
                                                    Balances& balances, AccountIndex ccp);

}  // namespace quorumclear::settlement
