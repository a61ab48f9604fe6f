#pragma once
// The clearing ledger: a pure, deterministic state machine fed the decided
// epochs of the quorum engine, in order. Every honest node that applies the
// same epochs to the same genesis holds the same state and the same digest.
//
//   Ledger ledger(reference, options);
//   EpochResult r = ledger.apply(epoch, batches);   // batches: proposer + bytes
//   r.trades / r.positions / r.cash / r.balances / r.reports -> one DB transaction
//   r.state_digest -> signed with the epoch
//
// Rules applied to each trade report, in order (first failure wins):
//   key: submitter known, trade id well-formed, submitter runs the proposing
//        node (if genesis binds them) -> else REJECTED without taking the key
//   known key: same content hash as its current or any superseded version
//        -> DUPLICATE (no-op); current version CONFIRMED or AFFIRMED ->
//        DUPLICATE_CONFLICT; 16 versions -> VERSION_LIMIT (both unkeyed);
//        otherwise the report is the key's next version (a correction)
//   stateless validation (validation.h); business date: trade_date > open
//        date -> TRADE_DATE_NOT_OPEN; closed by more than the genesis
//        late_trade_window_days business days -> TRADE_DATE_TOO_OLD. A first
//        version failing here is REJECTED under its key; a later version is
//        refused without taking it, and the current version stays as it was
//   then matching (below), which books a trade only when both sides agree.
// Booking a matched or locked-in trade, at the point of the order where it
// matches: roll (below; the late-trade window again), suspended instrument,
// limits (net position, gross notional, gross quantity, each of buyer then
// seller), position/cash overflow (cannot happen within the limits genesis
// accepts) -> REJECTED; otherwise CONFIRMED: buyer +q and -consideration,
// seller the opposite, booked on the (possibly rolled) settlement date.
// Roll rule: a trade whose trade date is already closed takes the open
// business date as its business (trade) date and keeps its settlement cycle:
// settlement date = open date + (business days from its trade date to its
// settlement date). E.g. a T+1 trade for Monday matched after Monday's
// cut-off is booked Tuesday and settles Wednesday.
//
// Matching. A report from a clearing member that is its buyer or seller is
// an allegation against the other party. Its match key is (trade id, buyer,
// seller); it pairs with the other party's live report under the same trade
// id naming the same buyer and seller, and with nothing else, so a third
// member's report cannot disturb two members' match. Paired reports equal in
// every economic field (matching.h) book the trade once: both CONFIRMED (or
// both REJECTED if booking refuses it). Paired reports that differ are both
// MISMATCHED, naming the first differing field; they stay live, and a
// correction (next version) by either side pairs again. An unpaired report is
// ALLEGED. A report from a trading venue for two members it may submit for
// is locked-in: booked at once. A bilateral report whose match key is a
// locked-in trade's is AFFIRMED if equal (books nothing), else REJECTED
// LOCKED_IN_MISMATCH; live reports of that key are resolved alike when the
// venue trade is booked, and a venue trade whose key two reports already
// matched is REJECTED ALREADY_MATCHED. A live report counts against its
// submitter's max_open_reports_per_member (ALLEGATION_LIMIT, unkeyed); it
// expires (UNMATCHED_EXPIRED) at the cut-off of its arrival business date
// plus allegation_expiry_days. A cancel withdraws the submitter's live report
// (CANCELLED; a paired MISMATCHED counterparty report becomes ALLEGED again);
// after matching it is refused (ALREADY_MATCHED). A cancelled, expired or
// rejected key takes a corrected version like a live one.
//
// Control entries (cut-off, funding, suspension, scheduled cut-off) are
// votes. The operator sends its request to every node and each honest node
// proposes it; an entry TAKES EFFECT at the point of the agreed order where
// the q-th distinct proposer proposes identical canonical bytes, q being
// the entry's quorum (control_quorum): f+1 for the operator's entries
// (f = floor((n-1)/3), n = genesis node_count). f+1 proposers include an
// honest one, which authenticated the operator, so no f Byzantine nodes can
// cut off, fund or suspend on their own. A scheduled cut-off (kind 6) names
// no operator: each node proposes it for the open date once its own clock
// passes the genesis cut-off time, and re-proposes it every epoch until the
// date closes; its quorum is 2f+1, so f Byzantine votes plus one honest
// fast clock (f+1) cannot close the day, while the n - f >= 2f+1 honest
// clocks get there alone. Both kinds close the open date with the same
// effects (settlement run, roll, expiry); whichever reaches its quorum first
// closes it, and every later vote of either kind for that date is
// ALREADY_APPLIED. Per vote, in order (first failure wins):
//   proposer not below n -> REJECTED PROPOSER_UNKNOWN (not counted)
//   operator_id not an OPERATOR (not for a scheduled cut-off), malformed
//        reference, unknown member, asset or ISIN, amount <= 0, a cut-off
//        of either kind for a future date -> REJECTED
//   identity already decided: cut-off of either kind for a closed date, or
//        a reference applied before with the same bytes -> ALREADY_APPLIED
//        (no-op); with other bytes -> REJECTED CONTROL_REF_CONFLICT
//   the proposer voted for these bytes before -> REPEATED_VOTE (counts once)
//   fewer than q distinct voters -> PENDING; exactly q -> re-checked
//        against the state at this point and APPLIED (or refused).
// Pending state is bounded: a pending entry EXPIRES kControlPendingEpochs
// after its first vote, and each proposer's votes beyond
// kControlVotesPerProposerMax withdraw its oldest (WITHDRAWN). Neither
// costs a scheduled cut-off its liveness: its re-proposals are
// REPEATED_VOTEs, which take no quota, and after an expiry (or a
// withdrawal) the next re-proposals count afresh, so it takes effect once
// 2f+1 nodes' proposals fall within one 16-epoch window, as they do once
// 2f+1 honest clocks have passed the cut-off time, however far apart.

