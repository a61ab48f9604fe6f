// Writes a clearing node's database for ops/bench_restart.sh: a day of
// trades decided in epochs, each applied by settlement::Ledger and sealed and
// committed as the node does it (seal_applied_epoch, epoch_row,
// NodeStore::apply_epoch; the snapshot of every checkpoint epoch through
// NodeStore::write_snapshot, and as a file in the node's data_dir through
// SnapshotFiles when --data-dir is given), so that the real clearing-node started on the
// database with the same genesis restores from it: the stored digests, the
// audit chain and the snapshots are the node's to the byte, or it refuses
// to start.
//
//   restart_bench_db --genesis genesis.json --database URL --node-id I
//                    [--data-dir DIR] [--trades 1000000] [--epochs 511]
//
// The genesis is ops/bench_restart/network.json's shape: clearing members on
// nodes 0..2, a trading venue on node 3. Two of every three trades are
// two-sided (each side reported from its own member's node, both in the same
// epoch: the second side confirms it), the third a venue trade (locked-in,
// one report). Every proposer's batch stays far below the 1 MiB a batch may
// hold. Prints one line of key=value figures; measures nothing itself.
#include "services/config/genesis.h"
#include "services/node/core.h"
#include "services/node/node_io.h"
#include "services/node/pending_entries.h"
#include "services/store/node_store.h"
#include "settlement/codec.h"
#include "settlement/ledger.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace quorumclear::node {
namespace {

using settlement::MemberId;

struct Args {
  std::string genesis, database, data_dir;
  std::uint16_t node_id = 0;
  std::uint64_t trades = 1'000'000;
  std::uint64_t epochs = 511;
};

/// The members that trade: clearing members with a node and venues, each
/// with the node whose batches carry its reports.
struct Traders {
  std::vector<std::pair<MemberId, std::uint16_t>> banks;
  std::vector<std::pair<MemberId, std::uint16_t>> venues;
};

Traders traders_of(const settlement::Genesis& g) {
  Traders t;
  for (const settlement::MemberDef& m : g.members) {
    if (!m.node) continue;
    if (m.role == settlement::Role::kClearingMember) t.banks.emplace_back(m.id, *m.node);
    if (m.role == settlement::Role::kTradingVenue) t.venues.emplace_back(m.id, *m.node);
  }
  return t;
}

/// Trades with ids unique across the run, from a fixed seed, so two runs
/// write the same database.
class DayOfTrades {
 public:
  DayOfTrades(const settlement::Genesis& g, std::uint16_t nodes) : genesis_(g), traders_(traders_of(g)), nodes_(nodes) {}

  /// One epoch's `count` trades as encoded entries, by proposer.
  std::vector<std::vector<settlement::Bytes>> epoch(std::uint64_t count) {
    std::vector<std::vector<settlement::Bytes>> by_node(nodes_);
    for (std::uint64_t k = 0; k < count; ++k) {
      const std::size_t buyer = rng_() % traders_.banks.size();
      const std::size_t seller = (buyer + 1 + rng_() % (traders_.banks.size() - 1)) % traders_.banks.size();
      settlement::Trade t = trade(traders_.banks[buyer].first, traders_.banks[seller].first);
      if (id_ % 3 == 2 && !traders_.venues.empty()) {
        t.submitter = traders_.venues.front().first;
        by_node.at(traders_.venues.front().second).push_back(settlement::encode_entry(t));
        continue;
      }
      t.submitter = t.buyer;
      by_node.at(traders_.banks[buyer].second).push_back(settlement::encode_entry(t));
      t.submitter = t.seller;
      by_node.at(traders_.banks[seller].second).push_back(settlement::encode_entry(t));
    }
    return by_node;
  }

