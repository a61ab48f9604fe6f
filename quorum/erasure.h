#pragma once
// Reed-Solomon erasure coding of an RBC value into n stripes, any
// k = n - 2f of which reconstruct it (HoneyBadgerBFT section 4.4).
//
// Layout: the value is framed as u64 big-endian true length || value, then
// zero-padded to the smallest multiple of k; stripe i < k is the i-th
// slice of that frame (the code is systematic), stripes k .. n-1 are parity
// from a Cauchy matrix, so EVERY k x k sub-matrix is invertible and any k
// stripes decode (gf_gen_rs_matrix guarantees that only for small n; see
// QUORUM_PROTOCOL.md, implementation notes).
//
// A coder is not thread-safe (it caches decode tables); the engine is
// single-threaded, one coder per RBC instance.

#include "quorum/types.h"

#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace quorumclear::quorum {

/// Bytes of the length field that frames every encoded value.
inline constexpr std::size_t kErasureFrameHeaderBytes = 8;

/// Stripe size of a value of `value_bytes` under k data stripes.
[[nodiscard]] std::size_t erasure_stripe_bytes(std::size_t value_bytes, std::size_t data_stripes);
/// Smallest and largest stripe an honest proposer can produce for this
/// membership (values of 0 .. kBatchBytesMax bytes).
[[nodiscard]] std::size_t erasure_min_stripe_bytes(const Membership& members);
[[nodiscard]] std::size_t erasure_max_stripe_bytes(const Membership& members);

/// All n stripes of one value in one buffer, stripe i at [i*S, (i+1)*S).
class EncodedValue {
 public:
  /// All stripes zero.
  EncodedValue(std::size_t stripe_count, std::size_t stripe_bytes)
      : stripe_count_(stripe_count), stripe_bytes_(stripe_bytes), buffer_(stripe_count * stripe_bytes, 0) {}
  [[nodiscard]] std::size_t stripe_count() const { return stripe_count_; }
  [[nodiscard]] std::size_t stripe_bytes() const { return stripe_bytes_; }
  [[nodiscard]] ByteView stripe(std::size_t i) const;
  [[nodiscard]] std::span<std::uint8_t> mutable_stripe(std::size_t i);
  /// Views of every stripe, in index order (e.g. to build the Merkle tree).
  [[nodiscard]] std::vector<ByteView> stripes() const;

 private:
  /// Leaves bytes uninitialised when sized, so encode() need not zero a
  /// buffer it overwrites in full.
  template <class T>
  struct DefaultInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = DefaultInitAllocator<U>;
    };
    template <class U>
    void construct(U* p) {
      ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  };
  struct Uninitialised {};
  EncodedValue(std::size_t stripe_count, std::size_t stripe_bytes, Uninitialised)
      : stripe_count_(stripe_count), stripe_bytes_(stripe_bytes), buffer_(stripe_count * stripe_bytes) {}
  friend class ErasureCoder;

  std::size_t stripe_count_;
  std::size_t stripe_bytes_;
  std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>> buffer_;
};

/// One received stripe: its index (the node it belongs to) and its bytes.
struct IndexedStripe {
  std::size_t index = 0;
  ByteView bytes;
};

class ErasureCoder {
 public:
  explicit ErasureCoder(const Membership& members);

  [[nodiscard]] std::size_t total_stripes() const { return n_; }
  [[nodiscard]] std::size_t data_stripes() const { return k_; }

  /// Precondition: value.size() <= kBatchBytesMax.
  [[nodiscard]] EncodedValue encode(ByteView value) const;

  /// A genuine codeword whose k data stripes are `frame` zero-padded to
  /// k * stripe_bytes, whatever the frame says: any length header, any
  /// padding. For tests and the simulator's Byzantine proposers, which must
  /// build the codewords a faulty node could send (an over-long frame, a
  /// non-canonical one); decode() then decides whether it is a value.
  /// Precondition: 1 <= stripe_bytes, frame.size() <= k * stripe_bytes.
  [[nodiscard]] EncodedValue encode_any_frame(ByteView frame, std::size_t stripe_bytes) const;

  /// Reconstructs the value from any k stripes with distinct indices (extra
  /// stripes are ignored). Stripes may come from peers: returns nullopt,
  /// never crashes, when there are fewer than k distinct valid indices,
  /// sizes differ or are out of range, or the frame is not canonical
  /// (length beyond the stripes or beyond kBatchBytesMax, padding not
  /// minimal or not zero): every value it returns, encode() accepts. Does NOT check
  /// that parity is consistent; the RBC re-encodes for that.
  [[nodiscard]] std::optional<Bytes> decode(std::span<const IndexedStripe> stripes);

 private:
  struct DecodePlan {
    std::vector<std::size_t> sources;        // k chosen stripe indices, ascending
    std::vector<std::size_t> missing_data;   // data indices < k not among sources
    std::vector<std::uint8_t> tables;        // ec_init_tables for missing_data rows
  };

  /// Computes stripes k .. n-1 from the data stripes 0 .. k-1 of `out`.
  void fill_parity(EncodedValue& out) const;
  const DecodePlan& plan_for(const std::vector<std::size_t>& sources);
  [[nodiscard]] std::optional<Bytes> unframe(const std::vector<ByteView>& data, std::size_t stripe_bytes) const;

  std::size_t n_;
  std::size_t k_;
  std::vector<std::uint8_t> matrix_;         // n x k, top k rows identity
  std::vector<std::uint8_t> encode_tables_;  // parity rows, for ec_encode_data
  std::vector<DecodePlan> plan_cache_;       // a few recently used subsets
  std::size_t plan_cache_next_ = 0;
};

}  // namespace quorumclear::quorum
