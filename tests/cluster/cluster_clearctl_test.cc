// Proves clearctl's client commands against a real four-node cluster over
// HTTPS, trusting one bundle of every node's certificate: submit sends both
// sides of trades from each member's own node and counts accepted, rejected
// and duplicate reports (a malformed line refused alone); wait returns once
// every report is decided; status, positions and cash print the node's
// values; a member cannot read another's data nor use another node; a
// cut-off sent to all four nodes yields one settlement run, whose report
// every node prints identically, and --out-dir writes it; a token on the
// command line is refused without being echoed.

#include "tests/cluster/cluster.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

namespace quorumclear::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path, std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Whether some line of `text` holds exactly `cells`, whatever the spacing.
bool has_row(const std::string& text, const std::vector<std::string>& cells) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (words(line) == cells) return true;
  }
  return false;
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(40)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return done();
}

// Both sides of three trades between BANK_A and BANK_B, one report naming
// BANK_C (A's alone: ALLEGED; B is no party to it), an unknown instrument
// and a malformed quantity.
constexpr const char* kTrades =
    "trade_id,buyer,seller,isin,quantity,price,currency,trade_date,settlement_date\n"
    "T-1,BANK_A,BANK_B,DE0007164600,100,10.50,EUR,2026-12-01,2026-12-01\n"
    "T-2,BANK_A,BANK_B,US0378331005,50,150.25,EUR,2026-12-01,2026-12-01\n"
    "T-3,BANK_B,BANK_A,US5949181045,20,300.00,EUR,2026-12-01,2026-12-01\n"
    "A-1,BANK_A,BANK_C,DE0007164600,10,20.00,EUR,2026-12-01,2026-12-01\n"
    "X-1,BANK_A,BANK_B,DE000BAY0017,5,10.00,EUR,2026-12-01,2026-12-01\n"
    "Q-1,BANK_A,BANK_B,DE0007164600,ten,10.00,EUR,2026-12-01,2026-12-01\n";

class ClearctlOnCluster {
 public:
  explicit ClearctlOnCluster(Cluster& c) : c_(c) {
    std::string bundle;
    for (std::size_t i = 0; i < c.size(); ++i) bundle += read_text(c.node_dir(i) / "tls.crt");
    bundle_ = c.dir() / "all-nodes.crt";
    write_text(bundle_, bundle);
    fs::create_directories(c.dir() / "cli-tokens");
    for (const std::string member : {"BANK_A", "BANK_B", "OPS"}) {
      write_text(token_file(member), c.token(member) + "\n", 0600);
    }
  }
  [[nodiscard]] fs::path token_file(const std::string& member) const {
    return c_.dir() / "cli-tokens" / (member + ".token");
  }
  [[nodiscard]] const fs::path& bundle() const { return bundle_; }

  /// clearctl `args` against `node` as `member` (token from its file).
  int run(std::vector<std::string> args, const std::string& member, std::size_t node, std::string* out) {
    args.insert(args.end(), {"--node", c_.api_url(node), "--cacert", bundle_.string(), "--token-file",
                             token_file(member).string()});
    return c_.clearctl(args, out);
  }

 private:
  Cluster& c_;
  fs::path bundle_;
};

