#pragma once
// What members submit and what batches carry: trade reports and their
// cancels, the operator's control entries (cut-off, funding, suspension)
// and the nodes' own scheduled cut-off. Plain values; their canonical bytes are in codec.h, their
// checks in validation.h.

#include "settlement/types.h"

#include <optional>
#include <variant>
#include <vector>

namespace quorumclear::settlement {

/// A trade report as submitted, identified by (submitter, trade_id). From a
/// clearing member that is its buyer or seller it is a bilateral report: an
/// allegation against the other party until that party's own report matches
/// it (ledger.h, "Matching"). From a trading venue, for two members it may
/// submit for, it is a locked-in trade and needs no second side.
struct Trade {
  TradeId trade_id;
  MemberId submitter;
  MemberId buyer;
  MemberId seller;
  Isin isin;
  Quantity quantity;
  Price price;
  /// The scale the submitter priced in: `price` is price x 10^-price_scale.
  /// It must be exact at the instrument's scale, where the ledger compares
  /// and books it, so "10.5" (105, 1) equals "10.50" (1050, 2).
  std::uint8_t price_scale = 0;
  CurrencyCode currency;
  BusinessDate trade_date;
  BusinessDate settlement_date;
  std::optional<ClientRef> client_ref;
  friend bool operator==(const Trade&, const Trade&) = default;
};

// Control entries take effect only once f+1 distinct proposers (2f+1 for a
// scheduled cut-off) have proposed identical bytes (ledger.h, "Control
// entries"); until then they are pending.

/// Closes business date `business_date`: trades decided later roll to the
/// next business date, and settlement date `business_date` is netted and
/// settled. Only an OPERATOR may submit it. The date is its identity: a
/// cut-off for a closed date is a no-op.
struct CutOff {
  MemberId operator_id;
  BusinessDate business_date;
  friend bool operator==(const CutOff&, const CutOff&) = default;
};

/// Closes business date `business_date` exactly as a CutOff does, on the
/// nodes' own authority rather than the operator's: each node proposes it
/// once its clock passes the genesis cut-off time (scheduled_cut_off.h) and
/// re-proposes it every epoch until the date is closed. It names no
/// operator, so nothing but the count of distinct proposers vouches for it:
/// it takes effect at 2f+1 (f faulty votes plus one honest fast clock are
/// f+1 and cannot close the day). The date is its identity, shared with
/// CutOff: whichever closes the date first, the other is then a no-op.
struct ScheduledCutOff {
  BusinessDate business_date;
  friend bool operator==(const ScheduledCutOff&, const ScheduledCutOff&) = default;
};

/// Credits a member's balance from outside the network (a deposit of cash or
/// securities into the settlement accounts). Only an OPERATOR may submit it.
/// `reference` is its identity: the same funding proposed by every node is
/// one funding, and once applied, a repeat is a no-op.
struct Funding {
  MemberId operator_id;
  ControlRef reference;
  MemberId member;
  AssetKind kind = AssetKind::kCash;
  AssetCode asset;  // an ISIN or a currency code, by kind
  std::int64_t amount = 0;  // > 0
  friend bool operator==(const Funding&, const Funding&) = default;
};

/// Suspends or resumes trading in an instrument. Only an OPERATOR may submit
/// it. `reference` is its identity, as for funding, so that suspending,
/// resuming and suspending again are three requests, not one repeated.
struct SuspensionChange {
  MemberId operator_id;
  ControlRef reference;
  Isin isin;
  bool suspended = true;
  friend bool operator==(const SuspensionChange&, const SuspensionChange&) = default;
};

/// Withdraws the submitter's own live report (ALLEGED or MISMATCHED) under
/// `trade_id`. Refused once the report matched: a confirmed trade binds
/// both parties and neither can take it back alone.
struct TradeCancel {
  TradeId trade_id;
  MemberId submitter;
  friend bool operator==(const TradeCancel&, const TradeCancel&) = default;
};

using Entry =
    std::variant<Trade, CutOff, Funding, SuspensionChange, TradeCancel, ScheduledCutOff>;

/// One proposer's contribution to an epoch, applied in entry order.
struct Batch {
  std::vector<Entry> entries;
  friend bool operator==(const Batch&, const Batch&) = default;
};

}  // namespace quorumclear::settlement
