// Proves the Merkle tree matches roots computed by hand from SHA-256 with
// the documented domain separation and padding, that verification rejects
// every wrong index, leaf, sibling, branch length and tree size, and that
// the inner-hash memo answers exactly as the memo-free functions do.
#include "quorum/merkle.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

namespace quorumclear::quorum {
namespace {

Bytes leaf_bytes(std::size_t i) {
  std::string s = "stripe-" + std::to_string(i);
  return Bytes(s.begin(), s.end());
}

std::vector<Bytes> make_leaves(std::size_t n) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_bytes(i));
  return out;
}

std::vector<ByteView> views(const std::vector<Bytes>& leaves) {
  return std::vector<ByteView>(leaves.begin(), leaves.end());
}

// Hand-written hashes, independent of merkle.cc's helpers.
Digest leaf(const Bytes& b) {
  const std::array<std::uint8_t, 1> p{0x00};
  return sha256({p, b});
}
Digest inner(const Digest& l, const Digest& r) {
  const std::array<std::uint8_t, 1> p{0x01};
  return sha256({p, l, r});
}
Digest pad() {
  const std::array<std::uint8_t, 1> p{0x02};
  return sha256(p);
}

TEST(Merkle, DepthIsCeilLog2) {
  const std::pair<std::size_t, std::size_t> cases[] = {{1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3},
                                                       {9, 4}, {16, 4}, {17, 5}, {31, 5}, {32, 5}, {128, 7}};
  for (auto [n, depth] : cases) EXPECT_EQ(merkle_depth(n), depth) << n;
}

TEST(Merkle, SingleLeafRootIsLeafHash) {
  const auto leaves = make_leaves(1);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  EXPECT_EQ(tree.root(), leaf(leaves[0]));
  EXPECT_TRUE(tree.branch(0).empty());
  EXPECT_TRUE(merkle_verify(tree.root(), 0, 1, leaves[0], {}));
}

TEST(Merkle, TwoLeaves) {
  const auto leaves = make_leaves(2);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  EXPECT_EQ(tree.root(), inner(leaf(leaves[0]), leaf(leaves[1])));
  EXPECT_EQ(tree.branch(0), std::vector<Digest>{leaf(leaves[1])});
  EXPECT_EQ(tree.branch(1), std::vector<Digest>{leaf(leaves[0])});
}

TEST(Merkle, ThreeLeavesPadWithPaddingHash) {
  const auto leaves = make_leaves(3);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  const Digest left = inner(leaf(leaves[0]), leaf(leaves[1]));
  const Digest right = inner(leaf(leaves[2]), pad());
  EXPECT_EQ(tree.root(), inner(left, right));
  EXPECT_EQ(tree.branch(2), (std::vector<Digest>{pad(), left}));
  EXPECT_EQ(tree.branch(1), (std::vector<Digest>{leaf(leaves[0]), right}));
}

TEST(Merkle, FiveLeaves) {
  const auto leaves = make_leaves(5);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  const Digest a = inner(inner(leaf(leaves[0]), leaf(leaves[1])), inner(leaf(leaves[2]), leaf(leaves[3])));
  const Digest b = inner(inner(leaf(leaves[4]), pad()), inner(pad(), pad()));
  EXPECT_EQ(tree.root(), inner(a, b));
  EXPECT_EQ(tree.branch(4), (std::vector<Digest>{pad(), inner(pad(), pad()), a}));
}

TEST(Merkle, EveryBranchVerifiesForEverySupportedSize) {
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 10u, 13u, 16u, 31u, 64u, 100u, 128u}) {
    const auto leaves = make_leaves(n);
    const auto v = views(leaves);
    const MerkleTree tree(v);
    for (std::size_t i = 0; i < n; ++i) {
      const auto branch = tree.branch(i);
      EXPECT_EQ(branch.size(), merkle_depth(n));
      EXPECT_TRUE(merkle_verify(tree.root(), i, n, leaves[i], branch)) << n << " " << i;
      EXPECT_TRUE(merkle_verify_hash(tree.root(), i, n, merkle_leaf_hash(leaves[i]), branch));
    }
  }
}

