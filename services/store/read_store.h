#pragma once
// What the REST API reads: the rows apply_epoch wrote (node_store.h) and the
// received reports the API inserted, as plain structs in the settlement
// vocabulary, through a connection of its own.
//
//   ReadStore reads(url);                          // connects; throws StoreUnavailable
//   std::vector<KeyState> k = reads.key_states("A", ids);   // before a 202
//   Page<TradeRow> p = reads.trades(std::nullopt, {}, {}, "", 100);
//   p = reads.trades(std::nullopt, {}, {}, p.next_cursor, 100);   // the next page
//
// Threading: a ReadStore is used by one thread at a time; the node keeps a
// small pool of them for its HTTP threads. Each call reads one snapshot
// (a read-only REPEATABLE READ transaction), so its queries agree with one
// another even while an epoch commits. Timeouts, reconnects and errors are
// NodeStore's (StoreOptions, store_errors.h): StoreUnavailable when the
// database cannot answer in time, and the next call reconnects.
//
// Scopes. Every list takes a Scope: a member sees only its own rows (its
// reports, positions, obligations), nullopt sees every member's (the
// operator and the regulator; the API decides who may pass it).
//
// Pages. Lists are in a stable key order and paged by keyset: a page holds
// up to `limit` rows (1..kReadPageMax) and, when more follow, a next_cursor
// naming its last key. A cursor is opaque (base64url); it is bound to the
// list and the filters it was issued for, so a cursor this store did not
// issue for this very query throws InvalidCursor. A row that appears or
// changes between two pages is seen at most once, in the page its key
// falls in.
//
// Dates are settlement::BusinessDate (days since 1970-01-01); money is in
// minor units of its currency, with the currency's minor units beside it so
// that the API can write it as a decimal without reference data.

#include "services/store/node_store.h"
#include "settlement/ledger.h"
#include "settlement/netting.h"
#include "settlement/trade_registry.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::store {

/// A cursor that this store did not issue for this list and these filters
/// (malformed, tampered, or from another query). The caller's mistake:
/// answer 400, never retry it.
class InvalidCursor : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Whose rows a list shows: one member's, or everyone's (nullopt).
using Scope = std::optional<settlement::MemberId>;

/// Rows per page, at most (a page's `limit` is 1..this).
inline constexpr std::uint32_t kReadPageMax = 1000;
/// Audit links per page, at most.
inline constexpr std::uint32_t kAuditPageMax = 100;
/// An audit page stops before the epoch that would take its report outcomes
/// past this many (epochs.trade_count); its first epoch is always whole.
inline constexpr std::uint64_t kAuditOutcomesMax = 50'000;
/// Trade ids per key_states call: the bulk submission's maximum.
inline constexpr std::size_t kKeyStatesMax = 10'000;

/// One page of a list.
template <class T>
struct Page {
  std::vector<T> items;
  /// For the next page of the same query; empty when this is the last.
  std::string next_cursor;
};

// ---- Submission --------------------------------------------------------------

/// What an epoch decided for one version of a report.
struct DecidedVersion {
  std::uint8_t version = 1;
  settlement::TradeStatus status = settlement::TradeStatus::kAlleged;
  settlement::Reason reason = settlement::Reason::kNone;
  std::string field;  // with reason; may be empty
  /// The epoch the version arrived in (was first decided).
  std::uint64_t epoch = 0;
  /// The epoch its status last changed in, when that came later (or in
  /// the same epoch, after its arrival); none if it never changed.
  std::optional<std::uint64_t> status_epoch;
};

/// A received report or cancel of a key that no applied epoch answered.
struct PendingEntry {
  Digest content_hash{};  // as ReceivedReport::content_hash
  bool is_cancel = false;
};

/// What the node knows of one (submitter, trade id) before answering a
/// submission: enough to tell new, duplicate, correction and conflict.
struct KeyState {
  settlement::TradeId trade_id;
  /// The highest decided version; none if no epoch decided the key.
  std::optional<DecidedVersion> current;
  /// trades.content_hash of every decided version, by version.
  std::vector<Digest> decided_hashes;
  /// Every received_reports row of the key, by content hash.
  std::vector<PendingEntry> pending;
};

// ---- Trades ------------------------------------------------------------------

/// The other party's side of a bilateral report.
struct CounterpartySide {
  settlement::MemberId member;  // the buyer or seller that is not the submitter
  /// The status of its current report under the same trade id naming the
  /// same buyer and seller; none if it has no such report (decided here).
  std::optional<settlement::TradeStatus> status;
  std::uint8_t version = 0;  // of that report; 0 without one
};

