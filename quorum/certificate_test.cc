// Proves epoch certificates: the signed tuple binds every field, a tracker
// certifies an epoch exactly when 2f+1 signers agree on one tuple, refuses
// forged, foreign and equivocating signatures, detects a node whose own tuple
// the quorum did not certify, and keeps its memory within a window.

#include "quorum/certificate.h"
#include "quorum/sim/seeded_random.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace quorumclear::quorum {
namespace {

struct Network {
  explicit Network(std::size_t n) : members(n), keys(deal_keys(members, sim::seeded_random(7))) {
    network_id.fill(0x42);
  }
  [[nodiscard]] std::vector<SigningPublicKey> public_keys() const { return keys.at(0).signing_public; }
  [[nodiscard]] EpochTuple tuple(std::uint64_t epoch, std::uint8_t state = 1) const {
    EpochTuple t{network_id, Epoch{epoch}, {}, {}, {}};
    t.output_digest.fill(9);
    t.state_digest.fill(state);
    t.audit_head.fill(3);
    return t;
  }
  [[nodiscard]] EpochSignature signed_by(std::uint16_t node, const EpochTuple& t) const {
    return EpochSignature{NodeId{node}, t, sign_epoch(t, keys.at(node).signing_secret)};
  }
  Membership members;
  std::vector<NodeKeys> keys;
  Digest network_id{};
};

TEST(Certificate, SignatureCoversEveryFieldOfTheTuple) {
  const Network net(4);
  const EpochTuple t = net.tuple(5);
  const Signature s = sign_epoch(t, net.keys[1].signing_secret);
  EXPECT_TRUE(verify_epoch(t, s, net.keys[1].signing_public[1]));
  EXPECT_FALSE(verify_epoch(t, s, net.keys[1].signing_public[2]));
  std::vector<EpochTuple> altered(5, t);
  altered[0].network_id[0] ^= 1;
  altered[1].epoch = Epoch{6};
  altered[2].output_digest[31] ^= 1;
  altered[3].state_digest[0] ^= 1;
  altered[4].audit_head[7] ^= 1;
  for (const EpochTuple& a : altered) EXPECT_FALSE(verify_epoch(a, s, net.keys[1].signing_public[1]));
}

TEST(Certificate, OutputDigestBindsOrderProposersAndBytes) {
  DecidedEpoch a{Epoch{3}, {{NodeId{0}, {1, 2}}, {NodeId{2}, {3}}}};
  DecidedEpoch moved = a;
  moved.batches[0].value = {1};
  moved.batches[1].value = {2, 3};  // same concatenation, other framing
  DecidedEpoch other_proposer = a;
  other_proposer.batches[1].proposer = NodeId{1};
  DecidedEpoch other_epoch = a;
  other_epoch.epoch = Epoch{4};
  EXPECT_EQ(output_digest(a), output_digest(a));
  EXPECT_NE(output_digest(a), output_digest(moved));
  EXPECT_NE(output_digest(a), output_digest(other_proposer));
  EXPECT_NE(output_digest(a), output_digest(other_epoch));
  // The documented byte string, and the same digest over batch views.
  const std::vector<std::uint8_t> spelled{0, 0, 0, 0, 0, 0, 0, 3,  0, 2,  0, 0, 0, 0, 0, 2, 1, 2,
                                          0, 2, 0, 0, 0, 1, 3};
  Digest expected{};
  crypto_hash_sha256(expected.data(), spelled.data(), spelled.size());
  EXPECT_EQ(output_digest(a), expected);
  const std::vector<BatchView> views{{NodeId{0}, a.batches[0].value}, {NodeId{2}, a.batches[1].value}};
  EXPECT_EQ(output_digest(Epoch{3}, views), expected);
}

TEST(Certificate, CertifiedExactlyAtTwoFPlusOneAgreeingSigners) {
  for (const std::size_t n : {4u, 7u, 10u}) {
    const Network net(n);
    CertificateTracker tracker(net.members, net.network_id, net.public_keys(), Epoch{0});
    const EpochTuple good = net.tuple(1);
    // f signers of another tuple never help the good one.
    for (std::uint16_t i = 0; i < net.members.f(); ++i) {
      EXPECT_EQ(tracker.file(net.signed_by(i, net.tuple(1, 2))), SignatureFiling::kFiled);
    }
    const auto first_good = static_cast<std::uint16_t>(net.members.f());
    for (std::uint16_t i = first_good; i < n; ++i) {
      const bool before = tracker.certificate(Epoch{1}).has_value();
      EXPECT_EQ(before, static_cast<std::size_t>(i - first_good) >= net.members.strong()) << "n=" << n << " i=" << i;
      EXPECT_EQ(tracker.file(net.signed_by(i, good)), SignatureFiling::kFiled);
    }
    const std::optional<Certificate> cert = tracker.certificate(Epoch{1});
    ASSERT_TRUE(cert.has_value());
    EXPECT_EQ(cert->tuple, good);
    EXPECT_EQ(cert->signatures.size(), n - net.members.f());
    EXPECT_EQ(distinct_valid_signers(good, cert->signatures, net.public_keys()), n - net.members.f());
  }
}

TEST(Certificate, ForgedForeignRepeatedAndEquivocatingSignaturesAreTold) {
  const Network net(4);
  CertificateTracker tracker(net.members, net.network_id, net.public_keys(), Epoch{0});
  const EpochTuple t = net.tuple(2);
  EpochSignature forged = net.signed_by(1, t);
  forged.signature[0] ^= 1;
  EXPECT_EQ(tracker.file(forged), SignatureFiling::kInvalid);
  EpochSignature impostor = net.signed_by(1, t);
  impostor.signer = NodeId{2};  // node 1's signature claimed as node 2's
  EXPECT_EQ(tracker.file(impostor), SignatureFiling::kInvalid);
  EpochTuple foreign = t;
  foreign.network_id.fill(0x43);
  EXPECT_EQ(tracker.file(net.signed_by(1, foreign)), SignatureFiling::kInvalid);
  EpochSignature unknown = net.signed_by(1, t);
  unknown.signer = NodeId{4};
  EXPECT_EQ(tracker.file(unknown), SignatureFiling::kInvalid);
  EXPECT_EQ(tracker.signatures_filed(Epoch{2}), 0u);

  EXPECT_EQ(tracker.file(net.signed_by(1, t)), SignatureFiling::kFiled);
  EXPECT_EQ(tracker.file(net.signed_by(1, t)), SignatureFiling::kRepeated);
  EXPECT_EQ(tracker.file(net.signed_by(1, net.tuple(2, 7))), SignatureFiling::kConflicting);
  // A forged second tuple proves nothing against node 1.
  EpochSignature forged_second = net.signed_by(1, net.tuple(2, 8));
  forged_second.signature[5] ^= 1;
  EXPECT_EQ(tracker.file(forged_second), SignatureFiling::kInvalid);
  EXPECT_EQ(tracker.signatures_filed(Epoch{2}), 1u);
}

TEST(Certificate, DivergenceWhenTheQuorumCertifiesAnotherTuple) {
  const Network net(4);
  CertificateTracker tracker(net.members, net.network_id, net.public_keys(), Epoch{0});
  const EpochTuple ours = net.tuple(4, 1);
  const EpochTuple theirs = net.tuple(4, 2);
  tracker.set_own(ours);
  EXPECT_EQ(tracker.file(net.signed_by(0, ours)), SignatureFiling::kFiled);
  for (std::uint16_t i = 1; i < 3; ++i) EXPECT_EQ(tracker.file(net.signed_by(i, theirs)), SignatureFiling::kFiled);
  EXPECT_FALSE(tracker.diverged(Epoch{4}));  // 2 of 3 needed
  EXPECT_EQ(tracker.file(net.signed_by(3, theirs)), SignatureFiling::kFiled);
  EXPECT_TRUE(tracker.diverged(Epoch{4}));
  EXPECT_EQ(tracker.certificate(Epoch{4})->tuple, theirs);
}

TEST(Certificate, WindowBoundsMemoryAndForgetMovesIt) {
  const Network net(4);
  CertificateTracker tracker(net.members, net.network_id, net.public_keys(), Epoch{10});
  EXPECT_EQ(tracker.file(net.signed_by(1, net.tuple(9))), SignatureFiling::kOutOfWindow);
  EXPECT_EQ(tracker.file(net.signed_by(1, net.tuple(10 + CertificateTracker::kEpochsAheadMax + 1))),
            SignatureFiling::kOutOfWindow);
  EXPECT_EQ(tracker.file(net.signed_by(1, net.tuple(10 + CertificateTracker::kEpochsAheadMax))),
            SignatureFiling::kFiled);
  EXPECT_EQ(tracker.file(net.signed_by(1, net.tuple(11))), SignatureFiling::kFiled);
  tracker.forget_below(Epoch{12});
  EXPECT_EQ(tracker.first_tracked(), Epoch{12});
  EXPECT_EQ(tracker.signatures_filed(Epoch{11}), 0u);
  EXPECT_EQ(tracker.file(net.signed_by(2, net.tuple(11))), SignatureFiling::kOutOfWindow);
}

}  // namespace
}  // namespace quorumclear::quorum
