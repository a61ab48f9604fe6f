#include "settlement/merkle.h"

#include "settlement/digest.h"

#include <bit>
#include <cassert>

namespace quorumclear::settlement {
namespace {

Digest node_hash(const Digest& left, const Digest& right) {
  Sha256 h;
  h.update_u8(0x01);
  h.update(ByteView(left.data(), left.size()));
  h.update(ByteView(right.data(), right.size()));
  return h.finish();
}

// The size of the left subtree of n > 1 leaves: the largest power of two below n.
std::size_t left_size(std::size_t n) { return std::bit_floor(n - 1); }

// Fills branches[0..leaves.size()) (deepest sibling first) and returns the root.
Digest build(std::span<const Digest> leaves, std::span<std::vector<Digest>> branches) {
  if (leaves.size() == 1) return leaves.front();
  const std::size_t k = left_size(leaves.size());
  const Digest left = build(leaves.first(k), branches.first(k));
  const Digest right = build(leaves.subspan(k), branches.subspan(k));
  for (std::vector<Digest>& b : branches.first(k)) b.push_back(right);
  for (std::vector<Digest>& b : branches.subspan(k)) b.push_back(left);
  return node_hash(left, right);
}

}  // namespace

Digest merkle_leaf_hash(std::string_view tag, ByteView leaf) {
  Sha256 h;
  h.update(tag);
  h.update_u8(0x00);
  h.update(leaf);
  return h.finish();
}

Digest merkle_root(std::span<const Digest> leaves) {
  assert(!leaves.empty() && leaves.size() <= kMerkleLeavesMax);
  if (leaves.size() == 1) return leaves.front();
  const std::size_t k = left_size(leaves.size());
  return node_hash(merkle_root(leaves.first(k)), merkle_root(leaves.subspan(k)));
}

MerkleTree merkle_tree(std::span<const Digest> leaves) {
  assert(!leaves.empty() && leaves.size() <= kMerkleLeavesMax);
  MerkleTree tree;
  tree.branches.resize(leaves.size());
  tree.root = build(leaves, tree.branches);
  return tree;
}

std::optional<Digest> merkle_root_from_branch(const Digest& leaf, std::size_t index, std::size_t count,
                                              std::span<const Digest> branch) {
  if (count == 0 || count > kMerkleLeavesMax || index >= count || branch.size() > kMerkleDepthMax) {
    return std::nullopt;
  }
  // RFC 9162 section 2.1.3.2: walk up with the leaf's index and the last
  // index; a right-edge node without a sibling at a level rises unchanged.
  std::size_t fn = index;
  std::size_t sn = count - 1;
  Digest r = leaf;
  for (const Digest& p : branch) {
    if (sn == 0) return std::nullopt;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return std::nullopt;
  return r;
}

}  // namespace quorumclear::settlement
