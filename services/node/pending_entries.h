#pragma once
// The reports and cancels this node acknowledged (durable as RECEIVED) and
// has not yet seen decided: what it must keep proposing until the agreed
// order carries them. Owned by the core thread.
//
// An entry leaves the pool only when an applied epoch shows an outcome for
// it (whatever the outcome). A proposed entry is "in flight" until the last
// epoch that could carry its batch has been output: the engine takes queued
// batches in order, one per epoch, so a batch queued behind k others while
// epoch c is current is carried by epoch c + k at the latest. An entry still
// here after that epoch missed the output and is proposed again
// (QUORUM_PROTOCOL.md, epoch step 5). Proposing an entry twice is harmless:
// the ledger answers a repeat DUPLICATE and changes nothing.

#include "settlement/types.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace quorumclear::node {

/// A report or cancel as acknowledged: its canonical entry bytes (kind byte
/// first) and the identity its ledger outcome will carry.
struct ReceivedEntry {
  std::string submitter;
  std::string trade_id;
  settlement::Digest content_hash{};  // as the ledger computes it (TradeOutcome::content_hash)
  settlement::Bytes entry;
};

class PendingEntries {
 public:
  /// Whether `e` was new (an entry already pending is not added twice).
  bool add(ReceivedEntry e);
  /// Removes the entry an applied outcome names; false if it was not here.
  bool decided(std::string_view submitter, std::string_view trade_id,
               const settlement::Digest& content_hash);
  /// Takes ready entries, oldest first, while they fit `entries_max` and
  /// `bytes_max` (their entry bytes), marking them in flight until epoch
  /// `last_carrier`. Appends their bytes to `out`; returns how many.
  std::size_t take(std::size_t entries_max, std::size_t bytes_max, std::uint64_t last_carrier,
                   std::vector<const settlement::Bytes*>& out);
  /// Epoch `epoch` was output: entries whose last carrier it was are ready again.
  void output(std::uint64_t epoch);

  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] std::size_t ready() const { return ready_.size(); }
  [[nodiscard]] std::size_t in_flight() const { return items_.size() - ready_.size(); }

 private:
  struct Item {
    std::uint64_t sequence = 0;  // arrival order, kept when re-proposed
    std::uint64_t last_carrier = 0;
    bool in_flight = false;
    settlement::Bytes entry;
  };
  static std::string key_of(std::string_view submitter, std::string_view trade_id,
                            const settlement::Digest& hash);

  std::uint64_t next_sequence_ = 0;
  std::unordered_map<std::string, Item> items_;
  std::map<std::uint64_t, std::string> ready_;               // by arrival
  std::multimap<std::uint64_t, std::string> flight_;         // by last carrier
};

/// A settlement batch (codec.h: version, count, entries) from entry bytes
/// that are each already canonical, so nothing is re-encoded.
[[nodiscard]] settlement::Bytes assemble_batch(const std::vector<const settlement::Bytes*>& entries);

}  // namespace quorumclear::node
