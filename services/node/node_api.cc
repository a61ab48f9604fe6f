#include "services/node/node_api.h"

#include "settlement/codec.h"
#include "settlement/digest.h"
#include "settlement/validation.h"

#include <algorithm>
#include <unordered_map>

namespace quorumclear::node {
namespace {

constexpr std::size_t kPoolSize = 8;

api::Refusal refusal(api::RefusalKind kind, std::string code, std::string message, std::string field = {},
                     std::uint32_t retry_after = 0) {
  return api::Refusal{kind, std::move(code), std::move(message), std::move(field), retry_after};
}

api::Refusal unavailable(std::string message) {
  return refusal(api::RefusalKind::kUnavailable, "UNAVAILABLE", std::move(message), {}, 2);
}

/// The content hashes of a key's received, undecided reports (not cancels).
std::vector<settlement::Digest> received_reports(const store::KeyState& state) {
  std::vector<settlement::Digest> out;
  for (const store::PendingEntry& p : state.pending) {
    if (!p.is_cancel) out.push_back(p.content_hash);
  }
  return out;
}

bool may_be_replaced(settlement::TradeStatus s) {
  // A live ALLEGED report is withdrawn first (DELETE) and a booked one binds
  // both parties: different content under either is a conflict. A
  // mismatched, cancelled, expired or rejected one takes a corrected version.
  return s == settlement::TradeStatus::kMismatched || s == settlement::TradeStatus::kCancelled ||
         s == settlement::TradeStatus::kExpired || s == settlement::TradeStatus::kRejected;
}

}  // namespace

NodeApi::NodeApi(NodeApiParts parts)
    : parts_(std::move(parts)),
      writes_(kPoolSize, [db = parts_.database] { return std::make_unique<store::NodeStore>(db); }),
      reads_(kPoolSize, [db = parts_.database] { return std::make_unique<store::ReadStore>(db); }) {}

std::mutex& NodeApi::submit_lock(const settlement::MemberId& member) {
  std::lock_guard lock(locks_mutex_);
  auto& slot = submit_locks_[std::string(member.view())];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

std::optional<settlement::MemberId> NodeApi::scope(const api::Caller& caller,
                                                   const std::optional<settlement::MemberId>& named) const {
  const bool sees_all = caller.role == settlement::Role::kOperator || caller.role == settlement::Role::kRegulator;
  if (!sees_all) return caller.member;
  return named;
}

api::Answer<std::optional<api::Caller>> NodeApi::authenticate(const api::TokenDigest& token_sha256) {
  std::optional<std::string> member;
  try {
    auto lease = writes_.lease(kLeaseTimeout);
    if (!lease) return unavailable("every database connection is busy");
    member = (*lease)->member_of_token(token_sha256);
  } catch (const std::exception& e) {
    return unavailable(std::string("database: ") + e.what());
  }
  const std::optional<api::Caller> none;
  if (!member) return none;
  const auto id = settlement::MemberId::from(*member);
  if (!id) return none;
  const std::optional<settlement::MemberIndex> index = parts_.reference.find_member(*id);
  if (!index) return none;
  return std::optional<api::Caller>{api::Caller{*id, parts_.reference.member(*index).role}};
}

api::Answer<api::SubmitResult> NodeApi::submit(const api::Caller& caller, std::vector<settlement::Trade> reports) {
  api::Answer<api::SubmitResult> answer = take_reports(caller, std::move(reports));
  std::lock_guard lock(stats_mutex_);
  if (const auto* refused = std::get_if<api::Refusal>(&answer)) {
    if (refused->kind == api::RefusalKind::kBusy) ++stats_.refused_queue_full;
    if (refused->kind == api::RefusalKind::kUnavailable) ++stats_.refused_unavailable;
    return answer;
  }
  for (const api::SubmitItem& item : std::get<api::SubmitResult>(answer).items) {
    switch (item.outcome) {
      case api::SubmitOutcome::kAccepted: ++stats_.reports_received; break;
      case api::SubmitOutcome::kDuplicate: ++stats_.reports_duplicate; break;
      case api::SubmitOutcome::kConflict: ++stats_.reports_conflict; break;
      case api::SubmitOutcome::kInvalid:
      case api::SubmitOutcome::kForbidden: ++stats_.reports_invalid[static_cast<std::uint8_t>(item.reason)]; break;
    }
  }
  return answer;
}

void NodeApi::count_request(const api::RequestRecord& record) {
  std::lock_guard lock(stats_mutex_);
  // The route is a template of the code's (or empty), the status an HTTP
  // code: bounded labels whatever the client sent.
  ++stats_.requests[{std::string(record.listener), std::string(record.route), record.status}];
  stats_.request_duration.observe(static_cast<double>(record.duration_us) / 1e6);
}

metrics::ApiStats NodeApi::api_stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::optional<std::string> NodeApi::metrics_page() {
  if (!parts_.metrics_page) return std::nullopt;
  return parts_.metrics_page();
}

api::Answer<api::SubmitResult> NodeApi::take_reports(const api::Caller& caller,
                                                     std::vector<settlement::Trade> reports) {
  api::SubmitResult result;
  result.items.resize(reports.size());
  // Stateless checks first: a report refused here never reaches the store.
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const settlement::TradeCheck check = settlement::validate_trade(reports[i], parts_.reference);
    if (check.ok()) {
      candidates.push_back(i);
      continue;
    }
    const bool forbidden = check.reason == settlement::Reason::kSubmitterNotParty ||
                           check.reason == settlement::Reason::kVenueNotPermitted;
    result.items[i] = api::SubmitItem{forbidden ? api::SubmitOutcome::kForbidden : api::SubmitOutcome::kInvalid,
                                      api::ReportStatus::kReceived, check.reason, std::string(check.field)};
  }
  if (candidates.empty()) return result;

  // One member's submissions are decided one request at a time, so two
  // concurrent requests cannot both take one trade id.
  std::lock_guard member_lock(submit_lock(caller.member));
  std::vector<std::string> ids;
  for (const std::size_t i : candidates) ids.emplace_back(reports[i].trade_id.view());
  std::vector<store::KeyState> states;
  try {
    auto lease = reads_.lease(kLeaseTimeout);
    if (!lease) return unavailable("every database connection is busy");
    states = (*lease)->key_states(caller.member.view(), ids);
  } catch (const std::exception& e) {
    return unavailable(std::string("database: ") + e.what());
  }
  std::unordered_map<std::string, const store::KeyState*> by_id;
  std::unordered_map<std::string, std::vector<settlement::Digest>> received;
  for (const store::KeyState& s : states) {
    by_id.emplace(std::string(s.trade_id.view()), &s);
    received.emplace(std::string(s.trade_id.view()), received_reports(s));
  }
  const std::vector<settlement::Digest> none;

  std::vector<store::ReceivedReport> accepted;
  std::vector<std::size_t> accepted_items;
  std::unordered_map<std::string, settlement::Digest> taken_in_request;
  std::vector<ReceivedEntry> resent;
  for (const std::size_t i : candidates) {
    const settlement::Trade& t = reports[i];
    settlement::Bytes entry = settlement::encode_entry(t);
    const settlement::Digest hash = settlement::entry_content_hash(entry);
    const std::string id(t.trade_id.view());
    api::SubmitItem& item = result.items[i];
    const auto has = [&](const std::vector<settlement::Digest>& v) {
      return std::find(v.begin(), v.end(), hash) != v.end();
    };
    const store::KeyState* state = by_id.count(id) ? by_id.at(id) : nullptr;
    const std::vector<settlement::Digest>& undecided = state ? received.at(id) : none;
    if (const auto earlier = taken_in_request.find(id); earlier != taken_in_request.end()) {
      item = earlier->second == hash ? api::SubmitItem{api::SubmitOutcome::kDuplicate, api::ReportStatus::kReceived, settlement::Reason::kNone, ""}
                                     : api::SubmitItem{api::SubmitOutcome::kConflict, api::ReportStatus::kReceived,
                                                       settlement::Reason::kDuplicateConflict, ""};
      continue;
    }
    if (has(undecided)) {
      item = api::SubmitItem{api::SubmitOutcome::kDuplicate, api::ReportStatus::kReceived, settlement::Reason::kNone, ""};
      // Durable yet perhaps never handed to the core: an insert whose commit
      // reached the database while its answer was lost said 503. Handing it
      // again is harmless: the core drops an entry it holds (and releases
      // its place), the ledger answers a decided report DUPLICATE.
      resent.push_back(ReceivedEntry{std::string(t.submitter.view()), id, hash, std::move(entry)});
      continue;
    }
    if (state && state->current && has(state->decided_hashes)) {
      item = api::SubmitItem{api::SubmitOutcome::kDuplicate, api::report_status(state->current->status),
                             state->current->reason, state->current->field};
      continue;
    }
    const bool conflict = state && (!undecided.empty() ||
                                    (state->current && !may_be_replaced(state->current->status)));
    if (conflict) {
      const api::ReportStatus now = !undecided.empty() || !state->current
                                        ? api::ReportStatus::kReceived
                                        : api::report_status(state->current->status);
      item = api::SubmitItem{api::SubmitOutcome::kConflict, now, settlement::Reason::kDuplicateConflict, ""};
      continue;
    }
    item = api::SubmitItem{api::SubmitOutcome::kAccepted, api::ReportStatus::kReceived, settlement::Reason::kNone, ""};
    taken_in_request.emplace(id, hash);
    accepted.push_back(store::ReceivedReport{std::string(t.submitter.view()), id, hash, std::move(entry), false});
    accepted_items.push_back(i);
  }
  if (!resent.empty()) {
    parts_.budget.force_reserve(resent.size());
    parts_.inbox.push_local(EntriesReceived{std::move(resent)});
  }
  if (accepted.empty()) return result;
  if (!parts_.budget.try_reserve(accepted.size())) {
    return refusal(api::RefusalKind::kBusy, "INGEST_QUEUE_FULL",
                   "the node holds as many undecided reports as it may; retry shortly", {}, 1);
  }
  try {
    auto lease = writes_.lease(kLeaseTimeout);
    if (!lease) throw store::StoreUnavailable("every database connection is busy");
    (void)(*lease)->insert_received(accepted);  // durable before the answer
  } catch (const std::exception& e) {
    parts_.budget.release(accepted.size());
    return unavailable(std::string("database: ") + e.what());
  }
  std::vector<settlement::Digest> hashes;
  for (const store::ReceivedReport& r : accepted) hashes.push_back(r.content_hash);
  parts_.io.note_accepted(hashes);
  EntriesReceived event;
  for (store::ReceivedReport& r : accepted) {
    event.entries.push_back(ReceivedEntry{std::move(r.submitter), std::move(r.trade_id), r.content_hash,
                                          std::move(r.entry)});
  }
  parts_.inbox.push_local(std::move(event));
  return result;
}

api::Answer<api::CancelReceipt> NodeApi::cancel(const api::Caller& caller, const settlement::TradeId& trade_id) {
  std::lock_guard member_lock(submit_lock(caller.member));
  std::vector<store::KeyState> states;
  try {
    auto lease = reads_.lease(kLeaseTimeout);
    if (!lease) return unavailable("every database connection is busy");
    states = (*lease)->key_states(caller.member.view(), std::vector<std::string>{std::string(trade_id.view())});
  } catch (const std::exception& e) {
    return unavailable(std::string("database: ") + e.what());
  }
  const store::KeyState* state = states.empty() ? nullptr : &states.front();
  const std::vector<settlement::Digest> undecided = state ? received_reports(*state) : std::vector<settlement::Digest>{};
  if (!state || (!state->current && undecided.empty())) {
    return refusal(api::RefusalKind::kNotFound, "TRADE_NOT_FOUND", "no report of yours under this trade id",
                   "trade_id");
  }
  api::ReportStatus now = api::ReportStatus::kReceived;
  if (state->current && undecided.empty()) {
    const settlement::TradeStatus s = state->current->status;
    now = api::report_status(s);
    if (s == settlement::TradeStatus::kConfirmed || s == settlement::TradeStatus::kAffirmed) {
      return refusal(api::RefusalKind::kConflict, "ALREADY_MATCHED", "the trade is booked and binds both parties",
                     "trade_id");
    }
    if (!settlement::is_live(s)) {
      return refusal(api::RefusalKind::kConflict, "REPORT_NOT_OPEN", "the report is no longer open", "trade_id");
    }
  }
  settlement::Bytes entry = settlement::encode_entry(settlement::TradeCancel{trade_id, caller.member});
  const settlement::Digest hash = settlement::entry_content_hash(entry);
  if (!parts_.budget.try_reserve(1)) {
    return refusal(api::RefusalKind::kBusy, "INGEST_QUEUE_FULL", "retry shortly", {}, 1);
  }
  store::ReceivedReport row{std::string(caller.member.view()), std::string(trade_id.view()), hash, entry, true};
  try {
    auto lease = writes_.lease(kLeaseTimeout);
    if (!lease) throw store::StoreUnavailable("every database connection is busy");
    (void)(*lease)->insert_received(std::span<const store::ReceivedReport>(&row, 1));
  } catch (const std::exception& e) {
    parts_.budget.release(1);
    return unavailable(std::string("database: ") + e.what());
  }
  parts_.inbox.push_local(EntriesReceived{{ReceivedEntry{row.submitter, row.trade_id, hash, std::move(entry)}}});
  return api::CancelReceipt{trade_id, now};
}

api::Answer<api::CutoffReceipt> NodeApi::request_cutoff(const api::Caller& caller,
                                                         std::optional<settlement::BusinessDate> business_date) {
  const settlement::BusinessDate open = parts_.board.snapshot().core.open_business_date;
  // Dates close in order, so one before the open date is already settled.
  if (business_date && *business_date < open) return api::CutoffReceipt{*business_date, true};
  if (business_date && *business_date != open) {
    return refusal(api::RefusalKind::kInvalid, "CUT_OFF_DATE_NOT_OPEN",
                   "only the open business date can be closed; this one is not reached yet", "business_date");
  }
  // The operator sends this to every node: the cut-off takes effect when
  // f+1 of them have proposed it, so a lost request is simply sent again.
  if (!parts_.inbox.try_push_local(CutOffRequested{caller.member, open})) {
    return refusal(api::RefusalKind::kBusy, "NODE_BUSY", "retry shortly", {}, 1);
  }
  return api::CutoffReceipt{open};
}

api::Answer<api::NodeInfo> NodeApi::node_info(const api::Caller&) {
  const CoreStatus s = parts_.board.snapshot().core;
  return api::NodeInfo{parts_.self.value, static_cast<std::uint16_t>(parts_.genesis.ledger.node_count),
                       parts_.genesis.network_name, parts_.genesis.network_id, s.open_business_date,
                       s.last_applied, s.last_certified, QC_VERSION};
}

api::Readiness NodeApi::readiness() {
  api::Readiness r;
  bool database = false;
  std::string why = "no connection free";
  try {
    if (auto lease = writes_.lease(std::chrono::milliseconds(500))) {
      database = (*lease)->ping();
      why = database ? "" : "ping failed";
    }
  } catch (const std::exception& e) {
    why = e.what();
  }
  r.checks.push_back({"database", database, database ? "" : why});
  const net::TransportStats stats = parts_.transport.stats();
  std::size_t connected = 0;
  for (const net::PeerStats& p : stats.peers) connected += p.connected ? 1 : 0;
  const quorum::Membership members = parts_.genesis.membership();
  const std::size_t needed = members.n() - members.f() - 1;
  r.checks.push_back({"peers", connected >= needed,
                      connected >= needed ? "" : std::to_string(connected) + " of " + std::to_string(needed) +
                                                      " peers needed are connected"});
  const BoardSnapshot board = parts_.board.snapshot();
  const CoreStatus& s = board.core;
  const auto silent = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - board.published);
  const bool core_live = silent < kCoreSilenceMax && !s.drained;
  r.checks.push_back({"core", core_live,
                      core_live ? ""
                      : s.drained ? "the node is draining to stop"
                                  : "the core thread has not reported for " + std::to_string(silent.count()) + " s"});
  const bool current = s.behind_epochs <= quorum::kEpochWindow && !s.catching_up;
  r.checks.push_back({"not_behind", current,
                      current ? "" : std::to_string(s.behind_epochs) + " certified epochs not applied yet"});
  r.checks.push_back({"no_divergence", !s.diverged_at,
                      s.diverged_at ? "state differs from the quorum's at epoch " + std::to_string(*s.diverged_at)
                                    : ""});
  return r;
}

}  // namespace quorumclear::node