/// The current version of one member's report.
struct TradeRow {
  /// As submitted; `price` and `price_scale` as stored: at the instrument's
  /// scale once validation priced the report, else as submitted.
  settlement::Trade report;
  /// None: RECEIVED, acknowledged by this node and not yet decided.
  std::optional<settlement::TradeStatus> status;
  settlement::Reason reason = settlement::Reason::kNone;
  std::string field;
  std::uint8_t version = 1;
  /// The epoch the version arrived in; none while RECEIVED.
  std::optional<std::uint64_t> epoch;
  /// The epoch its status last changed in (DecidedVersion::status_epoch).
  std::optional<std::uint64_t> status_epoch;
  /// quantity x price in minor units; 0 until validation priced it.
  settlement::AmountMinor consideration;
  /// Of report.currency; none for a refused report's unknown currency.
  std::optional<std::uint8_t> currency_minor_units;
  /// Submitted by a trading venue (trades.report_kind LOCKED_IN).
  bool locked_in = false;
  /// The submitter of the report this one paired with (trades.matched_submitter).
  std::optional<settlement::MemberId> matched_submitter;
  /// Once booked: the dates it was booked on, after any roll.
  std::optional<settlement::BusinessDate> booked_business_date;
  std::optional<settlement::BusinessDate> booked_settlement_date;
  /// trade() only, bilateral reports only; lists leave it empty.
  std::optional<CounterpartySide> counterparty;
};

// ---- Holdings ----------------------------------------------------------------

/// A positions row: one member's traded position in one instrument for one
/// settlement date.
struct PositionRow {
  settlement::MemberId member;
  settlement::Isin isin;
  settlement::BusinessDate settlement_date;
  std::int64_t bought = 0;
  std::int64_t sold = 0;
  std::int64_t net = 0;             // bought - sold
  std::int64_t paid_minor = 0;      // what its buys cost
  std::int64_t received_minor = 0;  // what its sales brought
  settlement::CurrencyCode currency;  // the instrument's
  std::uint8_t minor_units = 0;       // of currency
  std::uint64_t last_epoch = 0;       // that changed it
};

/// A cash_positions row.
struct CashRow {
  settlement::MemberId member;
  settlement::CurrencyCode currency;
  settlement::BusinessDate settlement_date;
  std::int64_t received_minor = 0;
  std::int64_t paid_minor = 0;
  std::int64_t net_minor = 0;  // received - paid
  std::uint8_t minor_units = 0;
  std::uint64_t last_epoch = 0;
};

/// A securities_balances or cash_balances row.
struct BalanceRow {
  settlement::MemberId account;  // a member, or settlement::kCcpAccountId
  settlement::AssetKind kind = settlement::AssetKind::kCash;
  settlement::AssetCode asset;  // an ISIN or a currency code, by kind
  std::int64_t amount = 0;      // units, or minor units
  std::uint8_t minor_units = 0;  // cash: the currency's; securities: 0
};

// ---- Settlement runs -----------------------------------------------------------

/// A settlement_run_totals row with its netting efficiency.
struct RunTotalsRow {
  settlement::CurrencyCode currency;
  std::uint8_t minor_units = 0;
  std::int64_t gross_minor = 0;
  std::int64_t net_minor = 0;
  std::uint32_t trade_count = 0;
  /// settlement::netting_efficiency_bps(gross, net): not stored, derived.
  std::uint32_t efficiency_bps = 0;
};

/// A settlement run and its totals per currency.
struct RunRow {
  settlement::BusinessDate business_date;    // the date its cut-off closed
  settlement::BusinessDate settlement_date;  // == business_date
  std::uint64_t cutoff_epoch = 0;
  settlement::RunStatus status = settlement::RunStatus::kSettled;
  Digest report_digest{};
  std::vector<RunTotalsRow> totals;  // by currency code
};

/// A net_obligations row: one settlement instruction against the CCP.
struct ObligationRow {
  settlement::MemberId member;
  settlement::AssetKind kind = settlement::AssetKind::kSecurities;
  settlement::AssetCode asset;        // an ISIN or a currency code, by kind
  settlement::CurrencyCode currency;  // of value and mark (the instrument's, or asset)
  std::uint8_t minor_units = 0;       // of currency
  settlement::Direction direction = settlement::Direction::kDeliver;  // settlement::direction
  settlement::BusinessDate settlement_date;
  settlement::BusinessDate origin_date;  // earlier when carried after a fail
  std::int64_t net_amount = 0;           // > 0: the member receives
  std::int64_t price_minor = 0;
  std::int64_t value_minor = 0;
  std::int64_t mark_minor = 0;
  std::int64_t settled_amount = 0;
  std::int64_t settled_mark_minor = 0;
  settlement::ObligationStatus status = settlement::ObligationStatus::kPending;
  settlement::Reason fail_reason = settlement::Reason::kNone;
};

