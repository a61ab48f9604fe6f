// The registry's bulk loading (a snapshot's decode) builds the same indexes
// one insert at a time would, and refuses a repeated key in either.
#include "settlement/trade_registry.h"

#include <gtest/gtest.h>

#include <string>

namespace quorumclear::settlement {
namespace {

TradeRecord record_of(std::uint16_t submitter, std::uint16_t buyer, std::uint16_t seller, bool venue = false) {
  TradeRecord r;
  r.submitter = MemberIndex{submitter};
  r.buyer = MemberIndex{buyer};
  r.seller = MemberIndex{seller};
  r.locked_in = venue;
  r.status = TradeStatus::kConfirmed;
  return r;
}

TEST(TradeRegistryBulk, AppendedRecordsAreFoundAsInsertedOnesAre) {
  TradeRegistry bulk({1, 2});
  TradeRegistry one_by_one({3, 4});
  bulk.reserve(5'000);
  // Enough records that the table grows past its first size, ids that share prefixes.
  for (std::uint16_t i = 0; i < 5'000; ++i) {
    const std::string id = "T" + std::to_string(i / 3);
    const TradeRecord r = record_of(static_cast<std::uint16_t>(i % 3), 0, 1);
    bulk.append(id, r);
    one_by_one.insert(id, r, one_by_one.lookup(r.submitter, id));
  }
  ASSERT_TRUE(bulk.index_appended());
  for (std::uint16_t i = 0; i < 5'000; ++i) {
    const std::string id = "T" + std::to_string(i / 3);
    const TradeRegistry::Lookup found = bulk.lookup(MemberIndex{static_cast<std::uint16_t>(i % 3)}, id);
    ASSERT_NE(found.record, nullptr) << id;
    EXPECT_EQ(found.index, i);
    EXPECT_EQ(one_by_one.lookup(MemberIndex{static_cast<std::uint16_t>(i % 3)}, id).index, i);
  }
  EXPECT_EQ(bulk.find(MemberIndex{3}, "T1"), nullptr);
  EXPECT_EQ(bulk.find(MemberIndex{0}, "T99999"), nullptr);
  // And it goes on taking inserts.
  const TradeRecord later = record_of(0, 0, 1);
  const std::uint32_t at = bulk.insert("LATER", later, bulk.lookup(later.submitter, "LATER"));
  EXPECT_EQ(bulk.lookup(MemberIndex{0}, "LATER").index, at);
}

TEST(TradeRegistryBulk, ARepeatedKeyIsRefused) {
  TradeRegistry reg({1, 2});
  reg.append("T1", record_of(0, 0, 1));
  reg.append("T2", record_of(0, 0, 1));
  reg.append("T1", record_of(1, 0, 1));  // another submitter: another key
  reg.append("T2", record_of(0, 1, 0));
  EXPECT_FALSE(reg.index_appended());

  TradeRegistry distinct({1, 2});
  distinct.append("T1", record_of(0, 0, 1));
  distinct.append("T1", record_of(1, 0, 1));
  EXPECT_TRUE(distinct.index_appended());
}

TEST(TradeRegistryBulk, TheLockedInIndexHoldsOneRecordPerMatchKey) {
  TradeRegistry reg({1, 2});
  const std::uint32_t a = reg.append("V1", record_of(2, 0, 1, true));
  const std::uint32_t b = reg.append("V1", record_of(3, 1, 0, true));  // same id, other direction
  reg.append("V2", record_of(2, 0, 1, true));  // not indexed
  ASSERT_TRUE(reg.index_appended());
  ASSERT_TRUE(reg.index_locked_in_appended({a, b}));
  EXPECT_EQ(reg.locked_in_count(), 2u);
  EXPECT_EQ(reg.find_locked_in(MemberIndex{0}, MemberIndex{1}, "V1"), a);
  EXPECT_EQ(reg.find_locked_in(MemberIndex{1}, MemberIndex{0}, "V1"), b);
  EXPECT_EQ(reg.find_locked_in(MemberIndex{0}, MemberIndex{1}, "V2"), kNotOpen);
  const std::vector<bool> indexed = reg.locked_in_indexed();
  EXPECT_EQ(indexed, (std::vector<bool>{true, true, false}));

  TradeRegistry twice({1, 2});
  const std::uint32_t x = twice.append("V1", record_of(2, 0, 1, true));
  const std::uint32_t y = twice.append("V1", record_of(3, 0, 1, true));  // same match key
  ASSERT_TRUE(twice.index_appended());
  EXPECT_FALSE(twice.index_locked_in_appended({x, y}));
}

}  // namespace
}  // namespace quorumclear::settlement
