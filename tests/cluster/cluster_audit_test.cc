// Proves `clearctl audit verify` on a real four-node cluster: after a day
// of two-sided, venue and one-sided trades and the operator's cut-off,
// every node's database passes (chain, certificates, replay from genesis
// and every row); and a copy of a stopped node's database with one trade,
// one position or one audit_log row edited by hand fails, naming that
// table and row, as do an altered or missing certificate signature and a
// damaged schema.

#include "tests/cluster/cluster.h"
#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <csignal>
#include <cstdlib>

namespace quorumclear::testing {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool decided(Cluster& c, std::size_t node, const std::string& member, const std::string& id,
             const std::string& status) {
  const HttpAnswer r = c.api(node, "GET", "/v1/trades/" + id, c.token(member));
  return r.status == 200 && contains(r.body, "\"" + status + "\"");
}

// Every node applied the same last epoch, and holds 2f+1 = 3 signatures
// for each of its epochs: nothing is left for a node to learn.
class DatabaseCopy {
 public:
  DatabaseCopy(const std::string& server_url, const std::string& source_url, const std::string& name)
      : server_(server_url), name_(name) {
    const std::string source = source_url.substr(source_url.rfind('/') + 1);
    pqxx::connection db(server_);
    pqxx::nontransaction tx(db);
    tx.exec("DROP DATABASE IF EXISTS " + name_);
    tx.exec("CREATE DATABASE " + name_ + " TEMPLATE " + tx.quote_name(source.substr(0, source.find('?'))));
    url_ = server_.substr(0, server_.rfind('/') + 1) + name_;
  }
  ~DatabaseCopy() {
    try {
      pqxx::connection db(server_);
      pqxx::nontransaction tx(db);
      tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server is going away with the test; nothing to keep.
    }
  }
  void exec(const std::string& sql) {
    pqxx::connection db(url_);
    pqxx::work tx(db);
    tx.exec(sql);
    tx.commit();
  }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

TEST(ClusterAudit, EveryNodePassesAndAnEditedTradePositionOrAuditRowFails) {
  ClusterOptions options;
  // No empty epochs while idle (the maximum heartbeat): the history stops
  // growing once the day's work is applied, so every epoch gets its
  // certificate and all four databases hold the same epochs.
  options.idle_heartbeat_ms = 60'000;
  options.checkpoint_interval_epochs = 2;  // snapshot digests to recompute
  Cluster c(options);
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  const std::string t1 = report_json("T-1", "BANK_A", "BANK_B", "DE0007164600", 100, "10.50", "2026-12-01",
                                     "2026-12-01");
  const std::string t2 = report_json("T-2", "BANK_B", "BANK_A", "US0378331005", 40, "150.25", "2026-12-01",
                                     "2026-12-01");
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), t1).status, 202);
  ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t1).status, 202);
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), t2).status, 202);
  ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t2).status, 202);
  ASSERT_EQ(c.api(3, "POST", "/v1/trades", c.token("VENUE"),
                  report_json("V-1", "BANK_C", "BANK_A", "DE0007164600", 7, "10.25", "2026-12-01", "2026-12-01"))
                .status,
            202);
  // One side only: ALLEGED, listed as unmatched by the run.
  ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"),
                  report_json("A-1", "BANK_A", "BANK_C", "DE0007164600", 5, "10.00", "2026-12-01", "2026-12-01"))
                .status,
            202);
  ASSERT_TRUE(eventually([&] {
    return decided(c, 0, "BANK_A", "T-1", "CONFIRMED") && decided(c, 0, "BANK_A", "T-2", "CONFIRMED") &&
           decided(c, 3, "VENUE", "V-1", "CONFIRMED") && decided(c, 0, "BANK_A", "A-1", "ALLEGED");
  }, std::chrono::seconds(30))) << c.log_of(0) << c.log_of(1) << c.log_of(2) << c.log_of(3);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const HttpAnswer r = c.api(i, "POST", "/v1/cutoff", c.token("OPS"), "{\"business_date\": \"2026-12-01\"}");
    EXPECT_TRUE(r.status == 202 || r.status == 200) << "node " << i << ": " << r.body;
  }
  ASSERT_TRUE(eventually([&] {
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (c.api(i, "GET", "/v1/settlement-runs/2026-12-01", c.token("OPS")).status != 200) return false;
    }
    return true;
  }, std::chrono::seconds(30))) << c.log_of(0);
  ASSERT_TRUE(eventually([&] { return settled_and_certified(c); }, std::chrono::seconds(20)));
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
  const std::string last_epoch = rows_everywhere(c, "SELECT last_applied_epoch + 1 FROM node_state")[0][0];
  const std::string epochs = last_epoch.substr(0, last_epoch.size() - 1);

  const std::string genesis = (c.dir() / "genesis.json").string();
  std::string out;
  std::vector<std::string> scratch_names;
  const auto note_scratch = [&](const std::string& output) {
    const std::string tag = "scratch database: ";
    const std::size_t at = output.find(tag);
    if (at != std::string::npos) {
      scratch_names.push_back(output.substr(at + tag.size(), output.find(' ', at + tag.size()) - at - tag.size()));
    }
  };
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.clearctl({"audit", "verify", "--db", c.database_url(i), "--genesis", genesis}, &out), 0)
        << "node " << i << ":\n" << out;
    note_scratch(out);
    EXPECT_TRUE(contains(out, "replayed " + epochs + " epochs from genesis")) << out;
    EXPECT_TRUE(contains(out, "certificates: " + epochs + " epochs certified by at least 2f+1 = 3 of 4")) << out;
    EXPECT_TRUE(contains(out, "AUDIT PASSED")) << out;
    if (i == 0) std::cout << "clearctl audit verify, node 0:\n" << out;
  }
  for (const char* table : {"trades", "positions", "net_obligations", "obligation_proofs", "audit_log"}) {
    EXPECT_FALSE(contains(out, std::string("  ") + table + std::string(30 - std::string(table).size(), ' ') + "0\n"))
        << table << " holds rows to compare\n" << out;
  }

  // Three attacks with write access to node 3's stopped database, each on
  // a copy of it.
  const char* server = std::getenv("QC_PG_URL");
  ASSERT_NE(server, nullptr);
  // --scratch-db: an empty database the user made is used (and kept);
  // one that holds tables is refused before anything is written to it.
  {
    pqxx::connection db(server);
    pqxx::nontransaction tx(db);
    tx.exec("DROP DATABASE IF EXISTS qc_audit_test_scratch");
    tx.exec("CREATE DATABASE qc_audit_test_scratch");
  }
  const std::string given = std::string(server).substr(0, std::string(server).rfind('/') + 1) + "qc_audit_test_scratch";
  EXPECT_EQ(c.clearctl({"audit", "verify", "--db", c.database_url(1), "--genesis", genesis, "--scratch-db", given}, &out),
            0)
      << out;
  EXPECT_TRUE(contains(out, "AUDIT PASSED")) << out;
  EXPECT_EQ(c.clearctl({"audit", "verify", "--db", c.database_url(1), "--genesis", genesis, "--scratch-db", given}, &out),
            1)
      << out;
  EXPECT_TRUE(contains(out, "--scratch-db holds tables; it must be an empty database")) << out;
  {
    pqxx::connection db(server);
    pqxx::nontransaction tx(db);
    tx.exec("DROP DATABASE qc_audit_test_scratch WITH (FORCE)");
  }

  struct Tamper {
    const char* copy;
    std::string sql;
    std::string expected;
  };
  const std::vector<Tamper> cases = {
      {"qc_audit_test_trade", "UPDATE trades SET quantity = 101 WHERE submitter = 'BANK_A' AND trade_id = 'T-1'",
       "AUDIT FAILED: trades row submitter=BANK_A, trade_id=T-1, version=1: quantity is 101, the replay gives 100\n"},
      {"qc_audit_test_position",
       "UPDATE positions SET bought = bought + 5, net_quantity = net_quantity + 5 "
       "WHERE member_id = 'BANK_A' AND isin = 'DE0007164600'",
       "AUDIT FAILED: positions row member_id=BANK_A, isin=DE0007164600, settlement_date=2026-12-01: bought is 105, "
       "the replay gives 100\n"},
      // As an attacker would: the append-only triggers off, the record's
      // last byte flipped and its entry hash recomputed so the row's CHECK holds.
      {"qc_audit_test_audit_log",
       "ALTER TABLE audit_log DISABLE TRIGGER USER; "
       "UPDATE audit_log SET record = set_byte(record, 71, get_byte(record, 71) # 1), "
       "entry_hash = sha256(prev_hash || set_byte(record, 71, get_byte(record, 71) # 1)) WHERE seq = 2; "
       "ALTER TABLE audit_log ENABLE TRIGGER USER",
       "AUDIT FAILED: audit_log row seq=2: record is \\x"},
      {"qc_audit_test_signature",
       "UPDATE epoch_signatures SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1) "
       "WHERE epoch = 1 AND node_id = (SELECT min(node_id) FROM epoch_signatures WHERE epoch = 1)",
       "AUDIT FAILED: epoch_signatures row epoch=1, node_id="},
      {"qc_audit_test_uncertified", "DELETE FROM epoch_signatures WHERE epoch = 2",
       "AUDIT FAILED: epochs row epoch=2: certified by 0 distinct valid signers, 2f+1 = 3 are needed"},
      // Damaged beyond the schema: reported, never a crash.
      {"qc_audit_test_damaged", "ALTER TABLE epochs DROP COLUMN obligations_root", "AUDIT FAILED: store: "},
  };
  for (const Tamper& t : cases) {
    DatabaseCopy copy(server, c.database_url(3), t.copy);
    copy.exec(t.sql);
    EXPECT_EQ(c.clearctl({"audit", "verify", "--db", copy.url(), "--genesis", genesis}, &out), 1) << out;
    note_scratch(out);
    EXPECT_TRUE(contains(out, t.expected)) << t.copy << ":\n" << out;
    std::cout << t.copy << ": " << out.substr(std::min(out.find("AUDIT FAILED"), out.size()));
  }
  // No scratch database these audits made is left behind (by name: other
  // tests on the same server may be auditing meanwhile).
  ASSERT_GE(scratch_names.size(), c.size()) << "every passing audit names its scratch database";
  pqxx::connection db(server);
  pqxx::work tx(db);
  for (const std::string& name : scratch_names) {
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>(), 0) << name;
  }
}

}  // namespace
}  // namespace quorumclear::testing
