#pragma once
// Every report key (submitter, trade id) the ledger has decided, with its
// current version's content hash and status: what makes a resubmission an
// idempotent no-op, a reused id with different content a correction or a
// conflict, and what a counterparty's report pairs with. Beside it, an index
// of locked-in venue trades by match key (trade id, buyer, seller), so a
// bilateral report of a venue trade is found to be an affirmation of it.
//
// Trade ids are chosen by members, so the hash table is keyed with SipHash
// under a per-node secret (LedgerOptions::hash_key): a member cannot craft
// ids that collide and turn lookups linear. The key changes only the table
// layout, never an output, so nodes need not agree on it. Ids live in one
// arena, so a new trade costs no allocation of its own.

#include "settlement/types.h"
#include "settlement/validation.h"

#include <array>
#include <utility>
#include <string_view>
#include <vector>

namespace quorumclear::settlement {

/// Lifecycle of a report version (ledger.h, "Matching"). kReplaced appears
/// only in history: a record always holds its key's current version.
enum class TradeStatus : std::uint8_t {
  kConfirmed,   // matched, or a locked-in venue trade: booked
  kRejected,
  kAlleged,     // live: waiting for the counterparty's report
  kMismatched,  // live: paired with a counterparty report that differs
  kAffirmed,    // a bilateral report of a locked-in trade: books nothing
  kCancelled,   // withdrawn by its submitter before matching
  kExpired,     // still unmatched at its expiry cut-off
  kReplaced,    // superseded by a later version of the same key
};
/// trades.status, e.g. "UNMATCHED_EXPIRED".
[[nodiscard]] std::string_view to_string(TradeStatus status);
[[nodiscard]] constexpr bool is_live(TradeStatus s) {
  return s == TradeStatus::kAlleged || s == TradeStatus::kMismatched;
}

inline constexpr std::uint32_t kNotOpen = 0xffffffffu;

struct TradeRecord {
  Digest content_hash{};         // of the current version
  std::uint64_t epoch = 0;       // the current version was decided in
  std::uint32_t id_offset = 0;
  /// Its OpenReports slot while live; for a booked venue trade, its entry
  /// in the ledger's locked-in fields; else kNotOpen.
  std::uint32_t slot = kNotOpen;
  MemberIndex submitter;
  MemberIndex buyer;             // as reported; meaningful once it passed validation
  MemberIndex seller;
  std::uint8_t id_length = 0;
  std::uint8_t version = 1;
  bool locked_in = false;        // submitted by a trading venue
  TradeStatus status = TradeStatus::kConfirmed;
  Reason reason = Reason::kNone;
  BusinessDate business_date;    // after any roll
  BusinessDate settlement_date;  // after any roll  /// The other party of a bilateral report (the buyer of a venue's).
  [[nodiscard]] MemberIndex counterparty() const { return submitter == buyer ? seller : buyer; }
};

class TradeRegistry {
 public:
  explicit TradeRegistry(std::array<std::uint64_t, 2> hash_key);

  /// Where (submitter, id) is or would go; `record` is null when absent.
  struct Lookup {
    const TradeRecord* record = nullptr;
    std::uint64_t hash = 0;
    std::uint32_t index = 0;  // of `record`, when there is one
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
  /// Returns the new record's index.
  std::uint32_t insert(std::string_view id, TradeRecord record, Lookup absent);

  [[nodiscard]] std::size_t size() const { return records_.size(); }
  [[nodiscard]] const TradeRecord& record(std::size_t i) const { return records_[i]; }
  /// For status changes; the key fields (submitter, id) must not change.
  [[nodiscard]] TradeRecord& mutable_record(std::uint32_t i) { return records_[i]; }

  /// Content hashes of a key's superseded versions, oldest first (empty for
  /// a key with one version): a late copy of an old version is a no-op, not
  /// a correction that would undo the newer one.
  [[nodiscard]] const std::vector<Digest>& superseded(std::uint32_t index) const;
  void supersede(std::uint32_t index);

  /// The locked-in record with match key (id, buyer, seller), or kNotOpen.
  [[nodiscard]] std::uint32_t find_locked_in(MemberIndex buyer, MemberIndex seller,
                                             std::string_view id) const;
  /// Precondition: record `index` is a confirmed venue trade and its match
  /// key is not indexed yet.
  void index_locked_in(std::uint32_t index);
  [[nodiscard]] std::size_t locked_in_count() const { return locked_count_; }
  /// Per record, whether it is the one the locked-in index holds under its
  /// match key (one pass over that index, no probe per record).
  [[nodiscard]] std::vector<bool> locked_in_indexed() const;

  /// Bulk loading, for a snapshot's decode: records are appended unindexed,
  /// then each index is built in one pass that loads the slots it will
  /// probe ahead of time (one probe per record at memory latency would
  /// cost a million-trade restart more than a second). Precondition: the
  /// registry was empty and only append() has filled it. Both return false
  /// when two records share a key, and the registry is then unusable.
  std::uint32_t append(std::string_view id, TradeRecord record);
  [[nodiscard]] bool index_appended();
  /// `indices` are confirmed venue records, each to be its match key's.
  [[nodiscard]] bool index_locked_in_appended(const std::vector<std::uint32_t>& indices);
  [[nodiscard]] std::string_view id_of(const TradeRecord& record) const {
    return {ids_.data() + record.id_offset, record.id_length};
  }
  void reserve(std::size_t trades);

 private:
  [[nodiscard]] std::uint64_t hash(MemberIndex submitter, std::string_view id) const;
  [[nodiscard]] std::uint64_t match_hash(MemberIndex buyer, MemberIndex seller,
                                         std::string_view id) const;
  void grow();
  void grow_locked();

  friend class SnapshotCodec;  // snapshot.cc
  std::array<std::uint64_t, 2> key_;
  std::vector<TradeRecord> records_;
  std::vector<char> ids_;
  // 0 = empty; else (high 32 bits of the hash << 32) | (record index + 1).
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  // Same layout as slots_, keyed by match_hash; only venue trades.
  std::vector<std::uint64_t> locked_slots_;
  std::size_t locked_mask_ = 0;
  std::size_t locked_count_ = 0;
  std::size_t expected_ = 0;  // reserve()'s hint
  // Sorted by record index; few keys are ever corrected.
  std::vector<std::pair<std::uint32_t, std::vector<Digest>>> superseded_;
};

/// SipHash-1-3 of `bytes` under `key` (Aumasson & Bernstein).
[[nodiscard]] std::uint64_t siphash13(std::array<std::uint64_t, 2> key, ByteView bytes);

}  // namespace quorumclear::settlement