TEST(Merkle, RootFromLeafHashesEqualsTreeRoot) {
  for (std::size_t n = 1; n <= 40; ++n) {
    const auto leaves = make_leaves(n);
    const auto v = views(leaves);
    std::vector<Digest> hashes;
    for (const Bytes& l : leaves) hashes.push_back(leaf(l));
    EXPECT_EQ(merkle_root_from_leaf_hashes(hashes), MerkleTree(v).root()) << n;
  }
}

TEST(Merkle, RejectsWrongIndexLeafSiblingAndLength) {
  const std::size_t n = 7;
  const auto leaves = make_leaves(n);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  const auto branch = tree.branch(3);
  ASSERT_TRUE(merkle_verify(tree.root(), 3, n, leaves[3], branch));

  for (std::size_t i = 0; i < n; ++i) {
    if (i != 3) {
      EXPECT_FALSE(merkle_verify(tree.root(), i, n, leaves[3], branch)) << "index " << i;
    }
  }
  EXPECT_FALSE(merkle_verify(tree.root(), 3, n, leaves[4], branch));
  Bytes flipped = leaves[3];
  flipped[0] ^= 1;
  EXPECT_FALSE(merkle_verify(tree.root(), 3, n, flipped, branch));
  for (std::size_t s = 0; s < branch.size(); ++s) {
    auto bad = branch;
    bad[s][31] ^= 0x80;
    EXPECT_FALSE(merkle_verify(tree.root(), 3, n, leaves[3], bad)) << "sibling " << s;
  }
  auto longer = branch;
  longer.push_back(tree.root());
  EXPECT_FALSE(merkle_verify(tree.root(), 3, n, leaves[3], longer));
  auto shorter = branch;
  shorter.pop_back();
  EXPECT_FALSE(merkle_verify(tree.root(), 3, n, leaves[3], shorter));
  Digest other_root = tree.root();
  other_root[0] ^= 1;
  EXPECT_FALSE(merkle_verify(other_root, 3, n, leaves[3], branch));
  // Tree sizes with another depth, index out of range, nonsense sizes.
  EXPECT_FALSE(merkle_verify(tree.root(), 3, 9, leaves[3], branch));
  EXPECT_FALSE(merkle_verify(tree.root(), 3, 4, leaves[3], branch));
  EXPECT_FALSE(merkle_verify(tree.root(), 7, n, leaves[3], branch));
  EXPECT_FALSE(merkle_verify(tree.root(), 3, 0, leaves[3], branch));
  EXPECT_FALSE(merkle_verify(tree.root(), 3, kNodesMax + 1, leaves[3], branch));
}

TEST(Merkle, InnerNodeCannotPassAsLeaf) {
  // Without domain separation, the 64-byte concatenation of two leaf
  // hashes would verify as a "leaf" one level up.
  const auto leaves = make_leaves(4);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  Bytes fake;
  const Digest l0 = leaf(leaves[0]);
  const Digest l1 = leaf(leaves[1]);
  fake.insert(fake.end(), l0.begin(), l0.end());
  fake.insert(fake.end(), l1.begin(), l1.end());
  const auto branch = tree.branch(0);
  EXPECT_FALSE(merkle_verify(tree.root(), 0, 2, fake, std::vector<Digest>{branch[1]}));
}

TEST(Merkle, TreeKeepsEveryLeafHash) {
  const auto leaves = make_leaves(13);
  const auto v = views(leaves);
  const MerkleTree tree(v);
  for (std::size_t i = 0; i < leaves.size(); ++i) EXPECT_EQ(tree.leaf_hash(i), leaf(leaves[i])) << i;
}

