#include "tests/cluster/cluster.h"

#include "services/api/test_openapi_check.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace quorumclear::testing {

// Ports below the ephemeral range (ip_local_port_range starts at 32768), so
// an outgoing connection's source port can never take one between our
// bind check and the node's own bind. The start is spread by pid, so two
// cluster tests running in parallel do not walk the same ports.
std::uint16_t free_port() {
  static std::uint32_t next = 10000 + (static_cast<std::uint32_t>(::getpid()) * 97) % 9000;
  for (int tries = 0; tries < 9000; ++tries) {
    const auto port = static_cast<std::uint16_t>(10000 + (next++ - 10000) % 9000);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  throw std::runtime_error("no free port in 10000..18999");
}

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kMembers = {"BANK_A", "BANK_B", "BANK_C", "VENUE"};

std::string admin_url() {
  const char* url = std::getenv("QC_PG_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error("QC_PG_URL is not set; run through ops/test.sh or start ops/pg.sh");
  }
  return url;
}

std::string with_database(const std::string& url, const std::string& db) {
  return url.substr(0, url.rfind('/') + 1) + db;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs argv, waits, returns the exit status; stdout+stderr into `output`.
int run(const std::vector<std::string>& argv, std::string* output,
        const std::map<std::string, std::string>& env, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output) *output = read_file(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)), admin_url_(admin_url()) {
  static std::atomic<int> counter{0};
  const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
  dir_ = fs::temp_directory_path() / ("qc-cluster-" + tag);
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "tokens");
  for (std::size_t i = 0; i < options_.nodes; ++i) {
    const auto server = options_.database_servers.find(i);
    server_urls_.push_back(server != options_.database_servers.end() ? server->second : admin_url_);
    database_names_.push_back("qc_cluster_" + tag + "_" + std::to_string(i));
    pqxx::connection admin(server_urls_.back());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + database_names_.back());
    tx.exec("CREATE DATABASE " + database_names_.back());
    databases_.push_back(with_database(server_urls_.back(), database_names_.back()));
    peer_ports_.push_back(free_port());
    api_ports_.push_back(free_port());
    ops_ports_.push_back(free_port());
    pids_.push_back(0);
    fs::create_directories(node_dir(i));
  }
  for (std::size_t i = 0; i < kMembers.size() && i < options_.nodes; ++i) node_of_[kMembers[i]] = i;
  set_clock(options_.clock);
  make_keys();
  write_genesis();
  for (std::size_t i = 0; i < options_.nodes; ++i) write_node_config(i);
  create_tokens();
}

