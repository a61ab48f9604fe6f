#include "quorum/merkle.h"

#include <algorithm>
#include <array>
#include <cassert>

namespace quorumclear::quorum {
namespace {

constexpr std::array<std::uint8_t, 1> kLeafPrefix{0x00};
constexpr std::array<std::uint8_t, 1> kInnerPrefix{0x01};
constexpr std::array<std::uint8_t, 1> kPaddingPrefix{0x02};

std::size_t power_of_two_at_least(std::size_t n) {
  std::size_t width = 1;
  while (width < n) width <<= 1;
  return width;
}

}  // namespace

std::size_t merkle_depth(std::size_t leaf_count) {
  assert(leaf_count >= 1);
  std::size_t depth = 0;
  while ((std::size_t{1} << depth) < leaf_count) ++depth;
  return depth;
}

Digest merkle_leaf_hash(ByteView leaf) { return sha256({kLeafPrefix, leaf}); }

Digest merkle_inner_hash(const Digest& left, const Digest& right) {
  return sha256({kInnerPrefix, left, right});
}

const Digest& merkle_padding_hash() {
  static const Digest padding = sha256(kPaddingPrefix);
  return padding;
}

MerkleTree::MerkleTree(std::span<const ByteView> leaves)
    : leaf_count_(leaves.size()), width_(power_of_two_at_least(leaves.size())) {
  assert(leaf_count_ >= 1 && leaf_count_ <= kNodesMax);
  nodes_.resize(2 * width_);
  for (std::size_t i = 0; i < width_; ++i) {
    nodes_[width_ + i] = i < leaf_count_ ? merkle_leaf_hash(leaves[i]) : merkle_padding_hash();
  }
  for (std::size_t i = width_ - 1; i >= 1; --i) {
    nodes_[i] = merkle_inner_hash(nodes_[2 * i], nodes_[2 * i + 1]);
  }
}

Digest merkle_root_from_leaf_hashes(std::span<const Digest> leaf_hashes) {
  assert(!leaf_hashes.empty() && leaf_hashes.size() <= kNodesMax);
  std::vector<Digest> level(power_of_two_at_least(leaf_hashes.size()), merkle_padding_hash());
  std::copy(leaf_hashes.begin(), leaf_hashes.end(), level.begin());
  for (std::size_t width = level.size(); width > 1; width /= 2) {
    for (std::size_t i = 0; i < width / 2; ++i) level[i] = merkle_inner_hash(level[2 * i], level[2 * i + 1]);
  }
  return level[0];
}

const Digest& MerkleTree::leaf_hash(std::size_t index) const {
  assert(index < leaf_count_);
  return nodes_[width_ + index];
}

std::vector<Digest> MerkleTree::branch(std::size_t index) const {
  assert(index < leaf_count_);
  std::vector<Digest> out;
  out.reserve(merkle_depth(leaf_count_));
  for (std::size_t node = width_ + index; node > 1; node >>= 1) {
    out.push_back(nodes_[node ^ 1]);
  }
  assert(out.size() == merkle_depth(leaf_count_));
  return out;
}

bool merkle_verify_hash(const Digest& root, std::size_t index, std::size_t leaf_count,
                        const Digest& leaf_hash, std::span<const Digest> branch) {
  if (leaf_count < 1 || leaf_count > kNodesMax || index >= leaf_count) return false;
  if (branch.size() != merkle_depth(leaf_count)) return false;
  Digest acc = leaf_hash;
  std::size_t position = index;
  for (const Digest& sibling : branch) {
    // The low bit of the position says on which side this node sits.
    acc = (position & 1) == 0 ? merkle_inner_hash(acc, sibling) : merkle_inner_hash(sibling, acc);
    position >>= 1;
  }
  return acc == root;
}

bool merkle_verify(const Digest& root, std::size_t index, std::size_t leaf_count, ByteView leaf,
                   std::span<const Digest> branch) {
  if (leaf_count < 1 || leaf_count > kNodesMax || index >= leaf_count) return false;
  if (branch.size() != merkle_depth(leaf_count)) return false;
  return merkle_verify_hash(root, index, leaf_count, merkle_leaf_hash(leaf), branch);
}

MerkleInnerMemo::MerkleInnerMemo(std::size_t leaf_count)
    : leaf_count_(leaf_count), width_(power_of_two_at_least(leaf_count)), entries_(width_) {
  assert(leaf_count_ >= 1 && leaf_count_ <= kNodesMax);
}

const Digest& MerkleInnerMemo::inner(std::size_t position, const Digest& left, const Digest& right) {
  assert(position >= 1 && position < width_);
  Entry& e = entries_[position];
  if (!e.set || e.left != left || e.right != right) {
    e.left = left;
    e.right = right;
    e.hash = merkle_inner_hash(left, right);
    e.set = true;
  }
  return e.hash;
}

bool MerkleInnerMemo::verify_hash(const Digest& root, std::size_t index, const Digest& leaf_hash,
                                  std::span<const Digest> branch) {
  // The same checks, in the same order, as merkle_verify_hash.
  if (index >= leaf_count_) return false;
  if (branch.size() != merkle_depth(leaf_count_)) return false;
  Digest acc = leaf_hash;
  std::size_t node = width_ + index;
  for (const Digest& sibling : branch) {
    // An even heap position is a left child, as an even leaf index is.
    acc = (node & 1) == 0 ? inner(node >> 1, acc, sibling) : inner(node >> 1, sibling, acc);
    node >>= 1;
  }
  assert(node == 1);
  return acc == root;
}

Digest MerkleInnerMemo::root_from_leaf_hashes(std::span<const Digest> leaf_hashes) {
  assert(leaf_hashes.size() == leaf_count_);
  std::vector<Digest> level(width_, merkle_padding_hash());
  std::copy(leaf_hashes.begin(), leaf_hashes.end(), level.begin());
  // Level of `width` nodes sits at heap positions [width, 2 * width).
  for (std::size_t width = width_; width > 1; width /= 2) {
    for (std::size_t i = 0; i < width / 2; ++i) level[i] = inner(width / 2 + i, level[2 * i], level[2 * i + 1]);
  }
  return level[0];
}

void MerkleInnerMemo::remember(const MerkleTree& tree) {
  assert(tree.leaf_count_ == leaf_count_ && tree.width_ == width_);
  for (std::size_t position = 1; position < width_; ++position) {
    entries_[position] = Entry{tree.nodes_[2 * position], tree.nodes_[2 * position + 1], tree.nodes_[position], true};
  }
}

}  // namespace quorumclear::quorum
