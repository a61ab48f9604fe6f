// Proves the clearing node under faults on a real four-node cluster: peer
// links reset over and over during steady submission lose no acknowledged
// report; a node stopped (SIGSTOP) beyond the epoch window catches up by
// certificate, refusing peers that serve altered epochs; a node stopped
// (SIGTERM, or killed) and restarted never contradicts what it signed or
// voted; a node killed over and over during submission, and a node whose
// PostgreSQL server is restarted under load, lose no acknowledged report
// and apply none twice; a node whose TLS key genesis does not pin is
// refused by its peers; and /readyz names the database when a node's
// database is gone.

#include "tests/cluster/cluster_checks.h"
#include "quorum/types.h"
#include "tests/tools/tcp_reset_proxy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace quorumclear::testing {
namespace {

using namespace std::chrono_literals;

// Submits the two sides of two-sided trades (BANK_A at node 0, BANK_B at
// node 1) and venue trades (node 3) in bulk, and counts what was
// acknowledged: every acknowledged report must end CONFIRMED everywhere.
class Traffic {
 public:
  explicit Traffic(Cluster& c) : c_(c) {}

  /// One round: `pairs` two-sided trades and `venue` venue trades.
  void round(int pairs, int venue, bool both_sides = true) {
    std::string a = "[", b = "[", v = "[";
    for (int k = 0; k < pairs; ++k, ++next_) {
      const std::string t = report_json("P-" + std::to_string(next_), "BANK_A", "BANK_B", "DE0007164600", 10, "10.00");
      a += (k ? "," : "") + t;
      b += (k ? "," : "") + t;
    }
    for (int k = 0; k < venue; ++k, ++next_) {
      v += (k ? "," : "") + report_json("V-" + std::to_string(next_), "BANK_C", "BANK_A", "US0378331005", 3, "150.25");
    }
    if (pairs > 0) {
      acknowledged_ += accepted(0, "BANK_A", a + "]");
      if (both_sides) acknowledged_ += accepted(1, "BANK_B", b + "]");
    }
    if (venue > 0) acknowledged_ += accepted(3, "VENUE", v + "]");
  }

  /// Reports the nodes answered 202 for.
  [[nodiscard]] std::size_t acknowledged() const { return acknowledged_; }

  /// Sends every request not answered 202 so far once more, as a back
  /// office does; true when none is left. A report found there already
  /// (DUPLICATE) counts as acknowledged too: its first 202 was lost with
  /// the connection, but the node holds it.
  bool resubmit() {
    std::vector<Request> again;
    again.swap(unanswered_);
    for (Request& r : again) acknowledged_ += accepted(r.node, r.member, r.body, true);
    return unanswered_.empty();
  }

  /// Reports a resubmission found held already (the node took them, then
  /// its answer was lost).
  [[nodiscard]] std::size_t held_unanswered() const { return held_unanswered_; }

  /// A request answered otherwise than 202: the node, the status (0: no
  /// answer) and whether it carried Retry-After.
  struct Refusal {
    std::size_t node;
    int status;
    bool retry_after;
  };
  [[nodiscard]] const std::vector<Refusal>& refusals() const { return refusals_; }

  /// Every acknowledged report is CONFIRMED on every node given.
  [[nodiscard]] bool all_confirmed(const std::vector<std::size_t>& nodes) {
    for (const std::size_t i : nodes) {
      if (confirmed(i) != acknowledged_) return false;
    }
    return true;
  }

  /// For a failure message: acknowledged, and CONFIRMED per node.
  [[nodiscard]] std::string counts() {
    std::string out = std::to_string(acknowledged_) + " acknowledged; CONFIRMED:";
    for (std::size_t i = 0; i < c_.size(); ++i) out += " " + std::to_string(confirmed(i));
    return out + "\n";
  }

 private:
  struct Request {
    std::size_t node;
    std::string member;
    std::string body;
  };

  std::size_t accepted(std::size_t node, const std::string& member, const std::string& body, bool again = false) {
    const HttpAnswer r = c_.api(node, "POST", "/v1/trades/bulk", c_.token(member), body);
    if (r.status != 202) {
      std::cerr << "node " << node << " answered " << r.status << ": " << r.body << "\n";
      refusals_.push_back(Refusal{node, r.status, r.headers.count("retry-after") == 1});
      unanswered_.push_back(Request{node, member, body});
      return 0;
    }
    const auto occurrences = [&](const std::string& needle) {
      std::size_t n = 0;
      for (std::size_t at = r.body.find(needle); at != std::string::npos; at = r.body.find(needle, at + 1)) ++n;
      return n;
    };
    const std::size_t held = again ? occurrences("\"DUPLICATE\"") : 0;
    held_unanswered_ += held;
    return occurrences("\"ACCEPTED\"") + held;
  }

