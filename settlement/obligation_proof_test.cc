// Merkle branches for every index of trees of every shape up to 33 leaves,
// and obligation proofs over a real cut-off: each clearing member's proof
// verifies and gives exactly its own obligations; any altered amount,
// index, branch hash or byte is refused; no byte string crashes the decoders.
#include "settlement/obligation_proof.h"

#include "settlement/digest.h"
#include "settlement/merkle.h"
#include "settlement/test_support.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::apply_entries;
using testing::counter_report;
using testing::kWednesday;

std::vector<Digest> leaves_of(std::size_t n) {
  std::vector<Digest> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t byte = static_cast<std::uint8_t>(i);
    leaves.push_back(merkle_leaf_hash("TEST", ByteView(&byte, 1)));
  }
  return leaves;
}

TEST(Merkle, EveryBranchOfEveryShapeLeadsToTheRootAndNowhereElse) {
  for (std::size_t n = 1; n <= 33; ++n) {
    const std::vector<Digest> leaves = leaves_of(n);
    const MerkleTree tree = merkle_tree(leaves);
    ASSERT_EQ(tree.root, merkle_root(leaves)) << n;
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<Digest>& branch = tree.branches[i];
      EXPECT_EQ(merkle_root_from_branch(leaves[i], i, n, branch), tree.root) << n << " " << i;
      // Another leaf, another index or another count gives another root or none.
      if (n > 1) {
        EXPECT_NE(merkle_root_from_branch(leaves[(i + 1) % n], i, n, branch), tree.root) << n << " " << i;
        EXPECT_NE(merkle_root_from_branch(leaves[i], (i + 1) % n, n, branch), tree.root) << n << " " << i;
      }
      // (A larger count can fit the same path, as in RFC 6962: inclusion is
      // what a branch proves, which is why an obligation leaf names its own
      // member and date and the report leaf its member count.)
      if (!branch.empty()) {
        std::vector<Digest> shorter(branch.begin(), branch.end() - 1);
        EXPECT_NE(merkle_root_from_branch(leaves[i], i, n, shorter), tree.root);
      }
    }
  }
}

TEST(Merkle, UntrustedCountsAndIndicesAreRefused) {
  const std::vector<Digest> leaves = leaves_of(4);
  const MerkleTree tree = merkle_tree(leaves);
  EXPECT_FALSE(merkle_root_from_branch(leaves[0], 0, 0, tree.branches[0]));
  EXPECT_FALSE(merkle_root_from_branch(leaves[0], 4, 4, tree.branches[0]));
  EXPECT_FALSE(merkle_root_from_branch(leaves[0], 0, kMerkleLeavesMax + 1, tree.branches[0]));
  EXPECT_FALSE(merkle_root_from_branch(leaves[0], 0, 4, std::vector<Digest>(kMerkleDepthMax + 1)));
  // A leaf hash is never an interior node: the two leaves' node differs from
  // a leaf holding their concatenation.
  EXPECT_NE(merkle_root(std::vector<Digest>(leaves.begin(), leaves.begin() + 2)), leaves[0]);
}

class ObligationProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Genesis g = testing::small_genesis();
    g.securities = {{MemberId::of("B"), testing::kAcme, Quantity{40}}};
    g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{1'000'000}}};
    reference_ = std::make_unique<ReferenceData>(testing::load(g));
    Ledger ledger(*reference_);
    const Trade t1 = acme_trade("T1", "A", "B", 30, 1'000, kWednesday);
    const Trade t2 = acme_trade("T2", "C", "A", 5, 1'200, kWednesday);  // C cannot pay: a fail
    const CutOff close{MemberId::of("OPS"), kWednesday};
    (void)apply_entries(ledger, 0, {{0, {t1, t2}}, {1, {counter_report(t1)}}, {0, {counter_report(t2)}}});
    const EpochResult r = apply_entries(ledger, 1, {{3, {close}}, {4, {close}}});
    ASSERT_EQ(r.reports.size(), 1u);
    reports_ = r.reports;
  }

  std::unique_ptr<ReferenceData> reference_;
  std::vector<SettlementReport> reports_;
};

