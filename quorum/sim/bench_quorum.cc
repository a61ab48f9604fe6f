// quorum_bench: throughput of the engine alone. n engines in one process,
// all honest, zero delay, FIFO delivery, no invariant checks: each benchmark
// iteration is one epoch in which every node proposes a batch of `txs`
// transactions of 128 bytes. Counters: decided epochs/s, transactions/s,
// messages and bytes per epoch (canonical encoding, every copy counted).

#include "quorum/codec.h"
#include "quorum/engine.h"

#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <random>
#include <stdexcept>

namespace quorumclear::quorum {
namespace {

constexpr std::size_t kTxBytes = 128;

struct InFlight {
  NodeId from;
  NodeId to;
  std::shared_ptr<const Message> message;
};

class BenchCluster {
 public:
  BenchCluster(std::size_t n, std::size_t txs) : members_(n), decided_(n, 0) {
    std::mt19937_64 rng(n * 1'000'003 + txs);
    const RandomSource random = [&rng](std::span<std::uint8_t> out) {
      for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    };
    const auto keys = deal_keys(members_, random);
    EngineConfig cfg;
    cfg.idle_heartbeat_ms = 0;
    for (std::size_t i = 0; i < n; ++i) {
      engines_.emplace_back(members_, NodeId{static_cast<std::uint16_t>(i)}, keys[i], cfg, Epoch{0});
      Bytes batch(txs * kTxBytes);
      for (auto& b : batch) b = static_cast<std::uint8_t>(rng());
      batches_.push_back(std::move(batch));
    }
  }

  /// One epoch, start to finish at every node. Returns transactions decided.
  std::uint64_t run_epoch() {
    const std::size_t n = members_.n();
    const std::uint64_t target = epochs_ + 1;
    for (std::size_t i = 0; i < n; ++i) apply(i, engines_[i].propose(batches_[i]));
    while (!queue_.empty()) {
      InFlight d = std::move(queue_.front());
      queue_.pop_front();
      ++messages_;
      bytes_ += encoded_size(*d.message);
      apply(d.to.value, engines_[d.to.value].handle(d.from, *d.message));
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (decided_[i] != target) throw std::runtime_error("epoch did not decide at every node");
    }
    epochs_ = target;
    return txs_decided_;
  }

  [[nodiscard]] std::uint64_t messages() const { return messages_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  void apply(std::size_t i, Step&& step) {
    for (const DecidedEpoch& d : step.decided) {
      ++decided_[i];
      if (i != 0) continue;
      for (const DecidedBatch& b : d.batches) txs_decided_ += b.value.size() / kTxBytes;
    }
    for (OutgoingMessage& m : step.messages) {
      auto shared = std::make_shared<const Message>(std::move(m.message));
      if (!m.to.to_all) {
        queue_.push_back(InFlight{NodeId{static_cast<std::uint16_t>(i)}, m.to.node, std::move(shared)});
        continue;
      }
      for (std::size_t j = 0; j < members_.n(); ++j) {
        if (j != i) queue_.push_back(InFlight{NodeId{static_cast<std::uint16_t>(i)}, NodeId{static_cast<std::uint16_t>(j)}, shared});
      }
    }
  }

  Membership members_;
  std::vector<Engine> engines_;
  std::vector<Bytes> batches_;
  std::deque<InFlight> queue_;
  std::vector<std::uint64_t> decided_;
  std::uint64_t epochs_ = 0;
  std::uint64_t txs_decided_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t bytes_ = 0;
};

void BM_EngineEpochs(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto txs = static_cast<std::size_t>(state.range(1));
  BenchCluster cluster(n, txs);
  std::uint64_t epochs = 0;
  std::uint64_t txs_decided = 0;
  for (auto _ : state) {
    txs_decided = cluster.run_epoch();
    ++epochs;
  }
  const double e = static_cast<double>(epochs);
  state.counters["epochs/s"] = benchmark::Counter(e, benchmark::Counter::kIsRate);
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(txs_decided), benchmark::Counter::kIsRate);
  state.counters["msgs/epoch"] = benchmark::Counter(static_cast<double>(cluster.messages()) / e);
  state.counters["bytes/epoch"] = benchmark::Counter(static_cast<double>(cluster.bytes()) / e);
}

BENCHMARK(BM_EngineEpochs)
    ->ArgNames({"n", "txs"})
    ->ArgsProduct({{4, 7, 16, 31}, {100, 1000, 8000}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace quorumclear::quorum

BENCHMARK_MAIN();
