// clearctl loadgen: drives a running network with load_plan.h's stream over
// the bulk endpoint of every node, each report at its submitter's own node,
// at a target rate or flat out, for a bounded time. It times each trade from
// the 202 of its later report (or a venue's only one) to the moment it is
// CONFIRMED as the API of that node shows it, read from the operator's
// GET /v1/audit on every node, and at the end checks that every report it
// got a 202 for was decided exactly once on every node.

#include "services/cli/api_client.h"
#include "services/cli/client_options.h"
#include "services/cli/command.h"
#include "services/cli/json_access.h"
#include "services/cli/load_plan.h"
#include "services/config/genesis.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

namespace quorumclear::cli {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    "usage: clearctl loadgen --genesis FILE --node URL ... --cacert FILE --tokens DIR [options]\n"
    "Submits two-sided and venue trades to every node (each report at its submitter's own node),\n"
    "prints confirmed trades/s and confirmation latency, and checks that every acknowledged report\n"
    "is decided exactly once on every node.\n"
    "  --genesis FILE          the network's genesis.json (members, nodes, instruments)\n"
    "  --node URL              each node's API, in node id order (repeat for every node)\n"
    "  --cacert FILE           PEM certificate(s) to trust (repeatable)\n"
    "  --tokens DIR            MEMBER.token files (0600): each member's that runs a node, and the operator's\n"
    "  --duration SECONDS      how long to submit (default 10, at most 3600)\n"
    "  --rate TRADES_PER_S     target rate; 0 = flat out (default 0)\n"
    "  --venue-share X         share of venue trades among valid ones (default 0.5)\n"
    "  --duplicate-share X     share of reports sent again (default 0.01)\n"
    "  --invalid-share X       share of trades validation must refuse (default 0.01)\n"
    "  --batch N               reports per bulk request (default 500, at most 10000)\n"
    "  --seed N                the stream's seed (default 1)\n"
    "  --exclude-node N        node N is down: trades involve only the other nodes' members\n"
    "  --drain-timeout SECONDS how long to wait for decisions after the last submission (default 120)\n";

struct Settings {
  double duration_s = 10, rate = 0, duplicate_share = 0.01, drain_s = 120;
  LoadMix mix;
  std::size_t batch = 500;
  std::uint64_t seed = 1;
  std::optional<std::uint16_t> excluded;
};

std::optional<double> number(const Args& args, const char* name, double fallback, double low, double high) {
  const auto v = args.value(name);
  if (!v) return fallback;
  try {
    std::size_t used = 0;
    const double d = std::stod(*v, &used);
    if (used == v->size() && d >= low && d <= high) return d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// One submitter's reports for one node, in bulk requests, on its own thread.
struct Batch {
  std::string body = "[";
  std::vector<std::pair<std::uint64_t, std::uint8_t>> items;  // (trade, side)
};

class Sender {
 public:
  Sender(std::unique_ptr<ApiClient> client, std::size_t node) : client_(std::move(client)), node_(node) {}
  std::unique_ptr<ApiClient> client_;
  std::size_t node_;
  Batch open_;
  Clock::time_point opened_{};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool closing_ = false;
  std::thread thread_;
};

struct TradeState {
  LoadKind kind = LoadKind::kTwoSided;
  std::uint8_t sides = 1;
  std::uint8_t acked = 0;        // bit per side
  std::uint16_t later_node = 0;  // the node that acknowledged the later report
  std::int64_t later_ack_us = -1;
  std::array<std::uint16_t, 2> submitter{};  // index into Run::members
};

class Run {
 public:
  Run(Settings settings, LoadPlan plan, std::size_t nodes)
      : s_(settings), plan_(std::move(plan)), nodes_(nodes), random_(settings.seed ^ 0x5eedull) {}

  std::vector<std::string> members;  // submitters, by index
  std::map<std::string, std::size_t> sender_of;  // member -> senders index
  std::vector<std::unique_ptr<Sender>> senders;
  std::vector<std::unique_ptr<ApiClient>> auditors;  // the operator, per node
  std::string prefix;
  Clock::time_point start = Clock::now();

  int run();
  void set_first_auditor(std::size_t node) { first_auditor_ = node; }
  /// Reads node `node`'s audit chain from after `after` (from genesis when
  /// empty) until the run ends, noting decisions and confirmations.
  void audit_loop(std::size_t node, std::optional<std::uint64_t> after);

 private:
  std::int64_t now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  }
  std::uint16_t member_index(const std::string& m) {
    for (std::uint16_t i = 0; i < members.size(); ++i) {
      if (members[i] == m) return i;
    }
    members.push_back(m);
    return static_cast<std::uint16_t>(members.size() - 1);
  }
  void generate(std::size_t count);
  void add(Sender& sender, std::uint64_t trade, std::uint8_t side, const std::string& json);
  void flush(Sender& sender, bool force);
  void send_loop(Sender& sender);
  void answer(const Sender& sender, const Batch& batch, const HttpResult& result);
  void on_change(std::size_t node, const JsonValue& change, std::int64_t at_us);
  [[nodiscard]] bool all_decided();

  Settings s_;
  LoadPlan plan_;
  std::size_t nodes_;
  std::mutex mutex_;  // guards everything below
  std::vector<TradeState> trades_;
  std::vector<std::int64_t> confirmed_us_;  // trade x node, -1 until seen
  std::vector<std::uint8_t> decided_;       // trade x node x side: REPORT decisions seen
  struct Sent {
    std::uint64_t trade;
    std::uint8_t side;
    std::string json;
  };
  std::deque<Sent> sent_;  // recent reports, for duplicates
  std::uint64_t duplicates_sent_ = 0, duplicates_answered_ = 0, accepted_twice_ = 0, invalid_refused_ = 0,
                invalid_accepted_ = 0, unanswered_ = 0, other_refused_ = 0;
  std::map<std::string, std::uint64_t> rejected_;  // by the ledger, by reason (one node's view)
  std::size_t first_auditor_ = 0;
  std::atomic<bool> stop_audit_{false};
  std::uint64_t random_;  // which reports go again: from --seed, like the stream
};

void Run::add(Sender& sender, std::uint64_t trade, std::uint8_t side, const std::string& json) {
  if (sender.open_.items.empty()) sender.opened_ = Clock::now();
  if (!sender.open_.items.empty()) sender.open_.body += ",";
  sender.open_.body += json;
  sender.open_.items.emplace_back(trade, side);
  if (sender.open_.items.size() >= s_.batch) flush(sender, true);
}

void Run::flush(Sender& sender, bool force) {
  if (sender.open_.items.empty()) return;
  if (!force && Clock::now() - sender.opened_ < std::chrono::milliseconds(20)) return;
  sender.open_.body += "]";
  std::unique_lock lock(sender.mutex_);
  // Back-pressure: flat out means as fast as the nodes take it, not an
  // unbounded queue here.
  sender.changed_.wait(lock, [&] { return sender.queue_.size() < 4; });
  sender.queue_.push_back(std::move(sender.open_));
  sender.open_ = Batch{};
  sender.changed_.notify_all();
}

void Run::generate(std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) {
    LoadTrade t = plan_.next();
    std::uint64_t index = 0;
    {
      std::lock_guard lock(mutex_);
      index = trades_.size();
      TradeState st;
      st.kind = t.kind;
      st.sides = static_cast<std::uint8_t>(t.reports.size());
      for (std::size_t side = 0; side < t.reports.size(); ++side) st.submitter[side] = member_index(t.reports[side].submitter);
      trades_.push_back(st);
      confirmed_us_.resize(trades_.size() * nodes_, -1);
      decided_.resize(trades_.size() * nodes_ * 2, 0);
    }
    for (std::size_t side = 0; side < t.reports.size(); ++side) {
      const LoadReport& r = t.reports[side];
      add(*senders.at(sender_of.at(r.submitter)), index, static_cast<std::uint8_t>(side), r.json);
      if (t.kind == LoadKind::kInvalid) continue;
      std::lock_guard lock(mutex_);
      sent_.push_back({index, static_cast<std::uint8_t>(side), r.json});
      if (sent_.size() > 4'096) sent_.pop_front();
    }
    // Now and then a report sent before goes again: the node must answer
    // DUPLICATE and decide it once.
    random_ = random_ * 6364136223846793005ull + 1442695040888963407ull;
    if (static_cast<double>(random_ >> 11) * 0x1.0p-53 >= s_.duplicate_share) continue;
    std::optional<Sent> again;
    Sender* sender = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (sent_.size() < 2) continue;
      again = sent_[(random_ >> 20) % (sent_.size() - 1)];
      sender = senders.at(sender_of.at(members[trades_[again->trade].submitter[again->side]])).get();
      ++duplicates_sent_;
    }
    add(*sender, again->trade, again->side, again->json);
  }
}

void Run::send_loop(Sender& sender) {
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(sender.mutex_);
      sender.changed_.wait(lock, [&] { return !sender.queue_.empty() || sender.closing_; });
      if (sender.queue_.empty()) return;
      batch = std::move(sender.queue_.front());
      sender.queue_.pop_front();
      sender.changed_.notify_all();
    }
    const HttpResult result = sender.client_->post("/v1/trades/bulk", batch.body);
    answer(sender, batch, result);
  }
}

