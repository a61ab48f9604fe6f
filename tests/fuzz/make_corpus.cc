// Writes the decode fuzzer's seed corpus: one valid encoding of each
// payload type, with real Merkle branches and stripes for n = 4 and 16.
// Usage: quorum_decode_fuzz_corpus <output folder>
#include "quorum/codec.h"
#include "quorum/erasure.h"
#include "quorum/merkle.h"

#include <fstream>
#include <iostream>
#include <string>

namespace q = quorumclear::quorum;

namespace {

template <class StripeMessage>
StripeMessage stripe_message(const q::Membership& members, std::size_t index, std::size_t value_bytes) {
  q::ErasureCoder coder(members);
  q::Bytes value(value_bytes);
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<std::uint8_t>(i * 13 + 5);
  const q::EncodedValue enc = coder.encode(value);
  const auto leaves = enc.stripes();
  const q::MerkleTree tree(leaves);
  const q::ByteView stripe = enc.stripe(index);
  return StripeMessage{tree.root(), tree.branch(index), q::Bytes(stripe.begin(), stripe.end())};
}

std::vector<q::Message> seeds() {
  const q::Membership m4(4);
  const q::Membership m16(16);
  q::CoinShare share;
  for (std::size_t i = 0; i < 32; ++i) {
    share.point[i] = static_cast<std::uint8_t>(i);
    share.challenge[i] = static_cast<std::uint8_t>(64 + i);
    share.response[i] = static_cast<std::uint8_t>(128 + i);
  }
  q::Digest root{};
  root.fill(0x11);
  return {
      q::Message{q::Epoch{1}, q::NodeId{0}, stripe_message<q::RbcVal>(m4, 1, 40)},
      q::Message{q::Epoch{2}, q::NodeId{3}, stripe_message<q::RbcEcho>(m4, 3, 0)},
      q::Message{q::Epoch{3}, q::NodeId{9}, stripe_message<q::RbcVal>(m16, 9, 100)},
      q::Message{q::Epoch{4}, q::NodeId{15}, stripe_message<q::RbcEcho>(m16, 0, 7)},
      q::Message{q::Epoch{5}, q::NodeId{2}, q::RbcReady{root}},
      q::Message{q::Epoch{6}, q::NodeId{1}, q::AbaBval{q::Round{3}, true}},
      q::Message{q::Epoch{7}, q::NodeId{1}, q::AbaAux{q::Round{4}, false}},
      q::Message{q::Epoch{8}, q::NodeId{0}, q::AbaConf{q::Round{5}, q::BoolSet::kBoth}},
      q::Message{q::Epoch{9}, q::NodeId{3}, q::AbaCoin{q::Round{2}, share}},
      q::Message{q::Epoch{10}, q::NodeId{2}, q::AbaTerm{true}},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <output folder>\n";
    return 2;
  }
  int index = 0;
  for (const q::Message& m : seeds()) {
    const q::Bytes wire = q::encode(m);
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(index++);
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(wire.data()), static_cast<std::streamsize>(wire.size()));
    if (!out) {
      std::cerr << "cannot write " << path << "\n";
      return 1;
    }
  }
  std::cout << "wrote " << index << " seeds to " << argv[1] << "\n";
  return 0;
}
