#pragma once
// SHA-256 Merkle tree over the n stripes of an RBC value (HoneyBadgerBFT
// section 4.4): the root names the value, and a branch proves that stripe i
// belongs to it without sending the other stripes.
//
// Leaves and inner nodes are domain-separated so a leaf can never be passed
// off as an inner node (second-preimage attack on unprefixed trees):
//   leaf(i)     = SHA-256(0x00 || stripe_i)
//   inner(l, r) = SHA-256(0x01 || l || r)
//   padding     = SHA-256(0x02)
// The leaf level is padded with `padding` up to the next power of two, so
// every branch of a tree over n leaves has exactly merkle_depth(n) siblings.

#include "quorum/types.h"

#include <cstddef>
#include <span>
#include <vector>

namespace quorumclear::quorum {

/// ceil(log2(n)) for n >= 1: the exact branch length for a tree of n leaves.
[[nodiscard]] std::size_t merkle_depth(std::size_t leaf_count);

/// SHA-256(0x00 || leaf).
[[nodiscard]] Digest merkle_leaf_hash(ByteView leaf);

/// SHA-256(0x01 || left || right).
[[nodiscard]] Digest merkle_inner_hash(const Digest& left, const Digest& right);

/// SHA-256(0x02): fills the leaf level up to a power of two.
[[nodiscard]] const Digest& merkle_padding_hash();

/// Root of the tree whose leaf hashes are given, without keeping the tree:
/// lets a caller that already holds some leaf hashes skip rehashing them.
/// Precondition: 1 <= leaf_hashes.size() <= kNodesMax.
[[nodiscard]] Digest merkle_root_from_leaf_hashes(std::span<const Digest> leaf_hashes);

/// A complete tree, kept so branches can be handed out per leaf.
class MerkleTree {
 public:
  /// Precondition: 1 <= leaves.size() <= kNodesMax. Hashes every leaf once.
  explicit MerkleTree(std::span<const ByteView> leaves);

  [[nodiscard]] const Digest& root() const { return nodes_[1]; }
  [[nodiscard]] std::size_t leaf_count() const { return leaf_count_; }
  /// The hash of leaf `index`, as computed when the tree was built.
  /// Precondition: index < leaf_count().
  [[nodiscard]] const Digest& leaf_hash(std::size_t index) const;
  /// Sibling hashes from leaf `index` up to (not including) the root.
  /// Precondition: index < leaf_count().
  [[nodiscard]] std::vector<Digest> branch(std::size_t index) const;

 private:
  std::size_t leaf_count_;
  std::size_t width_;           // leaf_count_ rounded up to a power of two
  std::vector<Digest> nodes_;   // heap order: nodes_[1] is the root, leaves at width_..

  friend class MerkleInnerMemo;
};

/// True iff `leaf` is leaf `index` of a tree of `leaf_count` leaves with
/// root `root`, as witnessed by `branch`. Any input may come from a peer:
/// a wrong index, count or branch length is a plain false, never a crash.
[[nodiscard]] bool merkle_verify(const Digest& root, std::size_t index, std::size_t leaf_count,
                                 ByteView leaf, std::span<const Digest> branch);

/// As merkle_verify, for a leaf whose hash is already known.
[[nodiscard]] bool merkle_verify_hash(const Digest& root, std::size_t index,
                                      std::size_t leaf_count, const Digest& leaf_hash,
                                      std::span<const Digest> branch);

/// A memo of inner hashes for many verifications over trees of one shape
/// (the n ECHOs of one RBC): per inner-node position it keeps the last
/// (left, right) pair hashed there and the result. Verifying a branch whose
/// lower part another branch already covered then costs compares, not
/// hashes. It memoizes the pure function merkle_inner_hash, so every answer
/// is bit-for-bit the one the memo-free functions give, whatever the input.
class MerkleInnerMemo {
 public:
  /// Precondition: 1 <= leaf_count <= kNodesMax.
  explicit MerkleInnerMemo(std::size_t leaf_count);

  /// Same result as merkle_verify_hash(root, index, leaf_count, leaf_hash, branch).
  [[nodiscard]] bool verify_hash(const Digest& root, std::size_t index, const Digest& leaf_hash,
                                 std::span<const Digest> branch);
  /// Same result as merkle_root_from_leaf_hashes(leaf_hashes).
  /// Precondition: leaf_hashes.size() == leaf_count.
  [[nodiscard]] Digest root_from_leaf_hashes(std::span<const Digest> leaf_hashes);
  /// Records every inner node of `tree` (a proposer's own tree), so that
  /// branches of it are verified without hashing.
  /// Precondition: tree.leaf_count() == leaf_count.
  void remember(const MerkleTree& tree);

  /// Bytes held; fixed by the leaf count.
  [[nodiscard]] std::size_t held_bytes() const { return entries_.size() * sizeof(Entry); }

 private:
  struct Entry {
    Digest left{};
    Digest right{};
    Digest hash{};
    bool set = false;
  };
  /// merkle_inner_hash(left, right) for the node at heap position `position`.
  const Digest& inner(std::size_t position, const Digest& left, const Digest& right);

  std::size_t leaf_count_;
  std::size_t width_;
  std::vector<Entry> entries_;  // heap order, [1, width_); [0] unused
};

}  // namespace quorumclear::quorum