#include "settlement/codec.h"
#include "settlement/control_votes.h"
#include "settlement/digest.h"
#include "settlement/dvp.h"
#include "settlement/matching.h"
#include "settlement/netting.h"
#include "settlement/positions.h"
#include "settlement/reference_data.h"
#include "settlement/trade_registry.h"

#include <array>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace quorumclear::settlement {

/// One proposer's batch as the quorum decided it: untrusted bytes.
struct EpochBatch {
  std::uint16_t proposer = 0;
  ByteView bytes;
};

enum class TradeOutcomeKind : std::uint8_t {
  kConfirmed,        // matched (this report was the second side) or locked-in: booked
  kRejected,         // recorded under its key: trades row with status REJECTED
  kRejectedUnkeyed,  // could not take its key (conflict, bad key, limits): trade_rejections row
  kDuplicate,        // same key and content as a decided version: nothing changes
  kAlleged,          // live: no counterparty report pairs with it yet
  kMismatched,       // live: paired with a counterparty report differing in `field`
  kAffirmed,         // a bilateral report of a locked-in trade: books nothing
  kCancelled,        // a cancel entry that withdrew the submitter's live report
};
/// The trades.status a report outcome leaves (kConfirmed for kConfirmed, ...).
/// Precondition: kind is not kRejectedUnkeyed or kDuplicate.
[[nodiscard]] TradeStatus status_of(TradeOutcomeKind kind);

struct TradeOutcome {
  std::uint16_t proposer = 0;
  std::uint32_t entry_index = 0;
  TradeOutcomeKind kind = TradeOutcomeKind::kConfirmed;
  Reason reason = Reason::kNone;
  std::string_view field;
  /// As submitted; for a cancel entry only trade_id and submitter are set.
  Trade trade;
  bool cancel = false;
  /// The version this report took, or the version a cancel withdrew (or a
  /// duplicate repeated); 0 when unkeyed.
  std::uint8_t version = 0;
  /// The report it paired with: the counterparty's (kConfirmed bilateral,
  /// kMismatched, kRejected at booking) or the venue trade's (kAffirmed,
  /// REJECTED LOCKED_IN_MISMATCH).
  std::optional<MemberIndex> paired_with;
  std::uint8_t paired_version = 0;
  Digest content_hash{};          // a cancel: SHA-256 of its entry bytes, kind byte first
  AmountMinor consideration;      // 0 unless validation got that far
  /// The price at the instrument's scale, what matching compared and
  /// booking used (trades.price); 0 unless validation got that far.
  Price price;
  BusinessDate business_date;     // effective, after any roll
  BusinessDate settlement_date;   // effective, after any roll
  bool rolled = false;
};

