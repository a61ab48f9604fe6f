// Proves the migration runner against a real PostgreSQL: the schema applies
// to an empty database, a second run changes nothing, a tampered or failing
// migration is refused with a message naming the file, concurrent runners
// serialise, and migrations that change existing tables keep or refuse the
// rows already there as their files say.
#include "services/store/migrations.h"
#include "tests/integration/pg_test_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <thread>

namespace quorumclear::store {
namespace {

using ::testing::HasSubstr;
using quorumclear::testing::PgTestDatabase;

namespace fs = std::filesystem;

// A scratch copy of schema/ (or of a few hand-written files) that a test may
// edit without touching the checkout.
class ScratchSchemaDir {
 public:
  ScratchSchemaDir() {
    path_ = fs::temp_directory_path() /
            ("qc_schema_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchSchemaDir() { fs::remove_all(path_); }
  // Every project migration up to version `last` (all by default), so a test
  // can build a database as an older release left it.
  void copy_project_schema(int last = std::numeric_limits<int>::max()) {
    for (const auto& m : load_migrations(QC_SCHEMA_DIR)) {
      if (m.version <= last) copy_project_file(m.name);
    }
  }
  void copy_project_file(const std::string& name) { fs::copy(fs::path(QC_SCHEMA_DIR) / name, path_ / name); }
  void write(const std::string& name, const std::string& sql) { std::ofstream(path_ / name) << sql; }
  void append(const std::string& name, const std::string& text) {
    std::ofstream(path_ / name, std::ios::app) << text;
  }
  void remove(const std::string& name) { fs::remove(path_ / name); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

int count_rows(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  return tx.exec1(sql)[0].as<int>();
}

std::string text_of(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  return tx.exec1(sql)[0].as<std::string>();
}

// What the MigrationError of applying `dir` to `db` says; a failure of the
// test, reported as `accepted`, if the run went through.
std::string migration_error(pqxx::connection& db, const ScratchSchemaDir& dir, const char* accepted) {
  try {
    (void)apply_migrations(db, load_migrations(dir.path()));
  } catch (const MigrationError& e) {
    return e.what();
  }
  ADD_FAILURE() << accepted;
  return "";
}

void exec_committed(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  tx.exec(sql);
  tx.commit();
}

TEST(Migrations, ApplyToEmptyDatabase) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  const auto migrations = load_migrations(QC_SCHEMA_DIR);
  const auto report = apply_migrations(db, migrations);
  EXPECT_EQ(report.already_applied, 0);
  ASSERT_EQ(report.applied.size(), migrations.size());
  EXPECT_EQ(report.applied.front(), "0001_reference_data.sql");

  for (const char* table :
       {"currencies", "members", "instruments", "member_limits", "epochs", "epoch_batches",
        "epoch_signatures", "trades", "trade_rejections", "network", "control_votes", "positions", "cash_positions",
        "default_fund_contributions", "venue_members", "settlement_unmatched_reports",
        "securities_balances", "cash_balances", "settlement_runs", "settlement_run_totals",
        "net_obligations", "audit_log", "node_state", "node_entered_epoch", "schema_migrations"}) {
    EXPECT_EQ(count_rows(db, std::string("SELECT count(*) FROM information_schema.tables "
                                         "WHERE table_schema = 'public' AND table_name = '") +
                                 table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM schema_migrations"), static_cast<int>(migrations.size()));
}

TEST(Migrations, SecondRunIsANoOp) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  const auto migrations = load_migrations(QC_SCHEMA_DIR);
  (void)apply_migrations(db, migrations);
  const auto again = apply_migrations(db, migrations);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.already_applied, static_cast<int>(migrations.size()));
}

TEST(Migrations, TamperedAppliedMigrationIsRefused) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  dir.copy_project_schema();
  (void)apply_migrations(db, load_migrations(dir.path()));

  dir.append("0002_trades_and_epochs.sql", "\n-- an innocent-looking edit\n");
  const std::string error = migration_error(db, dir, "a changed applied migration was accepted");
  EXPECT_THAT(error, HasSubstr("0002_trades_and_epochs.sql was changed after it was applied"));
}

TEST(Migrations, FailingMigrationRollsBackWholeAndNamesTheFile) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  dir.write("0001_good.sql", "CREATE TABLE good (id integer PRIMARY KEY);");
  dir.write("0002_bad.sql", "CREATE TABLE half_done (id integer); SELECT no_such_column FROM good;");
  const std::string error = migration_error(db, dir, "a failing migration did not throw");
  EXPECT_THAT(error, HasSubstr("0002_bad.sql failed and was rolled back"));
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM schema_migrations"), 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'"), 0);

