#pragma once
// Merkle trees in the shape of RFC 6962 (Certificate Transparency): for n
// leaves the left subtree holds the largest power of two below n, so no leaf
// is ever duplicated to fill a level and a tree has one root per leaf list.
// Leaves are hashed by their owner with a domain tag and a 0x00 byte
// (merkle_leaf_hash), interior nodes as SHA-256(0x01 || left || right), so a
// leaf can never pass for a node, nor a leaf of one kind for another.
// Branches list the sibling hashes from the leaf up to the root.

#include "settlement/types.h"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace quorumclear::settlement {

/// Bounds a tree (and so a branch, at most 20 hashes) whatever a proof claims.
inline constexpr std::size_t kMerkleLeavesMax = std::size_t{1} << 20;
inline constexpr std::size_t kMerkleDepthMax = 20;

/// SHA-256(tag || 0x00 || leaf).
[[nodiscard]] Digest merkle_leaf_hash(std::string_view tag, ByteView leaf);

/// The root over `leaves` (leaf hashes). Precondition: 1..kMerkleLeavesMax leaves.
[[nodiscard]] Digest merkle_root(std::span<const Digest> leaves);

/// The root and every leaf's branch (sibling hashes from the leaf up), in
/// O(n log n) hashes. Precondition: 1..kMerkleLeavesMax leaves.
struct MerkleTree {
  Digest root{};
  std::vector<std::vector<Digest>> branches;  // by leaf index
};
[[nodiscard]] MerkleTree merkle_tree(std::span<const Digest> leaves);

/// The root that `leaf` at `index` of `count` leaves gives with `branch`,
/// or nullopt when the branch cannot belong to such a tree (wrong length,
/// index out of range, count beyond kMerkleLeavesMax): untrusted input.
[[nodiscard]] std::optional<Digest> merkle_root_from_branch(const Digest& leaf, std::size_t index, std::size_t count,
                                                            std::span<const Digest> branch);

}  // namespace quorumclear::settlement
