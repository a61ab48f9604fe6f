// Control entries as votes: the f+1 (scheduled cut-off: 2f+1)
// distinct-proposer rule (ledger.h).
#include "settlement/ledger.h"

#include "settlement/ledger_context.h"

#include <cassert>

namespace quorumclear::settlement {

std::string_view to_string(ControlStatus status) {
  switch (status) {
    case ControlStatus::kRejected: return "REJECTED";
    case ControlStatus::kPending: return "PENDING";
    case ControlStatus::kRepeatedVote: return "REPEATED_VOTE";
    case ControlStatus::kApplied: return "APPLIED";
    case ControlStatus::kAlreadyApplied: return "ALREADY_APPLIED";
    case ControlStatus::kWithdrawn: return "WITHDRAWN";
    case ControlStatus::kExpired: return "EXPIRED";
  }
  return "UNKNOWN";
}

std::string_view to_string(ControlKind kind) {
  switch (kind) {
    case ControlKind::kCutOff: return "CUTOFF";
    case ControlKind::kScheduledCutOff: return "SCHEDULED_CUTOFF";
    case ControlKind::kFunding: return "FUNDING";
    case ControlKind::kSuspension: return "SUSPENSION";
  }
  return "UNKNOWN";
}

std::optional<ControlKind> control_kind(const Entry& entry) {
  if (std::holds_alternative<CutOff>(entry)) return ControlKind::kCutOff;
  if (std::holds_alternative<ScheduledCutOff>(entry)) return ControlKind::kScheduledCutOff;
  if (std::holds_alternative<Funding>(entry)) return ControlKind::kFunding;
  if (std::holds_alternative<SuspensionChange>(entry)) return ControlKind::kSuspension;
  return std::nullopt;
}

std::optional<BusinessDate> cut_off_date(const Entry& entry) {
  if (const CutOff* c = std::get_if<CutOff>(&entry)) return c->business_date;
  if (const ScheduledCutOff* s = std::get_if<ScheduledCutOff>(&entry)) return s->business_date;
  return std::nullopt;
}

std::size_t control_quorum(const Entry& entry, const ReferenceData& ref) {
  return std::holds_alternative<ScheduledCutOff>(entry) ? ref.scheduled_cut_off_quorum()
                                                        : ref.control_quorum();
}

Reason check_operator(const MemberId& id, const ReferenceData& ref) {
  const std::optional<MemberIndex> m = ref.find_member(id);
  if (!m || ref.member(*m).role != Role::kOperator) return Reason::kNotOperator;
  return Reason::kNone;
}

Reason resolve_funding(const Funding& f, const ReferenceData& ref, FundingTarget& target,
                       std::string_view& field) {
  field = "member_id";
  const std::optional<AccountIndex> account = ref.find_account(f.member);
  if (!account) return Reason::kMemberUnknown;
  target.account = *account;
  target.to_ccp = *account == ref.ccp_account();
  if (!target.to_ccp && ref.member(MemberIndex{account->value}).role != Role::kClearingMember) {
    return Reason::kMemberNotClearing;
  }
  field = "asset";
  if (f.kind == AssetKind::kSecurities) {
    const std::optional<InstrumentIndex> i = ref.find_instrument(Isin::of(f.asset.view()));
    if (!i) return Reason::kAssetUnknown;
    target.asset = i->value;
  } else {
    const std::optional<CurrencyCode> code = CurrencyCode::from(f.asset.view());
    const std::optional<CurrencyIndex> c = code ? ref.find_currency(*code) : std::nullopt;
    if (!c) return Reason::kAssetUnknown;
    target.asset = c->value;
  }
  field = "amount";
  if (f.amount <= 0) return Reason::kAmountNotPositive;
  field = {};
  return Reason::kNone;
}

ControlStatus Ledger::check_control(const Entry& entry, const Digest& digest, Reason& reason,
                                    std::string_view& field) const {
  // kPending here means "may be counted"; the caller decides the rest.
  const auto refuse = [&](Reason r, std::string_view f) {
    reason = r;
    field = f;
    return r == Reason::kNone ? ControlStatus::kPending : ControlStatus::kRejected;
  };
  if (const std::optional<BusinessDate> date = cut_off_date(entry)) {
    // The operator's cut-off names its operator; the scheduled one names
    // nobody and is vouched for by its 2f+1 proposers alone.
    const CutOff* c = std::get_if<CutOff>(&entry);
    if (c != nullptr && check_operator(c->operator_id, reference_) != Reason::kNone) {
      return refuse(Reason::kNotOperator, "operator_id");
    }
    // A cut-off of either kind for a date already closed (by either kind)
    // is the same cut-off again: a no-op.
    if (*date < open_date_) {
      refuse(Reason::kCutOffAlreadyApplied, "business_date");
      return ControlStatus::kAlreadyApplied;
    }
    if (*date > open_date_) return refuse(Reason::kCutOffDateNotOpen, "business_date");
    return refuse(Reason::kNone, {});
  }
  const Funding* funding = std::get_if<Funding>(&entry);
  const SuspensionChange* suspension = std::get_if<SuspensionChange>(&entry);
  assert((funding != nullptr) != (suspension != nullptr));
  const MemberId& operator_id = funding ? funding->operator_id : suspension->operator_id;
  const ControlRef& reference = funding ? funding->reference : suspension->reference;
  if (check_operator(operator_id, reference_) != Reason::kNone) {
    return refuse(Reason::kNotOperator, "operator_id");
  }
  if (!is_valid_control_ref(reference.view())) {
    return refuse(Reason::kControlRefInvalid, "reference");
  }
  if (funding) {
    FundingTarget target;
    std::string_view at;
    if (const Reason r = resolve_funding(*funding, reference_, target, at); r != Reason::kNone) {
      return refuse(r, at);
    }
  } else if (!reference_.find_instrument(suspension->isin)) {
    return refuse(Reason::kInstrumentUnknown, "isin");
  }
  const auto applied = applied_refs_.find(reference);
  if (applied == applied_refs_.end()) return refuse(Reason::kNone, {});
  // The same request again (late votes of honest nodes): a no-op. Other
  // bytes under a taken reference are refused like a reused trade id.
  if (applied->second != digest) return refuse(Reason::kControlRefConflict, "reference");
  refuse(Reason::kControlAlreadyApplied, "reference");
  return ControlStatus::kAlreadyApplied;
}

void Ledger::apply_control(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                           const Entry& entry, ByteView entry_bytes) {
  ControlOutcome out;
  out.proposer = proposer;
  out.entry_index = index;
  out.entry = entry;
  // The decoder is canonical: these bytes are the entry's one encoding, so
  // equal digests mean identical entries on every node.
  trade_hasher_.update(entry_bytes);
  out.entry_digest = trade_hasher_.finish();
  if (proposer >= reference_.node_count()) {
    out.reason = Reason::kProposerUnknown;
    out.field = "proposer";
    record_control(ctx, std::move(out));
    return;
  }
  out.status = check_control(entry, out.entry_digest, out.reason, out.field);
  if (out.status != ControlStatus::kPending) {
    record_control(ctx, std::move(out));
    return;
  }
  std::vector<DroppedVote> dropped;
  const VoteCount count = votes_.vote(proposer, out.entry_digest, entry,
                                      control_quorum(entry, reference_), ctx.epoch, dropped,
                                      out.votes);
  for (const DroppedVote& d : dropped) record_dropped(ctx, d, index);
  if (count == VoteCount::kRepeated) out.status = ControlStatus::kRepeatedVote;
  if (count == VoteCount::kQuorum) {
    votes_.remove(out.entry_digest);
    take_effect(ctx, out);
  }
  record_control(ctx, std::move(out));
}

void Ledger::take_effect(Context& ctx, ControlOutcome& out) {
  assert(out.votes == control_quorum(out.entry, reference_));
  // Judge the entry against the state at this point of the order, not at
  // its first vote: a cut-off with other bytes may have closed its date.
  out.status = check_control(out.entry, out.entry_digest, out.reason, out.field);
  if (out.status != ControlStatus::kPending) return;
  const std::optional<BusinessDate> closes = cut_off_date(out.entry);
  if (closes) {
    apply_cut_off(ctx, out, *closes);
  } else if (const Funding* f = std::get_if<Funding>(&out.entry)) {
    apply_funding(ctx, out, *f);
  } else {
    apply_suspension(out, std::get<SuspensionChange>(out.entry));
  }
  out.status = out.reason == Reason::kNone ? ControlStatus::kApplied : ControlStatus::kRejected;
  if (out.status != ControlStatus::kApplied || closes) return;
  const ControlRef& reference = std::holds_alternative<Funding>(out.entry)
                                    ? std::get<Funding>(out.entry).reference
                                    : std::get<SuspensionChange>(out.entry).reference;
  [[maybe_unused]] const bool fresh = applied_refs_.emplace(reference, out.entry_digest).second;
  assert(fresh);
}

void Ledger::expire_controls(Context& ctx) {
  std::vector<DroppedVote> expired;
  votes_.expire(ctx.epoch, expired);
  for (const DroppedVote& d : expired) record_dropped(ctx, d, 0);
}

void Ledger::record_dropped(Context& ctx, const DroppedVote& d, std::uint32_t index) {
  ControlOutcome out;
  out.proposer = d.proposer;
  out.entry_index = d.proposer == kNoProposer ? 0 : index;
  out.entry = d.entry;
  out.entry_digest = d.digest;
  out.status = d.reason == Reason::kControlExpired ? ControlStatus::kExpired
                                                   : ControlStatus::kWithdrawn;
  out.votes = d.votes_left;
  out.reason = d.reason;
  record_control(ctx, std::move(out));
}

void Ledger::record_control(Context& ctx, ControlOutcome&& out) {
  // Every vote's outcome is in the chain, so equal digests imply equal
  // pending votes, not only equal balances.
  epoch_hasher_.update(Record().u8('C').u16(out.proposer).u32(out.entry_index)
                           .u8(static_cast<std::uint8_t>(out.status)).u16(out.votes)
                           .u8(static_cast<std::uint8_t>(out.reason)).text(out.field)
                           .bytes(out.entry_digest).view());
  ctx.result.controls.push_back(std::move(out));
}

}  // namespace quorumclear::settlement