 private:
  settlement::Trade trade(const MemberId& buyer, const MemberId& seller) {
    const settlement::InstrumentDef& instrument = genesis_.instruments[rng_() % genesis_.instruments.size()];
    settlement::Trade t;
    t.trade_id = settlement::TradeId::of("R" + std::to_string(id_++));
    t.buyer = buyer;
    t.seller = seller;
    t.isin = instrument.isin;
    t.quantity = settlement::Quantity{static_cast<std::int64_t>(1 + rng_() % 1'000)};
    const std::int64_t band = instrument.band_high.units - instrument.band_low.units;
    t.price = settlement::Price{instrument.band_low.units + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(band + 1))};
    t.price_scale = static_cast<std::uint8_t>(instrument.price_scale);
    t.currency = instrument.currency;
    t.trade_date = genesis_.first_business_date;
    t.settlement_date = settlement::BusinessDate{genesis_.first_business_date.days +
                                                 static_cast<std::int32_t>(rng_() % 2)};
    return t;
  }

  const settlement::Genesis& genesis_;
  Traders traders_;
  std::uint16_t nodes_;
  std::mt19937_64 rng_{20261203};
  std::uint64_t id_ = 0;
};

quorum::DecidedEpoch decided_epoch(std::uint64_t e, const std::vector<std::vector<settlement::Bytes>>& by_node) {
  quorum::DecidedEpoch decided{quorum::Epoch{e}, {}};
  for (std::size_t p = 0; p < by_node.size(); ++p) {
    std::vector<const settlement::Bytes*> entries;
    for (const settlement::Bytes& b : by_node[p]) entries.push_back(&b);
    decided.batches.push_back({quorum::NodeId{static_cast<std::uint16_t>(p)}, assemble_batch(entries)});
  }
  return decided;
}

struct Totals {
  std::uint64_t reports = 0, booked = 0, refused = 0, snapshots = 0, snapshot_bytes = 0, batch_bytes_max = 0;
};

int generate(const Args& args) {
  auto loaded = config::load_genesis(args.genesis);
  if (auto* e = std::get_if<config::ConfigError>(&loaded)) {
    std::cerr << "restart_bench_db: " << e->what() << "\n";
    return 2;
  }
  const config::NetworkGenesis genesis = std::get<config::NetworkGenesis>(std::move(loaded));
  auto reference_or = settlement::ReferenceData::load(genesis.ledger);
  if (auto* e = std::get_if<settlement::LoadError>(&reference_or)) {
    std::cerr << "restart_bench_db: " << e->field << ": " << e->message << "\n";
    return 2;
  }
  const settlement::ReferenceData reference = std::get<settlement::ReferenceData>(std::move(reference_or));
  store::NodeStore store(args.database);
  std::optional<SnapshotFiles> files;
  if (!args.data_dir.empty()) files.emplace(std::filesystem::path(args.data_dir) / "snapshots");
  store.migrate();
  store.init_network(reference, genesis.network_id, args.node_id);
  if (store.load_state().last_applied_epoch) {
    std::cerr << "restart_bench_db: the database holds applied epochs already; give it a new one\n";
    return 2;
  }
  settlement::LedgerOptions options;
  options.expected_trades = args.trades;
  settlement::Ledger ledger(reference, options);
  DayOfTrades day(genesis.ledger, genesis.ledger.node_count);
  quorum::Digest audit_head{};
  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t e = 0; e < args.epochs; ++e) {
    // Spread so that epoch e ends with trades * (e + 1) / epochs in all.
    const std::uint64_t count = args.trades * (e + 1) / args.epochs - args.trades * e / args.epochs;
    AppliedEpoch applied;
    applied.decided = decided_epoch(e, day.epoch(count));
    std::vector<settlement::EpochBatch> batches;
    for (const quorum::DecidedBatch& b : applied.decided.batches) {
      batches.push_back({b.proposer.value, b.value});
      totals.batch_bytes_max = std::max<std::uint64_t>(totals.batch_bytes_max, b.value.size());
    }
    applied.result = ledger.apply(e, batches);
    if (applied.result.status != settlement::ApplyStatus::kApplied) {
      std::cerr << "restart_bench_db: epoch " << e << " did not apply\n";
      return 1;
    }
    for (const settlement::TradeOutcome& o : applied.result.trades) {
      ++totals.reports;
      totals.booked += o.kind == settlement::TradeOutcomeKind::kConfirmed ? 1 : 0;
      totals.refused += o.kind == settlement::TradeOutcomeKind::kRejected ||
                                o.kind == settlement::TradeOutcomeKind::kRejectedUnkeyed
                            ? 1
                            : 0;
    }
    seal_applied_epoch(applied, ledger, genesis.network_id, config::is_checkpoint_epoch(e, genesis.checkpoint_interval_epochs),
                       audit_head);
    std::vector<settlement::EpochBatch> row_batches;
    store.apply_epoch(epoch_row(applied, reference, row_batches));
    if (applied.snapshot) {
      store.write_snapshot(e, applied.tuple.snapshot_digest, *applied.snapshot);
      if (files) {
        if (auto error = files->write(e, *applied.snapshot)) throw std::runtime_error(*error);
      }
      ++totals.snapshots;
      totals.snapshot_bytes = applied.snapshot->size();
    }
  }
  // A node enters an epoch before it applies it.
  if (args.epochs > 0) store.record_entered_epoch(args.epochs - 1);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (totals.refused != 0) {
    std::cerr << "restart_bench_db: " << totals.refused << " reports were refused; the genesis does not fit\n";
    return 1;
  }
  std::printf("trades=%llu booked=%llu reports=%llu epochs=%llu checkpoint_interval=%llu snapshots_written=%llu "
              "last_snapshot_bytes=%llu batch_bytes_max=%llu seconds=%.1f\n",
              static_cast<unsigned long long>(args.trades), static_cast<unsigned long long>(totals.booked),
              static_cast<unsigned long long>(totals.reports), static_cast<unsigned long long>(args.epochs),
              static_cast<unsigned long long>(genesis.checkpoint_interval_epochs),
              static_cast<unsigned long long>(totals.snapshots),
              static_cast<unsigned long long>(totals.snapshot_bytes),
              static_cast<unsigned long long>(totals.batch_bytes_max), seconds);
  return 0;
}

}  // namespace
}  // namespace quorumclear::node

int main(int argc, char** argv) {
  quorumclear::node::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--genesis") {
      args.genesis = value;
    } else if (flag == "--database") {
      args.database = value;
    } else if (flag == "--data-dir") {
      args.data_dir = value;
    } else if (flag == "--node-id") {
      args.node_id = static_cast<std::uint16_t>(std::stoul(value));
    } else if (flag == "--trades") {
      args.trades = std::stoull(value);
    } else if (flag == "--epochs") {
      args.epochs = std::stoull(value);
    } else {
      argc = -1;
    }
  }
  if (argc < 0 || argc % 2 == 0 || args.genesis.empty() || args.database.empty() || args.epochs == 0) {
    std::cerr << "usage: restart_bench_db --genesis genesis.json --database URL --node-id I "
                 "[--data-dir DIR] [--trades 1000000] [--epochs 511]\n";
    return 2;
  }
  if (sodium_init() < 0) return 1;
  try {
    return quorumclear::node::generate(args);
  } catch (const std::exception& e) {
    std::cerr << "restart_bench_db: " << e.what() << "\n";
    return 1;
  }
}
