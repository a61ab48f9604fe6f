// One decided epoch, one transaction (issue 13, "Durability"): the epoch
// and its exact batches, report rows (report_rows.cc), control votes, the
// positions, cash positions and balances it left, settlement runs
// (settlement_rows.cc), the received reports it answered (received.cc), its
// audit link and node_state. The epochs primary key, node_state's
// one-step trigger and the audit_log link trigger make a second apply of
// the same epoch fail whatever the caller does; apply_epoch checks first so
// that it fails with EpochAlreadyApplied before anything is sent.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <array>
#include <limits>
#include <string>
#include <string_view>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using sql::Rows;

// control_votes.kind, .business_date and .reference of an entry.
struct ControlColumns {
  std::string_view kind;
  std::optional<BusinessDate> business_date;
  std::string_view reference;
};

// Every Entry alternative must have its kind here and in the schema: a
// seventh does not compile until it has.
static_assert(std::variant_size_v<Entry> <= 6, "a new entry kind needs its control_votes kind");

ControlColumns control_columns(const Entry& entry) {
  return std::visit(
      [](const auto& e) -> ControlColumns {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, CutOff>) {
          return {"CUTOFF", e.business_date, {}};
        } else if constexpr (std::is_same_v<T, Funding>) {
          return {"FUNDING", std::nullopt, e.reference.view()};
        } else if constexpr (std::is_same_v<T, SuspensionChange>) {
          return {"SUSPENSION", std::nullopt, e.reference.view()};
        } else if constexpr (std::is_same_v<T, Trade> || std::is_same_v<T, TradeCancel>) {
          throw StoreError("store: a trade report or cancel among control votes");
        } else {
          // The nodes' own clock-driven cut-off (settlement's ScheduledCutOff,
          // issue 13): a date and no operator. Matched by shape so this
          // builds before and after that entry kind lands.
          static_assert(requires { e.business_date; } && !requires { e.operator_id; });
          return {"SCHEDULED_CUTOFF", e.business_date, {}};
        }
      },
      entry);
}

sql::Field epoch_field(const EpochToWrite& e) { return sql::integer(static_cast<std::int64_t>(e.epoch)); }

/// NULL for the all-zero digest a tuple carries when the field is absent.
sql::Field digest_or_null(const Digest& d) {
  return d == Digest{} ? sql::null_field() : sql::bytea(d);
}

void write_epoch_row(pqxx::work& tx, const EpochToWrite& e) {
  // trade_count: the epoch's report and cancel outcomes, duplicates included.
  Rows<8> epoch{{"epoch", "output_digest", "state_digest", "audit_head", "batch_count", "trade_count",
                 "snapshot_digest", "obligations_root"},
                {}};
  epoch.rows.push_back({epoch_field(e), sql::bytea(e.output_digest), sql::bytea(e.result.state_digest),
                        sql::bytea(e.audit_head), sql::integer(static_cast<std::int64_t>(e.batches.size())),
                        sql::integer(static_cast<std::int64_t>(e.result.trades.size())),
                        digest_or_null(e.snapshot_digest), digest_or_null(e.obligations_root)});
  sql::write_rows(tx, BulkMethod::kValues, "epochs", epoch);
  // Few rows of up to a megabyte each: one statement per batch with the
  // bytes as a binary parameter, where COPY's text form would send and
  // parse them as hex, twice their size.
  for (const EpochBatch& b : e.batches) {
    tx.exec_params("INSERT INTO epoch_batches (epoch, proposer, payload) VALUES ($1, $2, $3)",
                   static_cast<std::int64_t>(e.epoch), static_cast<int>(b.proposer),
                   pqxx::binarystring(b.bytes.data(), b.bytes.size()));
  }
}