TEST(ClusterClearctl, SubmitWaitReadCutoffAndReportOnFourNodes) {
  std::unique_ptr<Cluster> cluster;
  try {
    cluster = std::make_unique<Cluster>();
  } catch (const std::exception& e) {
    FAIL() << "the cluster could not be set up: " << e.what();
  }
  Cluster& c = *cluster;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << "node " << i << ":\n" << c.log_of(i);
  ClearctlOnCluster cli(c);
  const fs::path trades = c.dir() / "trades.csv";
  write_text(trades, kTrades);
  std::string out;

  // Each member submits the file at its own node: A with --token-file, B with QC_TOKEN.
  ASSERT_EQ(cli.run({"submit", "--file", trades.string()}, "BANK_A", 0, &out), 0) << out;
  EXPECT_TRUE(contains(out, "submitted 6: accepted 4, rejected 2, duplicates 0")) << out;
  EXPECT_TRUE(contains(out, "rejected Q-1 (trades.csv line 7, column 5 (quantity)): \"ten\" is not a whole number"))
      << out;
  EXPECT_TRUE(contains(out, "rejected X-1 (trades.csv line 6): INVALID ")) << out;
  EXPECT_TRUE(contains(out, "(field isin)")) << out;
  ASSERT_EQ(c.clearctl({"submit", "--file", trades.string(), "--node", c.api_url(1), "--cacert", cli.bundle().string()},
                       &out, {{"QC_TOKEN", c.token("BANK_B")}}),
            0)
      << out;
  EXPECT_TRUE(contains(out, "submitted 6: accepted 3, rejected 3, duplicates 0")) << out;
  EXPECT_TRUE(contains(out, "rejected A-1 (trades.csv line 5): FORBIDDEN")) << out;
  EXPECT_FALSE(contains(out, c.token("BANK_B"))) << "a token is never printed";

  // wait returns once every report is decided; A's side confirms once B's is applied.
  ASSERT_EQ(cli.run({"wait", "--file", trades.string(), "--timeout", "40"}, "BANK_B", 1, &out), 0) << out;
  EXPECT_TRUE(contains(out, "decided 5: ")) << out;
  EXPECT_FALSE(contains(out, "RECEIVED")) << out;
  EXPECT_TRUE(eventually([&] {
    return cli.run({"wait", "--file", trades.string(), "--timeout", "40"}, "BANK_A", 0, &out) == 0 &&
           contains(out, "decided 5: CONFIRMED 3, ALLEGED 1, NOT_FOUND 1");
  })) << out;
  ASSERT_EQ(cli.run({"wait", "--file", trades.string()}, "BANK_B", 1, &out), 0) << out;
  EXPECT_TRUE(contains(out, "decided 5: CONFIRMED 3, NOT_FOUND 2")) << out;

  // An identical resubmission changes nothing.
  ASSERT_EQ(cli.run({"submit", "--file", trades.string()}, "BANK_A", 0, &out), 0) << out;
  EXPECT_TRUE(contains(out, "submitted 6: accepted 0, rejected 2, duplicates 4")) << out;
  EXPECT_TRUE(contains(out, "duplicate T-1 (trades.csv line 2): already CONFIRMED")) << out;

  ASSERT_EQ(cli.run({"status", "T-1"}, "BANK_A", 0, &out), 0) << out;
  for (const std::vector<std::string>& line : std::vector<std::vector<std::string>>{
           {"status:", "CONFIRMED"}, {"price:", "10.50"}, {"quantity:", "100"}, {"consideration:", "1050.00"},
           {"counterparty.member:", "BANK_B"}, {"counterparty.status:", "CONFIRMED"}}) {
    EXPECT_TRUE(has_row(out, line)) << line[0] << "\n" << out;
  }
  ASSERT_EQ(cli.run({"positions"}, "BANK_A", 0, &out), 0) << out;
  std::cout << "clearctl positions:\n" << out;
  EXPECT_TRUE(has_row(out, {"BANK_A", "DE0007164600", "EUR", "2026-12-01", "100", "0", "100", "1050.00", "0.00"})) << out;
  EXPECT_TRUE(has_row(out, {"BANK_A", "US5949181045", "EUR", "2026-12-01", "0", "20", "-20", "0.00", "6000.00"})) << out;
  EXPECT_FALSE(contains(out, "BANK_B")) << out;
  ASSERT_EQ(cli.run({"cash"}, "BANK_A", 0, &out), 0) << out;
  std::cout << "clearctl cash:\n" << out;
  EXPECT_TRUE(has_row(out, {"BANK_A", "EUR", "2026-12-01", "6000.00", "8562.50", "-2562.50"})) << out;

  // A member reads only its own data, and only at its own node.
  EXPECT_EQ(cli.run({"positions", "--member", "BANK_B"}, "BANK_A", 0, &out), 1) << out;
  EXPECT_TRUE(contains(out, "HTTP 403 MEMBER_FORBIDDEN")) << out;
  EXPECT_EQ(cli.run({"status", "T-1"}, "BANK_A", 1, &out), 1) << out;
  EXPECT_TRUE(contains(out, "HTTP 401")) << out;
  EXPECT_EQ(cli.run({"status", "NOPE-1"}, "BANK_A", 0, &out), 1) << out;
  EXPECT_TRUE(contains(out, "HTTP 404")) << out;

  // No token on the command line: there is no such option, and the value is not echoed.
  EXPECT_EQ(c.clearctl({"status", "T-1", "--node", c.api_url(0), "--cacert", cli.bundle().string(), "--token",
                        c.token("BANK_A")},
                       &out),
            2);
  EXPECT_TRUE(contains(out, "there is no --token option")) << out;
  EXPECT_FALSE(contains(out, c.token("BANK_A"))) << out;
  // Trust is only what --cacert gives: another certificate fails verification.
  EXPECT_EQ(c.clearctl({"status", "T-1", "--node", c.api_url(0), "--cacert", (c.node_dir(1) / "tls.crt").string(),
                        "--token-file", cli.token_file("BANK_A").string()},
                       &out),
            1);
  EXPECT_TRUE(contains(out, "no answer from " + c.api_url(0))) << out;
  EXPECT_TRUE(contains(out, "certificate verify failed")) << out;

  // The operator's cut-off at every node: one settlement run.
  std::vector<std::string> cutoff = {"cutoff"};
  for (std::size_t i = 1; i < c.size(); ++i) cutoff.insert(cutoff.end(), {"--node", c.api_url(i)});
  ASSERT_EQ(cli.run(cutoff, "OPS", 0, &out), 0) << out;
  EXPECT_TRUE(contains(out, "4 of 4 nodes took the cut-off request")) << out;
  // f+1 nodes queue it; one asked after they closed the date says so.
  std::size_t queued = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const bool took = contains(out, c.api_url(i) + ": cut-off of 2026-12-01 queued\n");
    queued += took ? 1 : 0;
    EXPECT_TRUE(took || contains(out, c.api_url(i) + ": cut-off of 2026-12-01 already closed\n")) << out;
  }
  EXPECT_GE(queued, 2u) << out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    ASSERT_TRUE(eventually([&] { return cli.run({"report", "--date", "2026-12-01"}, "OPS", i, &out) == 0; }))
        << "node " << i << ": " << out;
    const HttpAnswer runs = c.api(i, "GET", "/v1/settlement-runs", c.token("OPS"));
    EXPECT_EQ(runs.status, 200) << runs.body;
    // A second run (2026-12-02) would mean a request a node took while
    // 2026-12-01 was open was applied to the next open date.
    EXPECT_EQ(runs.body.find("\"business_date\"", runs.body.find("\"business_date\"") + 1), std::string::npos)
        << "node " << i << ": one cut-off request, one run: " << runs.body;
  }

  // Every node prints the same report, in each format; --out-dir writes both files.
  std::string table, json, csv;
  ASSERT_EQ(cli.run({"report", "--date", "2026-12-01"}, "OPS", 0, &table), 0) << table;
  std::cout << "clearctl report:\n" << table;
  ASSERT_EQ(cli.run({"report", "--date", "2026-12-01", "--format", "json"}, "OPS", 0, &json), 0) << json;
  ASSERT_EQ(cli.run({"report", "--date", "2026-12-01", "--format", "csv"}, "OPS", 0, &csv), 0) << csv;
  for (const char* part : {"Settlement report for business date 2026-12-01", "Totals and netting efficiency",
                           "Net obligations per member", "BANK_A", "BANK_B", "DE0007164600", "Fails (0)",
                           "Unmatched reports (1)", "A-1"}) {
    EXPECT_TRUE(contains(table, part)) << part << "\n" << table;
  }
  EXPECT_TRUE(has_row(table, {"EUR", "3", "14562.50", "2562.50", "82.40%"})) << table;
  EXPECT_TRUE(has_row(table, {"BANK_A", "PAY", "EUR", "2026-12-01", "-2562.50", "0.00", "-2562.50", "SETTLED"}))
      << table;
  EXPECT_TRUE(has_row(table, {"BANK_B", "COLLECT", "EUR", "2026-12-01", "2562.50", "0.00", "2562.50", "SETTLED"}))
      << table;
  EXPECT_TRUE(has_row(table, {"BANK_A", "BANK_C", "A-1", "1", "ALLEGED", "2026-12-01"})) << table;
  EXPECT_TRUE(json.starts_with("{\"business_date\":\"2026-12-01\"")) << json;
  EXPECT_TRUE(csv.starts_with("record,business_date,")) << csv;
  for (std::size_t i = 1; i < c.size(); ++i) {
    ASSERT_EQ(cli.run({"report", "--date", "2026-12-01"}, "OPS", i, &out), 0) << out;
    EXPECT_EQ(out, table) << "node " << i;
    ASSERT_EQ(cli.run({"report", "--date", "2026-12-01", "--format", "json"}, "OPS", i, &out), 0) << out;
    EXPECT_EQ(out, json) << "node " << i;
  }
  const fs::path reports = c.dir() / "reports";
  ASSERT_EQ(cli.run({"report", "--date", "2026-12-01", "--format", "csv", "--out-dir", reports.string()}, "OPS", 2, &out),
            0)
      << out;
  EXPECT_EQ(read_text(reports / "2026-12-01.json"), json);
  EXPECT_EQ(read_text(reports / "2026-12-01.csv"), csv);
  EXPECT_EQ(cli.run({"report", "--date", "2026-11-30"}, "OPS", 0, &out), 1) << out;
  EXPECT_TRUE(contains(out, "HTTP 404")) << out;

  // BANK_A proves its obligations of the run to a third party with the
  // genesis file alone; an altered amount, or proof byte, is refused.
  EXPECT_FALSE(contains(json, "\"proof\"")) << "the operator's read carries no member's proof";
  const std::size_t a = c.node_of("BANK_A");
  std::string member_json;
  ASSERT_TRUE(eventually([&] {
    return cli.run({"report", "--date", "2026-12-01", "--format", "json"}, "BANK_A", a, &member_json) == 0 &&
           contains(member_json, "\"certified\":true");
  })) << member_json;
  const fs::path proof_file = c.dir() / "bank_a_run.json";
  const std::string genesis = (c.dir() / "genesis.json").string();
  write_text(proof_file, member_json);
  ASSERT_EQ(c.clearctl({"proof", "verify", "--genesis", genesis, "--run", proof_file.string()}, &out), 0) << out;
  EXPECT_TRUE(contains(out, "proof verified: BANK_A, business date 2026-12-01, 4 obligations, epoch ")) << out;
  std::string altered = member_json;
  const std::size_t amount = altered.find("\"-2562.50\"");
  ASSERT_NE(amount, std::string::npos) << altered;
  altered.replace(amount, 10, "\"-2562.49\"");
  write_text(proof_file, altered);
  EXPECT_EQ(c.clearctl({"proof", "verify", "--genesis", genesis, "--run", proof_file.string()}, &out), 1) << out;
  EXPECT_TRUE(contains(out, "NOT VERIFIED: the instructions shown for BANK_A are not the proven ones")) << out;
  altered = member_json;
  const std::size_t encoding = altered.find("\"encoding\":\"") + 12;
  altered[encoding + 40] = altered[encoding + 40] == '0' ? '1' : '0';
  write_text(proof_file, altered);
  EXPECT_EQ(c.clearctl({"proof", "verify", "--genesis", genesis, "--run", proof_file.string()}, &out), 1) << out;
  EXPECT_TRUE(contains(out, "NOT VERIFIED")) << out;

  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
}

}  // namespace
}  // namespace quorumclear::testing