void Run::answer(const Sender& sender, const Batch& batch, const HttpResult& result) {
  const std::int64_t at = now_us();
  std::optional<JsonValue> json = result.status == 202 ? parse_answer(result.body) : std::nullopt;
  const JsonValue* results = json ? find(*json, "results") : nullptr;
  std::lock_guard lock(mutex_);
  if (results == nullptr || results->type != JsonValue::Type::kArray || results->items.size() != batch.items.size()) {
    if (unanswered_ == 0) std::cerr << "clearctl loadgen: a bulk request failed: " << describe_failure(result) << "\n";
    unanswered_ += batch.items.size();  // not acknowledged: nothing to check for them
    return;
  }
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    const auto [trade, side] = batch.items[i];
    TradeState& t = trades_[trade];
    const std::string outcome = field_text(results->items[i], "outcome");
    const bool invalid = t.kind == LoadKind::kInvalid;
    if (outcome == "ACCEPTED") {
      if (invalid) ++invalid_accepted_;
      if (t.acked & (1u << side)) ++accepted_twice_;
      t.acked = static_cast<std::uint8_t>(t.acked | (1u << side));
      if (t.acked == (1u << t.sides) - 1) {
        t.later_ack_us = at;
        t.later_node = static_cast<std::uint16_t>(sender.node_);
      }
    } else if (outcome == "DUPLICATE") {
      ++duplicates_answered_;
    } else if (invalid && outcome == "INVALID") {
      ++invalid_refused_;
    } else {
      ++other_refused_;
    }
  }
}

