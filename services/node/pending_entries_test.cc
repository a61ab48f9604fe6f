// Proves the pool of acknowledged entries: each is proposed until an outcome
// names it, in arrival order, re-proposed only after the last epoch that
// could carry its batch, and never twice at once.

#include "services/node/pending_entries.h"

#include "settlement/codec.h"

#include <gtest/gtest.h>

namespace quorumclear::node {
namespace {

ReceivedEntry entry(int id, std::uint8_t fill = 1) {
  ReceivedEntry e{"A", "T" + std::to_string(id), {}, settlement::Bytes(10, fill)};
  e.content_hash.fill(static_cast<std::uint8_t>(id));
  return e;
}

TEST(PendingEntries, ProposedInOrderUntilDecidedAndReproposedAfterTheLastCarrier) {
  PendingEntries pool;
  for (int id = 0; id < 5; ++id) EXPECT_TRUE(pool.add(entry(id)));
  EXPECT_FALSE(pool.add(entry(2))) << "already pending";
  std::vector<const settlement::Bytes*> out;
  EXPECT_EQ(pool.take(3, 1'000, 7, out), 3u);
  EXPECT_EQ(pool.ready(), 2u);
  EXPECT_EQ(pool.in_flight(), 3u);
  pool.output(6);
  EXPECT_EQ(pool.ready(), 2u) << "epoch 7 may still carry them";
  EXPECT_TRUE(pool.decided("A", "T1", entry(1).content_hash));
  EXPECT_FALSE(pool.decided("A", "T1", entry(1).content_hash));
  pool.output(7);
  EXPECT_EQ(pool.ready(), 4u) << "T0 and T2 missed their last carrier";
  EXPECT_EQ(pool.size(), 4u);
  out.clear();
  EXPECT_EQ(pool.take(10, 25, 9, out), 2u) << "bounded by bytes";
  for (int id : {0, 2, 3, 4}) pool.decided("A", "T" + std::to_string(id), entry(id).content_hash);
  EXPECT_EQ(pool.size(), 0u);
  pool.output(100);
}

TEST(PendingEntries, AssembledBatchDecodesToTheEntries) {
  settlement::Trade t = settlement::Trade{};
  t.trade_id = settlement::TradeId::of("X1");
  t.submitter = settlement::MemberId::of("A");
  const settlement::Bytes entry_bytes = settlement::encode_entry(t);
  const settlement::Bytes batch = assemble_batch({&entry_bytes, &entry_bytes});
  const settlement::DecodedBatch decoded = settlement::decode_batch(batch);
  ASSERT_EQ(decoded.error, settlement::DecodeError::kNone);
  ASSERT_EQ(decoded.batch.entries.size(), 2u);
  EXPECT_EQ(std::get<settlement::Trade>(decoded.batch.entries[1]), t);
  EXPECT_EQ(settlement::decode_batch(assemble_batch({})).batch.entries.size(), 0u);
}

}  // namespace
}  // namespace quorumclear::node
