// Measures, over seeded random books, the share of obligations that settle
// when one random member defaults (no cash, no securities), with and without
// a default fund, and proves that the fund only ever raises it. Prints the
// figures settlement/README.md quotes:
//   build/ci/settlement/settlement_test --gtest_filter='DefaultShare*'
#include "settlement/ledger.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

namespace quorumclear::settlement {
namespace {

constexpr std::size_t kMembers = 10;
constexpr std::size_t kInstruments = 8;
constexpr int kTrades = 300;
constexpr int kSeeds = 50;

std::string member(std::size_t i) { return "M" + std::to_string(i); }

struct Book {
  std::vector<Trade> trades;
  std::size_t defaulter = 0;
  std::int64_t largest_debit = 0;  // the largest member's net cash debit (Cover 1)
};

Book random_book(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Book book;
  std::vector<std::int64_t> net(kMembers, 0);
  for (int k = 0; k < kTrades; ++k) {
    const std::size_t buyer = rng() % kMembers;
    const std::size_t seller = (buyer + 1 + rng() % (kMembers - 1)) % kMembers;
    Trade t = testing::acme_trade("t" + std::to_string(k), member(buyer), member(seller),
                                  static_cast<std::int64_t>(1 + rng() % 100),
                                  static_cast<std::int64_t>(900 + rng() % 201),
                                  testing::kWednesday);
    t.isin = testing::synthetic_isin(rng() % kInstruments);
    net[buyer] -= t.quantity.units * t.price.units;
    net[seller] += t.quantity.units * t.price.units;
    book.trades.push_back(t);
  }
  book.defaulter = rng() % kMembers;
  for (std::int64_t n : net) book.largest_debit = std::max(book.largest_debit, -n);
  return book;
}

Genesis genesis_for(const Book& book, bool fund) {
  Genesis g = testing::nodeless_members_genesis(kMembers, member);
  for (std::size_t i = 0; i < kInstruments; ++i) {
    g.instruments.push_back({testing::synthetic_isin(i), CurrencyCode::of("EUR"), 2, Price{100},
                             Price{100'000}, false});
  }
  for (std::size_t m = 0; m < kMembers; ++m) {
    if (m == book.defaulter) continue;  // holds nothing: it can neither pay nor deliver
    for (std::size_t i = 0; i < kInstruments; ++i) {
      g.securities.push_back({MemberId::of(member(m)), testing::synthetic_isin(i), Quantity{100'000}});
    }
    g.cash.push_back({MemberId::of(member(m)), CurrencyCode::of("EUR"), AmountMinor{1'000'000'000}});
  }
  if (fund) {
    // The README's sizing rule: Cover 1, split equally, rounded up.
    const auto members = static_cast<std::int64_t>(kMembers);
    const std::int64_t share = (book.largest_debit + members - 1) / members;
    for (std::size_t m = 0; m < kMembers; ++m) {
      g.default_fund.push_back({MemberId::of(member(m)), CurrencyCode::of("EUR"), AmountMinor{share}});
    }
  }
  g.first_business_date = testing::kWednesday;
  return g;
}

struct Share {
  std::size_t settled = 0;
  std::size_t total = 0;
  std::size_t others_settled = 0;  // obligations of members other than the defaulter
  std::size_t others = 0;
};

Share settle(const Book& book, bool fund) {
  Ledger ledger(testing::load(genesis_for(book, fund)), LedgerOptions{{1, 2}, true, 0});
  // Both sides report every trade (the members run no node, so one batch carries all).
  (void)testing::apply_epoch(ledger, 0, {{0, testing::batch_of(testing::both_sides(book.trades))}});
  EXPECT_EQ(ledger.matching_stats().matched, book.trades.size());
  // n = 4 (the smallest network): the cut-off takes effect at its f+1 = 2nd proposer.
  const Bytes cut_off = testing::batch_of({CutOff{MemberId::of("OPS"), testing::kWednesday}});
  const EpochResult r = testing::apply_epoch(ledger, 1, {{0, cut_off}, {1, cut_off}});
  Share share;
  for (const Obligation& o : r.reports.at(0).obligations) {
    share.total += 1;
    share.settled += o.status == ObligationStatus::kSettled ? 1 : 0;
    if (o.member.value == book.defaulter) continue;
    share.others += 1;
    share.others_settled += o.status == ObligationStatus::kSettled ? 1 : 0;
  }
  return share;
}

TEST(DefaultShare, OneRandomDefaulterWithAndWithoutTheFund) {
  Share without, with;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const Book book = random_book(static_cast<std::uint64_t>(seed));
    const Share a = settle(book, false);
    const Share b = settle(book, true);
    EXPECT_EQ(a.total, b.total);
    EXPECT_GE(b.settled, a.settled) << "seed " << seed;  // the fund never hurts
    for (auto [sum, one] : {std::pair{&without, &a}, std::pair{&with, &b}}) {
      sum->settled += one->settled;
      sum->total += one->total;
      sum->others_settled += one->others_settled;
      sum->others += one->others;
    }
  }
  const auto pct = [](std::size_t part, std::size_t whole) {
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  };
  std::printf("one random defaulter of %zu, %d seeds x %d trades: %zu obligations settled "
              "without fund %.1f%% (others' %.1f%%), with fund %.1f%% (others' %.1f%%)\n",
              kMembers, kSeeds, kTrades, without.total, pct(without.settled, without.total),
              pct(without.others_settled, without.others), pct(with.settled, with.total),
              pct(with.others_settled, with.others));
  EXPECT_GT(with.settled, without.settled);
}

}  // namespace
}  // namespace quorumclear::settlement