  // Fixing the file lets the next run continue from where it stopped.
  dir.write("0002_bad.sql", "CREATE TABLE half_done (id integer);");
  const auto report = apply_migrations(db, load_migrations(dir.path()));
  EXPECT_EQ(report.already_applied, 1);
  ASSERT_EQ(report.applied.size(), 1u);
  EXPECT_EQ(report.applied[0], "0002_bad.sql");
}

TEST(Migrations, OlderBuildRefusesNewerDatabase) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  dir.copy_project_schema();
  (void)apply_migrations(db, load_migrations(dir.path()));
  const auto all = load_migrations(dir.path());
  dir.remove(all.back().name);
  const std::string error = migration_error(db, dir, "an older migration set was run against a newer database");
  EXPECT_THAT(error, HasSubstr("which this build does not have"));
}

constexpr const char* kMigration7 = "0007_cns_settlement_limits_and_fund.sql";
constexpr const char* kMigration8 = "0008_two_sided_matching.sql";

// A database at 0006 with one settled and one failed v1 obligation, from the
// schema in `dir` without 0007.
void apply_up_to_0006_with_v1_obligations(pqxx::connection& db, ScratchSchemaDir& dir) {
  dir.copy_project_schema(6);
  (void)apply_migrations(db, load_migrations(dir.path()));
  pqxx::work tx(db);
  tx.exec(R"sql(
    INSERT INTO currencies VALUES ('EUR', 2);
    INSERT INTO members VALUES ('A', 'Alpha Bank', 'CLEARING_MEMBER', 0), ('B', 'Beta', 'CLEARING_MEMBER', 1);
    INSERT INTO instruments VALUES ('DE0007164600', 'EUR', 4, 1000, 100000000, false);
    INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count)
      VALUES (0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'),
              decode(repeat('00', 32), 'hex'), 4, 1);
    INSERT INTO settlement_runs VALUES ('2026-11-26', 0, '2026-11-25', decode(repeat('00', 32), 'hex'), 'SETTLED');
    INSERT INTO net_obligations VALUES
      ('2026-11-26', 'A', 'SECURITIES', 'DE0007164600', 5, 'SETTLED', NULL, '2026-11-26'),
      ('2026-11-26', 'B', 'SECURITIES', 'DE0007164600', -5, 'FAILED', 'INSUFFICIENT_SECURITIES', '2026-11-26');
  )sql");
  tx.commit();
}

TEST(Migrations, CnsMigrationKeepsV1SettledObligationsWhole) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  apply_up_to_0006_with_v1_obligations(db, dir);
  dir.copy_project_file(kMigration7);
  const auto report = apply_migrations(db, load_migrations(dir.path()));
  ASSERT_EQ(report.applied.size(), 1u);
  // v1 settled all or nothing: the settled row moved all of it, the failed one nothing.
  EXPECT_EQ(count_rows(db, "SELECT settled_amount FROM net_obligations WHERE member_id = 'A'"), 5);
  EXPECT_EQ(count_rows(db, "SELECT settled_amount FROM net_obligations WHERE member_id = 'B'"), 0);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM net_obligations WHERE member_id = 'B' "
                           "AND fail_kind = 'FAIL_TO_DELIVER'"), 1);
}

