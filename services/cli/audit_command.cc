// clearctl audit verify: checks one node's PostgreSQL against the genesis
// file alone, as an auditor with read access to the database would. Four
// checks, in one pass over the stored epochs and then table by table:
//   1. the audit chain, recomputed from 32 zero bytes over each epochs row's
//      output and state digests: every link is audit_log's entry hash (seq
//      epoch + 1, record and prev_hash as written) and epochs.audit_head;
//   2. every stored signature verifies under its genesis node's key over the
//      epoch's tuple, and every epoch has 2f+1 distinct valid signers;
//   3. a ledger built from genesis replays the stored batches: each epoch's
//      output digest, state digest, audit head, obligations root and (at
//      checkpoints) snapshot digest are the stored ones;
//   4. the replay is written with the node's own writer (NodeStore::
//      apply_epoch, as NodeIo::commit builds it) into a scratch database on
//      the same server, and every table the writer fills is compared row by
//      row with the audited one. The digests of 1-3 cover the batches and
//      the ledger's state, not the rows that record them (trades, positions,
//      runs: ARCHITECTURE.md, "audit verification re-derives every row by
//      replay"), so without 4 an edited row would pass.
// A node rebuilt from a checkpoint C (schema/0013) is audited from C's
// certified head and stored snapshot, or, once it has fetched the epochs
// below C, from genesis through them, with its scratch database built as the
// node built its own (services/README.md, "Rebuilt from a checkpoint").
// The first difference ends the audit with exit 1 and names table, row and
// column. Nothing in the audited database is written.

#include "quorum/certificate.h"
#include "services/store/epoch_replay.h"
#include "services/cli/command.h"
#include "services/cli/genesis_input.h"
#include "services/config/genesis.h"
#include "services/config/hex.h"
#include "services/store/audit_store.h"
#include "services/store/node_store.h"
#include "settlement/obligation_proof.h"
#include "settlement/snapshot.h"

#include <sodium.h>

#include <iostream>
#include <memory>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl audit verify --db URL --genesis FILE [--scratch-db URL]\n"
    "\n"
    "Verifies one node's database (URL, a libpq URI or key=value string) with the\n"
    "genesis file: recomputes the audit chain, checks every stored certificate\n"
    "signature against the genesis keys (2f+1 distinct signers per epoch), replays\n"
    "every stored epoch from genesis (output, state, audit, snapshot and obligations\n"
    "digests), writes the replay into a scratch database and compares every row the\n"
    "node's epoch writer produces. The scratch database is created on URL's server\n"
    "(CREATE DATABASE qc_audit_<random>; needs CREATEDB) and dropped at the end;\n"
    "--scratch-db names an existing, empty one instead (left for its owner to drop).\n"
    "Run it against a stopped node, or one that applies nothing meanwhile: the\n"
    "newest epochs of a running node may still be collecting signatures.\n"
    "Exit 0 only when everything matches; 1 at the first difference (table, row,\n"
    "column, stored and replayed value) or when the database cannot be read.\n";

/// Ends the audit: `what` follows "AUDIT FAILED: ".
struct Failure {
  std::string what;
};

std::string hex(std::span<const std::uint8_t> bytes) { return "\\x" + config::to_hex(bytes); }

[[noreturn]] void differs(const std::string& table, const std::string& key, const std::string& column,
                          const std::string& stored, const std::string& replayed) {
  throw Failure{table + " row " + key + ": " + column + " is " + stored + ", the replay gives " + replayed};
}

void expect_digest(const std::string& table, const std::string& key, const std::string& column,
                   std::span<const std::uint8_t> stored, const settlement::Digest& replayed) {
  if (!std::equal(stored.begin(), stored.end(), replayed.begin(), replayed.end())) {
    differs(table, key, column, hex(stored), hex(replayed));
  }
}

/// A nullable digest column as the writer stores it: NULL for zero.
std::string nullable(const settlement::Digest& d) { return d == settlement::Digest{} ? "NULL" : hex(d); }

settlement::LedgerOptions fresh_options() {
  settlement::LedgerOptions options;
  randombytes_buf(options.hash_key.data(), sizeof options.hash_key);  // any value is correct
  return options;
}

