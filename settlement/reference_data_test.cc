// Proves genesis loads and interns valid reference data, and that every kind
// of invalid genesis is refused with an error naming the offending field.
#include "settlement/reference_data.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <functional>

namespace quorumclear::settlement {
namespace {

using testing::small_genesis;

TEST(ReferenceData, LoadsAndInterns) {
  Genesis g = small_genesis();
  g.limits = {{MemberId::of("B"), {AmountMinor{500}, Quantity{40}, Quantity{1'000}}}};
  const ReferenceData ref = testing::load(g);
  EXPECT_EQ(ref.member_count(), 6u);
  EXPECT_EQ(ref.ccp_account().value, 6);
  const MemberIndex b = ref.find_member(MemberId::of("B")).value();
  EXPECT_EQ(b.value, 1);
  EXPECT_EQ(ref.member(b).limits.max_net_position.units, 40);
  EXPECT_EQ(ref.member(b).limits.max_gross_quantity.units, 1'000);
  // Members without a row take the network's default; non-parties none.
  const Limits& a = ref.member(*ref.find_member(MemberId::of("A"))).limits;
  EXPECT_EQ(a.max_gross_notional, testing::kSmallLimits.max_gross_notional);
  EXPECT_EQ(a.max_net_position, testing::kSmallLimits.max_net_position);
  EXPECT_EQ(a.max_gross_quantity, testing::kSmallLimits.max_gross_quantity);
  EXPECT_EQ(ref.member(*ref.find_member(MemberId::of("OPS"))).limits.max_gross_notional.minor, 0);
  EXPECT_EQ(ref.late_trade_window_days(), 1);
  EXPECT_EQ(ref.first_business_date(), testing::kWednesday);
  EXPECT_EQ(ref.member_of_node(4), ref.find_member(MemberId::of("OPS")));
  EXPECT_FALSE(ref.member_of_node(9).has_value());
  EXPECT_EQ(ref.find_instrument(testing::kAcme)->value, 0u);
  EXPECT_FALSE(ref.find_member(MemberId::of("Z")).has_value());
  EXPECT_EQ(ref.currency(*ref.find_currency(CurrencyCode::of("JPY"))).minor_units, 0);
  EXPECT_EQ(ref.node_count(), 5u);
  EXPECT_EQ(ref.max_faulty_nodes(), 1u);
  EXPECT_EQ(ref.control_quorum(), 2u);
}

TEST(ReferenceData, DerivesTheControlQuorumFromTheNodeCount) {
  // f = floor((n-1)/3); f+1 distinct proposers include an honest one.
  const std::vector<std::pair<std::uint16_t, std::size_t>> cases = {
      {4, 2}, {6, 2}, {7, 3}, {10, 4}, {13, 5}, {31, 11}};
  for (const auto& [n, quorum] : cases) {
    Genesis g = small_genesis();
    g.node_count = n;
    for (MemberDef& m : g.members) {
      if (m.node && *m.node >= n) m.node.reset();
    }
    EXPECT_EQ(testing::load(g).control_quorum(), quorum) << n;
  }
}

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

TEST(ReferenceData, AcceptsLimitsAtTheEdgeOfTheOverflowRule) {
  // (C + 1) x sum over the 4 clearing members = 3 x 4 x floor(max / 12) <= max.
  Genesis g = small_genesis();
  g.default_limits = Limits{AmountMinor{kInt64Max / 12}, Quantity{1}, Quantity{kInt64Max / 12}};
  g.late_trade_window_days = kLateTradeWindowMax;
  EXPECT_TRUE(std::holds_alternative<ReferenceData>(ReferenceData::load(g)));
  // Rows and the default add up alike; operators and regulators count for nothing.
  g.limits = {{MemberId::of("A"), {AmountMinor{kInt64Max / 12 - 5}, Quantity{1}, Quantity{1}}},
              {MemberId::of("B"), {AmountMinor{kInt64Max / 12 + 5}, Quantity{1}, Quantity{1}}}};
  EXPECT_TRUE(std::holds_alternative<ReferenceData>(ReferenceData::load(g)));
  // max = 12 x floor(max / 12) + 7: two more units still fit (x 3 = 6), three do not.
  g.limits[1].limits.max_gross_notional.minor += 2;
  EXPECT_TRUE(std::holds_alternative<ReferenceData>(ReferenceData::load(g)));
  g.limits[1].limits.max_gross_notional.minor += 1;
  const auto refused = ReferenceData::load(g);
  ASSERT_TRUE(std::holds_alternative<LoadError>(refused));
  // Named where the running sum, in member order, crosses: D, on the default.
  EXPECT_EQ(std::get<LoadError>(refused).field, "default_limits.max_gross_notional_minor");
}

struct BadGenesis {
  std::string name;
  std::function<void(Genesis&)> spoil;
  std::string field;
};

TEST(ReferenceData, KnowsWhichMembersEachVenueMaySubmitFor) {
  Genesis g = small_genesis();
  g.members.push_back({MemberId::of("X"), "Exchange", Role::kTradingVenue, std::nullopt});
  g.members.push_back({MemberId::of("Y"), "Other venue", Role::kTradingVenue, std::nullopt});
  g.venue_members = {{MemberId::of("Y"), MemberId::of("C")}, {MemberId::of("X"), MemberId::of("A")}};
  g.allegation_expiry_days = 3;
  g.max_open_reports_per_member = 7;
  const ReferenceData ref = testing::load(g);
  const auto idx = [&](const char* id) { return *ref.find_member(MemberId::of(id)); };
  EXPECT_TRUE(ref.venue_may_submit_for(idx("X"), idx("A")));
  EXPECT_FALSE(ref.venue_may_submit_for(idx("X"), idx("C")));
  EXPECT_TRUE(ref.venue_may_submit_for(idx("Y"), idx("C")));
  EXPECT_FALSE(ref.venue_may_submit_for(idx("Y"), idx("A")));
  EXPECT_EQ(ref.member(idx("X")).limits.max_gross_notional.minor, 0);  // never a party
  EXPECT_EQ(ref.allegation_expiry_days(), 3);
  EXPECT_EQ(ref.max_open_reports_per_member(), 7u);
}

TEST(ReferenceData, RefusesInvalidGenesisNamingTheField) {
  const std::vector<BadGenesis> cases = {
      {"no currencies", [](Genesis& g) { g.currencies.clear(); }, "currencies"},
      {"lower-case currency", [](Genesis& g) { g.currencies[0].code = CurrencyCode::of("eur"); },
       "currencies[0].code"},
      {"minor units", [](Genesis& g) { g.currencies[1].minor_units = 5; },
       "currencies[1].minor_units"},
      {"duplicate currency", [](Genesis& g) { g.currencies[1].code = CurrencyCode::of("EUR"); },
       "currencies[1].code"},
      {"member id syntax", [](Genesis& g) { g.members[2].id = MemberId::of("c-1"); },
       "members[2].id"},
      {"duplicate member", [](Genesis& g) { g.members[1].id = MemberId::of("A"); },
       "members[1].id"},
      {"empty name", [](Genesis& g) { g.members[0].name.clear(); }, "members[0].name"},
      {"shared node", [](Genesis& g) { g.members[1].node = 0; }, "members[1].node"},
      {"isin check digit",
       [](Genesis& g) { g.instruments[0].isin = Isin::of("US0378331006"); },
       "instruments[0].isin"},
      {"duplicate isin", [](Genesis& g) { g.instruments[1].isin = testing::kAcme; },
       "instruments[1].isin"},
      {"unknown currency",
       [](Genesis& g) { g.instruments[0].currency = CurrencyCode::of("USD"); },
       "instruments[0].currency"},
      {"price scale", [](Genesis& g) { g.instruments[0].price_scale = 10; },
       "instruments[0].price_scale"},
      {"band low", [](Genesis& g) { g.instruments[0].band_low = Price{0}; },
       "instruments[0].price_band_low"},
      {"band inverted", [](Genesis& g) { g.instruments[0].band_high = Price{99}; },
       "instruments[0].price_band_high"},
      {"limit member",
       [](Genesis& g) { g.limits = {{MemberId::of("Z"), {AmountMinor{1}, Quantity{1}, Quantity{1}}}}; },
       "limits[0].member_id"},
      {"limit value",
       [](Genesis& g) { g.limits = {{MemberId::of("A"), {AmountMinor{0}, Quantity{1}, Quantity{1}}}}; },
       "limits[0].max_gross_notional_minor"},
      {"limit quantity value",
       [](Genesis& g) { g.limits = {{MemberId::of("A"), {AmountMinor{1}, Quantity{1}, Quantity{0}}}}; },
       "limits[0].max_gross_quantity"},
      {"limits for an operator",
       [](Genesis& g) { g.limits = {{MemberId::of("OPS"), {AmountMinor{1}, Quantity{1}, Quantity{1}}}}; },
       "limits[0].member_id"},
      {"default gross notional",
       [](Genesis& g) { g.default_limits->max_gross_notional = AmountMinor{0}; },
       "default_limits.max_gross_notional_minor"},
      {"default net position",
       [](Genesis& g) { g.default_limits->max_net_position = Quantity{-1}; },
       "default_limits.max_net_position"},
      {"default gross quantity",
       [](Genesis& g) { g.default_limits->max_gross_quantity = Quantity{0}; },
       "default_limits.max_gross_quantity"},
      {"clearing member without limits",
       [](Genesis& g) {
         g.default_limits.reset();
         g.limits = {{MemberId::of("A"), {AmountMinor{1}, Quantity{1}, Quantity{1}}}};
       },
       "limits"},
      // 4 clearing members x (2 + 1) dates: the third row of max/8 crosses.
      {"gross notional could overflow a settlement date",
       [](Genesis& g) {
         g.limits.clear();
         for (const char* id : {"A", "B", "C", "D"}) {
           g.limits.push_back({MemberId::of(id), {AmountMinor{kInt64Max / 8}, Quantity{1}, Quantity{1}}});
         }
       },
       "limits[2].max_gross_notional_minor"},
      {"gross quantity could overflow a settlement date",
       [](Genesis& g) { g.default_limits->max_gross_quantity = Quantity{kInt64Max / 12 + 1}; },
       "default_limits.max_gross_quantity"},
      {"one huge limit alone",
       [](Genesis& g) {
         g.limits = {{MemberId::of("B"), {AmountMinor{kInt64Max}, Quantity{1}, Quantity{1}}}};
       },
       "limits[0].max_gross_notional_minor"},
      {"a longer cycle settles more dates together",
       [](Genesis& g) {
         g.default_limits->max_gross_notional = AmountMinor{kInt64Max / 12};
         g.settlement_cycle_max_days = 3;
       },
       "default_limits.max_gross_notional_minor"},
      {"late window negative", [](Genesis& g) { g.late_trade_window_days = -1; },
       "late_trade_window_days"},
      {"late window too long", [](Genesis& g) { g.late_trade_window_days = kLateTradeWindowMax + 1; },
       "late_trade_window_days"},
      {"negative holding",
       [](Genesis& g) { g.securities = {{MemberId::of("A"), testing::kAcme, Quantity{-1}}}; },
       "securities[0].quantity"},
      {"holding total overflow",
       [](Genesis& g) {
         g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"),
                    AmountMinor{std::numeric_limits<std::int64_t>::max()}},
                   {MemberId::of("B"), CurrencyCode::of("EUR"), AmountMinor{1}}};
       },
       "cash[1].amount_minor"},
      {"unsorted holidays",
       [](Genesis& g) { g.holidays = {testing::kFriday, testing::kThursday}; }, "holidays[1].date"},
      {"weekend start",
       [](Genesis& g) { g.first_business_date = date_from_civil(2026, 11, 28); },
       "first_business_date"},
      {"cycle", [](Genesis& g) { g.settlement_cycle_max_days = 11; }, "settlement_cycle_max_days"},
      {"no node count", [](Genesis& g) { g.node_count = 0; }, "node_count"},
      {"node count too large", [](Genesis& g) { g.node_count = static_cast<std::uint16_t>(kNetworkSizeMax + 1); }, "node_count"},
      {"node count too small", [](Genesis& g) { g.node_count = static_cast<std::uint16_t>(kNetworkSizeMin - 1); }, "node_count"},
      {"node beyond node count", [](Genesis& g) { g.node_count = 4; }, "members[4].node"},
      // Two-sided matching (issue 12)
      {"expiry negative", [](Genesis& g) { g.allegation_expiry_days = -1; }, "allegation_expiry_days"},
      {"expiry too long", [](Genesis& g) { g.allegation_expiry_days = kAllegationExpiryMax + 1; },
       "allegation_expiry_days"},
      {"no open reports", [](Genesis& g) { g.max_open_reports_per_member = 0; },
       "max_open_reports_per_member"},
      {"too many open reports", [](Genesis& g) { g.max_open_reports_per_member = kOpenReportsMax + 1; },
       "max_open_reports_per_member"},
      {"venue row for a clearing member",
       [](Genesis& g) { g.venue_members = {{MemberId::of("A"), MemberId::of("B")}}; },
       "venue_members[0].venue"},
      {"venue row for an operator as member",
       [](Genesis& g) {
         g.members.push_back({MemberId::of("X"), "Exchange", Role::kTradingVenue, std::nullopt});
         g.venue_members = {{MemberId::of("X"), MemberId::of("OPS")}};
       },
       "venue_members[0].member"},
      {"duplicate venue row",
       [](Genesis& g) {
         g.members.push_back({MemberId::of("X"), "Exchange", Role::kTradingVenue, std::nullopt});
         g.venue_members = {{MemberId::of("X"), MemberId::of("A")}, {MemberId::of("X"), MemberId::of("A")}};
       },
       "venue_members"},
      {"limits for a venue",
       [](Genesis& g) {
         g.members.push_back({MemberId::of("X"), "Exchange", Role::kTradingVenue, std::nullopt});
         g.limits = {{MemberId::of("X"), {AmountMinor{1}, Quantity{1}, Quantity{1}}}};
       },
       "limits[0].member_id"},
  };
  for (const BadGenesis& c : cases) {
    Genesis g = small_genesis();
    c.spoil(g);
    const auto loaded = ReferenceData::load(g);
    const LoadError* error = std::get_if<LoadError>(&loaded);
    ASSERT_NE(error, nullptr) << c.name;
    EXPECT_EQ(error->field, c.field) << c.name << ": " << error->message;
    EXPECT_FALSE(error->message.empty()) << c.name;
  }
}

}  // namespace
}  // namespace quorumclear::settlement
