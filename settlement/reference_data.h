#pragma once
// Reference data from the network's genesis: members and roles, currencies,
// instruments, per-member limits, opening balances and the business
// calendar. Loaded once, validated field by field, then immutable except for
// instrument suspension, which the ledger tracks as state.

#include "settlement/business_calendar.h"
#include "settlement/code_table.h"
#include "settlement/types.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace quorumclear::settlement {

/// members.role
/// members.role. A trading venue (an exchange or MTF) is never a party: its
/// trades are locked-in for the members genesis lets it submit for.
enum class Role : std::uint8_t { kClearingMember, kOperator, kRegulator, kTradingVenue };
[[nodiscard]] std::string_view to_string(Role role);

struct CurrencyDef {
  CurrencyCode code;
  int minor_units = 2;  // 0..4
};

struct MemberDef {
  MemberId id;
  std::string name;
  Role role = Role::kClearingMember;
  /// The quorum node this member runs (members.node_id); none for members
  /// that only read (regulators) or act through another node.
  std::optional<std::uint16_t> node;
};

struct InstrumentDef {
  Isin isin;
  CurrencyCode currency;
  int price_scale = 2;  // 0..9, and never coarser than the currency (money.h)
  Price band_low;
  Price band_high;
  bool suspended = false;
};

/// What one clearing member may trade; genesis requires every field to be
/// positive. There is no "unlimited": a member without limits cannot trade.
struct Limits {
  /// Per business date and currency, in that currency's minor units: the
  /// considerations of the trades it bought plus those it sold.
  AmountMinor max_gross_notional;
  /// Absolute net quantity per instrument and settlement date.
  Quantity max_net_position;
  /// Per business date, over all instruments: units bought plus units sold.
  /// Notional alone does not bound quantities: a price below one minor unit
  /// (a sub-cent or sub-yen price) buys more units than it costs.
  Quantity max_gross_quantity;
};

struct MemberLimitDef {
  MemberId member;  // a clearing member
  Limits limits;
};

/// The central counterparty's account id in holdings and funding entries.
/// Reserved: no member may use it. What the genesis (or funding) gives this
/// account is the CCP's own liquidity, which lets settlement absorb a
/// member's fail instead of failing its counterparties too (dvp.h).
inline const MemberId kCcpAccountId = MemberId::of("CCP");

struct SecuritiesHoldingDef {
  MemberId member;  // a member, or kCcpAccountId
  Isin isin;
  Quantity quantity;
};

struct CashHoldingDef {
  MemberId member;  // a member, or kCcpAccountId
  CurrencyCode currency;
  AmountMinor amount;
};

/// A clearing member whose trades a trading venue may submit (venue_members):
/// the member accepted the venue's rulebook, so the venue's matched trades
/// bind it without its own report.
struct VenueMemberDef {
  MemberId venue;   // a TRADING_VENUE
  MemberId member;  // a CLEARING_MEMBER
};

/// One member's default-fund contribution in one currency (> 0).
struct DefaultFundContributionDef {
  MemberId member;  // a clearing member
  CurrencyCode currency;
  AmountMinor amount;
};