  std::size_t confirmed(std::size_t node) {
    pqxx::connection db(c_.database_url(node));
    pqxx::nontransaction tx(db);
    return tx.exec1("SELECT count(*) FROM trades WHERE status = 'CONFIRMED'")[0].as<std::size_t>();
  }

  Cluster& c_;
  std::size_t acknowledged_ = 0;
  int next_ = 0;
  std::vector<Request> unanswered_;
  std::vector<Refusal> refusals_;
  std::size_t held_unanswered_ = 0;
};

std::vector<std::size_t> all_nodes(const Cluster& c) {
  std::vector<std::size_t> v(c.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

std::uint64_t last_epoch(Cluster& c, std::size_t node) {
  pqxx::connection db(c.database_url(node));
  pqxx::nontransaction tx(db);
  const auto row = tx.exec1("SELECT coalesce(max(epoch), 0) FROM epochs");
  return row[0].as<std::uint64_t>();
}

/// The checkpoint a node rebuilt from its peers' starts its history at
/// (schema/0013), or -1 for one whose history starts at genesis.
std::int64_t history_start(Cluster& c, std::size_t node) {
  pqxx::connection db(c.database_url(node));
  pqxx::nontransaction tx(db);
  return tx.exec1("SELECT coalesce(history_start_epoch, -1) FROM node_state")[0].as<std::int64_t>();
}

// The nodes hold the same trades and, for every epoch all of them applied,
// the same digests; from the latest history start on, for a node rebuilt
// from a checkpoint holds nothing decided before it.
void expect_same_history(Cluster& c) {
  std::int64_t start = -1;
  for (std::size_t i = 0; i < c.size(); ++i) start = std::max(start, history_start(c, i));
  const std::string from = std::to_string(start);
  const auto trades = rows_everywhere(c, "SELECT submitter, trade_id, version, status, epoch FROM trades WHERE epoch > " +
                                             from + " ORDER BY 1, 2, 3");
  std::uint64_t common = UINT64_MAX;
  for (std::size_t i = 0; i < c.size(); ++i) common = std::min(common, last_epoch(c, i));
  const auto epochs = rows_everywhere(c, "SELECT epoch, output_digest, state_digest, audit_head FROM epochs WHERE epoch <= " +
                                             std::to_string(common) + " AND epoch >= " + std::to_string(std::max<std::int64_t>(start, 0)) +
                                             " ORDER BY epoch");
  for (std::size_t i = 1; i < c.size(); ++i) {
    EXPECT_EQ(trades[i], trades[0]) << "node " << i;
    EXPECT_EQ(epochs[i], epochs[0]) << "node " << i;
  }
  EXPECT_EQ(epochs[0].size(), common + 1 - static_cast<std::uint64_t>(std::max<std::int64_t>(start, 0)));
}

// Every report is one row, and positions moved once per CONFIRMED report:
// a report decided twice (say, proposed again from received_reports after a
// restart) would show here, while the digests would still agree. A node
// rebuilt from a checkpoint took its positions from it, without the rows
// before it: its positions must be node 0's.
void expect_applied_once(Cluster& c) {
  const std::string positions = "SELECT member_id, isin, settlement_date, bought, sold FROM positions ORDER BY 1, 2, 3";
  const auto all_positions = rows_everywhere(c, positions);
  for (std::size_t i = 0; i < c.size(); ++i) {
    pqxx::connection db(c.database_url(i));
    pqxx::nontransaction tx(db);
    const auto rows = tx.exec1("SELECT count(*), count(DISTINCT (submitter, trade_id)) FROM trades");
    EXPECT_EQ(rows[0].as<std::int64_t>(), rows[1].as<std::int64_t>()) << "node " << i << ": a report twice in trades";
    if (history_start(c, i) >= 0) {
      EXPECT_EQ(all_positions[i], all_positions[0]) << "node " << i << " (rebuilt from a checkpoint)";
      continue;
    }
    const auto confirmed = [&](const std::string& submitter) {
      return tx.exec1("SELECT count(*) FROM trades WHERE status = 'CONFIRMED' AND submitter = " + tx.quote(submitter))[0]
          .as<std::int64_t>();
    };
    const auto moved = [&](const std::string& member, const std::string& isin, const std::string& column) {
      return tx.exec1("SELECT coalesce(sum(" + column + "), 0) FROM positions WHERE member_id = " + tx.quote(member) +
                      " AND isin = " + tx.quote(isin))[0]
          .as<std::int64_t>();
    };
    // Traffic's sizes: 10 per two-sided trade (both sides CONFIRMED, one
    // trade), 3 per venue trade.
    EXPECT_EQ(confirmed("BANK_A"), confirmed("BANK_B")) << "node " << i;
    EXPECT_EQ(moved("BANK_A", "DE0007164600", "bought"), 10 * confirmed("BANK_A")) << "node " << i;
    EXPECT_EQ(moved("BANK_B", "DE0007164600", "sold"), 10 * confirmed("BANK_B")) << "node " << i;
    EXPECT_EQ(moved("BANK_C", "US0378331005", "bought"), 3 * confirmed("VENUE")) << "node " << i;
    EXPECT_EQ(moved("BANK_A", "US0378331005", "sold"), 3 * confirmed("VENUE")) << "node " << i;
  }
}

void start_ready(Cluster& c) {
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);
}

TEST(ClusterFaults, PeerLinkResetOverAndOverLosesNoAcknowledgedReport) {
  Cluster c;
  // Node 0 dials node 1 through a proxy that resets the link every 300 ms.
  tools::ResetProxyOptions options;
  options.target_port = c.peer_port(1);
  options.reset_every_ms = 300;
  tools::ResetProxy proxy(options);
  proxy.start();
  c.route_peer(0, 1, proxy.port());
  start_ready(c);

  Traffic traffic(c);
  const auto until = std::chrono::steady_clock::now() + 8s;
  while (std::chrono::steady_clock::now() < until) {
    traffic.round(25, 5);
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_GE(traffic.acknowledged(), 300u);
  EXPECT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); }, 120s))
      << traffic.acknowledged() << " acknowledged\n" << c.log_of(0);
  EXPECT_GE(proxy.resets(), 10u);
  EXPECT_GE(c.log_lines(0, "peer_connected").size(), 5u) << "node 0 reconnected to node 1 after the resets";
  expect_same_history(c);
  EXPECT_TRUE(c.log_lines(1, "PEER_FAULT").empty()) << c.log_lines(1, "PEER_FAULT").front();
  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
}

