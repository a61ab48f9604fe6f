#include "settlement/reference_data.h"

#include "settlement/isin.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

namespace quorumclear::settlement {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string at(std::string_view list, std::size_t i, std::string_view field) {
  return std::string(list) + "[" + std::to_string(i) + "]." + std::string(field);
}

LoadError error(std::string field, std::string message) {
  return LoadError{std::move(field), std::move(message)};
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kClearingMember: return "CLEARING_MEMBER";
    case Role::kOperator: return "OPERATOR";
    case Role::kRegulator: return "REGULATOR";
    case Role::kTradingVenue: return "TRADING_VENUE";
  }
  return "UNKNOWN";
}

bool is_valid_member_id(std::string_view id) {
  return !id.empty() && id.size() <= MemberId::kCapacity &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return is_upper(c) || is_digit(c) || c == '_'; });
}

bool is_valid_currency_code(std::string_view code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), is_upper);
}

bool is_valid_trade_id(std::string_view id) {
  return !id.empty() && id.size() <= TradeId::kCapacity &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' ||
                  c == '_' || c == ':' || c == '-';
         });
}

bool is_valid_control_ref(std::string_view ref) {
  // The trade-id syntax, and the same capacity.
  static_assert(ControlRef::kCapacity == TradeId::kCapacity);
  return is_valid_trade_id(ref);
}

