#include "tests/integration/store_test_node.h"

#include "settlement/codec.h"
#include "settlement/digest.h"
#include "settlement/snapshot.h"
#include "settlement/test_support.h"

namespace quorumclear::testing {

using namespace quorumclear::settlement;

const Digest kTestNetwork = [] {
  Digest d{};
  d.fill(0x42);
  return d;
}();
const Isin kSecondIsin = settlement::testing::synthetic_isin(1);

Genesis store_test_genesis(Quantity holding) {
  const MemberId ops = MemberId::of("OPS");
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}};
  g.members = {{MemberId::of("A"), "Alpha Bank", Role::kClearingMember, 0},
               {MemberId::of("B"), "Beta Securities", Role::kClearingMember, 1},
               {MemberId::of("C"), "Gamma Clearing", Role::kClearingMember, 2},
               {MemberId::of("V"), "Venue MTF", Role::kTradingVenue, 3},
               {ops, "Network Operator", Role::kOperator, std::nullopt},
               {MemberId::of("REG"), "Regulator", Role::kRegulator, std::nullopt}};
  g.instruments = {{settlement::testing::kAcme, CurrencyCode::of("EUR"), 2, Price{100}, Price{100'000}, false},
                   {kSecondIsin, CurrencyCode::of("EUR"), 2, Price{100}, Price{100'000}, false}};
  for (const char* m : {"A", "B", "C"}) {
    for (const Isin& i : {settlement::testing::kAcme, kSecondIsin}) {
      g.securities.push_back({MemberId::of(m), i, holding});
    }
    g.cash.push_back({MemberId::of(m), CurrencyCode::of("EUR"), AmountMinor{1'000'000'000}});
    g.default_fund.push_back({MemberId::of(m), CurrencyCode::of("EUR"), AmountMinor{100'000}});
  }
  g.cash.push_back({kCcpAccountId, CurrencyCode::of("EUR"), AmountMinor{1'000'000}});
  g.venue_members = {{MemberId::of("V"), MemberId::of("A")}, {MemberId::of("V"), MemberId::of("B")}};
  g.first_business_date = settlement::testing::kWednesday;
  g.node_count = 4;
  g.default_limits = settlement::testing::kSmallLimits;
  return g;
}

Trade reported_trade(std::string_view id, std::string_view submitter, std::string_view buyer,
                     std::string_view seller, std::int64_t quantity, std::int64_t cents, BusinessDate date) {
  Trade t = settlement::testing::acme_trade(id, buyer, seller, quantity, cents, date);
  t.submitter = MemberId::of(submitter);
  return t;
}

Digest output_digest(std::uint64_t epoch, std::span<const EpochBatch> batches) {
  Sha256 h;
  h.update_u64(epoch);
  const auto u16 = [&](std::uint16_t v) {
    h.update_u8(static_cast<std::uint8_t>(v >> 8));
    h.update_u8(static_cast<std::uint8_t>(v));
  };
  u16(static_cast<std::uint16_t>(batches.size()));
  for (const EpochBatch& b : batches) {
    u16(b.proposer);
    const auto len = static_cast<std::uint32_t>(b.bytes.size());
    u16(static_cast<std::uint16_t>(len >> 16));
    u16(static_cast<std::uint16_t>(len));
    h.update(b.bytes);
  }
  return h.finish();
}

std::vector<EpochBatch> views(const Batches& batches) {
  std::vector<EpochBatch> out;
  for (const auto& [proposer, bytes] : batches) out.push_back(EpochBatch{proposer, bytes});
  return out;
}

store::ReceivedReport received(const Entry& entry) {
  store::ReceivedReport r;
  r.entry = encode_entry(entry);
  r.content_hash = entry_content_hash(r.entry);
  if (const Trade* t = std::get_if<Trade>(&entry)) {
    r.submitter = t->submitter.view();
    r.trade_id = t->trade_id.view();
  } else {
    const TradeCancel& c = std::get<TradeCancel>(entry);
    r.submitter = c.submitter.view();
    r.trade_id = c.trade_id.view();
    r.is_cancel = true;
  }
  return r;
}

StoreTestNode::StoreTestNode(const Genesis& genesis, const std::string& url, std::uint16_t self,
                             store::StoreOptions options)
    : ledger(settlement::testing::load(genesis)), store(url, std::move(options)) {
  store.migrate();
  store.init_network(ledger.reference(), kTestNetwork, self);
}

EpochResult StoreTestNode::apply(std::uint64_t epoch, const Batches& batches) {
  const std::vector<EpochBatch> v = views(batches);
  EpochResult r = ledger.apply(epoch, v);
  const Digest output = output_digest(epoch, v);
  const Digest after = store::audit_link(head, epoch, output, r.state_digest);
  // Odd epochs are checkpoints when asked: their tuple signs the snapshot.
  Digest snapshot{};
  if (checkpoints && epoch % 2 == 1) snapshot = settlement::snapshot_digest(settlement::encode_snapshot(ledger));
  store.apply_epoch(store::EpochToWrite{epoch, v, r, ledger.reference(), output, after, snapshot, {}});
  head = after;
  next = epoch + 1;
  outputs.push_back(output);
  return r;
}

}  // namespace quorumclear::testing