Cluster::~Cluster() {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (pids_[i] > 0) {
      ::kill(pids_[i], SIGCONT);
      ::kill(pids_[i], SIGKILL);
      ::waitpid(pids_[i], nullptr, 0);
    }
  }
  for (std::size_t i = 0; i < database_names_.size(); ++i) {
    try {
      pqxx::connection admin(server_urls_[i]);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + database_names_[i] + " WITH (FORCE)");
    } catch (...) {
      // A stray database is harmless; ops/pg.sh owns the server.
    }
  }
  if (std::getenv("QC_KEEP_CLUSTER") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

fs::path Cluster::node_dir(std::size_t node) const { return dir_ / ("node-" + std::to_string(node)); }

std::string Cluster::api_url(std::size_t node) const {
  return std::string(options_.api_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(api_ports_.at(node));
}

void Cluster::set_clock(const std::string& instant) {
  const fs::path tmp = dir_ / "clock.txt.tmp";
  write_file(tmp, instant + "\n");
  fs::rename(tmp, dir_ / "clock.txt");  // atomic: a node never reads half a line
}

int Cluster::clearctl(const std::vector<std::string>& args, std::string* output,
                      const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{QC_CLEARCTL};
  argv.insert(argv.end(), args.begin(), args.end());
  static std::atomic<int> calls{0};
  return run(argv, output, env, dir_ / ("clearctl-" + std::to_string(calls++) + ".log"));
}

void Cluster::make_keys() {
  for (std::size_t i = 0; i < options_.nodes; ++i) {
    std::string out;
    if (clearctl({"keygen", "--dir", node_dir(i).string(), "--node-id", std::to_string(i), "--host",
                  "127.0.0.1", "--host", "localhost"},
                 &out) != 0) {
      throw std::runtime_error("clearctl keygen: " + out);
    }
  }
  std::string out;
  if (clearctl({"deal", "--nodes", std::to_string(options_.nodes), "--out", (dir_ / "dealer").string()}, &out) != 0) {
    throw std::runtime_error("clearctl deal: " + out);
  }
  for (std::size_t i = 0; i < options_.nodes; ++i) {
    fs::rename(dir_ / "dealer" / ("coin-share-" + std::to_string(i) + ".key"), node_dir(i) / "coin-share.key");
  }
}

void Cluster::write_genesis() {
  std::ostringstream members;
  const char* names[] = {"Bank A", "Bank B", "Bank C", "Venue X"};
  for (std::size_t i = 0; i < kMembers.size() && i < options_.nodes; ++i) {
    members << "{\"member_id\": \"" << kMembers[i] << "\", \"name\": \"" << names[i] << "\", \"role\": \""
            << (kMembers[i] == "VENUE" ? "TRADING_VENUE" : "CLEARING_MEMBER") << "\", \"node_id\": " << i << "},\n";
  }
  const char* isins[] = {"DE0007164600", "US0378331005", "US5949181045"};
  std::ostringstream instruments, securities, cash, fund, venue;
  for (std::size_t k = 0; k < 3; ++k) {
    instruments << (k ? ",\n" : "") << "{\"isin\": \"" << isins[k]
                << "\", \"currency\": \"EUR\", \"price_scale\": 2, \"band_low\": \"0.01\", \"band_high\": \"100000.00\", \"suspended\": false}";
  }
  bool first = true;
  for (const char* bank : {"BANK_A", "BANK_B", "BANK_C"}) {
    for (const char* isin : isins) {
      securities << (first ? "" : ",\n") << "{\"member_id\": \"" << bank << "\", \"isin\": \"" << isin
                 << "\", \"quantity\": 1000000}";
      first = false;
    }
    const bool lead = std::string(bank) == "BANK_A";
    cash << (lead ? "" : ",\n") << "{\"member_id\": \"" << bank << "\", \"currency\": \"EUR\", \"amount\": \"100000000.00\"}";
    fund << (lead ? "" : ",\n") << "{\"member_id\": \"" << bank << "\", \"currency\": \"EUR\", \"amount\": \"1000000.00\"}";
    venue << (lead ? "" : ",\n") << "{\"venue\": \"VENUE\", \"member\": \"" << bank << "\"}";
  }
  std::ostringstream network;
  network << "{\"format\": 1, \"network_name\": \"cluster-test\",\n"
          << "\"checkpoint_interval_epochs\": " << options_.checkpoint_interval_epochs << ",\n"
          << "\"business\": {\"time_zone\": \"Europe/Berlin\", \"cutoff_time\": \"" << options_.cutoff_time
          << "\", \"first_business_date\": \"" << options_.first_business_date
          << "\", \"holidays\": [], \"settlement_cycle_max_days\": 2, \"late_trade_window_days\": 1,"
          << " \"allegation_expiry_days\": 1, \"max_open_reports_per_member\": 10000,"
          << " \"submitter_must_be_proposer\": true},\n"
          << "\"currencies\": [{\"code\": \"EUR\", \"minor_units\": 2}],\n"
          << "\"members\": [" << members.str()
          << "{\"member_id\": \"OPS\", \"name\": \"Network Operator\", \"role\": \"OPERATOR\"},\n"
          << "{\"member_id\": \"REG\", \"name\": \"Regulator\", \"role\": \"REGULATOR\"}],\n"
          << "\"instruments\": [" << instruments.str() << "],\n"
          << "\"limits\": [],\n"
          << "\"default_limits\": {\"max_gross_notional\": \"1000000000.00\", \"max_net_position\": 10000000,"
          << " \"max_gross_quantity\": 100000000},\n"
          << "\"securities\": [" << securities.str() << "],\n"
          << "\"cash\": [" << cash.str() << "],\n"
          << "\"default_fund\": [" << fund.str() << "],\n"
          << "\"venue_members\": [" << (options_.nodes > 3 ? venue.str() : "") << "]}\n";
  write_file(dir_ / "network.json", network.str());
  std::vector<std::string> args{"genesis", "--network", (dir_ / "network.json").string()};
  for (std::size_t i = 0; i < options_.nodes; ++i) {
    args.push_back("--node");
    args.push_back((node_dir(i) / ("node-" + std::to_string(i) + ".public.json")).string());
  }
  args.insert(args.end(), {"--coin", (dir_ / "dealer" / "coin-public-shares.json").string(), "--out",
                           (dir_ / "genesis.json").string()});
  std::string out;
  if (clearctl(args, &out) != 0) throw std::runtime_error("clearctl genesis: " + out);
}

void Cluster::write_node_config(std::size_t node) {
  std::ostringstream peers;
  for (std::size_t j = 0; j < options_.nodes; ++j) {
    if (j == node) continue;
    const auto route = peer_routes_.find({node, j});
    peers << (peers.tellp() > 0 ? ", " : "") << "{\"node_id\": " << j << ", \"address\": \"127.0.0.1:"
          << (route != peer_routes_.end() ? route->second : peer_ports_[j]) << "\"}";
  }
  std::ostringstream config;
  config << "{\"node_id\": " << node << ", \"genesis\": \"../genesis.json\",\n"
         << "\"database\": \"" << databases_[node] << "\",\n"
         << "\"keys\": {\"tls_key\": \"tls.key\", \"tls_cert\": \"tls.crt\", \"signing_key\": \"signing.key\","
         << " \"coin_share\": \"coin-share.key\"},\n"
         << "\"peer_listen\": \"127.0.0.1:" << peer_ports_[node] << "\",\n"
         << "\"peers\": [" << peers.str() << "],\n"
         << "\"api_listen\": \"127.0.0.1:" << api_ports_[node] << "\", \"api_tls\": "
         << (options_.api_tls ? "true" : "false") << ",\n"
         << "\"ops_listen\": \"127.0.0.1:" << ops_ports_[node] << "\",\n"
         << "\"data_dir\": \"data\", \"log_level\": \""
         << (std::getenv("QC_CLUSTER_LOG_LEVEL") ? std::getenv("QC_CLUSTER_LOG_LEVEL") : "info") << "\",\n"
         << "\"clock\": {\"source\": \"file\", \"path\": \"../clock.txt\"},\n"
         << "\"tuning\": {\"idle_heartbeat_ms\": " << options_.idle_heartbeat_ms
         << (tuning_.count(node) ? ", " + tuning_.at(node) : std::string()) << "}}\n";
  write_file(node_dir(node) / "node.json", config.str());
}

void Cluster::route_peer(std::size_t dialer, std::size_t listener, std::uint16_t port) {
  if (dialer >= listener) throw std::invalid_argument("the lower id dials: route_peer(lower, higher, port)");
  peer_routes_[{dialer, listener}] = port;
  write_node_config(dialer);
}

void Cluster::set_tuning(std::size_t node, const std::string& fields) {
  tuning_[node] = fields;
  write_node_config(node);
}

void Cluster::replace_tls_key(std::size_t node) {
  const fs::path fresh = dir_ / ("unpinned-" + std::to_string(node));
  std::string out;
  if (clearctl({"keygen", "--dir", fresh.string(), "--node-id", std::to_string(node)}, &out) != 0) {
    throw std::runtime_error("clearctl keygen: " + out);
  }
  for (const char* file : {"tls.key", "tls.crt"}) {
    fs::copy_file(fresh / file, node_dir(node) / file, fs::copy_options::overwrite_existing);
  }
}

void Cluster::set_database_reachable(std::size_t node, bool reachable) {
  pqxx::connection admin(server_urls_.at(node));
  pqxx::nontransaction tx(admin);
  const std::string& name = database_names_.at(node);
  tx.exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS " + (reachable ? "true" : "false"));
  if (!reachable) {
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + tx.quote(name));
  }
}

void Cluster::empty_database(std::size_t node) {
  {
    pqxx::connection admin(server_urls_.at(node));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE " + database_names_.at(node) + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + database_names_.at(node));
  }
  for (const auto& [member, _] : tokens_) {
    const auto home = node_of_.find(member);
    if (home != node_of_.end() && home->second != node) continue;
    std::string out;
    if (clearctl({"token", "register", "--config", (node_dir(node) / "node.json").string(), "--member", member,
                  "--token-file", (dir_ / "tokens" / (member + ".token")).string()},
                 &out) != 0) {
      throw std::runtime_error("clearctl token register " + member + ": " + out);
    }
  }
}

std::vector<std::string> Cluster::log_lines(std::size_t node, const std::string& needle) const {
  std::istringstream in(log_of(node));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) lines.push_back(line);
  }
  return lines;
}

