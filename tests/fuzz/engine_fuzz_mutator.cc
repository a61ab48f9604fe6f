// libFuzzer custom mutator and cross-over for quorum_engine_fuzz: they edit
// an input as a program (config byte + operation records, engine_fuzz_ops.h)
// rather than as bytes, so every mutant stays record-aligned. Byte-level
// mutation alone shifts every later record when it inserts or erases a
// byte, and reaches "insert a kByzMaxVal into an n = 13 program" only by
// luck; here that is one of a handful of equally likely edits.
#include "tests/fuzz/engine_fuzz_ops.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <vector>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace qf = quorumclear::quorum::fuzz;

namespace {

using Record = std::array<std::uint8_t, qf::kOpBytes>;

struct Program {
  std::uint8_t config = 0;
  std::vector<Record> ops;
};

Program parse(const std::uint8_t* data, std::size_t size) {
  Program p;
  if (size == 0) return p;
  p.config = data[0];
  for (std::size_t at = 1; at + qf::kOpBytes <= size && p.ops.size() < qf::kOpsMax; at += qf::kOpBytes) {
    Record r;
    std::memcpy(r.data(), data + at, qf::kOpBytes);
    p.ops.push_back(r);
  }
  return p;
}

/// Writes as many records as fit in max_size; returns the size written.
std::size_t write(const Program& p, std::uint8_t* out, std::size_t max_size) {
  if (max_size == 0) return 0;
  out[0] = p.config;
  std::size_t at = 1;
  for (const Record& r : p.ops) {
    if (at + qf::kOpBytes > max_size) break;
    std::memcpy(out + at, r.data(), qf::kOpBytes);
    at += qf::kOpBytes;
  }
  return at;
}

Record random_record(std::mt19937& rng) {
  Record r;
  r[0] = static_cast<std::uint8_t>(rng() % static_cast<unsigned>(qf::Op::kOpCount));
  // Arguments: all zero (every op's plainest form) one time in four,
  // otherwise random bytes.
  const bool plain = rng() % 4 == 0;
  for (std::size_t i = 1; i < r.size(); ++i) r[i] = plain ? 0 : static_cast<std::uint8_t>(rng());
  return r;
}

std::uint8_t mutate_byte(std::uint8_t b, std::mt19937& rng) {
  switch (rng() % 5) {
    case 0: return static_cast<std::uint8_t>(b + 1);
    case 1: return static_cast<std::uint8_t>(b - 1);
    case 2: return static_cast<std::uint8_t>(b ^ (1u << (rng() % 8)));
    case 3: return rng() % 2 == 0 ? 0 : 0xff;
    default: return static_cast<std::uint8_t>(rng());
  }
}

void mutate_once(Program& p, std::mt19937& rng) {
  const std::size_t n = p.ops.size();
  const auto pick = [&](std::size_t bound) { return static_cast<std::size_t>(rng() % bound); };
  switch (rng() % 10) {
    case 0:
    case 1:  // the same program at the other membership size, or with the other faulty ids
      if (rng() % 4 != 0) {
        const bool n4 = (p.config & qf::kConfigSizeBits) == qf::kConfigN4;
        p.config = static_cast<std::uint8_t>((p.config & ~qf::kConfigSizeBits) | (n4 ? 1 + rng() % 3 : 0));
      } else {
        p.config ^= qf::kConfigByzantineFirst;
      }
      return;
    case 2:
    case 3:  // a new operation anywhere
      if (n < qf::kOpsMax) {
        p.ops.insert(p.ops.begin() + static_cast<std::ptrdiff_t>(pick(n + 1)), random_record(rng));
      }
      return;
    case 4:  // drop one
      if (n > 0) p.ops.erase(p.ops.begin() + static_cast<std::ptrdiff_t>(pick(n)));
      return;
    case 5:  // repeat one elsewhere (a retry, a second vote, another epoch)
      if (n > 0 && n < qf::kOpsMax) {
        const Record copy = p.ops[pick(n)];
        p.ops.insert(p.ops.begin() + static_cast<std::ptrdiff_t>(pick(n + 1)), copy);
      }
      return;
    case 6:  // reorder two
      if (n > 1) std::swap(p.ops[pick(n)], p.ops[pick(n)]);
      return;
    default:  // one byte of one operation: its opcode or an argument
      if (n > 0) {
        Record& r = p.ops[pick(n)];
        const std::size_t i = pick(r.size());
        r[i] = mutate_byte(r[i], rng);
      }
      return;
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  std::mt19937 rng(seed);
  // One time in five, libFuzzer's own byte-level mutations (they bring its
  // comparison tracing and dictionary); any bytes are a valid program.
  if (rng() % 5 == 0) return LLVMFuzzerMutate(data, size, max_size);
  Program p = parse(data, size);
  const unsigned edits = 1 + rng() % 3;
  for (unsigned i = 0; i < edits; ++i) mutate_once(p, rng);
  return write(p, data, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned int seed) {
  std::mt19937 rng(seed);
  const Program a = parse(data1, size1);
  const Program b = parse(data2, size2);
  // A prefix of one program, then a suffix of the other, whole records.
  Program child;
  child.config = rng() % 2 == 0 ? a.config : b.config;
  const std::size_t cut_a = a.ops.empty() ? 0 : rng() % (a.ops.size() + 1);
  const std::size_t cut_b = b.ops.empty() ? 0 : rng() % (b.ops.size() + 1);
  child.ops.assign(a.ops.begin(), a.ops.begin() + static_cast<std::ptrdiff_t>(cut_a));
  child.ops.insert(child.ops.end(), b.ops.begin() + static_cast<std::ptrdiff_t>(cut_b), b.ops.end());
  if (child.ops.size() > qf::kOpsMax) child.ops.resize(qf::kOpsMax);
  return write(child, out, max_out_size);
}