// The tables the epoch writer and init_network fill, in the order they are
// compared, with the columns left out. Everything else in them is compared.
// Left out, because they are node-local by nature and no replay can give
// them (schema/0002, 0004, 0009):
//   epochs.applied_at, trades.received_at, audit_log.recorded_at:
//     now() when this node wrote the row;
//   node_state.entered_epoch: the highest epoch this node sent a message
//     in, engine progress that a replay sends none of.
// Tables not compared at all: epoch_signatures (checked by signature, 2
// above: which signatures a node holds depends on what reached it),
// ledger_snapshots and their chunks (written after the commit, the newest
// two kept; their bytes are vouched for by the certified snapshot digest,
// checked at a restart), received_reports, api_tokens, local_events
// (node-local) and schema_migrations (this build's migrations, the same
// file set on both sides).
std::vector<store::TableToCompare> tables_compared() {
  return {
      {"node_state", {"entered_epoch"}},
      {"network", {}},
      {"currencies", {}},
      {"members", {}},
      {"venue_members", {}},
      {"instruments", {}},
      {"member_limits", {}},
      {"default_fund_contributions", {}},
      {"epochs", {"applied_at"}},
      {"epoch_batches", {}},
      {"audit_log", {"recorded_at"}},
      {"trades", {"received_at"}},
      {"trade_rejections", {}},
      {"control_votes", {}},
      {"positions", {}},
      {"cash_positions", {}},
      {"securities_balances", {}},
      {"cash_balances", {}},
      {"settlement_runs", {}},
      {"settlement_run_totals", {}},
      {"net_obligations", {}},
      {"settlement_unmatched_reports", {}},
      {"obligation_proofs", {}},
  };
}

/// Everything one audit run holds: the audited database's connections, the
/// genesis, the ledger being replayed and the scratch database it writes.
class Audit {
 public:
  Audit(const std::string& db_url, const config::NetworkGenesis& genesis, const settlement::ReferenceData& reference)
      : db_url_(db_url),
        genesis_(genesis),
        reference_(reference),
        keys_(genesis.signing_keys()),
        needed_(2 * genesis.membership().f() + 1),
        epochs_(db_url),
        reads_(db_url),
        rows_(db_url) {
    range_ = rows_.epoch_range();
  }

  /// Checks 1-3 for every stored epoch, writing the replay to `replay`
  /// when there is one (history from genesis).
  void run_epochs(store::NodeStore* replay);
  /// Check 4: every compared table; prints each table's row count.
  void compare_rows(const std::string& replay_url);

  [[nodiscard]] std::optional<std::uint64_t> checkpoint_start() const { return checkpoint_start_; }
  [[nodiscard]] std::uint16_t node_id() { return rows_.node_id(); }
  void report(std::ostream& out) const;

 private:
  void start_ledger(store::NodeStore* replay);
  void check_chain(const store::StoredEpoch& e);
  void check_certificate(const store::StoredEpoch& e);
  void replay_epoch(const store::StoredEpoch& e, store::NodeStore* replay);
  void replay_older_epoch(const store::StoredEpoch& e, store::NodeStore* replay);
  void start_replay_at_checkpoint(const store::StoredEpoch& e, settlement::ByteView snapshot, store::NodeStore& replay);
  void check_seq_range();

  std::string db_url_;
  const config::NetworkGenesis& genesis_;
  const settlement::ReferenceData& reference_;
  std::vector<quorum::SigningPublicKey> keys_;
  std::size_t needed_;
  store::NodeStore epochs_;  // the for_each_epoch cursor's connection
  store::NodeStore reads_;   // signatures and snapshots while the cursor is open
  store::AuditStore rows_;
  store::KeyRange range_;
  std::optional<std::uint64_t> last_applied_;
  std::unique_ptr<settlement::Ledger> ledger_;
  std::optional<std::uint64_t> checkpoint_start_;
  /// The node's history starts at checkpoint_start_ and the epochs below it
  /// were fetched since: the replay starts at genesis all the same.
  bool older_history_ = false;
  settlement::Digest chain_{};   // check 1: over the stored digests
  settlement::Digest replay_head_{};  // check 3: over the replayed ones
  std::uint64_t next_epoch_ = 0;
  std::uint64_t epochs_replayed_ = 0, signatures_ = 0, certified_ = 0, snapshots_ = 0;
};

