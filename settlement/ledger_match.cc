// Two-sided matching (ledger.h, "Matching"): a report's arrival, pairing,
// locked-in venue trades, cancels, corrections and expiry.
#include "settlement/ledger.h"

#include "settlement/ledger_context.h"

#include <algorithm>
#include <cassert>
#include <tuple>

namespace quorumclear::settlement {

struct Ledger::Arrival {
  std::uint32_t at = 0;  // its outcome in ctx.result.trades
  const Trade& trade;
  MemberIndex submitter;  // resolved with the key, before validation
  ValidTrade v;
  ReportFields fields;
  TradeRegistry::Lookup key;            // (submitter, trade id) before this version
  bool replaces_live = false;           // the key's current version was live
  std::uint32_t record = kNotOpen;      // set once the version is recorded
};

namespace {

// Why an entry cannot take its key: it must not occupy an id its submitter
// never used (a faulty node forging reports or cancels for another member)
// or an id that is not a valid key at all.
Reason check_key(const TradeId& id, const MemberId& submitter_id, std::uint16_t proposer,
                 const ReferenceData& ref, std::optional<MemberIndex>& submitter,
                 std::string_view& field) {
  field = "trade_id";
  if (!is_valid_trade_id(id.view())) return Reason::kTradeIdInvalid;
  field = "submitter";
  submitter = ref.find_member(submitter_id);
  if (!submitter) return Reason::kMemberUnknown;
  if (ref.submitter_must_be_proposer() && ref.member_of_node(proposer) != submitter) {
    return Reason::kSubmitterNotProposer;
  }
  field = {};
  return Reason::kNone;
}

// The outcome of entry `index` of `proposer`'s batch, appended; `at` is its index.
TradeOutcome& begin_outcome(EpochResult& result, std::uint16_t proposer, std::uint32_t index,
                            std::uint32_t& at) {
  at = static_cast<std::uint32_t>(result.trades.size());
  TradeOutcome& out = result.trades.emplace_back();
  out.proposer = proposer;
  out.entry_index = index;
  return out;
}

}  // namespace

TradeStatus status_of(TradeOutcomeKind kind) {
  switch (kind) {
    case TradeOutcomeKind::kConfirmed: return TradeStatus::kConfirmed;
    case TradeOutcomeKind::kRejected: return TradeStatus::kRejected;
    case TradeOutcomeKind::kAlleged: return TradeStatus::kAlleged;
    case TradeOutcomeKind::kMismatched: return TradeStatus::kMismatched;
    case TradeOutcomeKind::kAffirmed: return TradeStatus::kAffirmed;
    case TradeOutcomeKind::kCancelled: return TradeStatus::kCancelled;
    case TradeOutcomeKind::kRejectedUnkeyed:
    case TradeOutcomeKind::kDuplicate: break;
  }
  assert(false && "no status: nothing was recorded under a key");
  return TradeStatus::kRejected;
}

void Ledger::apply_trade(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                         const Trade& t, ByteView encoded) {
  std::uint32_t at = 0;
  TradeOutcome& out = begin_outcome(ctx.result, proposer, index, at);
  out.trade = t;
  out.business_date = t.trade_date;
  out.settlement_date = t.settlement_date;
  // The decoder is canonical, so the received bytes are encode_trade(t):
  // hashing them saves re-encoding every trade.
  trade_hasher_.update(encoded);
  out.content_hash = trade_hasher_.finish();
  const auto unkeyed = [&](Reason reason, std::string_view field) {
    out.kind = TradeOutcomeKind::kRejectedUnkeyed;
    out.reason = reason;
    out.field = field;
    hash_trade_outcome(out);
  };

  std::optional<MemberIndex> submitter;
  if (Reason r = check_key(t.trade_id, t.submitter, proposer, reference_, submitter, out.field);
      r != Reason::kNone) {
    return unkeyed(r, out.field);
  }
  const TradeRegistry::Lookup key = registry_.lookup(*submitter, t.trade_id.view());
  if (const TradeRecord* known = key.record) {
    const std::vector<Digest>& older = registry_.superseded(key.index);
    if (known->content_hash == out.content_hash ||
        std::find(older.begin(), older.end(), out.content_hash) != older.end()) {
      // A late copy of this or an older version: a correction must never be
      // undone by a retry of what it corrected.
      out.kind = TradeOutcomeKind::kDuplicate;
      out.version = known->version;
      out.business_date = known->business_date;
      out.settlement_date = known->settlement_date;
      hash_trade_outcome(out);
      return;
    }
    if (known->status == TradeStatus::kConfirmed || known->status == TradeStatus::kAffirmed) {
      return unkeyed(Reason::kDuplicateConflict, "trade_id");
    }
    if (known->version >= kReportVersionsMax) return unkeyed(Reason::kVersionLimit, "trade_id");
  }
  const TradeCheck check = validate_trade(t, reference_);
  out.reason = check.reason;
  out.field = check.field;
  if (check.ok()) {
    out.consideration = check.trade.consideration;
    out.price = check.trade.price;
    if (t.trade_date > open_date_) {
      out.reason = Reason::kTradeDateNotOpen;
      out.field = "trade_date";
    } else if (t.trade_date < open_date_ &&
               !reference_.calendar().business_days_between(t.trade_date, open_date_,
                                                            reference_.late_trade_window_days())) {
      out.reason = Reason::kTradeDateTooOld;
      out.field = "trade_date";
    }
  }
  Arrival a{at, t, *submitter, check.trade, {}, key};
  if (out.reason != Reason::kNone) {
    // A refused correction leaves the current version as it was.
    if (key.record != nullptr) return unkeyed(out.reason, out.field);
    out.kind = TradeOutcomeKind::kRejected;
    record_version(ctx, a);
    hash_trade_outcome(out);
    return;
  }
  a.fields = ReportFields{check.trade.instrument, t.quantity, check.trade.price,
                          check.trade.currency, t.trade_date, t.settlement_date};
  // The old version's pair, if it was MISMATCHED, may not pair with the
  // new one: it is looked at again once the new version is in.
  std::optional<std::uint32_t> old_partner;
  if (key.record != nullptr && is_live(key.record->status)) {
    a.replaces_live = true;
    old_partner = partner_of(*key.record);
    change_report(ctx, key.index, ReportChange{TradeStatus::kReplaced}, at, false);
  }
  if (check.trade.locked_in) {
    book_locked_in(ctx, a);
  } else {
    match_bilateral(ctx, a);
  }
  if (old_partner) revert_if_unpaired(ctx, *old_partner, at, false);
  hash_trade_outcome(ctx.result.trades[at]);
}

void Ledger::match_bilateral(Context& ctx, Arrival& a) {
  TradeOutcome& out = ctx.result.trades[a.at];
  const MemberIndex me = a.v.submitter;
  const MemberIndex other = me == a.v.buyer ? a.v.seller : a.v.buyer;
  const std::string_view id = a.trade.trade_id.view();
  // The parties accepted a venue's matching for this trade: this report
  // can affirm it or differ from it, never book it a second time.
  if (const std::uint32_t li = registry_.find_locked_in(a.v.buyer, a.v.seller, id); li != kNotOpen) {
    const TradeRecord& venue = registry_.record(li);
    out.paired_with = venue.submitter;
    out.paired_version = venue.version;
    out.field = first_difference(a.fields, locked_fields_.at(venue.slot));
    if (out.field.empty()) {
      out.kind = TradeOutcomeKind::kAffirmed;
      ++stats_.affirmed;
    } else {
      out.kind = TradeOutcomeKind::kRejected;
      out.reason = Reason::kLockedInMismatch;
    }
    record_version(ctx, a);
    return;
  }
  const std::optional<std::uint32_t> theirs = live_report(other, id, a.v.buyer, a.v.seller);
  const std::string_view diff =
      theirs ? first_difference(a.fields, open_.at(registry_.record(*theirs).slot).fields)
             : std::string_view{};
  const bool stays_live = !theirs || !diff.empty();
  if (stays_live && !a.replaces_live &&
      open_.open_count(me) >= reference_.max_open_reports_per_member()) {
    ++stats_.refused_over_limit;
    out.kind = TradeOutcomeKind::kRejectedUnkeyed;
    out.reason = Reason::kAllegationLimit;
    out.field = "submitter";
    return;
  }
  if (!theirs) {
    out.kind = TradeOutcomeKind::kAlleged;
    record_version(ctx, a);
    return;
  }
  const std::uint32_t partner = *theirs;
  out.paired_with = other;
  out.paired_version = registry_.record(partner).version;
  if (!diff.empty()) {
    out.kind = TradeOutcomeKind::kMismatched;
    out.reason = Reason::kFieldMismatch;
    out.field = diff;
    ++stats_.mismatched;
    record_version(ctx, a);
    const TradeRecord& mine = registry_.record(a.record);
    const TradeRecord& p = registry_.record(partner);
    if (p.status != TradeStatus::kMismatched || open_.at(p.slot).mismatch_field != diff) {
      if (p.status != TradeStatus::kMismatched) ++stats_.mismatched;
      change_report(ctx, partner,
                    ReportChange{TradeStatus::kMismatched, Reason::kFieldMismatch, diff, me,
                                 mine.version},
                    a.at, false);
    }
    return;
  }
  const Reason booked = book_matched(ctx, a);
  out.kind = booked == Reason::kNone ? TradeOutcomeKind::kConfirmed : TradeOutcomeKind::kRejected;
  record_version(ctx, a);
  ReportChange change{booked == Reason::kNone ? TradeStatus::kConfirmed : TradeStatus::kRejected,
                      booked, out.field, me, registry_.record(a.record).version};
  change.booked = booked == Reason::kNone;
  change.business_date = out.business_date;
  change.settlement_date = out.settlement_date;
  change_report(ctx, partner, change, a.at, false);
  if (booked == Reason::kNone) ++stats_.matched;
}

void Ledger::book_locked_in(Context& ctx, Arrival& a) {
  TradeOutcome& out = ctx.result.trades[a.at];
  const std::string_view id = a.trade.trade_id.view();
  // One booking per match key: the venue cannot book a trade twice, nor one
  // its two parties already matched between themselves.
  const TradeRegistry::Lookup buyer_side = registry_.lookup(a.v.buyer, id);
  const TradeRecord* matched = buyer_side.record;
  if (registry_.find_locked_in(a.v.buyer, a.v.seller, id) != kNotOpen ||
      (matched != nullptr && matched->status == TradeStatus::kConfirmed &&
       matched->seller == a.v.seller && matched->buyer == a.v.buyer)) {
    out.kind = TradeOutcomeKind::kRejected;
    out.reason = Reason::kAlreadyMatched;
    out.field = "trade_id";
    record_version(ctx, a);
    return;
  }
  const Reason booked = book_matched(ctx, a);
  out.kind = booked == Reason::kNone ? TradeOutcomeKind::kConfirmed : TradeOutcomeKind::kRejected;
  record_version(ctx, a);
  if (booked != Reason::kNone) return;
  TradeRecord& venue = registry_.mutable_record(a.record);
  venue.slot = static_cast<std::uint32_t>(locked_fields_.size());
  locked_fields_.push_back(a.fields);
  registry_.index_locked_in(a.record);
  ++stats_.locked_in;
  resolve_by_locked_in(ctx, a, a.v.buyer);
  resolve_by_locked_in(ctx, a, a.v.seller);
}

void Ledger::resolve_by_locked_in(Context& ctx, const Arrival& a, MemberIndex party) {
  const std::optional<std::uint32_t> live =
      live_report(party, a.trade.trade_id.view(), a.v.buyer, a.v.seller);
  if (!live) return;
  const std::string_view diff =
      first_difference(open_.at(registry_.record(*live).slot).fields, a.fields);
  if (diff.empty()) ++stats_.affirmed;
  change_report(ctx, *live,
                ReportChange{diff.empty() ? TradeStatus::kAffirmed : TradeStatus::kRejected,
                             diff.empty() ? Reason::kNone : Reason::kLockedInMismatch, diff,
                             a.v.submitter, registry_.record(a.record).version},
                a.at, false);
}

Reason Ledger::book_matched(Context& ctx, const Arrival& a) {
  // Limits, suspension and the late-trade window apply to the matched trade
  // at the point of the order where it matches.
  TradeOutcome& out = ctx.result.trades[a.at];
  roll(a.trade, out);
  if (out.reason == Reason::kNone) {
    out.reason = book_trade(ctx, a.v, a.trade.quantity, out.settlement_date, out.field);
  }
  return out.reason;
}

void Ledger::record_version(Context& ctx, Arrival& a) {
  TradeOutcome& out = ctx.result.trades[a.at];
  const TradeStatus status = status_of(out.kind);
  TradeRecord fresh;
  TradeRecord* r = &fresh;
  if (a.key.record != nullptr) {
    registry_.supersede(a.key.index);
    r = &registry_.mutable_record(a.key.index);
    r->version = static_cast<std::uint8_t>(r->version + 1);
  }
  r->content_hash = out.content_hash;
  r->epoch = ctx.epoch;
  r->submitter = a.submitter;
  r->buyer = a.v.buyer;
  r->seller = a.v.seller;
  r->locked_in = a.v.locked_in;
  r->status = status;
  r->reason = out.reason;
  r->business_date = out.business_date;
  r->settlement_date = out.settlement_date;
  r->slot = kNotOpen;
  if (a.key.record != nullptr) {
    a.record = a.key.index;
  } else {
    a.record = registry_.insert(a.trade.trade_id.view(), fresh, a.key);
  }
  out.version = registry_.record(a.record).version;
  if (!is_live(status)) return;
  const MemberIndex me = a.v.submitter;
  OpenReport open;
  open.record = a.record;
  open.submitter = me;
  open.counterparty = me == a.v.buyer ? a.v.seller : a.v.buyer;
  open.fields = a.fields;
  open.consideration = a.v.consideration;
  open.business_date = open_date_;
  // Nothing can match it once its trade date has left the late-trade window
  // (the counterparty's report would be TRADE_DATE_TOO_OLD), so it expires
  // then at the latest, not only after allegation_expiry_days.
  const BusinessCalendar& calendar = reference_.calendar();
  open.expires_on = std::min(
      calendar.add_business_days(open_date_, reference_.allegation_expiry_days()).value_or(kDateMax),
      calendar.add_business_days(a.trade.trade_date, reference_.late_trade_window_days())
          .value_or(kDateMax));
  if (status == TradeStatus::kMismatched) open.mismatch_field = out.field;
  registry_.mutable_record(a.record).slot = open_.add(open);
}

void Ledger::change_report(Context& ctx, std::uint32_t record, const ReportChange& change,
                           std::uint32_t cause, bool by_cut_off) {
  TradeRecord& r = registry_.mutable_record(record);
  assert(is_live(r.status));
  r.status = change.status;
  r.reason = change.reason;
  if (change.booked) {
    r.business_date = change.business_date;
    r.settlement_date = change.settlement_date;
  }
  if (is_live(change.status)) {
    open_.at(r.slot).mismatch_field =
        change.status == TradeStatus::kMismatched ? change.field : std::string_view{};
  } else {
    open_.remove(r.slot);
    r.slot = kNotOpen;
  }
  ReportTransition& t = ctx.result.transitions.emplace_back();
  t.cause = cause;
  t.by_cut_off = by_cut_off;
  t.submitter = r.submitter;
  t.trade_id = TradeId::of(registry_.id_of(r));
  t.version = r.version;
  t.status = change.status;
  t.reason = change.reason;
  t.field = change.field;
  t.paired_with = change.paired_with;
  t.paired_version = change.paired_version;
  t.business_date = r.business_date;
  t.settlement_date = r.settlement_date;
  hash_transition(t);
}

void Ledger::revert_if_unpaired(Context& ctx, std::uint32_t record, std::uint32_t cause,
                                bool by_cut_off) {
  const TradeRecord& r = registry_.record(record);
  if (r.status != TradeStatus::kMismatched || partner_of(r)) return;
  change_report(ctx, record, ReportChange{TradeStatus::kAlleged}, cause, by_cut_off);
}

std::optional<std::uint32_t> Ledger::live_report(MemberIndex party, std::string_view id,
                                                 MemberIndex buyer, MemberIndex seller) const {
  const TradeRegistry::Lookup l = registry_.lookup(party, id);
  if (l.record == nullptr || !is_live(l.record->status) || l.record->buyer != buyer ||
      l.record->seller != seller) {
    return std::nullopt;
  }
  return l.index;
}

std::optional<std::uint32_t> Ledger::partner_of(const TradeRecord& r) const {
  return live_report(r.counterparty(), registry_.id_of(r), r.buyer, r.seller);
}

void Ledger::apply_cancel(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                          const TradeCancel& c, ByteView entry_bytes) {
  std::uint32_t at = 0;
  TradeOutcome& out = begin_outcome(ctx.result, proposer, index, at);
  out.cancel = true;
  out.trade.trade_id = c.trade_id;
  out.trade.submitter = c.submitter;
  // With its kind byte, so a cancel's hash is never a report's.
  trade_hasher_.update(entry_bytes);
  out.content_hash = trade_hasher_.finish();
  out.kind = TradeOutcomeKind::kRejectedUnkeyed;
  std::optional<MemberIndex> submitter;
  out.reason = check_key(c.trade_id, c.submitter, proposer, reference_, submitter, out.field);
  const TradeRecord* r = nullptr;
  TradeRegistry::Lookup key;
  if (out.reason == Reason::kNone) {
    key = registry_.lookup(*submitter, c.trade_id.view());
    r = key.record;
    out.field = "trade_id";
    if (r == nullptr) {
      out.reason = Reason::kTradeNotFound;
    } else if (r->status == TradeStatus::kCancelled) {
      out.kind = TradeOutcomeKind::kDuplicate;
      out.field = {};
    } else if (r->status == TradeStatus::kConfirmed || r->status == TradeStatus::kAffirmed) {
      out.reason = Reason::kAlreadyMatched;
    } else if (!is_live(r->status)) {
      out.reason = Reason::kReportNotOpen;
    } else {
      out.kind = TradeOutcomeKind::kCancelled;
      out.field = {};
    }
    out.version = r == nullptr ? 0 : r->version;
  }
  if (out.kind == TradeOutcomeKind::kCancelled) {
    ++stats_.cancelled;
    const std::optional<std::uint32_t> partner = partner_of(*r);
    TradeRecord& cancelled = registry_.mutable_record(key.index);
    open_.remove(cancelled.slot);
    cancelled.slot = kNotOpen;
    cancelled.status = TradeStatus::kCancelled;
    cancelled.reason = Reason::kNone;
    if (partner) revert_if_unpaired(ctx, *partner, at, false);
  }
  hash_trade_outcome(ctx.result.trades[at]);
}

void Ledger::expire_reports(Context& ctx, BusinessDate closing, SettlementReport& report) {
  const auto cause = static_cast<std::uint32_t>(ctx.result.controls.size());
  std::vector<std::uint32_t> expiring;
  open_.for_each([&](std::uint32_t, const OpenReport& o) {
    if (o.expires_on <= closing) expiring.push_back(o.record);
  });
  // Record order is arrival order on every node, whatever slots were reused.
  std::sort(expiring.begin(), expiring.end());
  std::vector<std::uint32_t> partners;
  for (std::uint32_t record : expiring) {
    const TradeRecord& r = registry_.record(record);
    const OpenReport& o = open_.at(r.slot);
    report.unmatched.push_back(UnmatchedReport{r.submitter, o.counterparty,
                                               TradeId::of(registry_.id_of(r)), r.version,
                                               TradeStatus::kExpired, {}, o.business_date});
    if (const std::optional<std::uint32_t> p = partner_of(r)) partners.push_back(*p);
    ++stats_.expired;
    change_report(ctx, record,
                  ReportChange{TradeStatus::kExpired, Reason::kAllegationExpired}, cause, true);
  }
  std::sort(partners.begin(), partners.end());
  for (std::uint32_t p : partners) {
    if (is_live(registry_.record(p).status)) revert_if_unpaired(ctx, p, cause, true);
  }
  open_.for_each([&](std::uint32_t, const OpenReport& o) {
    const TradeRecord& r = registry_.record(o.record);
    report.unmatched.push_back(UnmatchedReport{r.submitter, o.counterparty,
                                               TradeId::of(registry_.id_of(r)), r.version,
                                               r.status, o.mismatch_field, o.business_date});
  });
  std::sort(report.unmatched.begin(), report.unmatched.end(),
            [&](const UnmatchedReport& x, const UnmatchedReport& y) {
              return std::tuple(x.submitter, x.trade_id) < std::tuple(y.submitter, y.trade_id);
            });
}

const OpenReport* Ledger::open_report(MemberIndex submitter, std::string_view id) const {
  const TradeRecord* r = registry_.find(submitter, id);
  return r != nullptr && is_live(r->status) ? &open_.at(r->slot) : nullptr;
}

MatchingStats Ledger::matching_stats() const {
  MatchingStats s = stats_;
  s.open_reports = open_.size();
  return s;
}

void Ledger::hash_transition(const ReportTransition& t) {
  epoch_hasher_.update(Record().u8('X').u32(t.cause).u8(t.by_cut_off ? 1 : 0)
                           .u16(t.submitter.value).text(t.trade_id.view()).u8(t.version)
                           .u8(static_cast<std::uint8_t>(t.status))
                           .u8(static_cast<std::uint8_t>(t.reason)).text(t.field)
                           .u8(t.paired_with ? 1 : 0).u16(t.paired_with.value_or(MemberIndex{}).value)
                           .u8(t.paired_version).i32(t.business_date.days)
                           .i32(t.settlement_date.days).view());
}

}  // namespace quorumclear::settlement
