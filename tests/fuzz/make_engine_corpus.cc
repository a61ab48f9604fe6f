// Writes the engine fuzzer's seed corpus: short programs in the operation
// language of engine_fuzz_ops.h that reach the engine's main paths — honest
// epochs at n = 4 and 13, heartbeat epochs, a reordering and duplicating
// schedule, an equivocating proposer, the largest codeword a Byzantine
// proposer can send at n = 4, votes and coin shares at the round limits —
// so the fuzzer mutates from meaningful states.
// Usage: quorum_engine_fuzz_corpus <output folder>
#include "tests/fuzz/engine_fuzz_ops.h"

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace qf = quorumclear::quorum::fuzz;
using qf::Op;

namespace {

class Program {
 public:
  explicit Program(std::uint8_t config) : bytes_{config} {}
  Program& op(Op op, std::uint8_t a = 0, std::uint8_t b = 0, std::uint8_t c = 0, std::uint8_t d = 0,
              std::uint8_t e = 0, std::uint8_t f = 0, std::uint8_t g = 0) {
    bytes_.insert(bytes_.end(), {static_cast<std::uint8_t>(op), a, b, c, d, e, f, g});
    return *this;
  }
  /// Honest node `node` queues a batch of `length` bytes.
  Program& propose(std::uint8_t node, std::uint16_t length) {
    return op(Op::kPropose, node, static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(length >> 8), node);
  }
  /// 8 * (1 + a) deliveries, round-robin, first in first out.
  Program& run(std::uint8_t a = 255) { return op(Op::kRun, a); }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

constexpr std::uint8_t kN4 = qf::kConfigN4;
constexpr std::uint8_t kN13 = qf::kConfigN13;
// ByzVote argument e: kind in bits 0-1, value bit 2, all instances bit 7.
constexpr std::uint8_t kBval = 0, kAux = 1, kConf = 2, kTerm = 3, kTrue = 4, kAllInstances = 0x80;
// Round selectors (argument f of ByzVote / ByzCoin).
constexpr std::uint8_t kRoundSmall = 0, kRoundCoin = 2, kRoundLast = 3, kRoundMax = 5, kRoundObserved = 7;

std::vector<std::pair<std::string, Program>> seeds() {
  std::vector<std::pair<std::string, Program>> out;
  // Two honest epochs at n = 4, then an idle heartbeat epoch.
  out.emplace_back("honest-n4", Program(kN4)
                                    .propose(0, 100)
                                    .propose(1, 200)
                                    .propose(2, 300)
                                    .run()
                                    .propose(0, 50)
                                    .run()
                                    .op(Op::kTick, 0x80, 20)
                                    .op(Op::kTick, 0x80, 20));
  // An honest epoch at n = 13 with four proposers, faulty ids first.
  out.emplace_back("honest-n13", Program(kN13 | qf::kConfigByzantineFirst)
                                     .propose(0, 1000)
                                     .propose(3, 10)
                                     .propose(5, 0)
                                     .propose(8, 4000)
                                     .run()
                                     .run());
  // A schedule that reorders, duplicates and rotates (nothing is lost).
  out.emplace_back("reorder-n4", Program(kN4)
                                     .propose(0, 10)
                                     .propose(2, 20)
                                     .op(Op::kDeliver, 1, 15, 0x5a)
                                     .op(Op::kDuplicate, 1, 3)
                                     .op(Op::kRotate, 2, 5)
                                     .op(Op::kRun, 40, 1, 0x33, 0x21)
                                     .op(Op::kDuplicate, 0, 1)
                                     .run());
  // An equivocating proposer (two roots), its own ECHO and READY, amid an honest epoch.
  out.emplace_back("equivocate-n4", Program(kN4)
                                        .propose(0, 64)
                                        .op(Op::kByzVal, 0, 0x30, 0x01, 0x40, 100, 0, 0)
                                        .op(Op::kByzEcho, 0, 0, 0, 0, 0)
                                        .op(Op::kByzReady, 0, 0, 0, 0, 0)
                                        .run());
  // The largest codeword a Byzantine proposer can send at n = 4 (maximal
  // stripes, a frame header at its capacity: exactly kBatchBytesMax there),
  // to one honest node and without colluders, so it cannot deliver: the
  // stripe bound is reached cheaply, and a delivery is one edit away.
  out.emplace_back("max-codeword-n4", Program(kN4)
                                          .propose(1, 16)
                                          .op(Op::kByzMaxVal, 0, 0, 0x01, 0, 0x42, 0xff)
                                          .run());
  // A faulty node that votes like an honest one, then at the round limits,
  // with genuine, foreign-round and broken coin shares.
  out.emplace_back("votes-n4", Program(kN4)
                                   .propose(0, 8)
                                   .propose(1, 8)
                                   .run(20)
                                   .op(Op::kByzMirror, 0, 0, 0, 0, 0x08)
                                   .op(Op::kByzVote, 0, 0, 0, 0, kBval | kAllInstances, kRoundSmall, 1)
                                   .op(Op::kByzVote, 0, 0, 0, 1, kAux | kTrue, kRoundObserved, 0)
                                   .op(Op::kByzVote, 0, 0, 0, 2, kConf, kRoundCoin, 0)
                                   .op(Op::kByzVote, 0, 0, 0, 0, kBval, kRoundLast, 0)
                                   .op(Op::kByzVote, 0, 0, 0, 0, kBval | kTrue, kRoundMax, 0)
                                   .op(Op::kByzCoin, 0, 0, 0, 0, 0, kRoundCoin, 0)
                                   .op(Op::kByzCoin, 0, 0, 0, 1, 3 | (5 << 3), kRoundCoin, 1)
                                   .op(Op::kByzCoin, 0, 0, 0, 2, 5, kRoundCoin, 0)
                                   .run()
                                   .op(Op::kByzVote, 0, 0, 0, 3, kTerm | kTrue));
  // At n = 13: forged small codewords with odd headers, junk roots, future epochs.
  out.emplace_back("forged-n13", Program(kN13)
                                     .propose(0, 30)
                                     .propose(4, 30)
                                     .op(Op::kByzVal, 1, 0x50, 0, 0x0c, 200, 0, 0x20)
                                     .op(Op::kByzVal, 2, 0x08, 0x0f, 0x03, 10, 0, 0x01)
                                     .op(Op::kByzEcho, 3, 0, 0, 5, 2)
                                     .op(Op::kByzEcho, 0, 0x0a, 0, 5, 1, 1)
                                     .op(Op::kByzReady, 0, 0, 0, 0, 2)
                                     .op(Op::kByzFlip, 0, 0, 0, 9, 0, 0, 0x40)
                                     .run()
                                     .op(Op::kByzVote, 1, 0x0b, 0, 3, kBval, kRoundSmall, 0)
                                     .run());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <output folder>\n";
    return 2;
  }
  int written = 0;
  for (const auto& [name, program] : seeds()) {
    const std::string path = std::string(argv[1]) + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(program.bytes().data()),
              static_cast<std::streamsize>(program.bytes().size()));
    if (!out) {
      std::cerr << "cannot write " << path << "\n";
      return 1;
    }
    ++written;
  }
  std::cout << "wrote " << written << " seeds to " << argv[1] << "\n";
  return 0;
}