TEST(ClusterFaults, StoppedBeyondTheWindowCatchesUpByCertificateRefusingAlteredEpochs) {
  Cluster c;
  // Nodes 0 and 1 corrupt what they serve; node 3 asks 0, then 1, then 2.
  c.set_tuning(0, "\"fault_injection\": {\"alter_served_epochs\": true}");
  c.set_tuning(1, "\"fault_injection\": {\"alter_served_epochs\": true}");
  start_ready(c);
  EXPECT_EQ(c.log_lines(0, "FAULT_INJECTION_ON").size(), 1u);
  EXPECT_TRUE(c.log_lines(2, "FAULT_INJECTION_ON").empty());

  Traffic traffic(c);
  traffic.round(10, 2);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << c.log_of(3);
  c.signal(3, SIGSTOP);
  const std::uint64_t stopped_at = last_epoch(c, 0);
  // Two-sided trades only: node 3's venue cannot submit while stopped.
  ASSERT_TRUE(eventually([&] {
    traffic.round(10, 0);
    return last_epoch(c, 0) > stopped_at + 3 * quorum::kEpochWindow;
  }, 60s));
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed({0, 1, 2}); }));
  const std::uint64_t frontier = last_epoch(c, 0);
  c.signal(3, SIGCONT);

  ASSERT_TRUE(eventually([&] { return last_epoch(c, 3) >= frontier; })) << c.log_of(3);
  EXPECT_FALSE(c.log_lines(3, "CATCH_UP_STARTED").empty()) << c.log_of(3);
  const auto refused = c.log_lines(3, "CATCH_UP_REFUSED");
  ASSERT_GE(refused.size(), 2u) << c.log_of(3);
  EXPECT_NE(refused[0].find("peer=0"), std::string::npos) << refused[0];
  EXPECT_NE(refused[1].find("peer=1"), std::string::npos) << refused[1];
  for (const std::string& line : c.log_lines(3, "CATCH_UP_REFUSED")) {
    EXPECT_EQ(line.find("peer=2"), std::string::npos) << "the honest peer was refused: " << line;
  }
  EXPECT_FALSE(c.log_lines(3, "CATCH_UP_DONE").empty()) << c.log_of(3);
  EXPECT_TRUE(c.log_lines(3, "DIVERGED").empty());

  // Back in the quorum: its venue trades confirm and it signs new epochs.
  traffic.round(5, 5);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << c.log_of(3);
  ASSERT_TRUE(eventually([&] {
    pqxx::connection db(c.database_url(0));
    pqxx::nontransaction tx(db);
    return tx.exec1("SELECT count(*) FROM epoch_signatures WHERE node_id = 3 AND epoch > " +
                    std::to_string(frontier))[0].as<int>() > 0;
  })) << "node 3 signs again";
  expect_same_history(c);
}

