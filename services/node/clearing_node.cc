#include "services/node/clearing_node.h"

#include "services/api/http_server.h"
#include "services/config/dates.h"
#include "services/config/files.h"
#include "services/config/hex.h"
#include "services/config/key_files.h"
#include "services/config/node_config.h"
#include "services/log/log.h"
#include "services/metrics/exposition.h"
#include "services/node/core_inbox.h"
#include "services/node/ledger_restore.h"
#include "services/node/node_api.h"
#include "services/node/node_clock.h"
#include "services/node/node_io.h"
#include "services/node/report_files.h"
#include "services/node/status_board.h"

#include <sodium.h>

#include <csignal>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <thread>

namespace quorumclear::node {
namespace {

namespace fs = std::filesystem;

template <class T>
T take(std::variant<T, config::ConfigError>&& v) {
  if (auto* error = std::get_if<config::ConfigError>(&v)) throw StartupError(error->what());
  return std::move(std::get<T>(v));
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw StartupError(path.string() + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

log::Level level_of(config::LogLevel level) {
  return log::parse_level(config::to_string(level)).value_or(log::Level::kInfo);
}

}  // namespace

struct ClearingNode::Parts {
  config::NodeConfig config;
  config::NetworkGenesis genesis;
  config::NodeSecrets secrets;
  std::unique_ptr<settlement::ReferenceData> reference;
  std::unique_ptr<log::Logger> log;
  std::unique_ptr<store::NodeStore> core_store, apply_store, serve_store;
  std::unique_ptr<SnapshotFiles> snapshot_files;
  std::unique_ptr<CoreInbox> inbox;
  std::unique_ptr<IngestBudget> budget;
  std::unique_ptr<net::Transport> transport;
  std::unique_ptr<NodeIo> io;
  std::unique_ptr<NodeCore> core;
  std::unique_ptr<StatusBoard> board;
  std::unique_ptr<NodeApi> service;
  std::unique_ptr<api::HttpServer> http;
  NodeClock clock;
  std::thread core_thread;
  std::atomic<bool> stop_core{false};
  std::atomic<bool> failed{false};

  void load(const fs::path& config_file);
  void open_store();
  void build_transport();
  bool lost_its_data(const store::StoredState& state);
  void build_core();
  void build_http();
  void core_loop();
  /// data_dir/reports/<date>.{json,csv}, from the run as the API serves it.
  void file_report(settlement::BusinessDate date);
  void file_missing_reports();
  /// GET /metrics: every part's counters, copied now.
  std::string metrics_page() const;
};

void ClearingNode::Parts::load(const fs::path& config_file) {
  config = take(config::load_node_config(config_file));
  genesis = take(config::load_genesis(config.genesis));
  if (std::optional<config::ConfigError> e = config::check_against(config, genesis)) throw StartupError(e->what());
  secrets = take(config::load_node_secrets(config, genesis));
  auto loaded = settlement::ReferenceData::load(genesis.ledger);
  if (auto* e = std::get_if<settlement::LoadError>(&loaded)) {
    throw StartupError(config.genesis.string() + ": " + e->field + ": " + e->message);
  }
  reference = std::make_unique<settlement::ReferenceData>(std::move(std::get<settlement::ReferenceData>(loaded)));
  log = std::make_unique<log::Logger>(std::to_string(config.node_id), level_of(config.log_level));
  set_business_time_zone(genesis.time_zone);
  if (config.clock.source == config::ClockSource::kFile) clock = NodeClock(config.clock.file);
  fs::create_directories(config.data_dir);
}

void ClearingNode::Parts::open_store() {
  try {
    core_store = std::make_unique<store::NodeStore>(config.database);
    core_store->migrate();
    core_store->init_network(*reference, genesis.network_id, config.node_id);
    apply_store = std::make_unique<store::NodeStore>(config.database);
    serve_store = std::make_unique<store::NodeStore>(config.database);
  } catch (const std::exception& e) {
    throw StartupError(config.file.string() + ": database: " + e.what());
  }
}

void ClearingNode::Parts::build_transport() {
  net::TransportOptions options;
  options.self = quorum::NodeId{config.node_id};
  options.listen_host = config.peer_listen.host;
  options.listen_port = config.peer_listen.port;
  options.key_pem = take(config::read_secret_file(config.keys.tls_key));
  options.cert_pem = read_text(config.keys.tls_cert);
  for (const config::PeerConfig& p : config.peers) {
    options.peers.push_back(net::PeerEndpoint{quorum::NodeId{p.node_id}, p.address.host, p.address.port,
                                              genesis.nodes.at(p.node_id).tls_pin});
  }
  net::TransportCallbacks callbacks;
  callbacks.on_frame = [this](net::InboundFrame& frame) {
    PeerFrame event{frame.from, static_cast<Channel>(frame.channel), std::move(frame.payload)};
    if (inbox->try_push_peer(std::move(event))) return true;
    frame.payload = std::move(event.payload);  // refused: untouched, offered again later
    return false;
  };
  callbacks.on_log = [this](const net::LogRecord& r) {
    const log::Level level = r.level == net::LogLevel::kWarn   ? log::Level::kWarn
                             : r.level == net::LogLevel::kInfo ? log::Level::kInfo
                                                               : log::Level::kDebug;
    log->write(level, "net", r.event,
               {{"peer", r.peer ? std::to_string(r.peer->value) : "-"}, {"detail", std::string(r.detail)}});
  };
  callbacks.on_fault = [this](const net::PeerFault& f) {
    if (io) io->local_event("PEER_LINK_FAULT", f.peer, std::string(net::to_string(f.kind)) + ": " + f.detail);
  };
  try {
    transport = std::make_unique<net::Transport>(std::move(options), std::move(callbacks));
  } catch (const std::exception& e) {
    throw StartupError(config.file.string() + ": peer transport: " + e.what());
  }
}

// data_dir/joined names the network this node has been part of. It lives
// outside the database, so a node whose database was lost (dropped and
// recreated empty) but that kept its key files and data directory knows it
// has voted before, while a node of a new network starts voting at once.
bool ClearingNode::Parts::lost_its_data(const store::StoredState& state) {
  const fs::path marker = config.data_dir / "joined";
  const std::string network = config::to_hex(genesis.network_id) + "\n";
  auto known = config::read_file(marker, 4'096, config::Secrecy::kPublic);
  const bool joined = std::holds_alternative<std::string>(known) && std::get<std::string>(known) == network;
  if (!joined) {
    if (auto e = config::write_file_atomically(marker, network, 0644, config::Overwrite::kReplace)) {
      throw StartupError(marker.string() + ": " + e->what());
    }
  }
  return joined && !state.last_applied_epoch && !state.entered_epoch;
}

void ClearingNode::Parts::build_core() {
  const store::StoredState state = core_store->load_state();
  const bool rejoin = lost_its_data(state);
  snapshot_files = std::make_unique<SnapshotFiles>(config.data_dir / "snapshots");
  RestoredLedger restored = restore_ledger(*core_store, snapshot_files.get(), *reference, state);
  for (const std::string& why : restored.refused_snapshots) {
    log->write(log::Level::kWarn, "node", "SNAPSHOT_REFUSED", {{"detail", why}});
  }
  inbox = std::make_unique<CoreInbox>(4'096, 4'096);
  budget = std::make_unique<IngestBudget>(config.tuning.ingest_queue_max);
  build_transport();
  io = std::make_unique<NodeIo>(quorum::NodeId{config.node_id}, *reference, *log, *transport, *inbox, *core_store,
                                *apply_store, *serve_store, *snapshot_files, [this](std::string why) {
                                  log->write(log::Level::kError, "store", "FATAL", {{"detail", why}});
                                  failed = true;
                                  ::kill(::getpid(), SIGTERM);  // to the process: main's sigwait takes it
                                });
  CoreSetup setup;
  setup.members = genesis.membership();
  setup.self = quorum::NodeId{config.node_id};
  setup.keys.coin = secrets.coin;
  setup.keys.signing_secret = secrets.signing.secret;
  setup.keys.signing_public = genesis.signing_keys();
  setup.network_id = genesis.network_id;
  setup.options.batch_entries_max = config.tuning.batch_trades_max;
  setup.options.batch_bytes_max = config.tuning.batch_bytes_max;
  setup.options.cutoff_minute_of_day = genesis.cutoff_minute_of_day;
  setup.options.engine.idle_heartbeat_ms = config.tuning.idle_heartbeat_ms;
  setup.options.checkpoint_interval_epochs = genesis.checkpoint_interval_epochs;
  setup.ledger = std::move(restored.ledger);
  setup.audit_head = restored.audit_head;
  setup.entered_epoch = state.entered_epoch;
  setup.rejoin = rejoin;
  // Its database is gone anyway: a peer's checkpoint saves replaying every
  // epoch since genesis. Not for a crash before the first apply: its
  // database still starts at genesis and keeps the whole history.
  setup.from_checkpoint = rejoin;
  setup.history_start_epoch = state.history_start_epoch;
  if (state.history_start_epoch && state.lowest_epoch && *state.lowest_epoch > 0) {
    // Rebuilt from a checkpoint, the history below not all fetched yet.
    if (const std::optional<store::StoredEpoch> low = core_store->load_epoch(*state.lowest_epoch)) {
      setup.history_floor = quorum::EpochTuple{genesis.network_id,  quorum::Epoch{low->epoch}, low->output_digest,
                                               low->state_digest,   low->audit_head,         low->snapshot_digest,
                                               low->obligations_root};
    }
  }
  core = std::make_unique<NodeCore>(std::move(setup), *io, *budget);
  // Reports acknowledged before a restart and not yet decided: proposed again.
  std::vector<ReceivedEntry> pending;
  for (store::ReceivedReport& r : core_store->load_undecided()) {
    pending.push_back(ReceivedEntry{r.submitter, r.trade_id, r.content_hash, std::move(r.entry)});
  }
  budget->force_reserve(pending.size());
  core->restore_pending(std::move(pending));
  board = std::make_unique<StatusBoard>();
  board->publish(core->status());
  log->write(log::Level::kInfo, "node", "STARTING",
             {{"last_applied", state.last_applied_epoch ? std::to_string(*state.last_applied_epoch) : "-"},
              {"entered", state.entered_epoch ? std::to_string(*state.entered_epoch) : "-"},
              {"engine_epoch", std::to_string(core->status().engine_epoch)},
              {"snapshot", restored.snapshot_epoch ? std::to_string(*restored.snapshot_epoch) : "-"},
              {"snapshot_read_from", restored.snapshot_epoch ? restored.snapshot_source : "-"},
              {"replayed", std::to_string(restored.epochs_replayed)}});
  if (rejoin) {
    log->write(log::Level::kWarn, "node", "REBUILDING",
               {{"detail", "this node joined the network before and its database is empty: it rebuilds from its "
                           "peers' certified epochs and votes again only above the bound 2f+1 peers give it; "
                           "reports it acknowledged and had not seen decided are lost with its data and must be "
                           "resubmitted"}});
  }
}

void ClearingNode::Parts::build_http() {
  service = std::make_unique<NodeApi>(NodeApiParts{quorum::NodeId{config.node_id}, genesis, *reference, config.database,
                                                   *inbox, *budget, *board, *transport, *io,
                                                   [this] { return metrics_page(); }});
  api::ServerConfig server;
  server.api = api::Endpoint{config.api_listen.host, config.api_listen.port};
  if (config.api_tls) server.tls = api::TlsIdentity{config.keys.tls_key, config.keys.tls_cert};
  server.ops = api::Endpoint{config.ops_listen.host, config.ops_listen.port};
  server.on_request = [this](const api::RequestRecord& r) {
    service->count_request(r);
    log->write(r.status >= 500 ? log::Level::kWarn : log::Level::kDebug, "api", "REQUEST",
               {{"listener", std::string(r.listener)}, {"method", std::string(r.method)},
                {"route", std::string(r.route)}, {"status", std::to_string(r.status)},
                {"member", std::string(r.member)}, {"us", std::to_string(r.duration_us)},
                {"failure", std::string(r.failure)}});
  };
  io->on_settlement_run([this](settlement::BusinessDate date) { file_report(date); });
  if (config.tuning.alter_served_epochs) {
    io->alter_served_epochs(true);
    log->write(log::Level::kWarn, "node", "FAULT_INJECTION_ON",
               {{"alter_served_epochs", "true"}, {"detail", "test-only: batches served to catch-up are corrupted"}});
  }
  try {
    http = std::make_unique<api::HttpServer>(*service, std::move(server));
  } catch (const std::exception& e) {
    throw StartupError(config.file.string() + ": listeners: " + e.what());
  }
}

std::string ClearingNode::Parts::metrics_page() const {
  metrics::NodeSnapshot s;
  s.node = config.node_id;
  s.version = QC_VERSION;
  const CoreStatus status = board->snapshot().core;
  s.core = metrics::CoreGauges{status.engine_epoch,  status.last_applied, status.last_committed, status.last_certified,
                               status.entered_epoch, status.behind_epochs, status.catch_ups,    status.catching_up,
                               status.rejoining,     status.diverged_at.has_value(),          status.pending_entries};
  s.engine = status.engine;
  s.matching = status.matching;
  s.ledger = status.ledger_counters;
  s.transport = transport->stats();
  s.io = io->stats();
  s.api = service->api_stats();
  s.ingest_used = budget->used();
  s.ingest_capacity = budget->capacity();
  s.database_reachable = io->database_reachable();
  s.process = metrics::read_process_stats();
  return metrics::render_prometheus(s);
}

void ClearingNode::Parts::file_report(settlement::BusinessDate date) {
  const api::Caller node_itself{settlement::MemberId::of("NODE"), settlement::Role::kRegulator};  // reads all
  api::Answer<api::RunReport> run = service->settlement_run(node_itself, date);
  const std::string when = config::format_iso_date(date);
  if (const auto* refused = std::get_if<api::Refusal>(&run)) {
    log->write(log::Level::kWarn, "node", "REPORT_FILE_FAILED", {{"date", when}, {"detail", refused->message}});
    return;
  }
  try {
    write_report_files(config.data_dir / "reports", std::get<api::RunReport>(run));
    log->write(log::Level::kInfo, "node", "REPORT_FILED",
               {{"date", when}, {"dir", (config.data_dir / "reports").string()}});
  } catch (const std::exception& e) {
    log->write(log::Level::kWarn, "node", "REPORT_FILE_FAILED", {{"date", when}, {"detail", e.what()}});
  }
}

void ClearingNode::Parts::file_missing_reports() {
  const api::Caller node_itself{settlement::MemberId::of("NODE"), settlement::Role::kRegulator};
  api::Page page{{}, api::kPageLimitMax};
  for (int pages = 0; pages < 100; ++pages) {  // bounded: 100,000 closed dates
    api::Answer<api::Paged<api::RunSummary>> runs = service->settlement_runs(node_itself, page);
    if (!std::holds_alternative<api::Paged<api::RunSummary>>(runs)) return;
    const auto& got = std::get<api::Paged<api::RunSummary>>(runs);
    for (const api::RunSummary& s : got.items) {
      if (!report_files_exist(config.data_dir / "reports", s.business_date)) file_report(s.business_date);
    }
    if (got.next_cursor.empty()) return;
    page.cursor = got.next_cursor;
  }
}

void ClearingNode::Parts::core_loop() {
  constexpr auto kTick = std::chrono::milliseconds(20);
  auto last_tick = std::chrono::steady_clock::now() - kTick;
  while (!stop_core) {
    std::optional<CoreEvent> event = inbox->pop(core->accepting(), kTick);
    if (event) core->handle(std::move(*event));
    const auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= kTick) {
      core->handle(clock.tick());
      board->publish(core->status());
      last_tick = now;
    }
  }
  board->publish(core->status());
}

ClearingNode::ClearingNode(const fs::path& config_file) : parts_(std::make_unique<Parts>()) {
  if (sodium_init() < 0) throw StartupError("libsodium failed to initialise");
  parts_->load(config_file);
  parts_->open_store();
  parts_->build_core();
  parts_->build_http();
}

ClearingNode::~ClearingNode() = default;

int ClearingNode::run() {
  Parts& p = *parts_;
  p.file_missing_reports();
  p.io->start();
  p.transport->start();
  p.core_thread = std::thread([&p] { p.core_loop(); });
  p.http->start();
  p.log->write(log::Level::kInfo, "node", "STARTED",
               {{"api", p.config.api_listen.to_string()}, {"ops", p.config.ops_listen.to_string()},
                {"peers", p.config.peer_listen.to_string()}});
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  p.log->write(log::Level::kInfo, "node", "DRAINING", {{"signal", std::to_string(received)}});
  // Finish the epochs this node entered so that it (and a whole cluster
  // stopped alike) restarts without an epoch nobody can decide.
  p.inbox->push_local(DrainRequested{});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!p.failed && std::chrono::steady_clock::now() < deadline && !p.board->snapshot().core.drained) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.http->stop();
  p.stop_core = true;
  p.core_thread.join();
  p.inbox->close();  // commit notices now have no reader; they must not block
  p.io->stop();
  p.transport->stop();
  p.log->write(log::Level::kInfo, "node", "STOPPED", {{"drained", p.board->snapshot().core.drained ? "yes" : "no"}});
  return p.failed ? 1 : 0;
}

}  // namespace quorumclear::node
