#pragma once
// The state of one catch-up session (core_catch_up.cc), private to the core.

#include "services/node/core.h"

namespace quorumclear::node {

struct NodeCore::CatchUp {
  std::uint64_t target = 0;           // the last epoch this session fetches
  std::optional<quorum::NodeId> peer;
  std::uint64_t last_heard_ms = 0;
  std::uint64_t asked_through = 0;     // the last epoch of the current request
  std::vector<bool> refused;           // peers refused in this session
  std::optional<CatchUpEpochHead> head;
  std::vector<quorum::DecidedBatch> batches;
};

/// Taking a peer's newest checkpoint (core_snapshot_fetch.cc), one peer at a time.
struct NodeCore::CheckpointFetch {
  std::optional<quorum::NodeId> peer;
  std::vector<bool> refused;           // peers refused or without a checkpoint
  std::uint32_t rounds = 0;            // over all peers, begun again
  bool timed_out = false;              // a peer of this round did not answer
  std::uint64_t last_heard_ms = 0;
  // From the peer's first chunk: the checkpoint it serves and its size.
  std::optional<std::uint64_t> epoch;
  std::uint64_t total_bytes = 0;
  std::uint32_t chunks = 0;
  std::uint32_t received = 0;          // chunks appended to `bytes`, in order
  std::uint32_t requested = 0;         // chunks asked for
  settlement::Bytes bytes;
  // The checkpoint epoch as catch-up serves it; verified once complete.
  std::optional<CatchUpEpochHead> head;
  std::vector<quorum::DecidedBatch> batches;
  bool epoch_verified = false;
};

/// Fetching the block of epochs just below the history floor from one peer.
struct NodeCore::HistoryFetch {
  std::optional<quorum::NodeId> peer;
  std::vector<bool> refused;
  std::uint64_t last_heard_ms = 0;
  std::uint64_t from = 0;                   // the block is [from, floor)
  std::optional<CatchUpEpochHead> head;     // of the epoch being received
  std::vector<quorum::DecidedBatch> batches;
  std::vector<HistoryEpoch> epochs;         // received and checked, ascending
};

}  // namespace quorumclear::node
