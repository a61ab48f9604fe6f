#pragma once
// Epoch certificates (QUORUM_PROTOCOL.md, "Certificates and checkpoints").
// After applying epoch e every node signs the tuple (network id, e, output
// digest, state digest, audit head, snapshot digest, obligations root) with
// its Ed25519 key; the snapshot digest is the whole ledger's at checkpoint
// epochs (zero elsewhere), because the chained state digest cannot vouch for
// a snapshot; the obligations root is zero until reports carry proofs; 2f+1 signatures
// over one tuple are the epoch's certificate, what a third party verifies.
// A node that lags takes a decided epoch from any ONE peer when f+1 distinct
// valid signatures cover exactly the digests it recomputes (one of the
// signers is honest), then signs too.
//
// CertificateTracker is the pure bookkeeping: it verifies and files peers'
// signatures, says when an epoch is certified, and notices when the quorum
// certified a tuple other than our own (divergence). No I/O, no clock.

#include "quorum/keygen.h"
#include "quorum/step.h"

#include <map>
#include <optional>
#include <span>

namespace quorumclear::quorum {

using Signature = std::array<std::uint8_t, 64>;

/// What every node signs for an epoch.
struct EpochTuple {
  Digest network_id{};
  Epoch epoch;
  Digest output_digest{};
  Digest state_digest{};
  Digest audit_head{};
  /// At a checkpoint epoch (every checkpoint interval, a network parameter)
  /// the digest of the ledger's whole-state snapshot after it, else zero:
  /// what a node rebuilding from a peer's snapshot checks it against.
  Digest snapshot_digest{};
  /// The Merkle root over the per-member obligations of the settlement runs
  /// the epoch closed, else zero: a member proves its own obligations with
  /// a branch to it and this certificate.
  Digest obligations_root{};
  friend bool operator==(const EpochTuple&, const EpochTuple&) = default;
};

/// "QCEPOCH2" || network id || u64be(epoch) || output || state || audit head
/// || snapshot digest || obligations root.
inline constexpr std::size_t kEpochTupleBytes = 8 + 32 + 8 + 5 * 32;
[[nodiscard]] std::array<std::uint8_t, kEpochTupleBytes> signing_bytes(const EpochTuple& tuple);

/// SHA-256 of u64be(epoch) || u16be(batch count) || per batch in order:
/// u16be(proposer) || u32be(length) || value. Identical at every honest node.
[[nodiscard]] Digest output_digest(const DecidedEpoch& decided);
/// The same over batches held elsewhere (a stored epoch replayed), without
/// copying them into a DecidedEpoch.
struct BatchView {
  NodeId proposer;
  std::span<const std::uint8_t> value;
};
[[nodiscard]] Digest output_digest(Epoch epoch, std::span<const BatchView> batches);

[[nodiscard]] Signature sign_epoch(const EpochTuple& tuple, const SigningSecretKey& key);
[[nodiscard]] bool verify_epoch(const EpochTuple& tuple, const Signature& signature,
                                const SigningPublicKey& key);

/// One node's signature as it travels between nodes (network id implied).
struct EpochSignature {
  NodeId signer;
  EpochTuple tuple;
  Signature signature{};
};

/// Distinct members of `keys` whose signature in `signatures` is valid for
/// `tuple` (a signer counted once, unknown or invalid ones ignored).
[[nodiscard]] std::size_t distinct_valid_signers(const EpochTuple& tuple,
                                                 std::span<const std::pair<NodeId, Signature>> signatures,
                                                 std::span<const SigningPublicKey> keys);

/// 2f+1 signatures over one tuple.
struct Certificate {
  EpochTuple tuple;
  std::vector<std::pair<NodeId, Signature>> signatures;  // by signer id
};

/// What filing a signature did.
enum class SignatureFiling : std::uint8_t {
  kFiled,         // new and valid: kept
  kRepeated,      // this signer's identical signature was already filed
  kOutOfWindow,   // epoch too old (pruned) or too far ahead: dropped, not blamed
  kInvalid,       // bad signature, unknown signer or foreign network: a fault
  kConflicting,   // this signer already signed another tuple for the epoch: a fault
};

class CertificateTracker {
 public:
  /// Signatures for epochs above the lowest tracked one plus this many are
  /// dropped: memory stays bounded whatever peers send.
  static constexpr std::uint64_t kEpochsAheadMax = 256;

  /// Precondition: keys.size() == members.n().
  CertificateTracker(Membership members, Digest network_id, std::vector<SigningPublicKey> keys,
                     Epoch first_tracked);

  /// Files a peer's (or our own) signature after verifying it.
  SignatureFiling file(const EpochSignature& signature);
  /// Our own tuple for `epoch`, once applied (its signature is filed too).
  void set_own(const EpochTuple& tuple);

  /// The certificate of `epoch` once 2f+1 signers agree on one tuple.
  [[nodiscard]] std::optional<Certificate> certificate(Epoch epoch) const;
  /// True when 2f+1 signers certified a tuple for `epoch` that differs from
  /// the one we set with set_own: this node's state diverged.
  [[nodiscard]] bool diverged(Epoch epoch) const;
  /// Signatures filed for `epoch`, any tuple.
  [[nodiscard]] std::size_t signatures_filed(Epoch epoch) const;
  /// The filed signatures over exactly `tuple`, by signer id.
  [[nodiscard]] std::vector<std::pair<NodeId, Signature>> signatures_for(const EpochTuple& tuple) const;
  /// Forgets every epoch below `epoch` (they are stored durably elsewhere).
  void forget_below(Epoch epoch);
  [[nodiscard]] Epoch first_tracked() const { return first_; }

 private:
  struct PerEpoch {
    std::map<std::uint16_t, EpochSignature> by_signer;
    std::optional<EpochTuple> own;
  };
  [[nodiscard]] std::optional<EpochTuple> strong_tuple(const PerEpoch& e) const;

  Membership members_;
  Digest network_id_;
  std::vector<SigningPublicKey> keys_;
  Epoch first_;
  std::map<std::uint64_t, PerEpoch> epochs_;
};

}  // namespace quorumclear::quorum

namespace quorumclear::quorum {

/// The audit chain's link for epoch e: SHA-256(prev || u64be(e) || output ||
/// state), prev of epoch 0 being 32 zero bytes. One link per epoch over what
/// the epoch agreed, never node-local events or times, so every honest node
/// holds the same head (the audit_log row of epoch e has seq e + 1, record =
/// the 72 bytes after prev).
[[nodiscard]] Digest audit_link(const Digest& prev, Epoch epoch, const Digest& output,
                                const Digest& state);

}  // namespace quorumclear::quorum
