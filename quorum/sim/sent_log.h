#pragma once
// What one honest node has said, kept by the simulator to prove it never
// contradicts itself, across crashes and restarts included: at most one RBC
// VAL root per epoch, one ECHO and one READY root per RBC instance, one AUX
// and one CONF per ABA round, one coin share per round and one TERM per ABA
// instance. (BVAL is not in the list: an honest node may legitimately send
// both values in a round, relaying f + 1 others.)

#include "quorum/message.h"

#include <map>
#include <optional>
#include <string>

namespace quorumclear::quorum::sim {

class SentLog {
 public:
  /// Records a message this node sent. Returns what it contradicts, if it
  /// says something else than an earlier message with the same key.
  [[nodiscard]] std::optional<std::string> record(const Message& message);
  [[nodiscard]] std::size_t size() const { return said_.size(); }

 private:
  struct Key {
    std::uint64_t epoch = 0;
    std::uint16_t proposer = 0;
    std::uint8_t type = 0;  // Payload::index()
    std::uint32_t round = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  std::map<Key, Digest> said_;
};

}  // namespace quorumclear::quorum::sim