/// A report decided earlier changing status because of a later entry, or a
/// cut-off (expiry). Applied in order, right after the entry that caused it.
struct ReportTransition {
  /// Index of the causing entry's outcome in EpochResult::trades, or, when
  /// `by_cut_off`, of the applied cut-off vote in EpochResult::controls.
  std::uint32_t cause = 0;
  bool by_cut_off = false;
  MemberIndex submitter;
  TradeId trade_id;
  std::uint8_t version = 0;
  /// kConfirmed, kRejected, kMismatched, kAlleged (its mismatched partner
  /// withdrew), kAffirmed, kExpired or kReplaced (a newer version came).
  TradeStatus status = TradeStatus::kAlleged;
  Reason reason = Reason::kNone;
  std::string_view field;
  std::optional<MemberIndex> paired_with;
  std::uint8_t paired_version = 0;
  BusinessDate business_date;    // effective when kConfirmed
  BusinessDate settlement_date;  // effective when kConfirmed
};

/// A report still unmatched at a cut-off, or expired by it.
struct UnmatchedReport {
  MemberIndex submitter;
  MemberIndex counterparty;
  TradeId trade_id;
  std::uint8_t version = 0;
  TradeStatus status = TradeStatus::kAlleged;  // kAlleged, kMismatched or kExpired
  std::string_view field;                      // the differing field while kMismatched
  BusinessDate business_date;                  // open when it arrived
};

/// Counters for metrics; totals since genesis, the open count now.
struct MatchingStats {
  std::uint64_t matched = 0;      // bilateral trades booked (two reports each)
  std::uint64_t locked_in = 0;    // venue trades booked
  std::uint64_t affirmed = 0;
  std::uint64_t mismatched = 0;   // reports that became MISMATCHED
  std::uint64_t cancelled = 0;
  std::uint64_t expired = 0;
  std::uint64_t refused_over_limit = 0;
  std::size_t open_reports = 0;
};

/// What a vote for a control entry did (see the rules above; q is the
/// entry's quorum, control_quorum).
enum class ControlStatus : std::uint8_t {
  kRejected,        // invalid or unauthorised, or refused when it reached q
  kPending,         // vote counted; fewer than q distinct proposers so far
  kRepeatedVote,    // this proposer voted for these bytes before: no-op
  kApplied,         // the q-th distinct proposer: the entry took effect here
  kAlreadyApplied,  // cut-off date closed / reference applied: no-op
  kWithdrawn,       // the proposer's oldest pending vote, pushed out by its quota
  kExpired,         // the pending entry aged out (proposer kNoProposer)
};
/// UPPER_SNAKE, e.g. "ALREADY_APPLIED".
[[nodiscard]] std::string_view to_string(ControlStatus status);

/// The kinds of control entry, as the store's control_votes.kind names them.
enum class ControlKind : std::uint8_t {
  kCutOff,           // the operator's (codec kind 2)
  kScheduledCutOff,  // the nodes' own, at the genesis cut-off time (kind 6)
  kFunding,
  kSuspension,
};
/// "CUTOFF", "SCHEDULED_CUTOFF", "FUNDING" or "SUSPENSION".
[[nodiscard]] std::string_view to_string(ControlKind kind);
/// The kind of a control entry; empty for a trade report or a cancel.
[[nodiscard]] std::optional<ControlKind> control_kind(const Entry& entry);
/// The date a cut-off of either kind closes; empty for other entries.
[[nodiscard]] std::optional<BusinessDate> cut_off_date(const Entry& entry);
/// The distinct proposers a control entry needs to take effect: 2f+1 for a
/// scheduled cut-off, f+1 for the operator's entries.
[[nodiscard]] std::size_t control_quorum(const Entry& entry, const ReferenceData& reference);

/// One vote for a cut-off (either kind), funding or suspension entry, or the
/// expiry of a pending one, and what became of it.
struct ControlOutcome {
  std::uint16_t proposer = 0;     // kNoProposer for kExpired
  std::uint32_t entry_index = 0;  // kWithdrawn: the vote that pushed it out
  Entry entry;
  Digest entry_digest{};          // SHA-256 of the entry's canonical bytes
  ControlStatus status = ControlStatus::kRejected;
  /// Distinct proposers counted for these bytes after this outcome (the
  /// entry's quorum when applied; 0 when rejected before counting or when
  /// dropped).
  std::uint16_t votes = 0;
  Reason reason = Reason::kNone;
  std::string_view field;
  [[nodiscard]] bool applied() const { return status == ControlStatus::kApplied; }
  /// The entry's kind (a control outcome always holds a control entry).
  [[nodiscard]] ControlKind kind() const { return *control_kind(entry); }
};

