// Proves stateless validation accepts a well-formed trade (its price at any
// scale exact in the instrument's, or from a permitted trading venue) and
// names the right reason code and field for every way a trade can be malformed.
#include "settlement/validation.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <functional>
#include <regex>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::kWednesday;

struct BadTrade {
  std::function<void(Trade&)> spoil;
  Reason reason;
  std::string_view field;
};

/// Writes the price as `units` x 10^-`scale`.
std::function<void(Trade&)> priced(std::int64_t units, std::uint8_t scale) {
  return [=](Trade& t) {
    t.price = Price{units};
    t.price_scale = scale;
  };
}

/// Has trading venue VEN submit the trade, with `member` as its `party`.
std::function<void(Trade&)> by_venue(MemberId Trade::*party, std::string_view member) {
  return [=](Trade& t) {
    t.submitter = MemberId::of("VEN");
    t.*party = MemberId::of(member);
  };
}

/// small_genesis plus a trading venue VEN that may submit the trades of A and B.
Genesis genesis_with_venue() {
  Genesis g = testing::small_genesis();
  g.members.push_back({MemberId::of("VEN"), "Venue", Role::kTradingVenue, std::nullopt});
  g.venue_members = {{MemberId::of("VEN"), MemberId::of("A")},
                     {MemberId::of("VEN"), MemberId::of("B")}};
  return g;
}

class Validation : public ::testing::Test {
 protected:
  ReferenceData ref = testing::load(genesis_with_venue());
  Trade good = acme_trade("T-1", "A", "B", 100, 1000, kWednesday);
};

