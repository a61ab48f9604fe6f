#pragma once
// A real local cluster for integration tests: n `clearing-node` processes,
// one fresh PostgreSQL database each on the private test server
// (QC_PG_URL), keys made by each node's own `clearctl keygen`, the coin dealt
// by `clearctl deal`, genesis by `clearctl genesis`, and member tokens
// created at each member's own node. Three clearing members (BANK_A..C on
// nodes 0..2), a trading venue (VENUE on node 3, permitted for all three),
// an operator and a regulator (tokens registered at every node). The wall
// clock of every node reads one file the test sets. The destructor kills
// every process it started and drops the databases. QC_KEEP_CLUSTER=1
// keeps the folder (keys, configs, logs); QC_CLUSTER_LOG_LEVEL=debug makes
// the nodes log more.

#include <pqxx/pqxx>

#include <chrono>
#include <filesystem>
#include <map>
#include <utility>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::testing {

/// A loopback port free now, below the ephemeral range (cluster.cc says why).
[[nodiscard]] std::uint16_t free_port();

struct ClusterOptions {
  std::size_t nodes = 4;
  bool api_tls = true;
  /// The wall time every node starts with (its clock file).
  std::string clock = "2026-12-01T09:00:00Z";
  std::string first_business_date = "2026-12-01";
  std::string cutoff_time = "17:30";
  /// Small, so every cluster test crosses checkpoints and restarts from snapshots.
  int checkpoint_interval_epochs = 16;
  std::uint32_t idle_heartbeat_ms = 200;
  /// Node -> the admin URL of another PostgreSQL server that holds that
  /// node's database instead of the shared one (QC_PG_URL), e.g. a
  /// PrivatePostgres a test stops and starts without disturbing the others.
  std::map<std::size_t, std::string> database_servers;
};

/// A PostgreSQL server of its own for one test: ops/pg.sh with QC_PG_DIR
/// under the temporary folder, so stopping it never touches the shared
/// server that cluster tests running in parallel use. The destructor stops
/// it and removes its folder.
class PrivatePostgres {
 public:
  PrivatePostgres();
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  /// `ops/pg.sh start` (initdb on first use); throws when it fails.
  void start();
  /// `ops/pg.sh stop`: a fast shutdown that ends every open connection.
  void stop();
  /// The admin URL (its `quorumclear` database), as ClusterOptions takes it.
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  int pg_sh(const std::string& command, std::string* output = nullptr);

  std::filesystem::path dir_;
  std::string url_;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  void start(std::size_t node);
  void start_all();
  /// Sends `signal` and, for SIGTERM/SIGKILL, waits for the process to exit.
  void signal(std::size_t node, int signal);
  [[nodiscard]] bool running(std::size_t node) const;
  /// Waits until the node's /readyz answers 200 (or the time runs out).
  [[nodiscard]] bool wait_ready(std::size_t node, std::chrono::seconds timeout = std::chrono::seconds(60));

  HttpAnswer api(std::size_t node, const std::string& method, const std::string& path,
                 const std::string& token = {}, const std::string& body = {},
                 const std::string& content_type = "application/json");
  HttpAnswer ops(std::size_t node, const std::string& path);

  /// The member's API token (created at its own node; operator and
  /// regulator tokens are registered at every node).
  [[nodiscard]] const std::string& token(const std::string& member) const { return tokens_.at(member); }
  /// The node a member runs (clearing members and the venue).
  [[nodiscard]] std::size_t node_of(const std::string& member) const { return node_of_.at(member); }
  [[nodiscard]] std::string database_url(std::size_t node) const { return databases_.at(node); }
  /// The node's API base URL as clearctl --node takes it (https:// or http://).
  [[nodiscard]] std::string api_url(std::size_t node) const;
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path node_dir(std::size_t node) const;
  /// Sets every node's wall clock (an ISO-8601 UTC instant).
  void set_clock(const std::string& instant);
  /// Runs clearctl with `args`; its output in `output`; exit status returned.
  int clearctl(const std::vector<std::string>& args, std::string* output = nullptr,
               const std::map<std::string, std::string>& env = {});
  [[nodiscard]] std::string log_of(std::size_t node) const;
  [[nodiscard]] std::size_t size() const { return options_.nodes; }
  /// The port node `node` listens on for peers.
  [[nodiscard]] std::uint16_t peer_port(std::size_t node) const { return peer_ports_.at(node); }
  /// The port of the node's ops listener (/healthz, /readyz, /metrics).
  [[nodiscard]] std::uint16_t ops_port(std::size_t node) const { return ops_ports_.at(node); }
  /// Makes `dialer` (the lower id of the pair: it dials) reach `listener`
  /// at 127.0.0.1:`port` instead, e.g. through a tests/tools reset proxy.
  /// Rewrites the dialer's node.json; takes effect at its next start.
  void route_peer(std::size_t dialer, std::size_t listener, std::uint16_t port);
  /// Extra fields in node `node`'s "tuning" object ("\"k\": v, ..."); next start.
  void set_tuning(std::size_t node, const std::string& fields);
  /// Gives the node a TLS key and certificate of its own making that
  /// genesis does not pin (its signing and coin keys are kept).
  void replace_tls_key(std::size_t node);
  /// Lets the node's database take connections, or refuses them and ends
  /// the open ones, as if its PostgreSQL were gone (the shared server and
  /// the other nodes' databases are untouched).
  void set_database_reachable(std::size_t node, bool reachable);
  /// Drops the stopped node's database and creates it empty, as if its
  /// disk were lost (key files and data directory kept), then registers
  /// its members' and the overseers' API tokens there again, as their
  /// owners would.
  void empty_database(std::size_t node);
  /// Lines of the node's log that contain `needle`.
  [[nodiscard]] std::vector<std::string> log_lines(std::size_t node, const std::string& needle) const;
  /// Every way an API answer so far disagreed with services/api/openapi.json.
  [[nodiscard]] const std::vector<std::string>& openapi_violations() const { return openapi_violations_; }

 private:
  void make_keys();
  void write_genesis();
  void write_node_config(std::size_t node);
  void create_tokens();
  HttpAnswer https_exchange(std::size_t node, const std::string& method, const std::string& path,
                            const std::string& token, const std::string& body, const std::string& content_type);

  ClusterOptions options_;
  std::filesystem::path dir_;
  std::string admin_url_;
  std::vector<std::string> server_urls_;  // per node: the admin URL of its database's server
  std::vector<std::string> database_names_;
  std::vector<std::string> databases_;
  std::vector<int> pids_;
  std::vector<std::uint16_t> peer_ports_, api_ports_, ops_ports_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::size_t> node_of_;
  std::vector<std::string> openapi_violations_;
  std::map<std::pair<std::size_t, std::size_t>, std::uint16_t> peer_routes_;
  std::map<std::size_t, std::string> tuning_;
};

}  // namespace quorumclear::testing