struct BatchRejection {
  std::uint16_t proposer = 0;
  Reason reason = Reason::kBatchUndecodable;
  DecodeError error = DecodeError::kNone;
  std::size_t offset = 0;
};

/// Final values of the rows an epoch changed (upsert them as they are).
struct PositionRow {
  MemberIndex member;
  InstrumentIndex instrument;
  BusinessDate settlement_date;
  std::int64_t bought = 0;
  std::int64_t sold = 0;
  std::int64_t paid_minor = 0;      // what its buys in this instrument cost
  std::int64_t received_minor = 0;  // what its sales in this instrument brought
};
struct CashRow {
  MemberIndex member;
  CurrencyIndex currency;
  BusinessDate settlement_date;
  std::int64_t received = 0;
  std::int64_t paid = 0;
};
struct BalanceRow {
  AccountIndex account;  // == reference().ccp_account() for the CCP
  AssetKind kind = AssetKind::kCash;
  std::uint32_t asset = 0;
  std::int64_t amount = 0;
};

enum class RunStatus : std::uint8_t { kSettled, kPartiallySettled };

/// A settlement run: netting of one settlement date plus its DvP outcome.
struct SettlementReport {
  BusinessDate business_date;    // the date the cut-off closed
  BusinessDate settlement_date;  // == business_date: its trades are all in
  std::uint64_t cutoff_epoch = 0;
  std::vector<Obligation> obligations;  // fresh then carried, each with status
  std::vector<CurrencyTotals> totals;
  /// Every report live at the cut-off and every one it expired, by submitter
  /// index then trade id: what each member still has to answer or correct.
  std::vector<UnmatchedReport> unmatched;
  RunStatus status = RunStatus::kSettled;
  Digest digest{};
};

enum class ApplyStatus : std::uint8_t {
  kApplied,
  kAlreadyApplied,  // epoch <= last applied: nothing changed
  kOutOfOrder,      // epoch skips ahead: nothing changed; caller bug
};

struct [[nodiscard]] EpochResult {
  ApplyStatus status = ApplyStatus::kApplied;
  std::uint64_t epoch = 0;
  std::vector<TradeOutcome> trades;
  std::vector<ReportTransition> transitions;
  std::vector<ControlOutcome> controls;
  std::vector<BatchRejection> rejected_batches;
  std::vector<PositionRow> positions;
  std::vector<CashRow> cash;
  std::vector<BalanceRow> balances;
  std::vector<SettlementReport> reports;
  BusinessDate open_business_date;
  Digest state_digest{};
};

struct LedgerOptions {
  /// Per-node secret for the trade-id hash table (trade_registry.h); any
  /// value is correct, a secret one resists crafted collisions.
  std::array<std::uint64_t, 2> hash_key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  /// Re-check invariants over the whole state after every epoch (debug and
  /// simulation builds), not only over what the epoch touched.
  bool check_whole_state = false;
  /// Capacity hint for the trade registry.
  std::size_t expected_trades = 0;
};

/// SHA-256 of a report's canonical form (member, ISIN and currency codes, not
/// indices): what 2f+1 nodes sign and settlement_runs.report_digest stores.
[[nodiscard]] Digest report_digest(const SettlementReport& report, const ReferenceData& reference);

/// Where a ledger stands, as the rows an epoch's result lists for what it
/// touched: every non-empty position and cash cell of every date the ledger
/// holds and every non-zero balance, sorted by key. A node rebuilt from a
/// checkpoint writes them in place of the epochs it never applied.
struct LedgerStateRows {
  std::vector<PositionRow> positions;  // by (settlement date, member, instrument)
  std::vector<CashRow> cash;           // by (settlement date, member, currency)
  std::vector<BalanceRow> balances;    // by (account, kind, asset)
};

class Ledger {
 public:
  explicit Ledger(ReferenceData reference, LedgerOptions options = {});

  /// Applies decided epoch `epoch` (0, 1, 2, ... in order). Undecodable
  /// batches are recorded and skipped; nothing a batch holds can crash it.
  EpochResult apply(std::uint64_t epoch, std::span<const EpochBatch> batches);