void write_controls(pqxx::work& tx, const EpochToWrite& e, BulkMethod bulk) {
  Rows<10> rows{{"epoch", "seq", "proposer", "kind", "entry_digest", "reference", "business_date", "status",
                 "votes", "reason"},
                {}};
  const std::vector<ControlOutcome>& controls = e.result.controls;
  for (std::size_t seq = 0; seq < controls.size(); ++seq) {
    const ControlOutcome& c = controls[seq];
    const ControlColumns cols = control_columns(c.entry);
    // A refused vote may carry a reference of any bytes (0009 says why it
    // is then stored without one).
    const bool reference_ok = !cols.reference.empty() && is_valid_control_ref(cols.reference);
    rows.rows.push_back({epoch_field(e), sql::integer(static_cast<std::int64_t>(seq)),
                         c.proposer == kNoProposer ? sql::null_field() : sql::integer(c.proposer),
                         sql::text(cols.kind), sql::bytea(c.entry_digest),
                         reference_ok ? sql::text(cols.reference) : sql::null_field(),
                         cols.business_date ? sql::date(*cols.business_date) : sql::null_field(),
                         sql::text(to_string(c.status)), sql::integer(c.votes),
                         c.reason == Reason::kNone ? sql::null_field() : sql::text(to_string(c.reason))});
  }
  sql::write_rows(tx, bulk, "control_votes", rows);
}

}  // namespace

void write_position_rows(pqxx::work& tx, const ReferenceData& ref, std::uint64_t epoch,
                         std::span<const PositionRow> position_rows, std::span<const CashRow> cash_rows,
                         BulkMethod bulk) {
  const sql::Field last_epoch = sql::integer(static_cast<std::int64_t>(epoch));
  Rows<9> positions{{"member_id", "isin", "settlement_date", "bought", "sold", "net_quantity", "last_epoch",
                     "paid_minor", "received_minor"},
                    {}};
  positions.rows.reserve(position_rows.size());
  for (const PositionRow& p : position_rows) {
    positions.rows.push_back({sql::text(ref.member(p.member).id.view()),
                              sql::text(ref.instrument(p.instrument).isin.view()), sql::date(p.settlement_date),
                              sql::integer(p.bought), sql::integer(p.sold), sql::integer(p.bought - p.sold),
                              last_epoch, sql::integer(p.paid_minor), sql::integer(p.received_minor)});
  }
  sql::upsert_rows(tx, bulk, "positions", "qc_stage_positions", positions,
                   sql::on_conflict_replace(positions.columns, 3));
  Rows<7> cash{{"member_id", "currency", "settlement_date", "received_minor", "paid_minor", "net_minor",
                "last_epoch"},
               {}};
  cash.rows.reserve(cash_rows.size());
  for (const CashRow& c : cash_rows) {
    cash.rows.push_back({sql::text(ref.member(c.member).id.view()), sql::text(ref.currency(c.currency).code.view()),
                         sql::date(c.settlement_date), sql::integer(c.received), sql::integer(c.paid),
                         sql::integer(c.received - c.paid), last_epoch});
  }
  sql::upsert_rows(tx, bulk, "cash_positions", "qc_stage_cash_positions", cash,
                   sql::on_conflict_replace(cash.columns, 3));
}

void write_balance_rows(pqxx::work& tx, const ReferenceData& ref, std::span<const BalanceRow> balances,
                        BulkMethod bulk) {
  Rows<3> securities{{"member_id", "isin", "quantity"}, {}};
  Rows<3> cash{{"member_id", "currency", "amount_minor"}, {}};
  for (const BalanceRow& b : balances) {
    if (b.kind == AssetKind::kSecurities) {
      securities.rows.push_back({sql::text(account_id(ref, b.account)),
                                 sql::text(ref.instrument(InstrumentIndex{b.asset}).isin.view()),
                                 sql::integer(b.amount)});
    } else {
      const CurrencyIndex c{static_cast<std::uint8_t>(b.asset)};
      cash.rows.push_back({sql::text(account_id(ref, b.account)), sql::text(ref.currency(c).code.view()),
                           sql::integer(b.amount)});
    }
  }
  sql::upsert_rows(tx, bulk, "securities_balances", "qc_stage_securities_balances", securities,
                   sql::on_conflict_replace(securities.columns, 2));
  sql::upsert_rows(tx, bulk, "cash_balances", "qc_stage_cash_balances", cash,
                   sql::on_conflict_replace(cash.columns, 2));
}