void Audit::start_ledger(store::NodeStore* replay) {
  const store::StoredState state = epochs_.load_state();
  last_applied_ = state.last_applied_epoch;
  if (!state.history_start_epoch) {
    if (range_.first && *range_.first != 0) {
      differs("epochs", "epoch=0", "(row)", "absent", "present (node_state names no checkpoint its history starts at)");
    }
    if (!range_.first && last_applied_) differs("epochs", "epoch=0", "(row)", "absent", "present (node_state says applied)");
    ledger_ = std::make_unique<settlement::Ledger>(reference_, fresh_options());
    return;
  }
  // A node rebuilt from a checkpoint holds no history below it (schema/
  // 0013): the epoch's certificate vouches for its snapshot digest, the
  // digest for the stored snapshot, and the chain goes on from the
  // epoch's certified head.
  const std::uint64_t k = *state.history_start_epoch;
  if (range_.first == 0) {
    // The history below the checkpoint was fetched since: replay from
    // genesis through it, and at the checkpoint start the scratch database
    // as the node started its own (run_epochs).
    checkpoint_start_ = k;
    older_history_ = true;
    ledger_ = std::make_unique<settlement::Ledger>(reference_, fresh_options());
    return;
  }
  const std::string key = "epoch=" + std::to_string(k);
  const std::optional<store::StoredEpoch> epoch = reads_.load_epoch(k);
  const std::optional<store::StoredSnapshot> snapshot = reads_.load_snapshot(k);
  if (!epoch || !snapshot) {
    throw Failure{"the history starts at checkpoint epoch " + std::to_string(k) +
                  " and epochs or ledger_snapshots holds no row of it to start from"};
  }
  if (epoch->snapshot_digest == settlement::Digest{}) {
    differs("epochs", key, "snapshot_digest", "NULL", "the checkpoint's (node_state.history_start_epoch)");
  }
  expect_digest("ledger_snapshots", key, "snapshot digest of its bytes", epoch->snapshot_digest,
                settlement::snapshot_digest(snapshot->bytes));
  auto decoded = settlement::decode_snapshot(snapshot->bytes, reference_, fresh_options());
  if (const auto* error = std::get_if<settlement::SnapshotError>(&decoded)) {
    throw Failure{"ledger_snapshots row " + key + ": does not decode: " + error->what};
  }
  ledger_ = std::move(std::get<std::unique_ptr<settlement::Ledger>>(decoded));
  expect_digest("epochs", key, "state_digest", epoch->state_digest, ledger_->state_digest());
  if (store::stored_output_digest(*epoch) != epoch->output_digest) {
    differs("epoch_batches", key, "(batches)", "stored", "not the ones its output digest names");
  }
  check_certificate(*epoch);
  if (replay) start_replay_at_checkpoint(*epoch, snapshot->bytes, *replay);
  checkpoint_start_ = k;
  chain_ = replay_head_ = epoch->audit_head;
  next_epoch_ = k + 1;
}

// The scratch database starts where the node's did, the same way.
void Audit::start_replay_at_checkpoint(const store::StoredEpoch& e, settlement::ByteView snapshot,
                                       store::NodeStore& replay) {
  const std::vector<store::EpochSignature> signatures = reads_.load_signatures(e.epoch);
  const settlement::LedgerStateRows rows = ledger_->state_rows();
  replay.start_from_checkpoint({e, signatures, snapshot, reference_, rows, ledger_->open_business_date()});
}

// An epoch at or below the checkpoint of a node whose history starts there,
// replayed from genesis: chain, certificate and digests as for any epoch;
// the scratch database takes it as history, and the checkpoint as its start.
void Audit::replay_older_epoch(const store::StoredEpoch& e, store::NodeStore* replay) {
  const std::string key = "epoch=" + std::to_string(e.epoch);
  chain_ = quorum::audit_link(chain_, quorum::Epoch{e.epoch}, e.output_digest, e.state_digest);
  expect_digest("epochs", key, "audit_head", e.audit_head, chain_);
  check_certificate(e);
  replay_epoch(e, nullptr);
  if (!replay) return;
  if (e.epoch < *checkpoint_start_) {
    replay->store_history_epoch(e, reads_.load_signatures(e.epoch));
    return;
  }
  // The checkpoint: the replayed ledger's snapshot is the one the node keeps.
  const std::optional<store::StoredSnapshot> snapshot = reads_.load_snapshot(e.epoch);
  if (!snapshot) throw Failure{"ledger_snapshots holds no row of checkpoint " + key + " this node's history starts at"};
  expect_digest("ledger_snapshots", key, "snapshot digest of its bytes", e.snapshot_digest,
                settlement::snapshot_digest(snapshot->bytes));
  start_replay_at_checkpoint(e, snapshot->bytes, *replay);
}