TEST_F(Validation, AcceptsAWellFormedTradeAndInternsIt) {
  good.settlement_date = testing::kFriday;  // T+2
  good.client_ref = ClientRef::of("desk 7");
  const TradeCheck check = validate_trade(good, ref);
  ASSERT_TRUE(check.ok()) << to_string(check.reason);
  EXPECT_EQ(check.trade.buyer, *ref.find_member(MemberId::of("A")));
  EXPECT_EQ(check.trade.seller, *ref.find_member(MemberId::of("B")));
  EXPECT_EQ(check.trade.consideration.minor, 100'000);
}

TEST_F(Validation, SellerMaySubmit) {
  good.submitter = MemberId::of("B");
  EXPECT_TRUE(validate_trade(good, ref).ok());
}

TEST_F(Validation, NormalisesAPriceWrittenAtAnyExactScale) {
  // ACME is priced in cents: 10.50 EUR written with 0, 1, 3 or 9 decimals.
  const std::vector<std::pair<std::int64_t, std::uint8_t>> written = {
      {1050, 2}, {105, 1}, {10'500, 3}, {10'500'000'000, 9}};
  for (const auto& [price, scale] : written) {
    Trade t = good;
    t.price = Price{price};
    t.price_scale = scale;
    const TradeCheck check = validate_trade(t, ref);
    ASSERT_TRUE(check.ok()) << price << " at scale " << int{scale} << ": " << to_string(check.reason);
    EXPECT_EQ(check.trade.price, Price{1050}) << int{scale};
    EXPECT_EQ(check.trade.consideration.minor, 105'000) << int{scale};  // 100 x 10.50
  }
  good.price = Price{10};
  good.price_scale = 0;  // 10 EUR
  EXPECT_EQ(validate_trade(good, ref).trade.price, Price{1000});
}

TEST_F(Validation, AcceptsAVenueTradeForItsMembersAsLockedIn) {
  good.submitter = MemberId::of("VEN");
  const TradeCheck check = validate_trade(good, ref);
  ASSERT_TRUE(check.ok()) << to_string(check.reason);
  EXPECT_TRUE(check.trade.locked_in);
  EXPECT_EQ(check.trade.submitter, *ref.find_member(MemberId::of("VEN")));
  EXPECT_FALSE(validate_trade(acme_trade("T-2", "A", "B", 1, 1000, kWednesday), ref).trade.locked_in);
}

TEST_F(Validation, RejectsEachMalformedFieldWithReasonAndField) {
  const std::vector<BadTrade> cases = {
      {[](Trade& t) { t.trade_id = TradeId::of(""); }, Reason::kTradeIdInvalid, "trade_id"},
      {[](Trade& t) { t.trade_id = TradeId::of("has space"); }, Reason::kTradeIdInvalid, "trade_id"},
      {[](Trade& t) { t.submitter = MemberId::of("Z"); }, Reason::kMemberUnknown, "submitter"},
      {[](Trade& t) { t.buyer = MemberId::of("Z"); }, Reason::kMemberUnknown, "buyer"},
      {[](Trade& t) { t.seller = MemberId::of("REG"); }, Reason::kMemberNotClearing, "seller"},
      {[](Trade& t) { t.submitter = MemberId::of("C"); }, Reason::kSubmitterNotParty, "submitter"},
      {[](Trade& t) { t.seller = MemberId::of("A"); }, Reason::kBuyerIsSeller, "seller"},
      {[](Trade& t) { t.submitter = MemberId::of("OPS"); }, Reason::kMemberNotClearing, "submitter"},
      // VEN may submit for A and B only.
      {by_venue(&Trade::buyer, "C"), Reason::kVenueNotPermitted, "buyer"},
      {by_venue(&Trade::seller, "D"), Reason::kVenueNotPermitted, "seller"},
      {by_venue(&Trade::buyer, "VEN"), Reason::kMemberNotClearing, "buyer"},  // never a party
      {by_venue(&Trade::seller, "A"), Reason::kBuyerIsSeller, "seller"},
      {[](Trade& t) { t.isin = Isin::of("US0378331006"); }, Reason::kIsinInvalid, "isin"},
      {[](Trade& t) { t.isin = Isin::of("GB0002634946"); }, Reason::kInstrumentUnknown, "isin"},
      {[](Trade& t) { t.currency = CurrencyCode::of("USD"); }, Reason::kCurrencyUnknown, "currency"},
      {[](Trade& t) { t.currency = CurrencyCode::of("JPY"); }, Reason::kCurrencyMismatch, "currency"},
      {[](Trade& t) { t.quantity = Quantity{0}; }, Reason::kQuantityNotPositive, "quantity"},
      {[](Trade& t) { t.price = Price{-5}; }, Reason::kPriceNotPositive, "price"},
      // 10.505 EUR cannot be booked in cents; a scale beyond 9 is refused even when exact.
      {priced(10'505, 3), Reason::kPriceScaleMismatch, "price_scale"},
      {priced(10'500'000'000, 10), Reason::kPriceScaleMismatch, "price_scale"},
      {[](Trade& t) { t.price = Price{99}; }, Reason::kPriceOutsideBand, "price"},
      {[](Trade& t) { t.price = Price{100'001}; }, Reason::kPriceOutsideBand, "price"},
      {priced(1'000'001, 3), Reason::kPriceScaleMismatch, "price_scale"},  // 1,000.001 EUR
      {priced(10'001, 1), Reason::kPriceOutsideBand, "price"},             // 1,000.10 EUR
      // Beyond int64 once scaled to cents: beyond any band, never a wrap.
      {priced(std::numeric_limits<std::int64_t>::max() / 10, 0), Reason::kPriceOutsideBand, "price"},
      {[](Trade& t) { t.quantity = Quantity{std::numeric_limits<std::int64_t>::max()}; },
       Reason::kConsiderationOverflow, "quantity"},
      {[](Trade& t) { t.trade_date = BusinessDate{-1}; }, Reason::kDateOutOfRange, "trade_date"},
      {[](Trade& t) { t.trade_date = date_from_civil(2026, 11, 28); },
       Reason::kTradeDateNotBusinessDay, "trade_date"},
      {[](Trade& t) { t.trade_date = date_from_civil(2000, 1, 3); },
       Reason::kTradeDateBeforeGenesis, "trade_date"},
      {[](Trade& t) { t.trade_date = date_from_civil(2026, 11, 24); },  // the day before genesis
       Reason::kTradeDateBeforeGenesis, "trade_date"},
      {[](Trade& t) { t.settlement_date = BusinessDate{400'000}; }, Reason::kDateOutOfRange,
       "settlement_date"},
      {[](Trade& t) { t.settlement_date = date_from_civil(2026, 11, 29); },
       Reason::kSettlementDateNotBusinessDay, "settlement_date"},
      {[](Trade& t) { t.settlement_date = date_from_civil(2026, 11, 24); },
       Reason::kSettlementBeforeTradeDate, "settlement_date"},
      {[](Trade& t) { t.settlement_date = testing::kMonday; }, Reason::kSettlementCycleTooLong,
       "settlement_date"},
      {[](Trade& t) { t.client_ref = ClientRef::of("tab\there"); }, Reason::kClientRefInvalid,
       "client_ref"},
  };
  const std::regex schema_reason("^[A-Z_]{1,48}$");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Trade t = good;
    cases[i].spoil(t);
    const TradeCheck check = validate_trade(t, ref);
    EXPECT_EQ(check.reason, cases[i].reason) << "case " << i << ": " << to_string(check.reason);
    EXPECT_EQ(check.field, cases[i].field) << "case " << i;
    EXPECT_TRUE(std::regex_match(std::string(to_string(check.reason)), schema_reason));
  }
}

TEST(ValidationRounding, RoundsFinePricesAndRefusesZeroConsideration) {
  Genesis g = testing::small_genesis();
  g.instruments[1].band_low = Price{1};  // the 3-decimal EUR instrument
  const ReferenceData ref = testing::load(g);
  Trade t = acme_trade("T-1", "A", "B", 3, 0, kWednesday);
  t.isin = Isin::of("DE0007164600");
  t.price_scale = 3;
  t.price = Price{10'005};  // 3 x 10.005 = 30.015 EUR -> 30.02 (half to even)
  ASSERT_TRUE(validate_trade(t, ref).ok());
  EXPECT_EQ(validate_trade(t, ref).trade.consideration.minor, 3002);
  t.quantity = Quantity{1};
  t.price = Price{4};  // 0.004 EUR -> 0.00
  const TradeCheck check = validate_trade(t, ref);
  EXPECT_EQ(check.reason, Reason::kConsiderationTooSmall);
  EXPECT_EQ(check.field, "price");
}

TEST(ReasonCodes, AllFitTheSchemaCheck) {
  const std::regex schema_reason("^[A-Z_]{1,48}$");
  for (int r = 0; r <= static_cast<int>(Reason::kLockedInMismatch); ++r) {
    const std::string code(to_string(static_cast<Reason>(r)));
    EXPECT_TRUE(std::regex_match(code, schema_reason)) << code;
    EXPECT_NE(code, "UNKNOWN");
  }
}

}  // namespace
}  // namespace quorumclear::settlement
