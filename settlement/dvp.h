#pragma once
// Settlement against balances, delivery versus payment, as DTCC's CNS does
// it (README "Settlement"). Every obligation is against the CCP account and
// is per (member, instrument): units moving against their value at the
// settlement price, plus a mark (netting.h). A run settles the date's fresh
// obligations plus every earlier fail:
//   1. Deliveries: each deliverer delivers what it holds of what it owes
//      (partial deliveries allowed; its oldest fail first); the rest is a
//      fail-to-deliver, INSUFFICIENT_SECURITIES.
//   2. Allocation: the CCP passes on what it received plus what it holds,
//      oldest fail first, then ascending member index; a receiver that gets
//      less has a fail-to-receive, CCP_SHORTFALL. Each unit moves against
//      its value at the obligation's settlement price, so no member pays for
//      securities it did not receive.
//   3. Cash, per member and currency: value legs plus marks must be covered
//      by its balance. If not, the CCP retains its receipts in that currency
//      (fail-to-receive, INSUFFICIENT_CASH; the units go to the next receiver
//      or stay with the CCP as collateral, bought with the default fund);
//      if still short, its marks in that currency stay unpaid too: its
//      debits, and its credits, which the CCP sets off against them (a
//      defaulter is never paid cash it owes back). INSUFFICIENT_CASH.
//   4. The CCP's cash (capital + default fund + what open fails left with
//      it) must cover what it pays out. If not, the loss stays in the
//      instruments it arose in: only an instrument that *draws* on the CCP
//      (the CCP pays out more in it than it takes in) is relieved, the one
//      drawing most first (lowest instrument index on a tie), one step at a
//      time: it stops buying receipts it cannot pass on in that instrument,
//      then withholds credit marks in it (highest member index first), then
//      refuses deliveries in it (highest member index first), all
//      CCP_SHORTFALL. Fresh obligations balance per instrument (units,
//      value legs and marks each sum to zero), so an instrument draws only
//      when an obligation in it failed or an open fail in it settles: an
//      instrument whose obligations all settle is never touched, and a
//      self-funded pair trading only each other in its own instrument
//      always settles, whoever else defaults and however small the fund.
// Steps 1-4 repeat until nothing changes; each repeat only removes
// movements, so it ends. Everything unsettled carries forward at its own
// settlement price, on its securities obligation (units, value, unpaid mark).
// Hence no balance goes negative, every asset is conserved, cash sums to
// zero to the minor unit, and the CCP holds exactly capital + default fund
// + the open obligations (securities, their value legs, unpaid marks).

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

/// What a run moved and what it leaves open.
struct SettleOutcome {
  std::vector<BalanceKey> changed;  // deterministic order
  /// The unsettled remainders, FAILED with their reason, to carry forward:
  /// securities obligations with the units that did not move, their value at
  /// their own price, and the mark if it was not paid.
  std::vector<Obligation> carried;
};

/// Settles `bundle` in place (status, fail_reason, settled_amount and
/// settled_mark_minor of every obligation) and moves balances.
/// Preconditions: every obligation pending; securities obligations with
/// net_amount or mark non-zero and value_minor = -net_amount x price_minor;
/// cash obligations fresh, each the sum of its member's fresh securities
/// obligations in that currency (it reports them and moves nothing itself).
[[nodiscard]] SettleOutcome settle_bundle(std::vector<Obligation>& bundle, Balances& balances,
                                          const ReferenceData& reference);

}  // namespace quorumclear::settlement
