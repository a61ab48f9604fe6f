#include "services/api/test_fake_node.h"

#include "services/api/text.h"

#include "settlement/business_calendar.h"
#include "settlement/isin.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace quorumclear::api::testing {
namespace {

using settlement::BusinessDate;
using settlement::MemberId;
using settlement::Role;

const BusinessDate kOpenDate = settlement::date_from_civil(2026, 12, 1);
const BusinessDate kRunDate = settlement::date_from_civil(2026, 11, 30);

TokenDigest sha256(std::string_view text) {
  TokenDigest digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

Refusal refusal(RefusalKind kind, std::string code, std::string field = {}) {
  Refusal r;
  r.kind = kind;
  r.message = code;
  r.code = std::move(code);
  r.field = std::move(field);
  r.retry_after_seconds = kind == RefusalKind::kBusy ? 2 : (kind == RefusalKind::kUnavailable ? 5 : 0);
  return r;
}

Refusal unavailable_now() { return refusal(RefusalKind::kUnavailable, "DATABASE_UNAVAILABLE"); }

bool sees_everything(const Caller& c) { return c.role == Role::kOperator || c.role == Role::kRegulator; }

// The member a read is about: the filter's for operator and regulator, else
// the caller (the API already refused a member naming someone else).
std::optional<MemberId> scope(const Caller& caller, const std::optional<MemberId>& member) {
  if (sees_everything(caller)) return member;
  return caller.member;
}

template <class T>
Answer<Paged<T>> paginate(const std::vector<T>& all, const Page& page) {
  std::size_t start = 0;
  if (!page.cursor.empty()) {
    const std::optional<std::uint64_t> at =
        page.cursor.rfind("at.", 0) == 0 ? parse_unsigned(page.cursor.substr(3)) : std::nullopt;
    if (!at || *at > all.size()) return refusal(RefusalKind::kInvalid, "CURSOR_INVALID", "cursor");
    start = static_cast<std::size_t>(*at);
  }
  Paged<T> out;
  const std::size_t end = std::min(all.size(), start + page.limit);
  out.items.assign(all.begin() + static_cast<std::ptrdiff_t>(start),
                   all.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < all.size()) out.next_cursor = "at." + std::to_string(end);
  return out;
}

settlement::Trade report(std::string_view id, std::string_view submitter, std::string_view buyer,
                         std::string_view seller) {
  settlement::Trade t;
  t.trade_id = settlement::TradeId::of(id);
  t.submitter = MemberId::of(submitter);
  t.buyer = MemberId::of(buyer);
  t.seller = MemberId::of(seller);
  t.isin = settlement::Isin::of("DE0001102580");
  t.quantity.units = 100;
  t.price.units = 1050;
  t.price_scale = 2;
  t.currency = settlement::CurrencyCode::of("EUR");
  t.trade_date = kOpenDate;
  t.settlement_date = settlement::BusinessDate{kOpenDate.days + 1};
  return t;
}

Decimal eur(std::int64_t cents) { return Decimal{cents, 2}; }

}  // namespace

std::string FakeNode::token_of(std::string_view member) {
  return "qc_" + std::string(member) + "_s3cr3t-token";
}

FakeNode::FakeNode() {
  const std::pair<std::string_view, Role> members[] = {
      {"BANK_A", Role::kClearingMember}, {"BANK_B", Role::kClearingMember}, {"BANK_C", Role::kClearingMember},
      {"VENUE_X", Role::kTradingVenue},  {"OPS", Role::kOperator},          {"REG", Role::kRegulator}};
  for (const auto& [id, role] : members) tokens_[sha256(token_of(id))] = Caller{MemberId::of(id), role};
  Stored alleged{report("B-1", "BANK_B", "BANK_A", "BANK_B"), ReportStatus::kAlleged, 3};
  reports_[{"BANK_B", "B-1"}] = alleged;
  Stored confirmed{report("A-9", "BANK_A", "BANK_A", "BANK_C"), ReportStatus::kConfirmed, 4};
  reports_[{"BANK_A", "A-9"}] = confirmed;
}

Answer<std::optional<Caller>> FakeNode::authenticate(const TokenDigest& token_sha256) {
  if (unavailable) return unavailable_now();
  std::lock_guard lock(mu_);
  const auto it = tokens_.find(token_sha256);
  if (it == tokens_.end()) return std::optional<Caller>{};
  return std::optional<Caller>{it->second};
}

SubmitItem FakeNode::submit_one(const Caller& caller, const settlement::Trade& t) {
  SubmitItem item;
  auto refuse = [&item](SubmitOutcome outcome, settlement::Reason reason, std::string field) {
    item.outcome = outcome;
    item.reason = reason;
    item.field = std::move(field);
    return item;
  };
  const auto permitted = [](const MemberId& m) { return m.view() == "BANK_A" || m.view() == "BANK_B"; };
  if (caller.role == Role::kTradingVenue) {
    if (!permitted(t.buyer))
      return refuse(SubmitOutcome::kForbidden, settlement::Reason::kVenueNotPermitted, "buyer");
    if (!permitted(t.seller)) {
      return refuse(SubmitOutcome::kForbidden, settlement::Reason::kVenueNotPermitted, "seller");
    }
  } else if (t.buyer != caller.member && t.seller != caller.member) {
    return refuse(SubmitOutcome::kForbidden, settlement::Reason::kSubmitterNotParty, "submitter");
  }
  if (t.isin.view() != "DE0001102580" && t.isin.view() != "US0378331005") {
    return refuse(SubmitOutcome::kInvalid,
                  settlement::is_valid_isin(t.isin.view()) ? settlement::Reason::kInstrumentUnknown
                                                           : settlement::Reason::kIsinInvalid,
                  "isin");
  }
  if (t.price_scale > 2) {
    return refuse(SubmitOutcome::kInvalid, settlement::Reason::kPriceScaleMismatch, "price_scale");
  }
  const Key key{std::string(t.submitter.view()), std::string(t.trade_id.view())};
  if (const auto it = reports_.find(key); it != reports_.end()) {
    if (it->second.trade == t) {
      item.outcome = SubmitOutcome::kDuplicate;
      item.status = it->second.status;
      return item;
    }
    return refuse(SubmitOutcome::kConflict, settlement::Reason::kDuplicateConflict, "");
  }
  reports_[key] = Stored{t, ReportStatus::kReceived, std::nullopt};
  return item;
}

Answer<SubmitResult> FakeNode::submit(const Caller& caller, std::vector<settlement::Trade> reports) {
  ++submit_calls;
  if (unavailable) return unavailable_now();
  if (busy) return refusal(RefusalKind::kBusy, "QUEUE_FULL");
  std::lock_guard lock(mu_);
  SubmitResult result;
  for (const settlement::Trade& t : reports) result.items.push_back(submit_one(caller, t));
  return result;
}

Answer<CancelReceipt> FakeNode::cancel(const Caller& caller, const settlement::TradeId& trade_id) {
  if (unavailable) return unavailable_now();
  if (busy) return refusal(RefusalKind::kBusy, "QUEUE_FULL");
  std::lock_guard lock(mu_);
  const auto it = reports_.find({std::string(caller.member.view()), std::string(trade_id.view())});
  if (it == reports_.end()) return refusal(RefusalKind::kNotFound, "TRADE_NOT_FOUND", "trade_id");
  if (it->second.status == ReportStatus::kConfirmed) {
    return refusal(RefusalKind::kConflict, "ALREADY_MATCHED", "trade_id");
  }
  return CancelReceipt{trade_id, it->second.status};
}

TradeView FakeNode::view_of(const Stored& stored) const {
  TradeView view;
  view.report = stored.trade;
  view.status = stored.status;
  view.epoch = stored.epoch;
  const settlement::Trade& t = stored.trade;
  if (t.submitter == t.buyer || t.submitter == t.seller) {
    const MemberId other = t.submitter == t.buyer ? t.seller : t.buyer;
    Counterparty cp{other, std::nullopt};
    const auto it = reports_.find({std::string(other.view()), std::string(t.trade_id.view())});
    if (it != reports_.end()) cp.status = it->second.status;
    view.counterparty = cp;
  }
  if (stored.status != ReportStatus::kReceived) view.consideration = eur(t.quantity.units * t.price.units);
  if (stored.status == ReportStatus::kConfirmed) {
    view.booked_business_date = t.trade_date;
    view.booked_settlement_date = t.settlement_date;
  }
  return view;
}

Answer<TradeView> FakeNode::get_trade(const Caller& caller, const TradeKey& key) {
  if (unavailable) return unavailable_now();
  std::lock_guard lock(mu_);
  const auto it = reports_.find({std::string(key.submitter.view()), std::string(key.trade_id.view())});
  if (it == reports_.end() || (!sees_everything(caller) && key.submitter != caller.member)) {
    return refusal(RefusalKind::kNotFound, "TRADE_NOT_FOUND", "trade_id");
  }
  return view_of(it->second);
}

Answer<Paged<TradeView>> FakeNode::list_trades(const Caller& caller, const TradeFilter& filter,
                                               const Page& page) {
  if (unavailable) return unavailable_now();
  std::lock_guard lock(mu_);
  const std::optional<MemberId> member = scope(caller, filter.member);
  std::vector<TradeView> all;
  for (const auto& [key, stored] : reports_) {
    if (member && stored.trade.submitter != *member) continue;
    if (filter.status && stored.status != *filter.status) continue;
    if (filter.settlement_date && stored.trade.settlement_date != *filter.settlement_date) continue;
    all.push_back(view_of(stored));
  }
  return paginate(all, page);
}

Answer<Paged<TradeView>> FakeNode::allegations(const Caller& caller, const MemberFilter& filter,
                                               const Page& page) {
  if (unavailable) return unavailable_now();
  std::lock_guard lock(mu_);
  const std::optional<MemberId> member = scope(caller, filter.member);
  std::vector<TradeView> all;
  for (const auto& [key, stored] : reports_) {
    const settlement::Trade& t = stored.trade;
    const bool live = stored.status == ReportStatus::kAlleged || stored.status == ReportStatus::kMismatched;
    const bool names = !member || ((t.buyer == *member || t.seller == *member) && t.submitter != *member);
    if (live && names) all.push_back(view_of(stored));
  }
  return paginate(all, page);
}

Answer<Paged<PositionView>> FakeNode::positions(const Caller& caller, const PositionFilter& filter,
                                                const Page& page) {
  if (unavailable) return unavailable_now();
  const std::optional<MemberId> member = scope(caller, filter.member);
  std::vector<PositionView> all;
  for (std::string_view id : {"BANK_A", "BANK_B", "BANK_C"}) {
    if (member && member->view() != id) continue;
    for (std::string_view isin : {"DE0001102580", "US0378331005"}) {
      if (filter.isin && filter.isin->view() != isin) continue;
      all.push_back(PositionView{MemberId::of(id), settlement::Isin::of(isin),
                                 settlement::CurrencyCode::of("EUR"), kOpenDate, 300, 100, 200, eur(315000),
                                 eur(105000)});
    }
  }
  return paginate(all, page);
}

Answer<Paged<CashView>> FakeNode::cash(const Caller& caller, const CashFilter& filter, const Page& page) {
  if (unavailable) return unavailable_now();
  const std::optional<MemberId> member = scope(caller, filter.member);
  std::vector<CashView> all;
  for (std::string_view id : {"BANK_A", "BANK_B"}) {
    if (member && member->view() != id) continue;
    all.push_back(CashView{MemberId::of(id), settlement::CurrencyCode::of("EUR"), kOpenDate, eur(105000),
                           eur(315000), eur(-210000)});
  }
  return paginate(all, page);
}

Answer<Paged<BalanceView>> FakeNode::balances(const Caller& caller, const MemberFilter& filter,
                                              const Page& page) {
  if (unavailable) return unavailable_now();
  const std::optional<MemberId> member = scope(caller, filter.member);
  std::vector<BalanceView> all;
  for (std::string_view id : {"BANK_A", "BANK_B", "CCP"}) {
    if ((member && member->view() != id) || (id == "CCP" && !sees_everything(caller))) continue;
    all.push_back(BalanceView{MemberId::of(id), settlement::AssetKind::kCash,
                              settlement::AssetCode::of("EUR"), eur(100000000)});
    all.push_back(BalanceView{MemberId::of(id), settlement::AssetKind::kSecurities,
                              settlement::AssetCode::of("DE0001102580"), Decimal{5000, 0}});
  }
  return paginate(all, page);
}

Answer<CutoffReceipt> FakeNode::request_cutoff(const Caller&, std::optional<BusinessDate> business_date) {
  if (unavailable) return unavailable_now();
  if (busy) return refusal(RefusalKind::kBusy, "QUEUE_FULL");
  if (business_date && *business_date < kOpenDate) return CutoffReceipt{*business_date, true};
  if (business_date && *business_date != kOpenDate) {
    return refusal(RefusalKind::kInvalid, "CUT_OFF_DATE_NOT_OPEN", "business_date");
  }
  return CutoffReceipt{kOpenDate};
}

namespace {

RunSummary run_summary() {
  RunSummary s;
  s.business_date = kRunDate;
  s.cutoff_epoch = 5;
  s.status = settlement::RunStatus::kPartiallySettled;
  s.report_digest.fill(0xab);
  s.totals.push_back(
      CurrencyTotalsView{settlement::CurrencyCode::of("EUR"), eur(420000), eur(210000), 4, 5000});
  return s;
}

}  // namespace

Answer<Paged<RunSummary>> FakeNode::settlement_runs(const Caller&, const Page& page) {
  if (unavailable) return unavailable_now();
  return paginate(std::vector<RunSummary>{run_summary()}, page);
}

Answer<RunReport> FakeNode::settlement_run(const Caller& caller, BusinessDate business_date) {
  if (unavailable) return unavailable_now();
  if (business_date != kRunDate) return refusal(RefusalKind::kNotFound, "RUN_NOT_FOUND", "date");
  RunReport report;
  report.summary = run_summary();
  InstructionView deliver;
  deliver.member = MemberId::of("BANK_B");
  deliver.direction = settlement::Direction::kDeliver;
  deliver.kind = settlement::AssetKind::kSecurities;
  deliver.asset = settlement::AssetCode::of("DE0001102580");
  deliver.currency = settlement::CurrencyCode::of("EUR");
  deliver.settlement_date = kRunDate;
  deliver.origin_date = kRunDate;
  deliver.net_amount = Decimal{-200, 0};
  deliver.value = eur(210000);
  deliver.settled_amount = Decimal{-50, 0};
  deliver.status = settlement::ObligationStatus::kFailed;
  deliver.fail_reason = settlement::Reason::kInsufficientSecurities;
  InstructionView pay = deliver;
  pay.member = MemberId::of("BANK_A");
  pay.direction = settlement::Direction::kPay;
  pay.kind = settlement::AssetKind::kCash;
  pay.asset = settlement::AssetCode::of("EUR");
  pay.net_amount = eur(-210000);
  pay.value = eur(0);
  pay.settled_amount = eur(-210000);
  pay.status = settlement::ObligationStatus::kSettled;
  pay.fail_reason = settlement::Reason::kNone;
  for (const InstructionView& i : {deliver, pay}) {
    if (sees_everything(caller) || i.member == caller.member) report.instructions.push_back(i);
  }
  report.unmatched.push_back(UnmatchedView{MemberId::of("BANK_B"), MemberId::of("BANK_A"),
                                           settlement::TradeId::of("B-0"), 1, ReportStatus::kMismatched,
                                           "price", kRunDate});
  return report;
}

Answer<EpochView> FakeNode::epoch(const Caller&, std::uint64_t epoch) {
  if (unavailable) return unavailable_now();
  if (epoch > 5) return refusal(RefusalKind::kNotFound, "EPOCH_NOT_FOUND", "epoch");
  EpochView view;
  view.epoch = epoch;
  view.output_digest.fill(0x11);
  view.state_digest.fill(0x22);
  view.audit_head.fill(0x33);
  for (std::uint16_t node = 0; node < 3; ++node) {
    EpochSignature s;
    s.node_id = node;
    s.signature.fill(static_cast<std::uint8_t>(0xc0 + node));
    view.signatures.push_back(s);
  }
  view.certified = true;
  return view;
}

Answer<AuditPage> FakeNode::audit(const Caller&, const AuditQuery& query) {
  if (unavailable) return unavailable_now();
  constexpr std::uint64_t kLastEpoch = 5;
  AuditPage page;
  const std::uint64_t first = query.after_epoch ? *query.after_epoch + 1 : 0;
  for (std::uint64_t e = first; e <= kLastEpoch && page.links.size() < query.limit; ++e) {
    AuditLink link;
    link.epoch = e;
    link.output_digest.fill(0x11);
    link.state_digest.fill(0x22);
    link.prev_hash.fill(static_cast<std::uint8_t>(e));
    link.entry_hash.fill(static_cast<std::uint8_t>(e + 1));
    link.changes.push_back(AuditChange{AuditChangeKind::kReport, MemberId::of("BANK_A"),
                                       "A-" + std::to_string(e), 1, "CONFIRMED", settlement::Reason::kNone,
                                       ""});
    link.changes.push_back(AuditChange{AuditChangeKind::kSettlementRun, MemberId{}, "2026-11-30", 0,
                                       "PARTIALLY_SETTLED", settlement::Reason::kNone, ""});
    page.links.push_back(link);
  }
  if (!page.links.empty() && page.links.back().epoch < kLastEpoch)
    page.next_after_epoch = page.links.back().epoch;
  return page;
}

Answer<NodeInfo> FakeNode::node_info(const Caller&) {
  if (throw_on_read) throw std::runtime_error("the fake node fails on purpose");
  if (unavailable) return unavailable_now();
  NodeInfo info;
  info.node_id = 0;
  info.node_count = 4;
  info.network_name = "demo";
  info.network_id.fill(0x5a);
  info.open_business_date = kOpenDate;
  info.last_applied_epoch = 5;
  info.last_certified_epoch = 5;
  info.software_version = "0.1.0";
  return info;
}

Readiness FakeNode::readiness() {
  Readiness r;
  r.checks.push_back(ReadinessCheck{"database", !database_down, database_down ? "connection refused" : ""});
  r.checks.push_back(ReadinessCheck{"peers", true, ""});
  r.checks.push_back(ReadinessCheck{"caught_up", true, ""});
  r.checks.push_back(ReadinessCheck{"no_divergence", true, ""});
  return r;
}

}  // namespace quorumclear::api::testing