namespace {

void write_audit_and_state(pqxx::work& tx, const EpochToWrite& e, const Digest& prev_head) {
  const std::array<std::uint8_t, 72> record = audit_record(e.epoch, e.output_digest, e.result.state_digest);
  Rows<6> audit{{"seq", "epoch", "kind", "record", "prev_hash", "entry_hash"}, {}};
  audit.rows.push_back({sql::integer(static_cast<std::int64_t>(e.epoch + 1)), epoch_field(e), sql::text("EPOCH"),
                        sql::bytea(record), sql::bytea(prev_head), sql::bytea(e.audit_head)});
  sql::write_rows(tx, BulkMethod::kValues, "audit_log", audit);
  tx.exec("UPDATE node_state SET last_applied_epoch = " + std::to_string(e.epoch) +
          ", state_digest = " + tx.quote(sql::bytea(e.result.state_digest).text) +
          ", audit_head = " + tx.quote(sql::bytea(e.audit_head).text) +
          ", open_business_date = " + tx.quote(sql::date(e.result.open_business_date).text));
}

// What apply_epoch refuses before opening a transaction: caller bugs.
void check_arguments(const EpochToWrite& e) {
  if (e.result.status != ApplyStatus::kApplied || e.result.epoch != e.epoch) {
    throw StoreError("store: apply_epoch " + std::to_string(e.epoch) +
                     " was given a ledger result that did not apply that epoch");
  }
  if (e.epoch >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw StoreError("store: epoch " + std::to_string(e.epoch) + " does not fit the schema's bigint");
  }
  // Replay reads batches back by proposer; the quorum decides them in that
  // order (quorum::DecidedEpoch), so any other order is a caller bug that
  // would make the replayed digest differ.
  for (std::size_t i = 1; i < e.batches.size(); ++i) {
    if (e.batches[i - 1].proposer >= e.batches[i].proposer) {
      throw StoreError("store: epoch " + std::to_string(e.epoch) + ": batches not in ascending proposer order");
    }
  }
}

// Every staging table with its columns, in one list: ensure_staging creates
// them, and clear_staging must empty every one of them between the epochs
// of one transaction.
struct StagingTable {
  std::string_view name;
  std::string_view columns;
};
constexpr std::array<StagingTable, 6> kStagingTables{{
    {"qc_stage_trade_changes",
     "(submitter text, trade_id text, version smallint, status text, reject_reason text, reject_field text, "
     "set_matched boolean, matched_submitter text, business_date date, effective_settlement_date date)"},
    {"qc_stage_positions", "(LIKE positions)"},
    {"qc_stage_cash_positions", "(LIKE cash_positions)"},
    {"qc_stage_securities_balances", "(LIKE securities_balances)"},
    {"qc_stage_cash_balances", "(LIKE cash_balances)"},
    {"qc_stage_answered", "(submitter text, trade_id text, content_hash bytea)"},
}};

void clear_staging(pqxx::work& tx) {
  std::string sql;
  for (const StagingTable& t : kStagingTables) sql.append("DELETE FROM ").append(t.name).append(";");
  tx.exec(sql);
}

}  // namespace

void ensure_staging(pqxx::connection& db, int& staging_backend) {
  if (staging_backend == db.backendpid() && staging_backend != 0) return;
  pqxx::nontransaction tx(db);
  // Temporary: private to this session, never WAL-logged, emptied at each
  // commit. LIKE keeps them in step with the tables they feed.
  std::string sql;
  for (const StagingTable& t : kStagingTables) {
    sql.append("CREATE TEMP TABLE IF NOT EXISTS ").append(t.name).append(" ").append(t.columns);
    sql.append(" ON COMMIT DELETE ROWS;");
  }
  tx.exec(sql);
  staging_backend = db.backendpid();
}