/// A settlement_unmatched_reports row.
struct UnmatchedRow {
  settlement::MemberId submitter;
  settlement::MemberId counterparty;
  settlement::TradeId trade_id;
  std::uint8_t version = 1;
  settlement::TradeStatus status = settlement::TradeStatus::kAlleged;  // kAlleged, kMismatched, kExpired
  std::string field;                          // the differing field while mismatched
  settlement::BusinessDate report_business_date;  // open when it arrived
};

/// One run with its instructions and unmatched reports (scoped).
struct RunDetail {
  RunRow run;
  std::vector<ObligationRow> obligations;  // by member, securities first, asset, origin
  std::vector<UnmatchedRow> unmatched;     // by submitter, trade id
  /// A member's read: its obligation proof (encode_obligation_proof) under
  /// the cut-off epoch's obligations root. Empty otherwise, and for runs
  /// stored without one.
  std::optional<Bytes> proof;
};

// ---- Chain -------------------------------------------------------------------

/// An epochs row and the signatures this node holds for it.
struct EpochRow {
  std::uint64_t epoch = 0;
  Digest output_digest{};
  Digest state_digest{};
  Digest audit_head{};
  Digest snapshot_digest{};   // zero when the epoch is no checkpoint
  Digest obligations_root{};  // zero when it closed no business date
  std::uint32_t batch_count = 0;
  /// Report and cancel outcomes; none for the checkpoint a rebuilt node's
  /// history starts at (schema/0013: it took the state, not the outcomes).
  std::optional<std::uint32_t> trade_count;
  std::vector<EpochSignature> signatures;  // by node id; verified before stored
  /// At least 2f + 1 of them (f from the network's node_count).
  bool certified = false;
};

/// control_votes.kind.
enum class ControlKind : std::uint8_t { kCutOff, kScheduledCutOff, kFunding, kSuspension };
/// "CUTOFF", "SCHEDULED_CUTOFF", "FUNDING", "SUSPENSION".
[[nodiscard]] std::string_view to_string(ControlKind kind);

/// A report version an epoch decided or changed. The schema keeps each
/// version's latest status only (apply_epoch UPDATEs the row), so a
/// version a later epoch changed again shows that later status, with
/// `superseded_in` naming the epoch; a change between arrival and the
/// latest one is not stored at all.
struct AuditReport {
  settlement::MemberId submitter;
  settlement::TradeId trade_id;
  std::uint8_t version = 1;
  /// True: the version arrived in this epoch. False: an earlier version's
  /// status changed in it (matched, cancelled, replaced, expired, ...).
  bool arrived = true;
  settlement::TradeStatus status = settlement::TradeStatus::kAlleged;
  settlement::Reason reason = settlement::Reason::kNone;
  std::string field;
  std::optional<std::uint64_t> superseded_in;
};

/// A report or cancel refused without taking its key (trade_rejections).
/// Submitter and trade id are as the batch carried them, bytes outside
/// printable ASCII shown as '?'.
struct AuditRefusal {
  std::uint32_t seq = 0;  // the outcome's index in the epoch
  settlement::MemberId submitter;
  settlement::TradeId trade_id;
  Digest content_hash{};
  bool cancel = false;
  settlement::Reason reason = settlement::Reason::kNone;
  std::string field;
};

/// One control vote, or the expiry of a pending entry (no proposer).
struct AuditControl {
  std::uint32_t seq = 0;
  std::optional<std::uint16_t> proposer;
  ControlKind kind = ControlKind::kCutOff;
  /// The requesting operator, read from the vote's entry in this epoch's
  /// batch; none for a scheduled cut-off, an expiry, a withdrawal, or an
  /// entry whose bytes are not in this epoch's batches.
  std::optional<settlement::MemberId> operator_id;
  std::optional<settlement::BusinessDate> business_date;  // cut-offs
  std::string reference;                                  // funding, suspension
  Digest entry_digest{};
  settlement::ControlStatus status = settlement::ControlStatus::kPending;
  std::uint16_t votes = 0;
  settlement::Reason reason = settlement::Reason::kNone;
};

/// A settlement run closed in the epoch.
struct AuditRun {
  settlement::BusinessDate business_date;
  settlement::RunStatus status = settlement::RunStatus::kSettled;
  Digest report_digest{};
};