void Audit::check_chain(const store::StoredEpoch& e) {
  const std::string key = "seq=" + std::to_string(e.epoch + 1);
  const std::optional<store::AuditLogRow> row = rows_.audit_row(e.epoch + 1);
  if (!row) differs("audit_log", key, "(row)", "absent", "present");
  const std::array<std::uint8_t, 72> record = store::audit_record(e.epoch, e.output_digest, e.state_digest);
  if (row->epoch != e.epoch) {
    differs("audit_log", key, "epoch", row->epoch ? std::to_string(*row->epoch) : "NULL", std::to_string(e.epoch));
  }
  if (!std::equal(row->record.begin(), row->record.end(), record.begin(), record.end())) {
    differs("audit_log", key, "record", hex(row->record), hex(record));
  }
  expect_digest("audit_log", key, "prev_hash", row->prev_hash, chain_);
  chain_ = quorum::audit_link(chain_, quorum::Epoch{e.epoch}, e.output_digest, e.state_digest);
  expect_digest("audit_log", key, "entry_hash", row->entry_hash, chain_);
  expect_digest("epochs", "epoch=" + std::to_string(e.epoch), "audit_head", e.audit_head, chain_);
}

void Audit::check_certificate(const store::StoredEpoch& e) {
  const quorum::EpochTuple tuple{genesis_.network_id,   quorum::Epoch{e.epoch}, e.output_digest,    e.state_digest,
                                 e.audit_head,          e.snapshot_digest,      e.obligations_root};
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures;
  for (const store::EpochSignature& s : reads_.load_signatures(e.epoch)) {
    if (s.node_id >= keys_.size() || !quorum::verify_epoch(tuple, s.signature, keys_[s.node_id])) {
      throw Failure{"epoch_signatures row epoch=" + std::to_string(e.epoch) + ", node_id=" +
                    std::to_string(s.node_id) + ": signature " + hex(s.signature) +
                    " is not genesis node " + std::to_string(s.node_id) + "'s over the stored tuple of epoch " +
                    std::to_string(e.epoch)};
    }
    signatures.emplace_back(quorum::NodeId{s.node_id}, s.signature);
  }
  signatures_ += signatures.size();
  const std::size_t signers = quorum::distinct_valid_signers(tuple, signatures, keys_);
  if (signers < needed_) {
    throw Failure{"epochs row epoch=" + std::to_string(e.epoch) + ": certified by " + std::to_string(signers) +
                  " distinct valid signers, 2f+1 = " + std::to_string(needed_) + " are needed" +
                  (e.epoch == last_applied_ ? " (the newest epoch: a running node may still be collecting them)"
                                            : "")};
  }
  ++certified_;
}

void Audit::replay_epoch(const store::StoredEpoch& e, store::NodeStore* replay) {
  const std::string key = "epoch=" + std::to_string(e.epoch);
  const store::ReplayedEpoch replayed = store::replay_stored_epoch(*ledger_, e);
  const settlement::EpochResult& result = replayed.result;
  const std::vector<settlement::EpochBatch>& batches = replayed.batches;
  if (result.status != settlement::ApplyStatus::kApplied) {
    throw Failure{"epochs row " + key + ": the ledger refuses to apply it (out of order)"};
  }
  const quorum::Digest& output = replayed.output_digest;
  expect_digest("epochs", key, "output_digest", e.output_digest, output);
  expect_digest("epochs", key, "state_digest", e.state_digest, result.state_digest);
  replay_head_ = quorum::audit_link(replay_head_, quorum::Epoch{e.epoch}, output, result.state_digest);
  expect_digest("epochs", key, "audit_head", e.audit_head, replay_head_);
  // The node takes a snapshot at every checkpoint epoch; a stored digest
  // elsewhere, or none there, differs too.
  settlement::Digest snapshot{};
  const bool checkpoint = config::is_checkpoint_epoch(e.epoch, genesis_.checkpoint_interval_epochs);
  if (checkpoint || e.snapshot_digest != settlement::Digest{}) {
    const settlement::Digest recomputed = settlement::snapshot_digest(settlement::encode_snapshot(*ledger_));
    if (checkpoint) snapshot = recomputed;
    ++snapshots_;
  }
  if (e.snapshot_digest != snapshot) differs("epochs", key, "snapshot_digest", nullable(e.snapshot_digest), nullable(snapshot));
  const settlement::EpochObligations obligations = settlement::prove_epoch_obligations(result.reports, reference_);
  if (e.obligations_root != obligations.root) {
    differs("epochs", key, "obligations_root", nullable(e.obligations_root), nullable(obligations.root));
  }
  if (replay) {
    // As NodeIo::commit builds it, so the rows are the writer's own.
    const store::EpochToWrite row{e.epoch,   batches,      result,           reference_, output, replay_head_,
                                  snapshot, obligations.root, obligations.proofs};
    replay->apply_epoch(row);
  }
  ++epochs_replayed_;
}