/// Everything the network starts from. Identical on every node.
struct Genesis {
  std::vector<CurrencyDef> currencies;
  std::vector<MemberDef> members;
  std::vector<InstrumentDef> instruments;
  /// Limits per clearing member; see default_limits for the others and the
  /// refusal rule that keeps every per-settlement-date total in int64.
  std::vector<MemberLimitDef> limits;
  std::vector<SecuritiesHoldingDef> securities;
  std::vector<CashHoldingDef> cash;
  std::vector<BusinessDate> holidays;  // sorted, unique
  BusinessDate first_business_date;   // the ledger's open date at genesis
  int settlement_cycle_max_days = 2;  // trades may settle T+0 .. T+n
  /// A trade's submitter must be the member running the proposing node, so a
  /// faulty node cannot spend other members' limits or trade ids.
  bool submitter_must_be_proposer = true;
  /// n, the number of quorum nodes (indices 0..n-1), 4..31 (the supported
  /// network sizes, kNetworkSizeMin..kNetworkSizeMax); f =
  /// floor((n-1)/3) of them may be Byzantine. Explicit rather than counted
  /// from members' node ids: a node run by no member would otherwise be
  /// missed, and undercounting n lowers f, the safety margin of control
  /// entries (ledger.h). Every member's node must be below it.
  std::uint16_t node_count = 0;
  // Late trades and limits (issue 11, items 4-5)
  /// Business days a trade may be late, 0..kLateTradeWindowMax: a trade
  /// whose trade date is closed rolls to the open date only if at most this
  /// many business days lie in (trade date, open date]; an older one is
  /// TRADE_DATE_TOO_OLD. 1 accepts yesterday's trades, 0 no late trade.
  int late_trade_window_days = 1;
  /// The limits of every clearing member without a row in `limits`. Without
  /// them every clearing member needs a row. Genesis is refused unless, with
  /// C = settlement_cycle_max_days and the sums over all clearing members,
  ///   (C + 1) x sum of max_gross_notional <= INT64_MAX   and
  ///   (C + 1) x sum of max_gross_quantity <= INT64_MAX:
  /// the trades of C + 1 business dates settle on one date, so no total of
  /// one settlement date (gross per currency, a member's paid, received,
  /// bought and sold) can overflow, and no trade or member can fill one.
  std::optional<Limits> default_limits;
  // Default fund (issue 11, item 6)
  /// Each clearing member's cash contribution per currency, posted to the
  /// CCP account at genesis (it is not part of the member's balance). The
  /// fund covers a defaulter's cash shortfall: its own contribution first,
  /// then the others' (mutualised), then CCP capital (dvp.h, README).
  std::vector<DefaultFundContributionDef> default_fund;
  // Two-sided matching (issue 12)
  std::vector<VenueMemberDef> venue_members;
  /// Business days an unmatched report stays live, 0..kAllegationExpiryMax:
  /// a report that arrived while business date B was open and is still
  /// ALLEGED or MISMATCHED at the cut-off of B plus this many business days
  /// is UNMATCHED_EXPIRED at that cut-off. 0: at the cut-off of B itself.
  /// It expires earlier when its trade date leaves the late-trade window
  /// first: nothing could match it after that.
  int allegation_expiry_days = 1;
  /// Live (ALLEGED or MISMATCHED) reports a member may have at once,
  /// 1..kOpenReportsMax; a report beyond it is refused (ALLEGATION_LIMIT),
  /// so no member can grow the state with allegations nobody answers.
  std::uint32_t max_open_reports_per_member = 10'000;
};

/// Why genesis was refused: `field` is a path such as "instruments[3].isin".
struct LoadError {
  std::string field;
  std::string message;
};

struct MemberInfo {
  MemberId id;
  Role role;
  std::optional<std::uint16_t> node;
  /// All zero for operators and regulators: they cannot be a party.
  Limits limits;
};

struct InstrumentInfo {
  Isin isin;
  CurrencyIndex currency;
  int price_scale;
  Price band_low;
  Price band_high;
  bool suspended_at_genesis;
};

struct CurrencyInfo {
  CurrencyCode code;
  int minor_units;
};

/// Interned, validated genesis. Indices follow genesis order.
class ReferenceData {
 public:
  [[nodiscard]] static std::variant<ReferenceData, LoadError> load(const Genesis& genesis);

  [[nodiscard]] std::optional<MemberIndex> find_member(const MemberId& id) const;
  [[nodiscard]] std::optional<InstrumentIndex> find_instrument(const Isin& isin) const;
  [[nodiscard]] std::optional<CurrencyIndex> find_currency(const CurrencyCode& code) const;
  /// A member's account, or the CCP's for kCcpAccountId.
  [[nodiscard]] std::optional<AccountIndex> find_account(const MemberId& id) const;
  /// The member running quorum node `node`, if any.
  [[nodiscard]] std::optional<MemberIndex> member_of_node(std::uint16_t node) const;