// Two trees of one shape whose leaves partly agree, so the memo sees pairs
// it has hashed, pairs it has not, and pairs that differ in one side only.
struct TwinTrees {
  std::vector<Bytes> leaves_a;
  std::vector<Bytes> leaves_b;
  MerkleTree a;
  MerkleTree b;
  TwinTrees(std::size_t n, std::mt19937_64& rng)
      : leaves_a(make_leaves(n)), leaves_b(mutate(leaves_a, rng)), a(views(leaves_a)), b(views(leaves_b)) {}
  static std::vector<Bytes> mutate(std::vector<Bytes> leaves, std::mt19937_64& rng) {
    for (Bytes& l : leaves) {
      if (rng() % 3 == 0) l.push_back(static_cast<std::uint8_t>(rng()));
    }
    return leaves;
  }
};

TEST(Merkle, MemoVerifiesExactlyAsMerkleVerifyHash) {
  std::mt19937_64 rng(2024);
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 13u, 16u, 31u, 128u}) {
    const TwinTrees t(n, rng);
    MerkleInnerMemo memo(n);
    std::size_t accepted = 0;
    for (std::size_t trial = 0; trial < 40 * n; ++trial) {
      const bool from_a = rng() % 2 == 0;
      const MerkleTree& tree = from_a ? t.a : t.b;
      const std::size_t index = rng() % n;
      std::vector<Digest> branch = tree.branch(index);
      Digest leaf_hash = tree.leaf_hash(index);
      Digest root = rng() % 4 == 0 ? (from_a ? t.b.root() : t.a.root()) : tree.root();
      switch (rng() % 6) {
        case 0:
          if (!branch.empty()) branch[rng() % branch.size()][rng() % 32] ^= 1;
          break;
        case 1:
          leaf_hash = (from_a ? t.b : t.a).leaf_hash(index);
          break;
        case 2:
          branch.push_back(root);
          break;
        default:
          break;
      }
      const std::size_t claimed = rng() % 8 == 0 ? static_cast<std::size_t>(rng() % (n + 2)) : index;
      const bool expected = merkle_verify_hash(root, claimed, n, leaf_hash, branch);
      EXPECT_EQ(memo.verify_hash(root, claimed, leaf_hash, branch), expected) << n << " " << trial;
      accepted += expected ? 1u : 0u;
    }
    EXPECT_GT(accepted, 0u) << "the trial mix must include valid branches";
  }
}

TEST(Merkle, MemoRootEqualsRootFromLeafHashes) {
  std::mt19937_64 rng(77);
  for (std::size_t n : {1u, 3u, 4u, 10u, 31u, 100u}) {
    const TwinTrees t(n, rng);
    MerkleInnerMemo memo(n);
    for (std::size_t trial = 0; trial < 20; ++trial) {
      std::vector<Digest> hashes;
      for (std::size_t i = 0; i < n; ++i) hashes.push_back(rng() % 2 == 0 ? t.a.leaf_hash(i) : t.b.leaf_hash(i));
      EXPECT_EQ(memo.root_from_leaf_hashes(hashes), merkle_root_from_leaf_hashes(hashes)) << n;
    }
  }
}

TEST(Merkle, RememberedTreeVerifiesItsBranchesAndStillRejectsForgeries) {
  const std::size_t n = 7;
  const auto leaves = make_leaves(n);
  const MerkleTree tree(views(leaves));
  MerkleInnerMemo memo(n);
  memo.remember(tree);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_TRUE(memo.verify_hash(tree.root(), i, leaf(leaves[i]), tree.branch(i))) << i;
    auto bad = tree.branch(i);
    bad.back()[0] ^= 1;
    EXPECT_FALSE(memo.verify_hash(tree.root(), i, leaf(leaves[i]), bad)) << i;
    EXPECT_FALSE(memo.verify_hash(tree.root(), (i + 1) % n, leaf(leaves[i]), tree.branch(i))) << i;
  }
  std::vector<Digest> hashes;
  for (const Bytes& l : leaves) hashes.push_back(leaf(l));
  EXPECT_EQ(memo.root_from_leaf_hashes(hashes), tree.root());
  hashes[3][5] ^= 1;
  EXPECT_NE(memo.root_from_leaf_hashes(hashes), tree.root());
}

}  // namespace
}  // namespace quorumclear::quorum