TEST_F(ObligationProofTest, EveryClearingMemberProvesExactlyItsOwnObligations) {
  const EpochObligations o = prove_epoch_obligations(reports_, *reference_);
  ASSERT_NE(o.root, Digest{});
  // Four clearing members; the operator and the regulator owe nothing and get no leaf.
  ASSERT_EQ(o.proofs.size(), 4u);
  const std::vector<ObligationLeaf> expected = obligation_leaves(reports_[0], *reference_);
  std::size_t obligations = 0;
  for (std::size_t i = 0; i < o.proofs.size(); ++i) {
    auto verified = verify_obligations(o.root, o.proofs[i].proof);
    ASSERT_TRUE(std::holds_alternative<ObligationLeaf>(verified)) << std::get<ProofError>(verified).what;
    const ObligationLeaf& leaf = std::get<ObligationLeaf>(verified);
    EXPECT_EQ(leaf, expected[i]);
    EXPECT_EQ(leaf.business_date, kWednesday);
    for (const ProvenObligation& p : leaf.obligations) {
      EXPECT_TRUE(p.kind == AssetKind::kCash ? p.asset.view() == "EUR" : p.asset.view() == "US0378331005");
    }
    obligations += leaf.obligations.size();
    // A proof survives its own encoding.
    auto decoded = decode_obligation_proof(encode_obligation_proof(o.proofs[i].proof));
    ASSERT_TRUE(std::holds_alternative<ObligationProof>(decoded));
    EXPECT_EQ(std::get<ObligationProof>(decoded), o.proofs[i].proof);
    EXPECT_EQ(o.proofs[i].member, leaf.member);
    EXPECT_EQ(o.proofs[i].business_date, kWednesday);
  }
  EXPECT_EQ(obligations, reports_[0].obligations.size());
  EXPECT_EQ(std::get<ObligationLeaf>(verify_obligations(o.root, o.proofs[3].proof)).member.view(), "D");
  EXPECT_TRUE(std::get<ObligationLeaf>(verify_obligations(o.root, o.proofs[3].proof)).obligations.empty());
  // The root is what the epoch certifies, and does not depend on anything but the reports.
  EXPECT_EQ(prove_epoch_obligations(reports_, *reference_).root, o.root);
  EXPECT_EQ(prove_epoch_obligations({}, *reference_).root, Digest{});
}

TEST_F(ObligationProofTest, AnAlteredAmountOrBranchIsRefused) {
  const EpochObligations o = prove_epoch_obligations(reports_, *reference_);
  const ObligationProof& a = o.proofs[0].proof;
  ObligationLeaf leaf = std::get<ObligationLeaf>(decode_obligation_leaf(a.leaf));
  ASSERT_FALSE(leaf.obligations.empty());
  for (auto alter : {+[](ProvenObligation& p) { p.net_amount += 1; },
                     +[](ProvenObligation& p) { p.settled_amount -= 1; },
                     +[](ProvenObligation& p) { p.status = ObligationStatus::kSettled; }}) {
    ObligationLeaf changed = leaf;
    alter(changed.obligations[0]);
    if (changed == leaf) continue;
    ObligationProof forged = a;
    forged.leaf = encode_obligation_leaf(changed);
    EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(o.root, forged)));
  }
  ObligationProof other_member = a;
  ObligationLeaf claimed = leaf;
  claimed.member = MemberId::of("B");  // A's obligations claimed as B's
  other_member.leaf = encode_obligation_leaf(claimed);
  EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(o.root, other_member)));
  ObligationProof moved = a;
  moved.leaf_index = 1;
  EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(o.root, moved)));
  ObligationProof bent = a;
  bent.branch[0][0] ^= 1;
  EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(o.root, bent)));
  Digest other_root = o.root;
  other_root[31] ^= 1;
  EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(other_root, a)));
}

TEST_F(ObligationProofTest, NoByteStringCrashesTheDecodersOrPassesUnlessCanonical) {
  const EpochObligations o = prove_epoch_obligations(reports_, *reference_);
  const Bytes proof = encode_obligation_proof(o.proofs[0].proof);
  const Bytes leaf = o.proofs[0].proof.leaf;
  for (std::size_t n = 0; n < proof.size(); ++n) {
    EXPECT_TRUE(std::holds_alternative<ProofError>(decode_obligation_proof(ByteView(proof.data(), n)))) << n;
  }
  for (std::size_t n = 0; n < leaf.size(); ++n) {
    EXPECT_TRUE(std::holds_alternative<ProofError>(decode_obligation_leaf(ByteView(leaf.data(), n)))) << n;
  }
  // Every single-byte change either is refused or no longer verifies.
  for (std::size_t at = 0; at < proof.size(); ++at) {
    Bytes changed = proof;
    changed[at] ^= 0x41;
    auto decoded = decode_obligation_proof(changed);
    if (auto* p = std::get_if<ObligationProof>(&decoded)) {
      EXPECT_TRUE(std::holds_alternative<ProofError>(verify_obligations(o.root, *p))) << at;
    }
  }
  Bytes padded = leaf;
  padded.push_back(0);
  EXPECT_TRUE(std::holds_alternative<ProofError>(decode_obligation_leaf(padded)));
}

}  // namespace
}  // namespace quorumclear::settlement