void Audit::run_epochs(store::NodeStore* replay) {
  start_ledger(replay);
  if (!last_applied_) {
    check_seq_range();
    return;
  }
  epochs_.for_each_epoch(next_epoch_, *last_applied_, [&](const store::StoredEpoch& e) {
    if (e.epoch != next_epoch_) differs("epochs", "epoch=" + std::to_string(next_epoch_), "(row)", "absent", "present");
    if (older_history_ && e.epoch <= *checkpoint_start_) {
      replay_older_epoch(e, replay);
      ++next_epoch_;
      return;
    }
    check_chain(e);
    check_certificate(e);
    replay_epoch(e, replay);
    ++next_epoch_;
  });
  if (next_epoch_ != *last_applied_ + 1) {
    differs("epochs", "epoch=" + std::to_string(next_epoch_), "(row)", "absent",
            "present (node_state.last_applied_epoch is " + std::to_string(*last_applied_) + ")");
  }
  if (range_.last && *range_.last > *last_applied_) {
    differs("epochs", "epoch=" + std::to_string(*range_.last), "(row)", "present",
            "absent (node_state.last_applied_epoch is " + std::to_string(*last_applied_) + ")");
  }
  const store::StoredState state = epochs_.load_state();
  expect_digest("node_state", "singleton=t", "state_digest", state.state_digest, ledger_->state_digest());
  expect_digest("node_state", "singleton=t", "audit_head", state.audit_head, replay_head_);
  check_seq_range();
}

// No audit_log row beyond the epochs' links: from genesis seq 1 (epoch 0),
// from a checkpoint seq k + 2 (epoch k + 1, the first the node applied).
void Audit::check_seq_range() {
  const store::KeyRange seqs = rows_.audit_seq_range();
  const std::uint64_t first = checkpoint_start_ ? *checkpoint_start_ + 2 : 1;
  const std::uint64_t links = last_applied_ ? *last_applied_ + 2 - first : 0;
  if (seqs.count != links || (links > 0 && (seqs.first != first || seqs.last != first + links - 1))) {
    const std::uint64_t extra = seqs.last && *seqs.last > first + links - 1 ? *seqs.last : seqs.first.value_or(0);
    differs("audit_log", "seq=" + std::to_string(extra), "(row)", "present", "absent (" + std::to_string(links) +
            " links for epochs " + std::to_string(first - 1) + ".." +
            (last_applied_ ? std::to_string(*last_applied_) : std::string("none")) + ")");
  }
}

void Audit::compare_rows(const std::string& replay_url) {
  std::cout << "rows compared with the replay (every column but the node-local ones):\n";
  for (const store::TableToCompare& t : tables_compared()) {
    const store::TableComparison c = store::compare_table(db_url_, replay_url, t);
    std::cout << "  " << t.table << std::string(t.table.size() < 30 ? 30 - t.table.size() : 1, ' ') << c.rows
              << (t.excluded.empty() ? "" : "   (not compared: ");
    for (std::size_t i = 0; i < t.excluded.size(); ++i) std::cout << (i ? ", " : "") << t.excluded[i];
    std::cout << (t.excluded.empty() ? "" : ")") << "\n";
    if (c.difference) {
      const store::RowDifference& d = *c.difference;
      std::string hint;
      if (d.table == "node_state" && d.column == "last_applied_epoch") {
        hint = " (did the node apply epochs while the audit ran? stop it and run again)";
      }
      differs(d.table, d.key, d.column, d.stored, d.replayed + hint);
    }
  }
}

