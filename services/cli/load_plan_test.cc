// The load generator's stream on its own: who takes part (and not, with a
// node down), the mix, and that every report is what the API accepts, or
// refuses by validation when it is meant to.
#include "services/cli/load_plan.h"

#include "services/api/report_json.h"
#include "settlement/test_support.h"
#include "settlement/validation.h"

#include <gtest/gtest.h>

#include <set>

namespace quorumclear::cli {
namespace {

settlement::Genesis genesis_with_venue() {
  settlement::Genesis g = settlement::testing::small_genesis();
  g.members[4].node.reset();  // the operator acts through every node; the venue runs node 4
  g.members.push_back({settlement::MemberId::of("V"), "Venue", settlement::Role::kTradingVenue, 4});
  for (const char* m : {"A", "B", "C"}) g.venue_members.push_back({settlement::MemberId::of("V"), settlement::MemberId::of(m)});
  return g;
}

TEST(LoadPlan, TakesClearingMembersWithANodeAndVenuesWithTheirMembers) {
  const settlement::Genesis g = genesis_with_venue();
  auto all = load_universe(g, "2026-11-25", std::nullopt);
  ASSERT_TRUE(std::holds_alternative<LoadUniverse>(all));
  const LoadUniverse& u = std::get<LoadUniverse>(all);
  ASSERT_EQ(u.clearing.size(), 4u);
  EXPECT_EQ(u.clearing[1].member, "B");
  EXPECT_EQ(u.clearing[1].node, 1);
  ASSERT_EQ(u.venues.size(), 1u);
  EXPECT_EQ(u.venues[0].members, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(u.instruments.size(), 2u);

  auto without_b = load_universe(g, "2026-11-25", std::uint16_t{1});
  const LoadUniverse& w = std::get<LoadUniverse>(without_b);
  for (const LoadParty& p : w.clearing) EXPECT_NE(p.member, "B");
  EXPECT_EQ(w.venues[0].members, (std::vector<std::string>{"A", "C"}));
  // The venue's node down: no venue trades at all.
  EXPECT_TRUE(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::uint16_t{4})).venues.empty());

  settlement::Genesis lonely = settlement::testing::small_genesis();
  lonely.members.resize(1);
  EXPECT_TRUE(std::holds_alternative<std::string>(load_universe(lonely, "2026-11-25", std::nullopt)));
}

TEST(LoadPlan, MixesTradesAsAskedAndEveryReportIsWhatTheApiTakesOrMustRefuse) {
  const settlement::Genesis g = genesis_with_venue();
  const settlement::ReferenceData ref = settlement::testing::load(g);
  LoadPlan plan(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::nullopt)), LoadMix{0.5, 0.02}, 7, "L1-");
  std::map<LoadKind, int> kinds;
  std::set<std::string> ids;
  constexpr int kTrades = 4'000;
  for (int k = 0; k < kTrades; ++k) {
    const LoadTrade t = plan.next();
    ++kinds[t.kind];
    EXPECT_EQ(t.trade_id, "L1-" + std::to_string(k));
    EXPECT_TRUE(ids.insert(t.trade_id).second);
    ASSERT_EQ(t.reports.size(), t.kind == LoadKind::kTwoSided ? 2u : 1u);
    for (const LoadReport& r : t.reports) {
      auto decoded = api::decode_single_body(r.json, settlement::MemberId::of(r.submitter));
      ASSERT_TRUE(std::holds_alternative<settlement::Trade>(decoded)) << r.json;
      const settlement::Trade& trade = std::get<settlement::Trade>(decoded);
      EXPECT_EQ(trade.trade_id.view(), t.trade_id);
      const settlement::TradeCheck check = settlement::validate_trade(trade, ref);
      if (t.kind == LoadKind::kInvalid) {
        EXPECT_EQ(check.reason, settlement::Reason::kPriceOutsideBand) << r.json;
      } else {
        EXPECT_TRUE(check.ok()) << settlement::to_string(check.reason) << ": " << r.json;
      }
      // Each report goes to its submitter's own node.
      const auto member = ref.find_member(settlement::MemberId::of(r.submitter));
      ASSERT_TRUE(member.has_value());
      EXPECT_EQ(ref.member(*member).node, r.node);
    }
    if (t.kind == LoadKind::kTwoSided) {
      EXPECT_EQ(t.reports[0].json, t.reports[1].json);  // both sides report the same trade
      EXPECT_NE(t.reports[0].submitter, t.reports[1].submitter);
    }
    if (t.kind == LoadKind::kVenue) {
      EXPECT_EQ(t.reports[0].submitter, "V");
    }
  }
  EXPECT_NEAR(kinds[LoadKind::kInvalid], 0.02 * kTrades, 40);
  EXPECT_NEAR(kinds[LoadKind::kVenue], 0.49 * kTrades, 150);
  EXPECT_NEAR(kinds[LoadKind::kTwoSided], 0.49 * kTrades, 150);

  // The same seed, the same stream.
  LoadPlan again(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::nullopt)), LoadMix{0.5, 0.02}, 7, "L1-");
  LoadPlan other(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::nullopt)), LoadMix{0.5, 0.02}, 8, "L1-");
  bool differs = false;
  for (int k = 0; k < 50; ++k) {
    const LoadTrade a = again.next(), b = other.next();
    differs = differs || a.reports.front().json != b.reports.front().json;
  }
  EXPECT_TRUE(differs);
  LoadPlan first(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::nullopt)), LoadMix{0.5, 0.02}, 7, "L1-");
  LoadPlan second(std::get<LoadUniverse>(load_universe(g, "2026-11-25", std::nullopt)), LoadMix{0.5, 0.02}, 7, "L1-");
  for (int k = 0; k < 50; ++k) EXPECT_EQ(first.next().reports.front().json, second.next().reports.front().json);
}

TEST(LoadPlan, PercentilesAreNearestRank) {
  std::vector<double> none;
  EXPECT_EQ(percentiles(none).count, 0u);
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  const LatencyPercentiles p = percentiles(v);
  EXPECT_EQ(p.count, 100u);
  EXPECT_EQ(p.p50, 50);
  EXPECT_EQ(p.p90, 90);
  EXPECT_EQ(p.p99, 99);
  EXPECT_EQ(p.max, 100);
}

}  // namespace
}  // namespace quorumclear::cli