TEST(ClusterFaults, RestartedNodeNeverContradictsWhatItSentBefore) {
  Cluster c;
  start_ready(c);
  Traffic traffic(c);
  int damaged_files = 0;
  for (const int sig : {SIGTERM, SIGKILL}) {
    traffic.round(20, 5);
    std::this_thread::sleep_for(300ms);  // mid-traffic: epochs in flight
    traffic.round(20, 5);
    if (sig == SIGTERM) {
      // Past its first checkpoint, so that each restart has a snapshot.
      const auto files = c.node_dir(2) / "data" / "snapshots";
      ASSERT_TRUE(eventually([&] { return std::filesystem::exists(files) && !std::filesystem::is_empty(files); }, 20s))
          << c.log_of(2);
    }
    c.signal(2, sig);
    traffic.round(20, 5);  // the others confirm without it (n - f = 3)
    ASSERT_TRUE(eventually([&] { return traffic.all_confirmed({0, 1, 3}); })) << c.log_of(0);
    if (sig == SIGKILL) {
      // Its snapshot files damaged: the restart reads the database's copies.
      for (const auto& file : std::filesystem::directory_iterator(c.node_dir(2) / "data" / "snapshots")) {
        std::fstream f(file.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(100);
        const char byte = static_cast<char>(f.get() ^ 0x5a);
        f.seekp(100);
        f.put(byte);
        ++damaged_files;
      }
    }
    c.start(2);
    ASSERT_TRUE(c.wait_ready(2)) << c.log_of(2);
    traffic.round(20, 5);
    ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << c.log_of(2);
  }
  // Each start built the engine above every epoch the node had entered.
  const auto starts = c.log_lines(2, "STARTING");
  ASSERT_EQ(starts.size(), 3u) << c.log_of(2);
  // Past a checkpoint a restart starts from its snapshot, mapped from its
  // file, and from the database's copy once the file is damaged.
  EXPECT_GT(damaged_files, 0) << c.log_of(2);
  EXPECT_NE(starts[1].find("snapshot_read_from=file"), std::string::npos) << starts[1];
  EXPECT_NE(starts[2].find("snapshot_read_from=database"), std::string::npos) << starts[2];
  bool file_refused = false;
  for (const std::string& line : c.log_lines(2, "SNAPSHOT_REFUSED")) {
    file_refused = file_refused || line.find("its file is not the snapshot its epoch signed") != std::string::npos;
  }
  EXPECT_TRUE(file_refused) << c.log_of(2);
  for (std::size_t k = 1; k < starts.size(); ++k) {
    const auto field = [&](const std::string& name) {
      const std::size_t at = starts[k].find(name + "=");
      return std::stoull(starts[k].substr(at + name.size() + 1));
    };
    EXPECT_GT(field("engine_epoch"), field("entered")) << starts[k];
  }
  // No peer saw it equivocate: no conflicting signature, no fault against it.
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_TRUE(c.log_lines(i, "CONFLICTING_SIGNATURE").empty()) << "node " << i;
    for (const std::string& line : c.log_lines(i, "PEER_FAULT")) {
      EXPECT_EQ(line.find("peer=2"), std::string::npos) << "node " << i << ": " << line;
    }
  }
  expect_same_history(c);
}

