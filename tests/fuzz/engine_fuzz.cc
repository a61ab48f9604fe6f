// libFuzzer entry for the whole quorum engine under attack: whatever
// schedule and whatever f Byzantine peers send (forged codewords with any
// stripe size and frame header, ECHOs under foreign roots, votes for any
// round, genuine or broken coin shares, replays, equivocation), no honest
// engine may crash or assert, honest outputs must agree, no honest node may
// be blamed, memory must stay within the stated bound, and a fair lossless
// honest schedule must finish every epoch it starts (engine_cluster.h).
//
// Input: a config byte (n = 4 or 13, which ids are faulty), then up to
// kOpsMax 8-byte operations (engine_fuzz_ops.h); afterwards every queued
// message is delivered. Set QC_ENGINE_FUZZ_VERBOSE=1 for a line per input.
#include "tests/fuzz/engine_adversary.h"
#include "tests/fuzz/engine_cluster.h"
#include "tests/fuzz/engine_fuzz_ops.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace qf = quorumclear::quorum::fuzz;
using qf::Op;

namespace {

/// Picks one of the first 8 queued messages: the schedule may reorder, but
/// only within a short window, so a delivery never shifts a long queue.
class Picker {
 public:
  explicit Picker(std::uint32_t seed) : state_(seed) {}
  std::size_t next(std::size_t queued) {
    if (state_ == 0) return 0;  // seed 0: first in, first out
    state_ = state_ * 1103515245u + 12345u;
    return (state_ >> 16) % std::min<std::size_t>(queued, 8);
  }

 private:
  std::uint32_t state_;
};

void run_network_op(qf::Cluster& cluster, const qf::OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)e;
  (void)f;
  (void)g;
  const std::size_t honest = cluster.honest_count();
  const std::size_t node = a % honest;
  switch (r.op) {
    case Op::kPropose:
      cluster.propose(node, b | (std::size_t{c} << 8), d);
      break;
    case Op::kTick:
      if ((a & 0x80) != 0) {
        for (std::size_t i = 0; i < honest; ++i) cluster.tick(i, i == 0 ? b * 8u : 0);
      } else {
        cluster.tick(node, b * 8u);
      }
      break;
    case Op::kDeliver: {
      Picker pick(c);
      for (std::size_t i = 0; i <= b % 16u && cluster.queued(node) > 0; ++i) {
        cluster.deliver(node, pick.next(cluster.queued(node)));
      }
      break;
    }
    case Op::kRun: {
      Picker pick(c | (std::uint32_t{d} << 8));
      const std::size_t count = 8 * (std::size_t{a} + 1);
      std::size_t idle = 0;
      for (std::size_t i = 0; i < count && idle < honest && !cluster.out_of_deliveries(); ++i) {
        const std::size_t dest = (b + i) % honest;
        if (cluster.queued(dest) == 0) {
          ++idle;
          continue;
        }
        idle = 0;
        cluster.deliver(dest, pick.next(cluster.queued(dest)));
      }
      break;
    }
    case Op::kDrop: cluster.drop(node, b % 8u); break;
    case Op::kDuplicate: cluster.duplicate(node, b % 8u); break;
    case Op::kRotate: cluster.rotate(node, 1 + b % 8u); break;
    default: break;
  }
}

}  // namespace

// ASan defaults for this target (ASAN_OPTIONS still overrides them). An
// input allocates and frees thousands of stripes, some of several MiB:
// with the default 256 MiB quarantine and 4 KiB malloc fill, page faults
// and fills took half the time. A 16 MiB quarantine still catches a use
// after free within an input's recent allocations; stacks of 8 frames
// still name the culprit. Measured: 2.2x the exec/s at n = 13.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16:max_malloc_fill_size=256:malloc_context_size=8";
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Deals both key sets and checks the forger against ErasureCoder up front.
  qf::Adversary::prime_codeword_cache(qf::genesis_for(4));
  qf::Adversary::prime_codeword_cache(qf::genesis_for(13));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const bool verbose = std::getenv("QC_ENGINE_FUZZ_VERBOSE") != nullptr;
  const auto start = std::chrono::steady_clock::now();
  const std::uint8_t config = data[0];
  const qf::Genesis& genesis = qf::genesis_for(qf::membership_size(config));
  qf::Cluster cluster(genesis, (config & qf::kConfigByzantineFirst) != 0);
  qf::Adversary adversary(cluster);
  const std::size_t ops = std::min((size - 1) / qf::kOpBytes, qf::kOpsMax);
  for (std::size_t i = 0; i < ops; ++i) {
    const std::uint8_t* at = data + 1 + i * qf::kOpBytes;
    qf::OpRecord record;
    record.op = static_cast<Op>(at[0] % static_cast<std::uint8_t>(Op::kOpCount));
    std::memcpy(record.arg.data(), at + 1, record.arg.size());
    if (record.op >= Op::kByzVal) {
      adversary.run(record);
    } else {
      run_network_op(cluster, record);
    }
    cluster.check_memory();
  }
  cluster.drain();
  if (verbose) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    cluster.print_summary(ops, static_cast<std::size_t>(elapsed.count()));
  }
  cluster.check_final();
  return 0;
}
