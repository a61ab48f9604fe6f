// Proves the clearing node under faults on a real four-node cluster: peer
// links reset over and over during steady submission lose no acknowledged
// report; a node stopped (SIGSTOP) beyond the epoch window catches up by
// certificate, refusing peers that serve altered epochs; a node stopped
// (SIGTERM, or killed) and restarted never contradicts what it signed or
// voted; a node whose TLS key genesis does not pin is refused by its peers;
// and /readyz names the database when a node's database is gone.

#include "tests/cluster/cluster_checks.h"
#include "quorum/types.h"
#include "tests/tools/tcp_reset_proxy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
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
  std::size_t accepted(std::size_t node, const std::string& member, const std::string& body) {
    const HttpAnswer r = c_.api(node, "POST", "/v1/trades/bulk", c_.token(member), body);
    if (r.status != 202) {
      std::cerr << "node " << node << " answered " << r.status << ": " << r.body << "\n";
      return 0;
    }
    std::size_t n = 0;
    for (std::size_t at = r.body.find("\"ACCEPTED\""); at != std::string::npos; at = r.body.find("\"ACCEPTED\"", at + 1)) {
      ++n;
    }
    return n;
  }

  std::size_t confirmed(std::size_t node) {
    pqxx::connection db(c_.database_url(node));
    pqxx::nontransaction tx(db);
    return tx.exec1("SELECT count(*) FROM trades WHERE status = 'CONFIRMED'")[0].as<std::size_t>();
  }

  Cluster& c_;
  std::size_t acknowledged_ = 0;
  int next_ = 0;
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

// The nodes hold the same trades and, for every epoch all of them applied,
// the same digests.
void expect_same_history(Cluster& c) {
  const auto trades = rows_everywhere(c, "SELECT submitter, trade_id, version, status, epoch FROM trades ORDER BY 1, 2, 3");
  std::uint64_t common = UINT64_MAX;
  for (std::size_t i = 0; i < c.size(); ++i) common = std::min(common, last_epoch(c, i));
  const auto epochs = rows_everywhere(c, "SELECT epoch, output_digest, state_digest, audit_head FROM epochs WHERE epoch <= " +
                                             std::to_string(common) + " ORDER BY epoch");
  for (std::size_t i = 1; i < c.size(); ++i) {
    EXPECT_EQ(trades[i], trades[0]) << "node " << i;
    EXPECT_EQ(epochs[i], epochs[0]) << "node " << i;
  }
  EXPECT_EQ(epochs[0].size(), common + 1);
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
  for (const int sig : {SIGTERM, SIGKILL}) {
    traffic.round(20, 5);
    std::this_thread::sleep_for(300ms);  // mid-traffic: epochs in flight
    traffic.round(20, 5);
    c.signal(2, sig);
    traffic.round(20, 5);  // the others confirm without it (n - f = 3)
    ASSERT_TRUE(eventually([&] { return traffic.all_confirmed({0, 1, 3}); })) << c.log_of(0);
    c.start(2);
    ASSERT_TRUE(c.wait_ready(2)) << c.log_of(2);
    traffic.round(20, 5);
    ASSERT_TRUE(eventually([&] { return traffic.all_confirmed(all_nodes(c)); })) << c.log_of(2);
  }
  // Each start built the engine above every epoch the node had entered.
  const auto starts = c.log_lines(2, "STARTING");
  ASSERT_EQ(starts.size(), 3u) << c.log_of(2);
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

}  // namespace
}  // namespace quorumclear::testing