bool is_valid_client_ref(std::string_view ref) {
  return !ref.empty() && ref.size() <= ClientRef::kCapacity &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

std::variant<ReferenceData, LoadError> ReferenceData::load(const Genesis& genesis) {
  ReferenceData data;
  if (std::optional<LoadError> failure = data.intern(genesis)) return *std::move(failure);
  return data;
}

std::optional<MemberIndex> ReferenceData::find_member(const MemberId& id) const {
  return member_by_id_.find(id);
}

std::optional<InstrumentIndex> ReferenceData::find_instrument(const Isin& isin) const {
  return instrument_by_isin_.find(isin);
}

std::optional<CurrencyIndex> ReferenceData::find_currency(const CurrencyCode& code) const {
  return currency_by_code_.find(code);
}

std::optional<AccountIndex> ReferenceData::find_account(const MemberId& id) const {
  if (id == kCcpAccountId) return ccp_account();
  const std::optional<MemberIndex> m = find_member(id);
  if (!m) return std::nullopt;
  return AccountIndex{m->value};
}

std::optional<MemberIndex> ReferenceData::member_of_node(std::uint16_t node) const {
  const auto it = member_by_node_.find(node);
  if (it == member_by_node_.end()) return std::nullopt;
  return it->second;
}

namespace {

std::optional<LoadError> check_currencies(const Genesis& g) {
  if (g.currencies.empty() || g.currencies.size() > kCurrenciesMax) {
    return error("currencies", "between 1 and " + std::to_string(kCurrenciesMax) + " required");
  }
  for (std::size_t i = 0; i < g.currencies.size(); ++i) {
    const CurrencyDef& c = g.currencies[i];
    if (!is_valid_currency_code(c.code.view())) {
      return error(at("currencies", i, "code"), "must be three upper-case letters");
    }
    if (c.minor_units < 0 || c.minor_units > 4) {
      return error(at("currencies", i, "minor_units"), "must be 0..4");
    }
  }
  return std::nullopt;
}

std::optional<LoadError> check_members(const Genesis& g) {
  if (g.members.empty() || g.members.size() > kMembersMax) {
    return error("members", "between 1 and " + std::to_string(kMembersMax) + " required");
  }
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    const MemberDef& m = g.members[i];
    if (!is_valid_member_id(m.id.view())) {
      return error(at("members", i, "id"), "must match ^[A-Z0-9_]{1,16}$");
    }
    if (m.id == kCcpAccountId) {
      return error(at("members", i, "id"), "CCP is reserved for the central counterparty");
    }
    if (m.name.empty() || m.name.size() > kMemberNameMax) {
      return error(at("members", i, "name"), "must be 1..200 characters");
    }
    if (m.role != Role::kClearingMember && m.role != Role::kOperator &&
        m.role != Role::kRegulator && m.role != Role::kTradingVenue) {
      return error(at("members", i, "role"), "unknown role");
    }
  }
  return std::nullopt;
}

std::optional<LoadError> check_instrument(const InstrumentDef& d, std::size_t i) {
  if (!is_valid_isin(d.isin.view())) {
    return error(at("instruments", i, "isin"), "not a valid ISIN (format or check digit)");
  }
  if (d.price_scale < 0 || d.price_scale > 9) {
    return error(at("instruments", i, "price_scale"), "must be 0..9");
  }
  if (d.band_low.units <= 0) {
    return error(at("instruments", i, "price_band_low"), "must be positive");
  }
  if (d.band_high < d.band_low) {
    return error(at("instruments", i, "price_band_high"), "must be >= price_band_low");
  }
  return std::nullopt;
}

std::optional<LoadError> check_calendar(const Genesis& g) {
  if (g.holidays.size() > kHolidaysMax) return error("holidays", "too many holidays");
  for (std::size_t i = 0; i < g.holidays.size(); ++i) {
    if (!in_date_range(g.holidays[i])) return error(at("holidays", i, "date"), "out of range");
    if (i > 0 && g.holidays[i] <= g.holidays[i - 1]) {
      return error(at("holidays", i, "date"), "holidays must be sorted and unique");
    }
  }
  if (g.settlement_cycle_max_days < 0 || g.settlement_cycle_max_days > kSettlementCycleMax) {
    return error("settlement_cycle_max_days", "must be 0..10");
  }
  if (g.late_trade_window_days < 0 || g.late_trade_window_days > kLateTradeWindowMax) {
    return error("late_trade_window_days", "must be 0.." + std::to_string(kLateTradeWindowMax));
  }
  if (!in_date_range(g.first_business_date)) {
    return error("first_business_date", "out of range");
  }
  if (g.allegation_expiry_days < 0 || g.allegation_expiry_days > kAllegationExpiryMax) {
    return error("allegation_expiry_days", "must be 0.." + std::to_string(kAllegationExpiryMax));
  }
  if (g.max_open_reports_per_member < 1 || g.max_open_reports_per_member > kOpenReportsMax) {
    return error("max_open_reports_per_member", "must be 1.." + std::to_string(kOpenReportsMax));
  }
  return std::nullopt;
}

std::optional<LoadError> check_nodes(const Genesis& g) {
  if (g.node_count < kNetworkSizeMin || g.node_count > kNetworkSizeMax) {
    return error("node_count", "between " + std::to_string(kNetworkSizeMin) + " and " +
                                   std::to_string(kNetworkSizeMax) + " required (supported network sizes)");
  }
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    if (g.members[i].node && *g.members[i].node >= g.node_count) {
      return error(at("members", i, "node"), "must be below node_count");
    }
  }
  return std::nullopt;
}

// `path` names the owner of `limits`, e.g. "limits[2]." or "default_limits.".
std::optional<LoadError> check_limit_values(const Limits& limits, const std::string& path) {
  if (limits.max_gross_notional.minor <= 0) {
    return error(path + "max_gross_notional_minor", "must be positive");
  }
  if (limits.max_net_position.units <= 0) return error(path + "max_net_position", "must be positive");
  if (limits.max_gross_quantity.units <= 0) {
    return error(path + "max_gross_quantity", "must be positive");
  }
  return std::nullopt;
}

