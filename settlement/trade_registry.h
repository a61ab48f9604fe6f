#pragma once
// Every trade key (submitter, trade id) the ledger has decided, with its
// content hash and status: what makes a resubmission an idempotent no-op and
// a reused id with different content a conflict.
//
// Trade ids are chosen by members, so the hash table is keyed with SipHash
// under a per-node secret (LedgerOptions::hash_key): a member cannot craft
// ids that collide and turn lookups linear. The key changes only the table
// layout, never an output, so nodes need not agree on it. Ids live in one
// arena, so a new trade costs no allocation of its own.

#include "settlement/types.h"
#include "settlement/validation.h"

#include <array>
#include <string_view>
#include <vector>

namespace quorumclear::settlement {

enum class TradeStatus : std::uint8_t { kConfirmed, kRejected };

struct TradeRecord {
  Digest content_hash{};
  std::uint64_t epoch = 0;
  std::uint32_t id_offset = 0;
  MemberIndex submitter;
  std::uint8_t id_length = 0;
  TradeStatus status = TradeStatus::kConfirmed;
  Reason reason = Reason::kNone;
  BusinessDate business_date;    // after any roll
  BusinessDate settlement_date;  // after any roll
};

class TradeRegistry {
 public:
  explicit TradeRegistry(std::array<std::uint64_t, 2> hash_key);

  /// Where (submitter, id) is or would go; `record` is null when absent.
  struct Lookup {
    const TradeRecord* record = nullptr;
    std::uint64_t hash = 0;
  };
  [[nodiscard]] Lookup lookup(MemberIndex submitter, std::string_view id) const;
  /// Starts loading the slot a later lookup(submitter, id) will probe first:
  /// with a million trades the table is far bigger than the caches.
  void prefetch(MemberIndex submitter, std::string_view id) const {
    __builtin_prefetch(&slots_[hash(submitter, id) & mask_]);
  }
  /// The record for (submitter, id), or nullptr.
  [[nodiscard]] const TradeRecord* find(MemberIndex submitter, std::string_view id) const {
    return lookup(submitter, id).record;
  }
  /// Precondition: `absent` is lookup(record.submitter, id) with no record,
  /// and nothing was inserted since (its hash is reused, not recomputed).
  void insert(std::string_view id, TradeRecord record, Lookup absent);

  [[nodiscard]] std::size_t size() const { return records_.size(); }
  [[nodiscard]] const TradeRecord& record(std::size_t i) const { return records_[i]; }
  [[nodiscard]] std::string_view id_of(const TradeRecord& record) const {
    return {ids_.data() + record.id_offset, record.id_length};
  }
  void reserve(std::size_t trades);

 private:
  [[nodiscard]] std::uint64_t hash(MemberIndex submitter, std::string_view id) const;
  void grow();

  std::array<std::uint64_t, 2> key_;
  std::vector<TradeRecord> records_;
  std::vector<char> ids_;
  // 0 = empty; else (high 32 bits of the hash << 32) | (record index + 1).
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
};

/// SipHash-1-3 of `bytes` under `key` (Aumasson & Bernstein).
[[nodiscard]] std::uint64_t siphash13(std::array<std::uint64_t, 2> key, ByteView bytes);

}  // namespace quorumclear::settlement