TEST(ClusterFaults, KeyNotPinnedForItsIdIsRefusedByEveryPeer) {
  Cluster c;
  c.replace_tls_key(3);  // genesis still pins node 3's first key
  c.start_all();
  for (std::size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  // Nodes 0..2 dial node 3 and find another key than the pinned one.
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(eventually([&] {
      for (const std::string& line : c.log_lines(i, "peer_refused")) {
        if (line.find("peer=3") != std::string::npos) return true;
      }
      return false;
    }, 30s)) << "node " << i << "\n" << c.log_of(i);
  }
  // The three still decide; node 3 is never connected, so never ready.
  Traffic traffic(c);
  traffic.round(10, 0);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed({0, 1, 2}); })) << c.log_of(0);
  const HttpAnswer ready = c.ops(3, "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("\"peers\""), std::string::npos) << ready.body;
  EXPECT_TRUE(c.log_lines(3, "peer_connected").empty()) << c.log_lines(3, "peer_connected").front();
  EXPECT_EQ(last_epoch(c, 3), 0u);
}

TEST(ClusterFaults, ReadyzNamesTheDatabaseWhileItIsGoneAndNothingIsLost) {
  Cluster c;
  start_ready(c);
  Traffic traffic(c);
  traffic.round(10, 2);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); }));

  c.set_database_reachable(1, false);
  HttpAnswer ready;
  ASSERT_TRUE(eventually([&] {
    ready = c.ops(1, "/readyz");
    return ready.status == 503;
  }, 30s)) << ready.body;
  EXPECT_NE(ready.body.find("\"database\""), std::string::npos) << ready.body;
  // A submission there cannot be made durable: 503, and nothing is acknowledged.
  const HttpAnswer refused = c.api(1, "POST", "/v1/trades", c.token("BANK_B"),
                                   report_json("DB-1", "BANK_A", "BANK_B", "DE0007164600", 1, "10.00"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers.count("retry-after"), 1u) << refused.body;
  // The others go on: a venue trade confirms at n - f = 3 nodes.
  const std::uint64_t gone_at = last_epoch(c, 0);
  traffic.round(0, 5);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed({0, 2, 3}); })) << c.log_of(0);
  // Away long enough for the others to move beyond the epoch window.
  ASSERT_TRUE(eventually([&] { return last_epoch(c, 0) > gone_at + 2 * quorum::kEpochWindow; }));
  EXPECT_EQ(c.ops(1, "/readyz").status, 503);

  c.set_database_reachable(1, true);
  ASSERT_TRUE(c.wait_ready(1)) << c.log_of(1);
  traffic.round(10, 2);
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << traffic.counts() << c.log_of(1);
  expect_same_history(c);
  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
}

TEST(ClusterFaults, KilledOverAndOverDuringSubmissionLosesNoAcknowledgedReport) {
  // QC_FAULT_SEED=<seed> replays a failure: the seed picks the node and the moments.
  const char* given = std::getenv("QC_FAULT_SEED");
  const std::uint32_t seed = given ? static_cast<std::uint32_t>(std::stoul(given)) : std::random_device{}();
  std::mt19937 rng(seed);
  // Any node: 0, 1 and 3 take Traffic's submissions, so a kill there can
  // fall between a report's commit and its 202; node 2 only votes.
  const std::size_t victim = std::uniform_int_distribution<std::size_t>(0, 3)(rng);
  std::cout << "QC_FAULT_SEED=" << seed << ": SIGKILL node " << victim << " three times" << std::endl;
  RecordProperty("seed", std::to_string(seed));

  Cluster c;
  start_ready(c);
  Traffic traffic(c);
  // The kills come from their own thread so that one can land while a
  // request to the victim is in flight; only that thread signals and starts
  // nodes, only this one calls the API. One deadline for all three kills
  // keeps the test bounded however slow a restart is.
  const auto kills_done_by = std::chrono::steady_clock::now() + 30s;
  std::atomic<bool> killing{true};
  std::string trouble;
  std::thread killer([&] {
    std::uniform_int_distribution<int> busy_ms(200, 900), down_ms(50, 500);
    for (int k = 0; k < 3; ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(busy_ms(rng)));
      c.signal(victim, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(down_ms(rng)));
      c.start(victim);
      const auto started = std::chrono::steady_clock::now();
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(kills_done_by - started);
      if (!c.wait_ready(victim, std::max(left, std::chrono::seconds(1)))) {
        trouble = "node " + std::to_string(victim) + " not ready after kill " + std::to_string(k + 1);
        break;
      }
      std::cout << "kill " << k + 1 << ": ready "
                << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
                << " ms after its start" << std::endl;
    }
    killing = false;
  });
  // Small rounds with short pauses: a kill often lands while a request to
  // the victim is in flight, and the load leaves a restarted node able to
  // catch up.
  while (killing) {
    traffic.round(4, 1);
    std::this_thread::sleep_for(25ms);
  }
  killer.join();
  ASSERT_TRUE(trouble.empty()) << trouble << "\n" << c.log_of(victim);
  for (int k = 0; k < 3; ++k) traffic.round(10, 3);  // the restarted node takes submissions again

  // What a kill refused (no answer) is sent again; what it acknowledged must not need that.
  ASSERT_TRUE(eventually([&] { return traffic.resubmit(); }, 10s)) << traffic.refusals().size() << " refusals";
  std::cout << traffic.acknowledged() << " reports acknowledged, " << traffic.refusals().size()
            << " requests unanswered, " << traffic.held_unanswered() << " reports held though unanswered" << std::endl;
  EXPECT_GE(traffic.acknowledged(), 150u);
  EXPECT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); }, 15s))
      << "seed " << seed << ": " << traffic.counts() << c.log_of(victim);
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_TRUE(c.running(i)) << "node " << i << "\n" << c.log_of(i);
  EXPECT_EQ(c.log_lines(victim, "STARTING").size(), 4u) << c.log_of(victim);
  expect_applied_once(c);
  expect_same_history(c);
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_TRUE(c.log_lines(i, "CONFLICTING_SIGNATURE").empty()) << "node " << i;
    EXPECT_TRUE(c.log_lines(i, "DIVERGED").empty()) << "node " << i;
  }
  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
}