/// One audit chain link (seq = epoch + 1) and the agreed changes the
/// epoch's rows record.
struct AuditLinkRow {
  std::uint64_t epoch = 0;
  Digest prev_hash{};
  Digest entry_hash{};  // SHA-256(prev_hash || u64be(epoch) || output || state)
  Digest output_digest{};
  Digest state_digest{};
  std::vector<AuditReport> reports;  // arrivals, then changes; each by key
  std::vector<AuditRefusal> refusals;
  std::vector<AuditControl> controls;
  std::vector<AuditRun> runs;
};

struct AuditPage {
  std::vector<AuditLinkRow> links;  // in epoch order
  /// Pass as after_epoch for the next page; none when no later link is stored yet.
  std::optional<std::uint64_t> next_after_epoch;
};

/// Where the ledger stands for the cut-off endpoint (node_state).
struct StoredOpenDate {
  settlement::BusinessDate business_date;
  std::optional<std::uint64_t> last_applied_epoch;  // none before epoch 0
};

class ReadStore {
 public:
  /// Connects to `url` (as NodeStore). Throws StoreUnavailable if the
  /// database cannot be reached.
  explicit ReadStore(std::string url, StoreOptions options = {});
  ~ReadStore();
  ReadStore(const ReadStore&) = delete;
  ReadStore& operator=(const ReadStore&) = delete;

  /// One KeyState per trade id, in order (a repeated id answers twice); an
  /// id that is no valid trade id has none of either. Two queries however
  /// many ids. Throws std::invalid_argument if `submitter` is no member id
  /// or there are more than kKeyStatesMax ids.
  [[nodiscard]] std::vector<KeyState> key_states(std::string_view submitter,
                                                 std::span<const std::string> trade_ids);

  /// The key's current decided version with the counterparty's side; if no
  /// epoch decided the key, its latest received report as RECEIVED; none
  /// if neither (or only a received cancel) exists, or trade_id is no trade id.
  [[nodiscard]] std::optional<TradeRow> trade(std::string_view submitter, std::string_view trade_id);

  /// Current decided versions by (submitter, trade id); `settlement_date`
  /// matches the booked settlement date, or the submitted one until booked.
  /// Received-only reports are not listed (trade() shows them).
  [[nodiscard]] Page<TradeRow> trades(const Scope& scope, std::optional<settlement::TradeStatus> status,
                                      std::optional<settlement::BusinessDate> settlement_date,
                                      std::string_view cursor, std::uint32_t limit);

  /// Live (ALLEGED or MISMATCHED) reports of other members naming `member`
  /// as buyer or seller, for which `member` has no live or booked report
  /// of its own under that trade id with the same buyer and seller (the
  /// only report the ledger would pair them with), by (submitter, trade id).
  [[nodiscard]] Page<TradeRow> allegations(const settlement::MemberId& member, std::string_view cursor,
                                           std::uint32_t limit);

  /// positions rows by (member, ISIN, settlement date).
  [[nodiscard]] Page<PositionRow> positions(const Scope& scope, std::optional<settlement::Isin> isin,
                                            std::optional<settlement::BusinessDate> settlement_date,
                                            std::string_view cursor, std::uint32_t limit);
  /// cash_positions rows by (member, currency, settlement date).
  [[nodiscard]] Page<CashRow> cash(const Scope& scope, std::optional<settlement::CurrencyCode> currency,
                                   std::optional<settlement::BusinessDate> settlement_date,
                                   std::string_view cursor, std::uint32_t limit);
  /// Balances by (account, kind: securities first, asset). The CCP
  /// account only when scope is nullopt.
  [[nodiscard]] Page<BalanceRow> balances(const Scope& scope, std::string_view cursor, std::uint32_t limit);

  /// Settlement runs, newest first, with their totals.
  [[nodiscard]] Page<RunRow> settlement_runs(std::string_view cursor, std::uint32_t limit);
  /// The run that closed `business_date`; a member scope keeps its own
  /// obligations and the unmatched reports it made or that name it.
  [[nodiscard]] std::optional<RunDetail> settlement_run(settlement::BusinessDate business_date,
                                                        const Scope& scope);

  /// Epoch `e`'s digests and stored signatures; none if not applied here.
  [[nodiscard]] std::optional<EpochRow> epoch(std::uint64_t e);
  /// Up to `limit` (1..kAuditPageMax) links after `after_epoch` (from
  /// epoch 0 when none), fewer when kAuditOutcomesMax stops the page.
  [[nodiscard]] AuditPage audit(std::optional<std::uint64_t> after_epoch, std::uint32_t limit);

  /// node_state's open business date. Throws StoreError before init_network.
  [[nodiscard]] StoredOpenDate open_date();

 private:
  struct Session;
  Session& session();
  template <class F>
  auto guarded(const char* what, F&& body);

  std::string url_;
  StoreOptions options_;
  std::unique_ptr<Session> session_;
};

}  // namespace quorumclear::store
