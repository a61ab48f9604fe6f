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

}  // namespace quorumclear::node