void Cluster::create_tokens() {
  for (const auto& [member, node] : node_of_) {
    const fs::path file = dir_ / "tokens" / (member + ".token");
    std::string out;
    if (clearctl({"token", "create", "--config", (node_dir(node) / "node.json").string(), "--member", member,
                  "--out", file.string()},
                 &out) != 0) {
      throw std::runtime_error("clearctl token create " + member + ": " + out);
    }
    tokens_[member] = read_file(file);
    while (!tokens_[member].empty() && tokens_[member].back() == '\n') tokens_[member].pop_back();
  }
  for (const std::string member : {"OPS", "REG"}) {
    const fs::path file = dir_ / "tokens" / (member + ".token");
    std::string out;
    if (clearctl({"token", "create", "--config", (node_dir(0) / "node.json").string(), "--member", member,
                  "--out", file.string()},
                 &out) != 0) {
      throw std::runtime_error("clearctl token create " + member + ": " + out);
    }
    for (std::size_t j = 1; j < options_.nodes; ++j) {
      if (clearctl({"token", "register", "--config", (node_dir(j) / "node.json").string(), "--member", member,
                    "--token-file", file.string()},
                   &out) != 0) {
        throw std::runtime_error("clearctl token register " + member + ": " + out);
      }
    }
    tokens_[member] = read_file(file);
    while (!tokens_[member].empty() && tokens_[member].back() == '\n') tokens_[member].pop_back();
  }
}

