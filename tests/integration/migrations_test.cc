// Proves the migration runner against a real PostgreSQL: the schema applies
// to an empty database, a second run changes nothing, a tampered or failing
// migration is refused with a message naming the file, and concurrent
// runners serialise.
#include "services/store/migrations.h"
#include "tests/integration/pg_test_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
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
  void copy_project_schema() {
    for (const auto& e : fs::directory_iterator(QC_SCHEMA_DIR)) fs::copy(e.path(), path_ / e.path().filename());
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
        "default_fund_contributions",
        "securities_balances", "cash_balances", "settlement_runs", "settlement_run_totals",
        "net_obligations", "audit_log", "node_state", "schema_migrations"}) {
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
  try {
    (void)apply_migrations(db, load_migrations(dir.path()));
    FAIL() << "a changed applied migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("0002_trades_and_epochs.sql was changed after it was applied"));
  }
}

TEST(Migrations, FailingMigrationRollsBackWholeAndNamesTheFile) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  ScratchSchemaDir dir;
  dir.write("0001_good.sql", "CREATE TABLE good (id integer PRIMARY KEY);");
  dir.write("0002_bad.sql", "CREATE TABLE half_done (id integer); SELECT no_such_column FROM good;");
  try {
    (void)apply_migrations(db, load_migrations(dir.path()));
    FAIL() << "a failing migration did not throw";
  } catch (const MigrationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("0002_bad.sql failed and was rolled back"));
  }
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
  try {
    (void)apply_migrations(db, load_migrations(dir.path()));
    FAIL() << "an older migration set was run against a newer database";
  } catch (const MigrationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("which this build does not have"));
  }
}

constexpr const char* kMigration7 = "0007_cns_settlement_limits_and_fund.sql";

// A database at 0006 with one settled and one failed v1 obligation, from the
// schema in `dir` without 0007.
void apply_up_to_0006_with_v1_obligations(pqxx::connection& db, ScratchSchemaDir& dir) {
  dir.copy_project_schema();
  dir.remove(kMigration7);
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
  try {
    (void)apply_migrations(db, load_migrations(dir.path()));
    FAIL() << "a v1 limit row without a gross quantity limit was migrated";
  } catch (const MigrationError& e) {
    EXPECT_THAT(e.what(), HasSubstr(std::string(kMigration7) + " failed and was rolled back"));
  }
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM schema_migrations"), 6);
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