TEST(Migrations, CnsMigrationRefusesV1LimitsWithoutAGrossQuantity) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  apply_up_to_0006_with_v1_obligations(db, dir);
  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO member_limits VALUES ('A', 1000000, 500);");
    tx.commit();
  }
  dir.copy_project_file(kMigration7);
  const std::string error = migration_error(db, dir, "a v1 limit row without a gross quantity limit was migrated");
  EXPECT_THAT(error, HasSubstr(std::string(kMigration7) + " failed and was rolled back"));
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM schema_migrations"), 6);
}

// Every column a v1 trade row had at 0007, in order, as one text: what 0008
// must leave exactly as it was.
constexpr const char* kV1TradeRows =
    "SELECT string_agg(row(submitter, trade_id, buyer, seller, isin, quantity, price, currency, "
    "consideration_minor, trade_date, settlement_date, client_ref, content_hash, status, reject_reason, "
    "reject_field, epoch, received_at, price_scale, business_date, effective_settlement_date)::text, "
    "' | ' ORDER BY submitter, trade_id) FROM trades";

// A database at 0007 with a network, two members' reference data, epoch 0,
// an unkeyed rejection and the v1 trade rows `trades_sql`, from the schema
// in `dir` without 0008.
void apply_up_to_0007_with_v1_trades(pqxx::connection& db, ScratchSchemaDir& dir, const std::string& trades_sql) {
  dir.copy_project_schema(7);
  (void)apply_migrations(db, load_migrations(dir.path()));
  exec_committed(db, R"sql(
    INSERT INTO currencies VALUES ('EUR', 2);
    INSERT INTO members VALUES ('A', 'Alpha Bank', 'CLEARING_MEMBER', 0), ('B', 'Beta', 'CLEARING_MEMBER', 1);
    INSERT INTO instruments VALUES ('DE0007164600', 'EUR', 4, 1000, 100000000, false);
    INSERT INTO network VALUES (true, decode(repeat('00', 32), 'hex'), 4, decode(repeat('00', 32), 'hex'), 1,
                                1000000, 500, 8000);
    INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count)
      VALUES (0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'),
              decode(repeat('00', 32), 'hex'), 4, 2);
    INSERT INTO trade_rejections VALUES (0, 0, 'B', 'T-1', decode(repeat('22', 32), 'hex'), 'DUPLICATE_TRADE_ID', NULL);
  )sql" + trades_sql);
}

// A's v1 report not yet decided, and B's refused one.
constexpr const char* kV1UnbookedTrades = R"sql(
  INSERT INTO trades (submitter, trade_id, buyer, seller, isin, quantity, price, currency, consideration_minor,
                      trade_date, settlement_date, client_ref, content_hash, status, reject_reason, reject_field,
                      epoch, price_scale)
  VALUES ('A', 'T-1', 'A', 'B', 'DE0007164600', 100, 105000, 'EUR', 105000, '2026-11-25', '2026-11-26',
          'order 7', decode(repeat('01', 32), 'hex'), 'RECEIVED', NULL, NULL, NULL, 4),
         ('B', 'T-1', 'A', 'B', 'DE0007164600', 100, 1050, 'EUR', 1050, '2026-11-25', '2026-11-26',
          NULL, decode(repeat('02', 32), 'hex'), 'REJECTED', 'PRICE_SCALE_MISMATCH', 'price_scale', 0, 2);
)sql";

