#pragma once
// The engine fuzzer's Byzantine nodes: they turn operation records into
// messages no honest node sends but every codec and Merkle check accepts
// unless the record says otherwise — forged codewords with chosen stripe
// sizes and frame headers, ECHOs under unrelated roots, votes for any
// round, genuine and corrupted coin shares, replays of what honest nodes
// sent them — so the fuzzer starts from states random bytes never reach.

#include "quorum/merkle.h"
#include "tests/fuzz/engine_cluster.h"
#include "tests/fuzz/engine_fuzz_ops.h"

#include <memory>
#include <optional>

namespace quorumclear::quorum::fuzz {

class Adversary {
 public:
  /// The n stripes of a forged codeword and their Merkle tree.
  struct Codeword {
    EncodedValue stripes;
    MerkleTree tree;
  };

  explicit Adversary(Cluster& cluster) : cluster_(cluster) {}

  /// Runs one Byzantine operation (record.op is one of the kByz* ops).
  void run(const OpRecord& record);
  /// Fills the codeword cache with small codewords (call once at start-up):
  /// afterwards every cache miss frees what it allocates.
  static void prime_codeword_cache(const Genesis& genesis);

 private:
  /// A codeword a Byzantine proposer sent, kept so its colluders can ECHO
  /// their own leaves and READY its root.
  struct Forged {
    Epoch epoch;
    NodeId proposer;
    std::shared_ptr<const Codeword> codeword;
  };
  /// Kept codewords; older ones are released (they are the big allocations).
  static constexpr std::size_t kForgedKept = 2;

  void val(const OpRecord& r);
  void max_val(const OpRecord& r);
  void echo(const OpRecord& r);
  void echo_from(std::size_t byzantine, const OpRecord& r);
  void ready(const OpRecord& r);
  void ready_from(std::size_t byzantine, const OpRecord& r);
  void vote(const OpRecord& r);
  void coin(const OpRecord& r);
  void mirror(const OpRecord& r);
  void flip(const OpRecord& r);

  /// Forges the codeword of `spec` (if the input's budget allows) and sends
  /// stripe i to each honest node i in `to`.
  const Forged* forge_and_send(NodeId sender, Epoch epoch, NodeId proposer, const FrameSpec& spec,
                               Recipients to);
  [[nodiscard]] Message echo_of(const Forged& forged, std::size_t leaf, Epoch epoch, NodeId proposer) const;
  /// The honest-node-like answer to a message we observed (see mirror()).
  [[nodiscard]] Message mirrored(NodeId sender, const Envelope& seen, std::uint8_t transform) const;

  [[nodiscard]] NodeId sender(std::uint8_t a) const;
  [[nodiscard]] std::size_t sender_index(std::uint8_t a) const { return a % cluster_.byzantine_count(); }
  /// Argument a: one sender, or (bit 7) every faulty id in turn.
  template <class Each>
  void for_senders(std::uint8_t a, Each&& each) {
    if ((a & 0x80) == 0) return each(sender_index(a));
    for (std::size_t i = 0; i < cluster_.byzantine_count(); ++i) each(i);
  }
  [[nodiscard]] Epoch epoch(std::uint8_t selector) const;
  [[nodiscard]] NodeId instance(std::uint8_t d) const {
    return NodeId{static_cast<std::uint16_t>(d % cluster_.members().n())};
  }
  [[nodiscard]] Round round(std::uint8_t selector, std::uint8_t argument, NodeId instance) const;
  [[nodiscard]] CoinShare share_of(NodeId signer, Epoch epoch, NodeId instance, Round round) const;
  [[nodiscard]] const Forged* forged(std::uint8_t which) const;
  [[nodiscard]] static std::shared_ptr<const Codeword> codeword_for(const Genesis& genesis, const FrameSpec& spec);

  Cluster& cluster_;
  std::vector<Forged> forged_;  // newest last
};

}  // namespace quorumclear::quorum::fuzz