// The refusal rule of Genesis::default_limits, and why it is enough.
// Settlement date S receives the trades of business dates S - C .. S only
// (C = settlement_cycle_max_days; a rolled trade counts on the open date it
// is booked on, and each date is open once): C + 1 dates. With G_m and Q_m
// member m's gross notional and gross quantity limits per business date,
// every int64 total of one settlement date is bounded:
//   gross per currency (all members) <= (C + 1) x sum_m G_m, since each
//       consideration counts against its buyer's gross (and its seller's:
//       the bound holds twice over);
//   units traded per instrument (all members) <= (C + 1) x sum_m Q_m / 2;
//   member m's paid and received per currency <= (C + 1) x G_m, its bought
//       and sold per instrument <= (C + 1) x Q_m, so its nets (differences
//       of two non-negative int64) fit too;
//   member m's gross counters of the open date <= G_m and Q_m themselves.
// Netting, DvP and the invariants add across members in Int128; balances are
// bounded by their asset's supply (check_holdings, funding). Hence
//   (C + 1) x sum_m G_m <= INT64_MAX  and  (C + 1) x sum_m Q_m <= INT64_MAX
// keep every total in int64: POSITION_OVERFLOW cannot happen, and what stops
// a member is its own limit, never a total it shares with others. The net
// position limit bounds no sum and needs no rule. Not covered: a date's
// trade count per currency (uint32 in DateBook and reports) would wrap after
// 2^32 trades, which no limit here bounds.
// The error names the limit at which the running sum, in member order, crosses.
std::optional<LoadError> check_limit_sums(const std::vector<MemberInfo>& members,
                                          const std::vector<std::optional<std::size_t>>& row_of,
                                          int cycle_max) {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  const Int128 dates = cycle_max + 1;
  Int128 notional = 0;
  Int128 quantity = 0;
  for (std::size_t m = 0; m < members.size(); ++m) {
    if (members[m].role != Role::kClearingMember) continue;
    const auto path = [&] { return row_of[m] ? at("limits", *row_of[m], "") : "default_limits."; };
    notional += dates * members[m].limits.max_gross_notional.minor;
    quantity += dates * members[m].limits.max_gross_quantity.units;
    if (notional > kMax) {
      return error(path() + "max_gross_notional_minor",
                   "(settlement_cycle_max_days + 1) x the sum over clearing members exceeds int64: "
                   "the trades settling on one date could overflow its gross");
    }
    if (quantity > kMax) {
      return error(path() + "max_gross_quantity",
                   "(settlement_cycle_max_days + 1) x the sum over clearing members exceeds int64: "
                   "the units settling on one date could overflow");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<LoadError> ReferenceData::intern(const Genesis& g) {
  if (auto e = check_currencies(g)) return e;
  if (auto e = check_members(g)) return e;
  if (auto e = check_calendar(g)) return e;
  if (auto e = check_nodes(g)) return e;
  if (g.instruments.size() > kInstrumentsMax) return error("instruments", "too many");
  genesis_ = g;
  calendar_ = BusinessCalendar(g.holidays);
  if (!calendar_.is_business_day(g.first_business_date)) {
    return error("first_business_date", "not a business day");
  }
  cycle_max_ = g.settlement_cycle_max_days;
  bind_submitter_ = g.submitter_must_be_proposer;
  if (auto e = intern_currencies(g)) return e;
  if (auto e = intern_members(g)) return e;
  if (auto e = intern_instruments(g)) return e;
  if (auto e = intern_limits(g)) return e;
  if (auto e = check_holdings(g)) return e;
  if (auto e = intern_venue_members(g)) return e;
  return check_default_fund(g);
}

std::optional<LoadError> ReferenceData::intern_venue_members(const Genesis& g) {
  for (std::size_t i = 0; i < g.venue_members.size(); ++i) {
    const VenueMemberDef& row = g.venue_members[i];
    const std::optional<MemberIndex> venue = find_member(row.venue);
    if (!venue || members_[venue->value].role != Role::kTradingVenue) {
      return error(at("venue_members", i, "venue"), "must be a TRADING_VENUE member");
    }
    const std::optional<MemberIndex> member = find_member(row.member);
    if (!member || members_[member->value].role != Role::kClearingMember) {
      return error(at("venue_members", i, "member"), "must be a CLEARING_MEMBER");
    }
    venue_members_.push_back(static_cast<std::uint32_t>(venue->value) << 16 | member->value);
  }
  std::sort(venue_members_.begin(), venue_members_.end());
  if (std::adjacent_find(venue_members_.begin(), venue_members_.end()) != venue_members_.end()) {
    return error("venue_members", "duplicate (venue, member) row");
  }
  return std::nullopt;
}

bool ReferenceData::venue_may_submit_for(MemberIndex venue, MemberIndex member) const {
  return std::binary_search(venue_members_.begin(), venue_members_.end(),
                            static_cast<std::uint32_t>(venue.value) << 16 | member.value);
}

std::optional<LoadError> ReferenceData::intern_currencies(const Genesis& g) {
  for (std::size_t i = 0; i < g.currencies.size(); ++i) {
    const CurrencyDef& c = g.currencies[i];
    if (!currency_by_code_.insert(c.code, CurrencyIndex{static_cast<std::uint8_t>(i)})) {
      return error(at("currencies", i, "code"), "duplicate currency");
    }
    currencies_.push_back(CurrencyInfo{c.code, c.minor_units});
  }
  return std::nullopt;
}

std::optional<LoadError> ReferenceData::intern_members(const Genesis& g) {
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    const MemberDef& m = g.members[i];
    const MemberIndex index{static_cast<std::uint16_t>(i)};
    if (!member_by_id_.insert(m.id, index)) {
      return error(at("members", i, "id"), "duplicate member");
    }
    if (m.node && !member_by_node_.emplace(*m.node, index).second) {
      return error(at("members", i, "node"), "two members run the same node");
    }
    // Zero limits until intern_limits gives a clearing member its own: no
    // member is ever unlimited by omission.
    members_.push_back(MemberInfo{m.id, m.role, m.node, Limits{}});
  }
  return std::nullopt;
}

std::optional<LoadError> ReferenceData::intern_instruments(const Genesis& g) {
  instruments_.reserve(g.instruments.size());
  for (std::size_t i = 0; i < g.instruments.size(); ++i) {
    const InstrumentDef& d = g.instruments[i];
    if (auto e = check_instrument(d, i)) return e;
    const std::optional<CurrencyIndex> ccy = find_currency(d.currency);
    if (!ccy) return error(at("instruments", i, "currency"), "unknown currency");
    const InstrumentIndex index{static_cast<std::uint32_t>(i)};
    if (!instrument_by_isin_.insert(d.isin, index)) {
      return error(at("instruments", i, "isin"), "duplicate instrument");
    }
    instruments_.push_back(
        InstrumentInfo{d.isin, *ccy, d.price_scale, d.band_low, d.band_high, d.suspended});
  }
  return std::nullopt;
}

std::optional<LoadError> ReferenceData::intern_limits(const Genesis& g) {
  if (g.default_limits) {
    if (auto e = check_limit_values(*g.default_limits, "default_limits.")) return e;
  }
  std::vector<std::optional<std::size_t>> row_of(members_.size());
  for (std::size_t i = 0; i < g.limits.size(); ++i) {
    const MemberLimitDef& l = g.limits[i];
    const std::optional<MemberIndex> m = find_member(l.member);
    if (!m) return error(at("limits", i, "member_id"), "unknown member");
    if (members_[m->value].role != Role::kClearingMember) {
      return error(at("limits", i, "member_id"), "only clearing members have limits");
    }
    if (row_of[m->value]) {
      return error(at("limits", i, "member_id"), "two limit rows for one member");
    }
    if (auto e = check_limit_values(l.limits, at("limits", i, ""))) return e;
    row_of[m->value] = i;
    members_[m->value].limits = l.limits;
  }
  for (std::size_t m = 0; m < members_.size(); ++m) {
    if (members_[m].role != Role::kClearingMember || row_of[m]) continue;
    if (!g.default_limits) {
      return error("limits", "clearing member " + std::string(members_[m].id.view()) +
                                 " has no limit row and genesis sets no default_limits");
    }
    members_[m].limits = *g.default_limits;
  }
  return check_limit_sums(members_, row_of, cycle_max_);
}

std::optional<LoadError> ReferenceData::check_holdings(const Genesis& g) const {
  // Balances never exceed their asset's total, so a total within int64 makes
  // every later balance computation overflow-free.
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  std::vector<Int128> securities_total(instruments_.size(), 0);
  std::vector<Int128> cash_total(currencies_.size(), 0);
  std::set<std::pair<std::uint16_t, std::uint32_t>> held;
  for (std::size_t i = 0; i < g.securities.size(); ++i) {
    const SecuritiesHoldingDef& h = g.securities[i];
    const std::optional<AccountIndex> m = find_account(h.member);
    if (!m) return error(at("securities", i, "member_id"), "unknown member");
    const std::optional<InstrumentIndex> ins = find_instrument(h.isin);
    if (!ins) return error(at("securities", i, "isin"), "unknown instrument");
    if (h.quantity.units < 0) return error(at("securities", i, "quantity"), "negative");
    if (!held.emplace(m->value, ins->value).second) {
      return error(at("securities", i, "isin"), "two holdings for one member and instrument");
    }
    if ((securities_total[ins->value] += h.quantity.units) > kMax) {
      return error(at("securities", i, "quantity"), "total holdings exceed int64");
    }
  }
  held.clear();
  for (std::size_t i = 0; i < g.cash.size(); ++i) {
    const CashHoldingDef& h = g.cash[i];
    const std::optional<AccountIndex> m = find_account(h.member);
    if (!m) return error(at("cash", i, "member_id"), "unknown member");
    const std::optional<CurrencyIndex> ccy = find_currency(h.currency);
    if (!ccy) return error(at("cash", i, "currency"), "unknown currency");
    if (h.amount.minor < 0) return error(at("cash", i, "amount_minor"), "negative");
    if (!held.emplace(m->value, ccy->value).second) {
      return error(at("cash", i, "currency"), "two holdings for one member and currency");
    }
    if ((cash_total[ccy->value] += h.amount.minor) > kMax) {
      return error(at("cash", i, "amount_minor"), "total holdings exceed int64");
    }
  }
  return std::nullopt;
}

// Default fund (issue 11, item 6). Contributions are cash in the CCP
// account, so they count towards the currency's total: that total must still
// fit int64 for every balance computation to stay overflow-free.
std::optional<LoadError> ReferenceData::check_default_fund(const Genesis& g) const {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  std::vector<Int128> cash_total(currencies_.size(), 0);
  for (const CashHoldingDef& h : g.cash) cash_total[find_currency(h.currency)->value] += h.amount.minor;
  std::set<std::pair<std::uint16_t, std::uint8_t>> seen;
  for (std::size_t i = 0; i < g.default_fund.size(); ++i) {
    const DefaultFundContributionDef& d = g.default_fund[i];
    const std::optional<MemberIndex> m = find_member(d.member);
    if (!m) return error(at("default_fund", i, "member_id"), "unknown member");
    if (members_[m->value].role != Role::kClearingMember) {
      return error(at("default_fund", i, "member_id"), "not a clearing member");
    }
    const std::optional<CurrencyIndex> ccy = find_currency(d.currency);
    if (!ccy) return error(at("default_fund", i, "currency"), "unknown currency");
    if (d.amount.minor <= 0) return error(at("default_fund", i, "amount_minor"), "not positive");
    if (!seen.emplace(m->value, ccy->value).second) {
      return error(at("default_fund", i, "currency"), "two contributions for one member and currency");
    }
    if ((cash_total[ccy->value] += d.amount.minor) > kMax) {
      return error(at("default_fund", i, "amount_minor"), "total cash exceeds int64");
    }
  }
  return std::nullopt;
}

std::int64_t ReferenceData::default_fund_contribution(MemberIndex m, CurrencyIndex c) const {
  // Genesis lists few contributions; a scan keeps the interned state small.
  for (const DefaultFundContributionDef& d : genesis_.default_fund) {
    if (d.member == members_.at(m.value).id && d.currency == currencies_.at(c.value).code) {
      return d.amount.minor;
    }
  }
  return 0;
}

}  // namespace quorumclear::settlement