void Cluster::start(std::size_t node) {
  if (running(node)) return;
  const fs::path log = node_dir(node) / "node.log";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    const std::string config = (node_dir(node) / "node.json").string();
    const char* args[] = {QC_CLEARING_NODE, "--config", config.c_str(), nullptr};
    ::execv(args[0], const_cast<char* const*>(args));
    ::_exit(127);
  }
  pids_[node] = pid;
}

void Cluster::start_all() {
  for (std::size_t i = 0; i < options_.nodes; ++i) start(i);
}

bool Cluster::running(std::size_t node) const {
  if (pids_[node] <= 0) return false;
  return ::waitpid(pids_[node], nullptr, WNOHANG) == 0;
}

void Cluster::signal(std::size_t node, int sig) {
  if (pids_[node] <= 0) return;
  ::kill(pids_[node], sig);
  if (sig != SIGTERM && sig != SIGKILL) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pids_[node], nullptr, WNOHANG) == pids_[node]) {
      pids_[node] = 0;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pids_[node], SIGKILL);
  ::waitpid(pids_[node], nullptr, 0);
  pids_[node] = 0;
}

bool Cluster::wait_ready(std::size_t node, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running(node)) return false;
    if (ops(node, "/readyz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

namespace {

HttpAnswer exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& path,
                    const std::string& token, const std::string& body, const std::string& content_type) {
  HttpAnswer answer;
  try {
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!body.empty() || method == "POST") {
      request.setContentType(content_type);
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Poco::StreamCopier::copyToString(in, answer.body);
    answer.status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      answer.headers[lower] = value;
    }
  } catch (const Poco::Exception& e) {
    answer.status = 0;
    answer.body = e.displayText();
  } catch (const std::exception& e) {
    answer.status = 0;
    answer.body = e.what();
  }
  return answer;
}

}  // namespace