void Audit::report(std::ostream& out) const {
  const std::uint64_t from = checkpoint_start_ ? *checkpoint_start_ + 1 : 0;
  if (older_history_) {
    out << "audit chain: " << epochs_replayed_ << " links recomputed from 32 zero bytes, each equal to "
        << "epochs.audit_head, and to audit_log.entry_hash from epoch " << *checkpoint_start_ + 1 << " on\n";
  } else {
    out << "audit chain: " << epochs_replayed_ << " links recomputed from "
        << (checkpoint_start_ ? "the certified head of epoch " + std::to_string(*checkpoint_start_) : "32 zero bytes")
        << ", each equal to audit_log.entry_hash and epochs.audit_head\n";
  }
  out << "certificates: " << certified_ << " epochs certified by at least 2f+1 = " << needed_ << " of "
      << keys_.size() << " genesis nodes; " << signatures_ << " stored signatures, all valid\n";
  if (older_history_) {
    out << "replayed " << epochs_replayed_ << " epochs from genesis (0.." << epochs_replayed_ - 1
        << "): this node's history starts at checkpoint epoch " << *checkpoint_start_
        << ", the epochs below it fetched from peers; the replayed state there is the checkpoint's; "
        << snapshots_ << " snapshot digests recomputed\n";
  } else if (checkpoint_start_) {
    out << "replayed from certified checkpoint at epoch " << *checkpoint_start_ << " (" << epochs_replayed_
        << " epochs after it)\n";
  } else {
    out << "replayed " << epochs_replayed_ << " epochs from genesis";
    if (epochs_replayed_ > 0) out << " (" << from << ".." << from + epochs_replayed_ - 1 << ")";
    out << ": output, state and audit digests and obligations root of every epoch equal the stored ones; "
        << snapshots_ << " snapshot digests recomputed\n";
  }
}

int verify(const Args& args) {
  const Command command = audit_command();
  const auto db = args.value("db");
  const auto genesis_path = args.value("genesis");
  if (!db || !genesis_path) return usage_error(command, "--db URL and --genesis FILE are required");
  const std::optional<LoadedGenesis> loaded = load_genesis_for("audit verify", *genesis_path);
  if (!loaded) return kExitFailed;
  const config::NetworkGenesis& g = loaded->genesis;
  const settlement::ReferenceData& ref = loaded->reference;
  std::unique_ptr<store::ScratchDatabase> scratch;
  try {
    Audit audit(*db, g, ref);
    const auto scratch_url = args.value("scratch-db");
    std::unique_ptr<store::NodeStore> replay;
    std::string replay_url;
    {
      if (scratch_url) {
        if (!store::database_is_empty(*scratch_url)) {
          std::cerr << "clearctl audit verify: --scratch-db holds tables; it must be an empty database\n";
          return kExitFailed;
        }
        replay_url = *scratch_url;
      } else {
        scratch = std::make_unique<store::ScratchDatabase>(*db);
        replay_url = scratch->url();
        std::cout << "scratch database: " << scratch->name() << " (dropped at the end)\n";
      }
      replay = std::make_unique<store::NodeStore>(replay_url);
      replay->migrate();
      replay->init_network(ref, g.network_id, audit.node_id());
    }
    audit.run_epochs(replay.get());
    audit.report(std::cout);
    replay.reset();  // its connection, before the scratch database is dropped
    audit.compare_rows(replay_url);
  } catch (const Failure& f) {
    std::cout << "AUDIT FAILED: " << f.what << "\n";
    return kExitFailed;
  } catch (const std::exception& e) {
    // A damaged or unreachable database: report, never crash.
    std::cout << "AUDIT FAILED: " << e.what() << "\n";
    return kExitFailed;
  }
  std::string dropped;
  if (scratch && !scratch->drop(&dropped)) {
    std::cout << "AUDIT FAILED: the scratch database " << scratch->name() << " could not be dropped: " << dropped
              << "\n";
    return kExitFailed;
  }
  std::cout << "AUDIT PASSED\n";
  return kExitOk;
}

int run(const Args& args) {
  if (args.value("verb") == "verify") return verify(args);
  return usage_error(audit_command(), "the verb must be verify");
}

}  // namespace

Command audit_command() {
  return Command{"audit", "verify a node's database: chain, certificates, replay and every row", kUsage,
                 {{"verb"}, {"db"}, {"genesis"}, {"scratch-db"}}, run, "verb"};
}

}  // namespace quorumclear::cli