TEST(Migrations, TwoSidedMigrationKeepsV1ReportsAsFirstBilateralVersions) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  apply_up_to_0007_with_v1_trades(db, dir, kV1UnbookedTrades);
  const std::string before = text_of(db, kV1TradeRows);
  dir.copy_project_file(kMigration8);
  const auto report = apply_migrations(db, load_migrations(dir.path()));
  ASSERT_EQ(report.applied.size(), 1u);

  EXPECT_EQ(text_of(db, kV1TradeRows), before);  // every v1 column as it was
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM trades WHERE version = 1 AND report_kind = 'BILATERAL' "
                           "AND matched_submitter IS NULL AND status_epoch IS NULL"), 2);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM trade_rejections WHERE entry_kind = 'REPORT'"), 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM network WHERE allegation_expiry_days = 1 "
                           "AND max_open_reports_per_member = 10000"), 1);
  // The defaults were for the rows already there: new writers must say.
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM information_schema.columns WHERE column_default IS NOT NULL "
                           "AND ((table_name = 'trades' AND column_name IN ('version', 'report_kind')) OR "
                           "(table_name = 'network' AND column_name IN ('allegation_expiry_days', "
                           "'max_open_reports_per_member')))"), 0);
  // The key now has the version: A's corrected report goes in beside v1.
  exec_committed(db, "CREATE TEMP TABLE corrected AS SELECT * FROM trades WHERE submitter = 'A'; "
                     "UPDATE corrected SET version = 2, status = 'ALLEGED', epoch = 0; "
                     "UPDATE trades SET status = 'REPLACED', epoch = 0 WHERE submitter = 'A'; "
                     "INSERT INTO trades SELECT * FROM corrected;");
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM trades WHERE submitter = 'A' AND trade_id = 'T-1'"), 2);
}

TEST(Migrations, TwoSidedMigrationRefusesV1TradesBookedOnOneSide) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  // v1 confirmed A's trade on A's word alone; 0008 cannot say which report matched it.
  apply_up_to_0007_with_v1_trades(db, dir, R"sql(
    INSERT INTO trades (submitter, trade_id, buyer, seller, isin, quantity, price, currency, consideration_minor,
                        trade_date, settlement_date, content_hash, status, epoch, price_scale, business_date,
                        effective_settlement_date)
    VALUES ('A', 'T-1', 'A', 'B', 'DE0007164600', 100, 105000, 'EUR', 105000, '2026-11-25', '2026-11-26',
            decode(repeat('01', 32), 'hex'), 'CONFIRMED', 0, 4, '2026-11-25', '2026-11-26');
  )sql");
  dir.copy_project_file(kMigration8);
  const std::string error = migration_error(db, dir, "a v1 trade booked on one side's word was migrated");
  EXPECT_THAT(error, HasSubstr(std::string(kMigration8) + " failed and was rolled back"));
  EXPECT_THAT(error, HasSubstr("trades_booked_bilateral_was_matched"));
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM schema_migrations"), 7);
}

TEST(Migrations, MalformedFileSetsAreRejectedBeforeTouchingTheDatabase) {
  {
    ScratchSchemaDir dir;
    dir.write("0001_a.sql", "SELECT 1;");
    dir.write("0003_c.sql", "SELECT 1;");
    EXPECT_THROW((void)load_migrations(dir.path()), MigrationError);  // gap at 0002
  }
  {
    ScratchSchemaDir dir;
    dir.write("0001_a.sql", "SELECT 1;");
    dir.write("0001_b.sql", "SELECT 1;");
    EXPECT_THROW((void)load_migrations(dir.path()), MigrationError);  // duplicate version
  }
  {
    ScratchSchemaDir dir;
    dir.write("1_Init.sql", "SELECT 1;");
    EXPECT_THROW((void)load_migrations(dir.path()), MigrationError);  // bad name
  }
  {
    ScratchSchemaDir dir;
    dir.write("0001_huge.sql", std::string(kMigrationFileBytesMax + 1, ' '));
    EXPECT_THROW((void)load_migrations(dir.path()), MigrationError);  // over the bound
  }
  {
    ScratchSchemaDir dir;
    EXPECT_THROW((void)load_migrations(dir.path()), MigrationError);  // empty
  }
}

TEST(Migrations, ConcurrentRunnersSerialise) {
  PgTestDatabase pg;
  const auto migrations = load_migrations(QC_SCHEMA_DIR);
  MigrationReport first;
  MigrationReport second;
  std::thread a([&] {
    pqxx::connection db(pg.url());
    first = apply_migrations(db, migrations);
  });
  std::thread b([&] {
    pqxx::connection db(pg.url());
    second = apply_migrations(db, migrations);
  });
  a.join();
  b.join();
  EXPECT_EQ(first.applied.size() + second.applied.size(), migrations.size());
  EXPECT_TRUE(first.applied.empty() || second.applied.empty());
}

}  // namespace
}  // namespace quorumclear::store