  [[nodiscard]] std::optional<std::uint64_t> last_applied_epoch() const { return last_epoch_; }
  [[nodiscard]] BusinessDate open_business_date() const { return open_date_; }
  /// Hash chain over genesis and every epoch's canonical changes (see README).
  [[nodiscard]] const Digest& state_digest() const { return state_digest_; }
  /// SHA-256 of the whole business state (trades, positions, balances, open
  /// obligations, limits used, suspensions, open date, pending control
  /// votes, applied control references; not the epoch
  /// counter) in canonical order, recomputed from scratch: slow; for audits
  /// and tests that compare two ledgers. Not what a checkpoint signs: that
  /// is snapshot_digest over encode_snapshot (snapshot.h), every field.
  [[nodiscard]] Digest business_state_digest() const;

  [[nodiscard]] const ReferenceData& reference() const { return reference_; }
  [[nodiscard]] const LedgerOptions& options() const { return options_; }
  [[nodiscard]] PositionCell position(MemberIndex m, InstrumentIndex i, BusinessDate date) const;
  [[nodiscard]] LedgerStateRows state_rows() const;
  [[nodiscard]] CashCell cash_position(MemberIndex m, CurrencyIndex c, BusinessDate date) const;
  [[nodiscard]] std::int64_t balance(AccountIndex a, AssetKind kind, std::uint32_t asset) const {
    return balances_.get(a, kind, asset);
  }
  /// Genesis holdings plus all funding: what the balances must add up to.
  [[nodiscard]] std::int64_t total_supply(AssetKind kind, std::uint32_t asset) const;
  /// The CCP's own liquidity (genesis and funding to kCcpAccountId). The CCP
  /// account always holds exactly this plus the default fund plus the open
  /// obligations (securities, their value legs and unpaid marks).
  [[nodiscard]] std::int64_t ccp_capital(AssetKind kind, std::uint32_t asset) const;
  /// The default fund in currency `c`: every member's genesis contribution.
  [[nodiscard]] std::int64_t default_fund(CurrencyIndex c) const { return default_fund_.at(c.value); }
  /// Open fails: securities remainders with their value legs, unpaid marks.
  [[nodiscard]] const std::vector<Obligation>& carried_obligations() const { return carried_; }
  [[nodiscard]] const TradeRecord* find_trade(MemberIndex submitter, std::string_view id) const {
    return registry_.find(submitter, id);
  }
  /// Report keys decided (every status), not booked trades.
  [[nodiscard]] std::size_t trade_count() const { return registry_.size(); }
  [[nodiscard]] MatchingStats matching_stats() const;
  /// The live report of a key, or nullptr.
  [[nodiscard]] const OpenReport* open_report(MemberIndex submitter, std::string_view id) const;
  [[nodiscard]] bool suspended(InstrumentIndex i) const { return suspended_.at(i.value) != 0; }
  /// Control entries with votes from fewer than their quorum of distinct proposers.
  [[nodiscard]] const ControlVotes& pending_controls() const { return votes_; }

  /// Asserts the invariants (README): positions and cash sum to zero per
  /// asset and date, gross equals what buyers pay, balances are non-negative
  /// and add up to the supply, the CCP holds exactly the open obligations.
  void check_invariants(bool whole_state) const;
  /// The first of those invariants that fails, or nullptr: for a state that
  /// came from elsewhere (a snapshot), where failing is an answer, not a bug.
  [[nodiscard]] const char* first_violation(bool whole_state) const;

 private:
  struct Context;  // per-epoch scratch, defined in ledger.cc