TEST(ClusterFaults, PostgresRestartedDuringLoadLosesNothingAndAppliesNothingTwice) {
  // Node 1's database lives on a server of its own, so stopping it is the
  // real fault (every connection ended, no new one taken) without stopping
  // the shared server that other cluster tests may be using at the time.
  PrivatePostgres server;  // declared first: it outlives the cluster's databases
  ClusterOptions options;
  options.database_servers[1] = server.url();
  Cluster c(options);
  start_ready(c);
  Traffic traffic(c);
  traffic.round(10, 3);

  // 0: up, 1: stopped, 2: started again. Stopped while submissions go on:
  // the fast shutdown ends node 1's connections whether idle or inside a
  // transaction (an insert of received reports, an epoch being applied).
  std::atomic<int> phase{0};
  std::string trouble;
  std::thread restart([&] {
    try {
      std::this_thread::sleep_for(400ms);
      server.stop();
      phase = 1;
      std::this_thread::sleep_for(3s);
      server.start();
    } catch (const std::exception& e) {
      trouble = e.what();
    }
    phase = 2;
  });
  HttpAnswer ready;
  while (phase < 2) {
    traffic.round(10, 3);
    if (phase == 1 && ready.status != 503) ready = c.ops(1, "/readyz");
    std::this_thread::sleep_for(100ms);
  }
  restart.join();
  ASSERT_TRUE(trouble.empty()) << trouble;
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("\"database\""), std::string::npos) << ready.body;
  // While it was away node 1 refused, saying when to come back; nothing
  // else answered anything but 202.
  std::size_t unavailable = 0;
  for (const Traffic::Refusal& r : traffic.refusals()) {
    EXPECT_EQ(r.node, 1u) << "answered " << r.status;
    EXPECT_EQ(r.status, 503) << "node " << r.node;
    EXPECT_TRUE(r.retry_after) << "node " << r.node << " answered " << r.status << " without Retry-After";
    unavailable += r.node == 1 && r.status == 503 ? 1 : 0;
  }
  EXPECT_GE(unavailable, 3u) << "the outage was seen";

  ASSERT_TRUE(c.wait_ready(1, 20s)) << c.log_of(1);
  traffic.round(10, 3);
  ASSERT_TRUE(eventually([&] { return traffic.resubmit(); }, 10s)) << traffic.refusals().size() << " refusals";
  EXPECT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); }, 15s))
      << traffic.counts() << c.log_of(1);
  EXPECT_FALSE(c.log_lines(1, "DATABASE_UNAVAILABLE").empty()) << c.log_of(1);
  EXPECT_TRUE(c.running(1)) << c.log_of(1);
  expect_applied_once(c);
  expect_same_history(c);
  EXPECT_TRUE(c.openapi_violations().empty()) << c.openapi_violations().front();
}