void Run::on_change(std::size_t node, const JsonValue& change, std::int64_t at_us) {
  const std::string reference = field_text(change, "reference");
  if (reference.compare(0, prefix.size(), prefix) != 0) return;
  std::uint64_t trade = 0;
  try {
    trade = std::stoull(reference.substr(prefix.size()));
  } catch (const std::exception&) {
    return;
  }
  if (trade >= trades_.size()) return;
  const TradeState& t = trades_[trade];
  const std::string kind = field_text(change, "kind");
  const std::string status = field_text(change, "status");
  if (kind == "REPORT" && status == "REJECTED" && node == first_auditor_) ++rejected_[field_text(change, "reason")];
  if (kind == "REPORT" && status != "DUPLICATE") {
    const std::string member = field_text(change, "member");
    for (std::uint8_t side = 0; side < t.sides; ++side) {
      if (members[t.submitter[side]] == member) ++decided_[(trade * nodes_ + node) * 2 + side];
    }
  }
  if (status == "CONFIRMED" && confirmed_us_[trade * nodes_ + node] < 0) confirmed_us_[trade * nodes_ + node] = at_us;
}

void Run::audit_loop(std::size_t node, std::optional<std::uint64_t> after) {
  while (!stop_audit_) {
    const HttpResult r =
        // Five epochs a page keeps a busy page well under the client's answer bound.
        auditors[node]->get("/v1/audit?limit=5" + (after ? "&after_epoch=" + std::to_string(*after) : std::string()));
    const std::int64_t at = now_us();
    std::optional<JsonValue> json = r.status == 200 ? parse_answer(r.body) : std::nullopt;
    const JsonValue* links = json ? find(*json, "links") : nullptr;
    if (links == nullptr || links->type != JsonValue::Type::kArray || links->items.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    std::lock_guard lock(mutex_);
    for (const JsonValue& link : links->items) {
      const JsonValue* changes = find(link, "changes");
      if (changes != nullptr && changes->type == JsonValue::Type::kArray) {
        for (const JsonValue& c : changes->items) on_change(node, c, at);
      }
      const std::uint64_t epoch = std::stoull("0" + field_text(link, "epoch"));
      after = std::max(after.value_or(0), epoch);
    }
  }
}

bool Run::all_decided() {
  std::lock_guard lock(mutex_);
  for (std::uint64_t i = 0; i < trades_.size(); ++i) {
    for (std::uint8_t side = 0; side < trades_[i].sides; ++side) {
      if (!(trades_[i].acked & (1u << side))) continue;
      for (std::size_t n = 0; n < nodes_; ++n) {
        if (s_.excluded && n == *s_.excluded) continue;
        if (decided_[(i * nodes_ + n) * 2 + side] == 0) return false;
      }
    }
  }
  return true;
}

int Run::run() {
  for (auto& sender : senders) sender->thread_ = std::thread([this, &sender] { send_loop(*sender); });
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s_.duration_s));
  std::uint64_t generated = 0;
  while (Clock::now() < deadline) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const auto target = static_cast<std::uint64_t>(s_.rate * elapsed);
    // Flat out: a batch's worth each time; flush() blocks while the queues are full.
    std::size_t due = s_.rate > 0 ? static_cast<std::size_t>(target > generated ? target - generated : 0) : s_.batch;
    due = std::min<std::size_t>(due, 10 * s_.batch);
    generate(due);
    generated += due;
    for (auto& sender : senders) flush(*sender, s_.rate <= 0);
    if (s_.rate > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& sender : senders) flush(*sender, true);
  for (auto& sender : senders) {
    {
      std::lock_guard lock(sender->mutex_);
      sender->closing_ = true;
    }
    sender->changed_.notify_all();
  }
  for (auto& sender : senders) sender->thread_.join();
  const double submitted_s = std::chrono::duration<double>(Clock::now() - start).count();
  const auto drain_until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s_.drain_s));
  while (!all_decided() && Clock::now() < drain_until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the pollers' last pages
  stop_audit_ = true;

  std::lock_guard lock(mutex_);
  std::uint64_t reports = 0, acked = 0, missing = 0, twice = 0, confirmed = 0, venue = 0, two_sided = 0, invalid = 0;
  std::int64_t last_confirm_us = 0;
  std::vector<double> latency_ms;
  for (std::uint64_t i = 0; i < trades_.size(); ++i) {
    const TradeState& t = trades_[i];
    (t.kind == LoadKind::kVenue ? venue : t.kind == LoadKind::kInvalid ? invalid : two_sided) += 1;
    reports += t.sides;
    bool everywhere = t.kind != LoadKind::kInvalid && t.acked == (1u << t.sides) - 1;
    std::int64_t latest = 0;
    for (std::uint8_t side = 0; side < t.sides; ++side) {
      if (!(t.acked & (1u << side))) continue;
      ++acked;
      for (std::size_t n = 0; n < nodes_; ++n) {
        if (s_.excluded && n == *s_.excluded) continue;
        const std::uint8_t d = decided_[(i * nodes_ + n) * 2 + side];
        missing += d == 0;
        twice += d > 1;
      }
    }
    for (std::size_t n = 0; n < nodes_ && everywhere; ++n) {
      if (s_.excluded && n == *s_.excluded) continue;
      const std::int64_t c = confirmed_us_[i * nodes_ + n];
      if (c < 0) everywhere = false;
      latest = std::max(latest, c);
    }
    if (!everywhere) continue;
    ++confirmed;
    last_confirm_us = std::max(last_confirm_us, latest);
    const std::int64_t seen = confirmed_us_[i * nodes_ + t.later_node];
    latency_ms.push_back(static_cast<double>(std::max<std::int64_t>(0, seen - t.later_ack_us)) / 1'000.0);
  }
  const LatencyPercentiles p = percentiles(latency_ms);
  const double span_s = std::max(1e-6, static_cast<double>(last_confirm_us) / 1e6);
  std::cout << std::fixed << std::setprecision(1);
  std::cout << "loadgen: " << s_.duration_s << " s at " << (s_.rate > 0 ? std::to_string(static_cast<long>(s_.rate)) + " trades/s" : std::string("full speed"))
            << "; mix: " << two_sided << " two-sided, " << venue << " venue, " << invalid << " invalid trades; "
            << duplicates_sent_ << " reports sent again\n";
  std::cout << "submitted " << reports + duplicates_sent_ << " reports in " << submitted_s << " s: acknowledged "
            << acked << ", DUPLICATE " << duplicates_answered_ << ", refused by validation " << invalid_refused_
            << ", refused otherwise " << other_refused_ << ", not answered " << unanswered_ << "\n";
  std::cout << "confirmed " << confirmed << " trades on every node in " << span_s << " s: " << static_cast<double>(confirmed) / span_s
            << " trades/s (a two-sided trade counts once)\n";
  std::cout << std::setprecision(2) << "confirmation latency (the later report's 202 -> CONFIRMED through its node's API), ms: p50 "
            << p.p50 << "  p90 " << p.p90 << "  p99 " << p.p99 << "  max " << p.max << "  (n=" << p.count << ")\n";
  std::uint64_t rejected = 0;
  std::string reasons;
  for (const auto& [reason, count] : rejected_) {
    rejected += count;
    reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  }
  std::cout << "decided REJECTED by the ledger: " << rejected << (reasons.empty() ? "" : " (" + reasons + ")") << "\n";
  const bool ok = missing == 0 && twice == 0 && accepted_twice_ == 0 && invalid_accepted_ == 0;
  std::cout << "exactly once: " << acked << " acknowledged reports on " << (nodes_ - (s_.excluded ? 1 : 0))
            << " nodes: " << missing << " not decided, " << twice << " decided twice, " << accepted_twice_
            << " acknowledged twice, " << invalid_accepted_ << " invalid ones acknowledged -> " << (ok ? "OK" : "FAILED")
            << "\n";
  return ok ? kExitOk : kExitFailed;
}

int run(const Args& args) {
  const Command command = loadgen_command();
  const auto genesis_path = args.value("genesis");
  const auto tokens = args.value("tokens");
  const std::vector<std::string> urls = args.values("node");
  if (!genesis_path || !tokens || urls.empty()) return usage_error(command, "--genesis, --tokens and --node are required");
  Settings s;
  const auto duration = number(args, "duration", 10, 0.1, 3'600);
  const auto rate = number(args, "rate", 0, 0, 10'000'000);
  const auto venue = number(args, "venue-share", 0.5, 0, 1);
  const auto duplicate = number(args, "duplicate-share", 0.01, 0, 0.5);
  const auto invalid = number(args, "invalid-share", 0.01, 0, 0.5);
  const auto batch = number(args, "batch", 500, 1, 10'000);
  const auto seed = number(args, "seed", 1, 0, 1e15);
  const auto drain = number(args, "drain-timeout", 120, 1, 3'600);
  const auto excluded = number(args, "exclude-node", -1, 0, 30);
  if (!duration || !rate || !venue || !duplicate || !invalid || !batch || !seed || !drain || !excluded) {
    return usage_error(command, "a numeric option is out of range or not a number");
  }
  s.duration_s = *duration;
  s.rate = *rate;
  s.mix = LoadMix{*venue, *invalid};
  s.duplicate_share = *duplicate;
  s.batch = static_cast<std::size_t>(*batch);
  s.seed = static_cast<std::uint64_t>(*seed);
  s.drain_s = *drain;
  if (args.value("exclude-node")) s.excluded = static_cast<std::uint16_t>(*excluded);

  auto loaded = config::load_genesis(*genesis_path);
  if (auto* e = std::get_if<config::ConfigError>(&loaded)) {
    std::cerr << "clearctl loadgen: " << e->what() << "\n";
    return kExitFailed;
  }
  const settlement::Genesis& genesis = std::get<config::NetworkGenesis>(loaded).ledger;
  if (urls.size() != genesis.node_count) {
    return usage_error(command, "give one --node per node of genesis (" + std::to_string(genesis.node_count) + ")");
  }
  const auto open = [&](std::size_t node, const std::string& member) -> std::unique_ptr<ApiClient> {
    auto token = read_token_file((fs::path(*tokens) / (member + ".token")).string(), "--tokens");
    if (const auto* problem = std::get_if<SetupProblem>(&token)) {
      std::cerr << "clearctl loadgen: " << member << "'s token: " << problem->message << "\n";
      return nullptr;
    }
    auto client = ApiClient::open(Endpoint{urls[node], args.values("cacert"), std::get<std::string>(token)});
    if (auto* problem = std::get_if<std::string>(&client)) {
      std::cerr << "clearctl loadgen: " << *problem << "\n";
      return nullptr;
    }
    return std::move(std::get<std::unique_ptr<ApiClient>>(client));
  };
  std::string operator_id;
  for (const settlement::MemberDef& m : genesis.members) {
    if (m.role == settlement::Role::kOperator && operator_id.empty()) operator_id = std::string(m.id.view());
  }
  if (operator_id.empty()) {
    std::cerr << "clearctl loadgen: genesis names no operator (its token reads the audit chain)\n";
    return kExitFailed;
  }
  std::vector<std::unique_ptr<ApiClient>> auditors;
  for (std::size_t n = 0; n < urls.size(); ++n) {
    auditors.push_back(s.excluded && n == *s.excluded ? nullptr : open(n, operator_id));
    if (!auditors.back() && !(s.excluded && n == *s.excluded)) return kExitFailed;
  }
  const std::size_t probe = s.excluded && *s.excluded == 0 ? 1 : 0;
  const HttpResult node = auditors[probe]->get("/v1/node");
  std::optional<JsonValue> info = node.status == 200 ? parse_answer(node.body) : std::nullopt;
  if (!info) {
    std::cerr << "clearctl loadgen: GET /v1/node: " << describe_failure(node) << "\n";
    return kExitFailed;
  }
  auto universe = load_universe(genesis, field_text(*info, "open_business_date"), s.excluded);
  if (auto* problem = std::get_if<std::string>(&universe)) {
    std::cerr << "clearctl loadgen: " << *problem << "\n";
    return kExitFailed;
  }
  const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string prefix = "L" + std::to_string(stamp % 100'000'000) + "-";
  Run r(s, LoadPlan(std::get<LoadUniverse>(universe), s.mix, s.seed, prefix), urls.size());
  r.prefix = prefix;
  r.set_first_auditor(probe);
  r.auditors = std::move(auditors);
  const LoadUniverse& u = std::get<LoadUniverse>(universe);
  std::vector<LoadParty> parties = u.clearing;
  for (const LoadUniverse::Venue& v : u.venues) parties.push_back(v.venue);
  for (const LoadParty& p : parties) {
    auto client = open(p.node, p.member);
    if (!client) return kExitFailed;
    r.sender_of[p.member] = r.senders.size();
    r.senders.push_back(std::make_unique<Sender>(std::move(client), p.node));
  }
  // Only epochs after this one can hold this run's trades.
  const std::string applied = field_text(*info, "last_applied_epoch");
  const std::optional<std::uint64_t> after =
      applied.empty() ? std::nullopt : std::optional<std::uint64_t>(std::stoull(applied));
  std::vector<std::thread> pollers;
  for (std::size_t n = 0; n < urls.size(); ++n) {
    if (r.auditors[n]) pollers.emplace_back([&r, n, after] { r.audit_loop(n, after); });
  }
  const int status = r.run();
  for (std::thread& t : pollers) t.join();
  return status;
}

}  // namespace

Command loadgen_command() {
  return Command{"loadgen",
                 "drive a running network with trades; print confirmed trades/s and latency; check exactly-once",
                 kUsage,
                 {{"genesis"}, {"node", true, true}, {"cacert", true, true}, {"tokens"}, {"duration"}, {"rate"},
                  {"venue-share"}, {"duplicate-share"}, {"invalid-share"}, {"batch"}, {"seed"}, {"exclude-node"},
                  {"drain-timeout"}},
                 run};
}

}  // namespace quorumclear::cli