HttpAnswer Cluster::api(std::size_t node, const std::string& method, const std::string& path,
                        const std::string& token, const std::string& body, const std::string& content_type) {
  HttpAnswer answer = options_.api_tls ? https_exchange(node, method, path, token, body, content_type)
                                       : [&] {
                                           Poco::Net::HTTPClientSession session("127.0.0.1", api_ports_[node]);
                                           return exchange(session, method, path, token, body, content_type);
                                         }();
  // Every answer a test sees is checked against the OpenAPI document.
  if (answer.status != 0) {
    static const api::testing::OpenApiDocument document(QC_API_OPENAPI_PATH);
    for (std::string& problem : document.check(method, path, answer.status, answer.headers, answer.body)) {
      openapi_violations_.push_back(method + " " + path + " -> " + std::to_string(answer.status) + ": " + problem);
    }
  }
  return answer;
}

HttpAnswer Cluster::https_exchange(std::size_t node, const std::string& method, const std::string& path,
                                   const std::string& token, const std::string& body,
                                   const std::string& content_type) {
  // Trust exactly this node's own self-signed certificate.
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, "", "", (node_dir(node) / "tls.crt").string(),
      Poco::Net::Context::VERIFY_RELAXED, 9, false);
  Poco::Net::HTTPSClientSession session("127.0.0.1", api_ports_[node], context);
  return exchange(session, method, path, token, body, content_type);
}

HttpAnswer Cluster::ops(std::size_t node, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", ops_ports_[node]);
  return exchange(session, "GET", path, {}, {}, {});
}

std::string Cluster::log_of(std::size_t node) const { return read_file(node_dir(node) / "node.log"); }

PrivatePostgres::PrivatePostgres() {
  static std::atomic<int> counter{0};
  dir_ = fs::temp_directory_path() / ("qc-pg-" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  try {
    start();
    if (pg_sh("url", &url_) != 0) throw std::runtime_error("ops/pg.sh url: " + url_);
  } catch (...) {
    // No destructor runs for a constructor that throws: leave no server behind.
    (void)pg_sh("stop");
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
}

PrivatePostgres::~PrivatePostgres() {
  (void)pg_sh("stop");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PrivatePostgres::start() {
  std::string out;
  if (pg_sh("start", &out) != 0) throw std::runtime_error("ops/pg.sh start: " + out);
}

void PrivatePostgres::stop() {
  std::string out;
  if (pg_sh("stop", &out) != 0) throw std::runtime_error("ops/pg.sh stop: " + out);
}

int PrivatePostgres::pg_sh(const std::string& command, std::string* output) {
  // The script's own output goes to a file beside the data, not to the
  // test's: `url` is read back from it.
  return run({"/bin/bash", QC_PG_SH, command}, output, {{"QC_PG_DIR", (dir_ / "server").string()}},
             dir_ / ("pg-" + command + ".log"));
}

}  // namespace quorumclear::testing