  [[nodiscard]] const MemberInfo& member(MemberIndex i) const { return members_.at(i.value); }
  [[nodiscard]] const InstrumentInfo& instrument(InstrumentIndex i) const {
    return instruments_.at(i.value);
  }
  [[nodiscard]] const CurrencyInfo& currency(CurrencyIndex i) const {
    return currencies_.at(i.value);
  }
  [[nodiscard]] std::size_t member_count() const { return members_.size(); }
  [[nodiscard]] std::size_t instrument_count() const { return instruments_.size(); }
  [[nodiscard]] std::size_t currency_count() const { return currencies_.size(); }
  /// The central counterparty's account, after every member's.
  [[nodiscard]] AccountIndex ccp_account() const {
    return AccountIndex{static_cast<std::uint16_t>(members_.size())};
  }
  [[nodiscard]] const BusinessCalendar& calendar() const { return calendar_; }
  [[nodiscard]] int settlement_cycle_max_days() const { return cycle_max_; }
  [[nodiscard]] int late_trade_window_days() const { return genesis_.late_trade_window_days; }
  /// The ledger's first open date: no trade may be dated before it.
  [[nodiscard]] BusinessDate first_business_date() const { return genesis_.first_business_date; }
  [[nodiscard]] bool submitter_must_be_proposer() const { return bind_submitter_; }
  /// n: proposers are quorum node indices 0..n-1.
  [[nodiscard]] std::size_t node_count() const { return genesis_.node_count; }
  /// f = floor((n-1)/3), the Byzantine nodes the network tolerates.
  [[nodiscard]] std::size_t max_faulty_nodes() const { return (node_count() - 1) / 3; }
  /// f+1 distinct proposers: at least one of them is honest, so a control
  /// entry with this many identical proposals came from the operator.
  [[nodiscard]] std::size_t control_quorum() const { return max_faulty_nodes() + 1; }
  /// 2f+1 distinct proposers: at least f+1 of them are honest, so a
  /// scheduled cut-off with this many came from more than one honest clock
  /// (f faulty nodes plus one fast clock are not enough); n - f >= 2f+1
  /// honest nodes reach it alone.
  [[nodiscard]] std::size_t scheduled_cut_off_quorum() const { return 2 * max_faulty_nodes() + 1; }
  [[nodiscard]] const Genesis& genesis() const { return genesis_; }
  /// Member `m`'s default-fund contribution in `c` (0 if none).
  [[nodiscard]] std::int64_t default_fund_contribution(MemberIndex m, CurrencyIndex c) const;
  /// Whether trading venue `venue` may submit trades of clearing member `member`.
  [[nodiscard]] bool venue_may_submit_for(MemberIndex venue, MemberIndex member) const;
  [[nodiscard]] int allegation_expiry_days() const { return genesis_.allegation_expiry_days; }
  [[nodiscard]] std::uint32_t max_open_reports_per_member() const {
    return genesis_.max_open_reports_per_member;
  }

 private:
  ReferenceData() = default;
  std::optional<LoadError> intern(const Genesis& genesis);
  std::optional<LoadError> intern_currencies(const Genesis& genesis);
  std::optional<LoadError> intern_members(const Genesis& genesis);
  std::optional<LoadError> intern_instruments(const Genesis& genesis);
  std::optional<LoadError> intern_limits(const Genesis& genesis);
  std::optional<LoadError> check_holdings(const Genesis& genesis) const;
  std::optional<LoadError> check_default_fund(const Genesis& genesis) const;
  std::optional<LoadError> intern_venue_members(const Genesis& genesis);

  Genesis genesis_;
  std::vector<MemberInfo> members_;
  std::vector<InstrumentInfo> instruments_;
  std::vector<CurrencyInfo> currencies_;
  CodeTable<MemberId, MemberIndex> member_by_id_;
  CodeTable<Isin, InstrumentIndex> instrument_by_isin_;
  CodeTable<CurrencyCode, CurrencyIndex> currency_by_code_;
  std::unordered_map<std::uint16_t, MemberIndex> member_by_node_;
  /// (venue << 16 | member) for every venue_members row, sorted.
  std::vector<std::uint32_t> venue_members_;
  BusinessCalendar calendar_;
  int cycle_max_ = 0;
  bool bind_submitter_ = true;
};

/// Syntax of textual fields, shared by genesis loading and trade validation.
[[nodiscard]] bool is_valid_member_id(std::string_view id);
[[nodiscard]] bool is_valid_currency_code(std::string_view code);
[[nodiscard]] bool is_valid_trade_id(std::string_view id);
[[nodiscard]] bool is_valid_client_ref(std::string_view ref);
[[nodiscard]] bool is_valid_control_ref(std::string_view ref);

}  // namespace quorumclear::settlement