  void apply_entry(Context& ctx, std::uint16_t proposer, std::uint32_t index, const Entry& entry,
                   ByteView entry_bytes);
  void apply_control(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                     const Entry& entry, ByteView entry_bytes);
  ControlStatus check_control(const Entry& entry, const Digest& digest, Reason& reason,
                              std::string_view& field) const;
  void take_effect(Context& ctx, ControlOutcome& out);
  void expire_controls(Context& ctx);
  void record_dropped(Context& ctx, const DroppedVote& dropped, std::uint32_t index);
  void record_control(Context& ctx, ControlOutcome&& out);
  void apply_trade(Context& ctx, std::uint16_t proposer, std::uint32_t index, const Trade& trade,
                   ByteView encoded);
  void apply_cancel(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                    const TradeCancel& cancel, ByteView entry_bytes);
  struct Arrival;  // a report that passed its arrival checks (ledger_match.cc)
  /// A new status for a live report, decided by a later entry or a cut-off.
  struct ReportChange {
    TradeStatus status;
    Reason reason = Reason::kNone;
    std::string_view field{};
    std::optional<MemberIndex> paired_with{};
    std::uint8_t paired_version = 0;
    bool booked = false;  // confirmed: these are its effective dates
    BusinessDate business_date{};
    BusinessDate settlement_date{};
  };
  void match_bilateral(Context& ctx, Arrival& a);
  void book_locked_in(Context& ctx, Arrival& a);
  Reason book_matched(Context& ctx, const Arrival& a);
  void record_version(Context& ctx, Arrival& a);
  void resolve_by_locked_in(Context& ctx, const Arrival& a, MemberIndex party);
  void change_report(Context& ctx, std::uint32_t record, const ReportChange& change,
                     std::uint32_t cause, bool by_cut_off);
  void revert_if_unpaired(Context& ctx, std::uint32_t record, std::uint32_t cause,
                          bool by_cut_off);
  /// `party`'s live report under `id` naming `buyer` and `seller`: the only
  /// report one with that match key pairs with.
  [[nodiscard]] std::optional<std::uint32_t> live_report(MemberIndex party, std::string_view id,
                                                         MemberIndex buyer,
                                                         MemberIndex seller) const;
  /// The live report record `r` pairs with, if any.
  [[nodiscard]] std::optional<std::uint32_t> partner_of(const TradeRecord& r) const;
  void expire_reports(Context& ctx, BusinessDate closing, SettlementReport& report);
  void hash_transition(const ReportTransition& t);
  [[nodiscard]] const char* matching_violation() const;
  void roll(const Trade& trade, TradeOutcome& out) const;
  Reason book_trade(Context& ctx, const ValidTrade& v, Quantity quantity, BusinessDate settle,
                    std::string_view& field);
  // Effects, called once an entry has its quorum and passed check_control.
  /// Closes open date `date` (a cut-off of either kind).
  void apply_cut_off(Context& ctx, ControlOutcome& out, BusinessDate date);
  void apply_funding(Context& ctx, ControlOutcome& out, const Funding& funding);
  void apply_suspension(ControlOutcome& out, const SuspensionChange& change);
  SettlementReport run_settlement(Context& ctx, BusinessDate date);
  DateBook& book_for(BusinessDate date);
  void prefetch_trade_slot(const Entry& entry) const;
  void hash_trade_outcome(const TradeOutcome& outcome);
  void finish_epoch(Context& ctx);
  void check_books(const std::vector<BusinessDate>& dates) const;
  void check_balances() const;
  [[nodiscard]] const char* books_violation(const std::vector<BusinessDate>& dates) const;
  [[nodiscard]] const char* balances_violation() const;
  friend class SnapshotCodec;  // snapshot.cc: reads and restores every field

  ReferenceData reference_;
  LedgerOptions options_;
  std::optional<std::uint64_t> last_epoch_;
  BusinessDate open_date_;
  std::map<BusinessDate, DateBook> books_;
  DateBook* last_book_ = nullptr;  // cache: consecutive trades mostly share a date
  BusinessDate last_book_date_;
  TradeRegistry registry_;
  OpenReports open_;
  std::vector<ReportFields> locked_fields_;  // of booked venue trades, by TradeRecord::slot
  MatchingStats stats_;
  Balances balances_;
  std::vector<std::int64_t> supply_securities_;  // per instrument
  std::vector<std::int64_t> supply_cash_;        // per currency
  std::vector<std::int64_t> capital_securities_; // the CCP's own, per instrument
  std::vector<std::int64_t> capital_cash_;       // the CCP's own, per currency
  std::vector<std::int64_t> default_fund_;       // members' contributions, per currency
  std::vector<std::int64_t> gross_today_;        // member * currencies + currency, open date
  std::vector<std::int64_t> gross_quantity_today_;  // per member: units bought + sold, open date
  std::vector<std::uint8_t> suspended_;          // per instrument
  std::vector<Obligation> carried_;              // failed, awaiting the next run
  ControlVotes votes_;                           // control entries below their quorum
  /// Funding and suspension references applied, with their entries' digests.
  /// Grows only with the operator's requests: each took f+1 votes, one honest.
  std::map<ControlRef, Digest> applied_refs_;
  Digest state_digest_{};
  Sha256 epoch_hasher_;
  Sha256 trade_hasher_;
};

}  // namespace quorumclear::settlement