TEST(ClusterFaults, NodeWhoseDatabaseWasEmptiedRebuildsFromItsPeersAndVotesOnlyPastWhatItEntered) {
  ClusterOptions options;
  // No empty epochs while idle: once the work is done the history stops
  // growing and every epoch gets its certificate, so clearctl audit verify
  // can check the rebuilt node's whole database at the end.
  options.idle_heartbeat_ms = 60'000;
  // Checkpoints before the loss: it rebuilds from the newest one.
  options.checkpoint_interval_epochs = 4;
  Cluster c(options);
  start_ready(c);
  Traffic traffic(c);
  for (int k = 0; k < 4; ++k) {
    traffic.round(5, 2);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << traffic.counts();
  ASSERT_GE(last_epoch(c, 0), 3u) << "a checkpoint to rebuild from";

  // Reports node 1 acknowledges while it cannot reach a quorum (nodes 2 and
  // 3 stopped): durable there, and not decided when its disk is lost.
  c.signal(2, SIGSTOP);
  c.signal(3, SIGSTOP);
  std::string body = "[";
  for (int k = 0; k < 5; ++k) {
    body += (k ? "," : "") + report_json("U-" + std::to_string(k), "BANK_A", "BANK_B", "DE0007164600", 10, "10.00");
  }
  const HttpAnswer undecided = c.api(1, "POST", "/v1/trades/bulk", c.token("BANK_B"), body + "]");
  ASSERT_EQ(undecided.status, 202) << undecided.body;
  std::this_thread::sleep_for(300ms);
  c.signal(1, SIGSTOP);
  std::uint64_t entered = 0;
  std::int64_t received = 0;
  {
    pqxx::connection db(c.database_url(1));
    pqxx::nontransaction tx(db);
    entered = tx.exec1("SELECT entered_epoch FROM node_entered_epoch")[0].as<std::uint64_t>();
    received = tx.exec1("SELECT count(*) FROM received_reports")[0].as<std::int64_t>();
  }
  c.signal(1, SIGKILL);
  c.signal(2, SIGCONT);
  c.signal(3, SIGCONT);
  c.empty_database(1);
  c.start(1);

  // It rejoins voting only above every epoch it could have entered, catches
  // up everything decided by certificate, and confirms new trades again.
  // It is ready once the network is past that bound and it has caught up;
  // without an idle heartbeat only proposals start epochs, so venue trades
  // (node 3's) move the network on.
  ASSERT_TRUE(eventually([&] {
    traffic.round(0, 1);
    return c.running(1) && !c.log_lines(1, "REJOINED").empty() && c.ops(1, "/readyz").status == 200;
  }, 90s)) << c.log_of(1);
  ASSERT_EQ(c.log_lines(1, "REBUILDING").size(), 1u) << c.log_of(1);
  const auto rejoined = c.log_lines(1, "REJOINED");
  ASSERT_EQ(rejoined.size(), 1u) << c.log_of(1);
  // From a peer's certified checkpoint, not from genesis.
  const auto rebuilt = c.log_lines(1, "REBUILT_FROM_CHECKPOINT");
  ASSERT_EQ(rebuilt.size(), 1u) << c.log_of(1);
  const std::int64_t checkpoint = history_start(c, 1);
  ASSERT_GE(checkpoint, 3) << rebuilt[0];
  EXPECT_EQ((checkpoint + 1) % 4, 0) << rebuilt[0];
  EXPECT_EQ(c.log_lines(1, "CHECKPOINT_STORED").size(), 1u) << c.log_of(1);
  const std::size_t at = rejoined[0].find("votes again from epoch ");
  ASSERT_NE(at, std::string::npos) << rejoined[0];
  const std::uint64_t votes_from = std::stoull(rejoined[0].substr(at + 23));
  EXPECT_GT(votes_from, entered + quorum::kEpochWindow) << rejoined[0];
  ASSERT_TRUE(eventually([&] {
    traffic.round(0, 1);
    const auto last = rows_everywhere(c, "SELECT last_applied_epoch FROM node_state");
    return std::stoull(last[0][0]) >= votes_from;
  }, 90s)) << c.log_of(1);
  // New trades confirm everywhere; the rebuilt node holds the reports
  // decided after its checkpoint, the same as node 0's.
  traffic.round(20, 5);
  const std::vector<std::size_t> others{0, 2, 3};
  const std::string since = "SELECT count(*) FROM trades WHERE status = 'CONFIRMED' AND epoch > " + std::to_string(checkpoint);
  ASSERT_TRUE(eventually([&] {
    return traffic.all_confirmed(others) && rows_everywhere(c, since)[1] == rows_everywhere(c, since)[0];
  }, 90s)) << traffic.counts() << c.log_of(1);
  const auto starts = c.log_lines(1, "STARTING");
  ASSERT_EQ(starts.size(), 2u);
  // A report decided before the checkpoint is on the other nodes; the
  // rebuilt one says why it does not hold it.
  const auto first_epoch = rows_everywhere(c, "SELECT epoch FROM trades WHERE submitter = 'BANK_B' AND trade_id = 'P-0'");
  ASSERT_EQ(first_epoch[0].size(), 1u);
  ASSERT_LE(std::stoll(first_epoch[0][0]), checkpoint) << "the first round was decided before the checkpoint";
  const HttpAnswer old = c.api(1, "GET", "/v1/trades/P-0", c.token("BANK_B"), "");
  EXPECT_EQ(old.status, 404) << old.body;
  EXPECT_NE(old.body.find("rebuilt from its peers' checkpoint at epoch " + std::to_string(checkpoint)), std::string::npos)
      << old.body;

  // Each report acknowledged there and undecided at the loss is either lost
  // with the node on every node (its member resubmits it) or was decided
  // from the messages it had sent: never on some nodes only.
  std::cout << received << " of 5 reports were undecided at node 1 when its database was lost (entered epoch "
            << entered << ")\n" << rejoined[0] << "\n";
  // (The rebuilt node holds those decided after its checkpoint.)
  const auto u = rows_everywhere(c, "SELECT trade_id, status FROM trades WHERE trade_id LIKE 'U-%' ORDER BY 1");
  for (std::size_t i = 2; i < c.size(); ++i) EXPECT_EQ(u[i], u[0]) << "node " << i;
  const std::string u_since = "SELECT trade_id, status FROM trades WHERE trade_id LIKE 'U-%' AND epoch > " +
                              std::to_string(checkpoint) + " ORDER BY 1";
  EXPECT_EQ(rows_everywhere(c, u_since)[1], rows_everywhere(c, u_since)[0]);
  std::cout << u[0].size() << " of them were decided from what it had sent; the rest were lost with it\n";
  const HttpAnswer again = c.api(1, "POST", "/v1/trades/bulk", c.token("BANK_B"), body + "]");
  EXPECT_EQ(again.status, 202) << again.body;
  // No peer saw it equivocate.
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_TRUE(c.log_lines(i, "CONFLICTING_SIGNATURE").empty()) << "node " << i;
  }
  traffic.round(5, 0);
  ASSERT_TRUE(eventually([&] {
    return traffic.all_confirmed(others) && rows_everywhere(c, since)[1] == rows_everywhere(c, since)[0];
  })) << traffic.counts();
  expect_same_history(c);
  expect_applied_once(c);

  // In the background it fetched the epochs below its checkpoint; the
  // audit then replays from genesis through them to the checkpoint's state
  // and compares every row it holds from there.
  ASSERT_TRUE(eventually([&] { return !c.log_lines(1, "HISTORY_COMPLETE").empty(); }, 60s)) << c.log_of(1);
  ASSERT_TRUE(eventually([&] { return settled_and_certified(c); }, 30s)) << c.log_of(1);
  {
    pqxx::connection db(c.database_url(1));
    pqxx::nontransaction tx(db);
    EXPECT_EQ(tx.exec1("SELECT min(epoch) FROM epochs")[0].as<std::int64_t>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM epochs WHERE epoch < " + std::to_string(checkpoint))[0].as<std::int64_t>(),
              checkpoint);
  }
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
  std::string out;
  EXPECT_EQ(c.clearctl({"audit", "verify", "--db", c.database_url(1), "--genesis", (c.dir() / "genesis.json").string()},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("AUDIT PASSED"), std::string::npos) << out;
  EXPECT_NE(out.find("this node's history starts at checkpoint epoch " + std::to_string(checkpoint)), std::string::npos)
      << out;
  EXPECT_NE(out.find(" epochs from genesis (0.."), std::string::npos) << out;
  std::cout << "clearctl audit verify on the rebuilt node:\n" << out;
}

}  // namespace
}  // namespace quorumclear::testing
