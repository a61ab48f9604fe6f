#pragma once
// What the node-store and read-store tests share: a four-node network
// (members A, B, C on nodes 0..2, the venue V on node 3 for A and B, an
// operator and a regulator; n = 4, f = 1; submitters bound to their
// nodes), a node that applies decided epochs to a real ledger and writes
// each with NodeStore the way the core loop does, and the received-report
// row the API writes for an entry.

#include "services/store/node_store.h"
#include "settlement/ledger.h"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace quorumclear::testing {

/// An epoch as (proposer, batch bytes) pairs.
using Batches = std::vector<std::pair<std::uint16_t, settlement::Bytes>>;

extern const settlement::Digest kTestNetwork;
extern const settlement::Isin kSecondIsin;  // beside settlement::testing::kAcme

/// The network's genesis on Wednesday; each member holds `holding` of both
/// instruments and EUR 10,000,000.00.
[[nodiscard]] settlement::Genesis store_test_genesis(settlement::Quantity holding);

/// settlement::testing::acme_trade reported by `submitter`.
[[nodiscard]] settlement::Trade reported_trade(std::string_view id, std::string_view submitter,
                                               std::string_view buyer, std::string_view seller,
                                               std::int64_t quantity, std::int64_t cents,
                                               settlement::BusinessDate date);

/// The output digest as the node computes it, derived here independently:
/// u64be(epoch) || u16be(count) || per batch u16be(proposer) || u32be(len) || bytes.
[[nodiscard]] settlement::Digest output_digest(std::uint64_t epoch, std::span<const settlement::EpochBatch> batches);

[[nodiscard]] std::vector<settlement::EpochBatch> views(const Batches& batches);

/// The received-report row of an entry as the API writes it.
[[nodiscard]] store::ReceivedReport received(const settlement::Entry& entry);

/// A node as the core loop drives it: the ledger applies a decided epoch,
/// the store writes it, the audit head moves on.
struct StoreTestNode {
  StoreTestNode(const settlement::Genesis& genesis, const std::string& url, std::uint16_t self,
                store::StoreOptions options = {});
  settlement::EpochResult apply(std::uint64_t epoch, const Batches& batches);
  /// The epoch after the last one applied.
  settlement::EpochResult apply(const Batches& batches) { return apply(next, batches); }

  settlement::Ledger ledger;
  store::NodeStore store;
  settlement::Digest head{};
  std::uint64_t next = 0;
  std::vector<settlement::Digest> outputs;  // by epoch applied, in order
  /// Odd epochs are written as checkpoints, with their snapshot's digest.
  bool checkpoints = false;
};

}  // namespace quorumclear::testing