void write_epoch(pqxx::work& tx, const EpochToWrite& e, const Digest& prev_head, std::uint16_t self,
                 std::optional<std::uint64_t> history_start, BulkMethod bulk) {
  write_epoch_row(tx, e);
  write_reports(tx, e, history_start, bulk);
  write_controls(tx, e, bulk);
  write_position_rows(tx, e.reference, e.epoch, e.result.positions, e.result.cash, bulk);
  write_balance_rows(tx, e.reference, e.result.balances, bulk);
  write_settlement_runs(tx, e, bulk);
  delete_answered_received(tx, e, self, bulk);
  write_audit_and_state(tx, e, prev_head);
}

void NodeStore::apply_epoch(const EpochToWrite& e) {
  // Without skip_applied it writes the one epoch or throws.
  (void)apply_epochs(std::span<const EpochToWrite>(&e, 1), false);
}

std::size_t NodeStore::apply_epochs(std::span<const EpochToWrite> epochs, bool skip_applied) {
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    check_arguments(epochs[i]);
    if (i > 0 && epochs[i].epoch != epochs[i - 1].epoch + 1) {
      throw StoreError("store: apply_epochs was given epoch " + std::to_string(epochs[i].epoch) + " after " +
                       std::to_string(epochs[i - 1].epoch));
    }
  }
  if (epochs.empty()) return 0;
  return guarded("apply_epoch", [&](Session& s) -> std::size_t {
    ensure_staging(s.db, s.staging_backend);
    pqxx::work tx(s.db);
    // Every join in this transaction is a staged set (thousands of rows)
    // probing a large table by its primary key. The planner knows neither
    // the staging table's size nor that those pages are cached, and hashes
    // the whole large table instead: measured on 56,000 trades rows, the
    // 4,000-row status UPDATE hashed all of them (107 ms of 140) where the
    // index nested loop took 49 ms, and the hash grows with the table.
    tx.exec("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off");
    // FOR UPDATE: a second writer on this database waits here, then sees
    // the epoch applied and is refused like any repeat.
    const pqxx::row state =
        tx.exec1("SELECT last_applied_epoch, audit_head, node_id, history_start_epoch FROM node_state FOR UPDATE");
    const auto last = state[0].as<std::int64_t>();
    std::size_t first = 0;
    while (first < epochs.size() && static_cast<std::int64_t>(epochs[first].epoch) <= last) ++first;
    if (first > 0 && !skip_applied) {
      throw EpochAlreadyApplied("store: epoch " + std::to_string(epochs[0].epoch) +
                                " is applied already (last applied " + std::to_string(last) + ")");
    }
    if (first == epochs.size()) return 0;
    if (static_cast<std::int64_t>(epochs[first].epoch) != last + 1) {
      throw EpochOutOfOrder("store: epoch " + std::to_string(epochs[first].epoch) + " follows last applied epoch " +
                            std::to_string(last));
    }
    Digest prev = sql::digest_of(state[1]);
    const std::optional<std::uint64_t> history_start =
        state[3].is_null() ? std::nullopt : std::optional<std::uint64_t>(state[3].as<std::uint64_t>());
    const auto self = static_cast<std::uint16_t>(state[2].as<int>());
    for (std::size_t i = first; i < epochs.size(); ++i) {
      const EpochToWrite& e = epochs[i];
      if (e.audit_head != audit_link(prev, e.epoch, e.output_digest, e.result.state_digest)) {
        throw StoreError("store: the audit head given for epoch " + std::to_string(e.epoch) +
                         " does not extend the stored head");
      }
      // The staging tables empty at commit; within a group each epoch's
      // upserts must see only its own rows.
      if (i > first) clear_staging(tx);
      write_epoch(tx, e, prev, self, history_start, options_.bulk);
      prev = e.audit_head;
    }
    tx.commit();
    return epochs.size() - first;
  });
}

}  // namespace quorumclear::store
