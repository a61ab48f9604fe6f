#pragma once
// What the node answers the API: one plain struct per answer, no Poco and no
// JSON. Codes, dates, statuses and reasons use the settlement vocabulary, so
// the API writes each of them one way everywhere. Money and prices travel as
// exact integers with their scale (Decimal); the API writes them as decimal
// strings ("1050.00"), never through floating point.

#include "settlement/ledger.h"
#include "settlement/netting.h"
#include "settlement/reference_data.h"
#include "settlement/trade.h"
#include "settlement/types.h"
#include "settlement/validation.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::api {

/// SHA-256 of a member's API token: the only form in which the node stores
/// or compares tokens (the API never logs or keeps the token itself).
using TokenDigest = std::array<std::uint8_t, 32>;

/// Who is calling: the member a token belongs to and its genesis role.
struct Caller {
  settlement::MemberId member;
  settlement::Role role = settlement::Role::kClearingMember;
};

/// Where a report is in its life. kReceived: durable at this node and not
/// yet decided by an epoch; every other value is a settlement::TradeStatus.
enum class ReportStatus : std::uint8_t {
  kReceived,
  kConfirmed,
  kRejected,
  kAlleged,
  kMismatched,
  kAffirmed,
  kCancelled,
  kExpired,
  kReplaced,
};
/// The ledger's status of a decided report.
[[nodiscard]] ReportStatus report_status(settlement::TradeStatus status);
/// trades.status, e.g. "RECEIVED", "UNMATCHED_EXPIRED".
[[nodiscard]] std::string_view to_string(ReportStatus status);
/// Inverse of to_string; empty for anything else.
[[nodiscard]] std::optional<ReportStatus> parse_report_status(std::string_view text);

/// An exact decimal, units x 10^-scale: {-1250, 2} is written "-12.50".
/// Amounts are in their currency's minor units (scale = its minor_units),
/// securities in whole units (scale 0), prices at their price scale.
struct Decimal {
  std::int64_t units = 0;
  std::uint8_t scale = 0;  // 0..18
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

/// Why the node refused a request (or, inside SubmitItem, one report).
enum class RefusalKind : std::uint8_t {
  kInvalid,      // 400: breaks a rule of the request; names the field
  kForbidden,    // 403: the caller may not do or see this
  kNotFound,     // 404: no such trade, run or epoch (for this caller)
  kConflict,     // 409: e.g. a cancel of a report that already matched
  kBusy,         // 429: the ingest queue is full; nothing was taken
  kUnavailable,  // 503: cannot serve now (database down, catching up)
};

/// A refusal as the client will see it in {"error": {...}}.
struct Refusal {
  RefusalKind kind = RefusalKind::kInvalid;
  /// UPPER_SNAKE, e.g. "TRADE_NOT_FOUND" or a settlement::Reason name.
  std::string code;
  /// For people. Never a token, a key or a password.
  std::string message;
  /// The offending field or query parameter (JSON name); may be empty.
  std::string field;
  /// kBusy and kUnavailable: the Retry-After the client gets (at least 1).
  std::uint32_t retry_after_seconds = 0;
};

/// Every node call answers its value or a refusal.
template <class T>
using Answer = std::variant<T, Refusal>;

// ---- Submission ------------------------------------------------------------

/// What became of one submitted report.
enum class SubmitOutcome : std::uint8_t {
  kAccepted,   // new (or a correction): now durable as RECEIVED
  kDuplicate,  // identical to a report under this key: nothing changed
  kConflict,   // different content under a live report (DUPLICATE_CONFLICT)
  kInvalid,    // stateless validation refused it (reason, field)
  kForbidden,  // the caller is not a party / the venue may not submit for them
};

/// The answer for one report, in the order the reports were given.
struct SubmitItem {
  SubmitOutcome outcome = SubmitOutcome::kAccepted;
  /// kAccepted: kReceived. kDuplicate: the key's current status.
  ReportStatus status = ReportStatus::kReceived;
  /// kInvalid / kForbidden / kConflict: why; a kDuplicate of a refused or
  /// mismatched report may carry that report's reason.
  settlement::Reason reason = settlement::Reason::kNone;
  /// The field validation named (validation.h), e.g. "isin"; may be empty.
  std::string field;
};

/// Exactly one item per submitted report.
struct SubmitResult {
  std::vector<SubmitItem> items;
};

/// A cancel (settlement::TradeCancel) durably queued for the next batch; the
/// ledger decides it (CANCELLED, or refused once matched).
struct CancelReceipt {
  settlement::TradeId trade_id;
  ReportStatus status = ReportStatus::kAlleged;  // the report's status now
};

// ---- Reads -------------------------------------------------------------------

/// Which page of a list: `cursor` is empty for the first page, else a
/// next_cursor the node returned earlier (opaque to the API and clients).
struct Page {
  std::string cursor;
  std::uint32_t limit = 100;  // 1..kPageLimitMax, checked by the API
};
inline constexpr std::uint32_t kPageLimitMax = 1000;

/// One page of a list; next_cursor empty on the last page.
template <class T>
struct Paged {
  std::vector<T> items;
  std::string next_cursor;
};

/// The report a trade's one side made, as the other side sees it.
struct Counterparty {
  settlement::MemberId member;
  /// Its report's status; empty while it has reported nothing under this
  /// trade id.
  std::optional<ReportStatus> status;
};

/// (submitter, trade id): the identity of a report.
struct TradeKey {
  settlement::MemberId submitter;
  settlement::TradeId trade_id;
};

/// A report's current version and what became of it.
struct TradeView {
  settlement::Trade report;  // as submitted, submitter included
  ReportStatus status = ReportStatus::kReceived;
  settlement::Reason reason = settlement::Reason::kNone;  // rejected, mismatched, expired
  std::string field;                                      // with reason, may be empty
  std::uint8_t version = 1;
  std::optional<std::uint64_t> epoch;  // the epoch that decided it; none while kReceived
  /// The other party of a bilateral report; empty for a venue's trade.
  std::optional<Counterparty> counterparty;
  /// Once validated: quantity x price in the currency's minor units.
  std::optional<Decimal> consideration;
  /// Once confirmed: the dates it was booked on (after any roll).
  std::optional<settlement::BusinessDate> booked_business_date;
  std::optional<settlement::BusinessDate> booked_settlement_date;
};

/// GET /v1/trades. `member`: only operator and regulator may name another
/// member than themselves (the API refuses it otherwise); empty = the
/// caller's own reports, or every member's for the operator and regulator.
struct TradeFilter {
  std::optional<ReportStatus> status;
  std::optional<settlement::BusinessDate> settlement_date;
  std::optional<settlement::MemberId> member;
};

/// A filter by member alone, with TradeFilter's rule for `member`.
struct MemberFilter {
  std::optional<settlement::MemberId> member;
};

/// One positions row (settlement::PositionRow with codes and money).
struct PositionView {
  settlement::MemberId member;
  settlement::Isin isin;
  settlement::CurrencyCode currency;
  settlement::BusinessDate settlement_date;
  std::int64_t bought = 0;
  std::int64_t sold = 0;
  std::int64_t net = 0;  // bought - sold
  Decimal paid;          // what its buys cost
  Decimal received;      // what its sales brought
};
struct PositionFilter {
  std::optional<settlement::MemberId> member;
  std::optional<settlement::Isin> isin;
  std::optional<settlement::BusinessDate> settlement_date;
};

/// One cash_positions row.
struct CashView {
  settlement::MemberId member;
  settlement::CurrencyCode currency;
  settlement::BusinessDate settlement_date;
  Decimal received;
  Decimal paid;
  Decimal net;  // received - paid
};
struct CashFilter {
  std::optional<settlement::MemberId> member;
  std::optional<settlement::CurrencyCode> currency;
  std::optional<settlement::BusinessDate> settlement_date;
};

/// One balances row; `account` is a member or settlement::kCcpAccountId.
struct BalanceView {
  settlement::MemberId account;
  settlement::AssetKind kind = settlement::AssetKind::kCash;
  settlement::AssetCode asset;  // an ISIN or a currency code, by kind
  Decimal amount;
};

// ---- End of day ------------------------------------------------------------

/// The operator's cut-off request, queued as a settlement::CutOff vote; it
/// takes effect when f+1 nodes have proposed it (ledger.h). The operator
/// sends it to every node, so a node may hear it after f+1 others already
/// closed the date: that is the request done, not an error.
struct CutoffReceipt {
  settlement::BusinessDate business_date;
  bool already_closed = false;
};

/// settlement_run_totals row.
struct CurrencyTotalsView {
  settlement::CurrencyCode currency;
  Decimal gross;
  Decimal net;
  std::uint32_t trade_count = 0;
  std::uint32_t netting_efficiency_bps = 0;  // settlement::netting_efficiency_bps
};

/// A settlement run without its instructions.
struct RunSummary {
  settlement::BusinessDate business_date;
  std::uint64_t cutoff_epoch = 0;
  settlement::RunStatus status = settlement::RunStatus::kSettled;
  settlement::Digest report_digest{};  // settlement::report_digest
  std::vector<CurrencyTotalsView> totals;
};

/// A net obligation as the settlement instruction that realises it, always
/// against the CCP (netting.h). A failed one carries its fail reason.
struct InstructionView {
  settlement::MemberId member;
  settlement::Direction direction = settlement::Direction::kDeliver;
  settlement::AssetKind kind = settlement::AssetKind::kSecurities;
  settlement::AssetCode asset;
  settlement::CurrencyCode currency;  // of value and mark
  settlement::BusinessDate settlement_date;
  settlement::BusinessDate origin_date;  // earlier when carried after a fail
  Decimal net_amount;                    // units (securities) or money
  Decimal value;                         // securities: -net x settlement price
  Decimal mark;
  Decimal settled_amount;
  Decimal settled_mark;
  settlement::ObligationStatus status = settlement::ObligationStatus::kPending;
  settlement::Reason fail_reason = settlement::Reason::kNone;
};

/// A report still unmatched at the cut-off, or expired by it.
struct UnmatchedView {
  settlement::MemberId submitter;
  settlement::MemberId counterparty;
  settlement::TradeId trade_id;
  std::uint8_t version = 1;
  ReportStatus status = ReportStatus::kAlleged;  // kAlleged, kMismatched, kExpired
  std::string field;                             // the differing field while mismatched
  settlement::BusinessDate business_date;        // open when it arrived
};

/// GET /v1/settlement-runs/{date}: a member sees its own instructions and
/// unmatched reports; the operator and regulator see all.
// ---- Chain -------------------------------------------------------------------

struct EpochSignature {
  std::uint16_t node_id = 0;
  std::array<std::uint8_t, 64> signature{};  // Ed25519 over the certificate tuple
};

/// A decided epoch's digests (its certified tuple, less the network id)
/// and the signatures this node holds for them.
struct EpochView {
  std::uint64_t epoch = 0;
  settlement::Digest output_digest{};
  settlement::Digest state_digest{};
  settlement::Digest audit_head{};
  settlement::Digest snapshot_digest{};   // zero unless a checkpoint
  settlement::Digest obligations_root{};  // zero unless it closed a date
  std::vector<EpochSignature> signatures;
  bool certified = false;  // 2f+1 matching signatures
};

/// What a member hands a third party to prove its obligations of a run:
/// its proof (settlement/obligation_proof.h encoding) under the cut-off
/// epoch's tuple, and the signatures over that tuple (clearctl proof verify).
struct RunProof {
  settlement::MemberId member;
  settlement::Bytes proof;
  EpochView epoch;
};

struct RunReport {
  RunSummary summary;
  std::vector<InstructionView> instructions;
  std::vector<UnmatchedView> unmatched;
  std::optional<RunProof> proof{};  // a clearing member's own read
};

enum class AuditChangeKind : std::uint8_t { kReport, kTransition, kControl, kSettlementRun };

/// One agreed change of an epoch, as its audit link covers it.
struct AuditChange {
  AuditChangeKind kind = AuditChangeKind::kReport;
  settlement::MemberId member;  // the report's submitter; the control's operator; empty for a run
  std::string reference;        // trade id, control reference or business date
  std::uint8_t version = 0;     // reports and transitions
  std::string status;           // a TradeStatus, ControlStatus or RunStatus name
  settlement::Reason reason = settlement::Reason::kNone;
  std::string field;
};

/// One audit chain link (ISSUE 13 plan, "Audit chain link").
struct AuditLink {
  std::uint64_t epoch = 0;
  settlement::Digest output_digest{};
  settlement::Digest state_digest{};
  settlement::Digest prev_hash{};
  settlement::Digest entry_hash{};
  std::vector<AuditChange> changes;
};

/// GET /v1/audit: links after `after_epoch` (from epoch 0 when empty).
struct AuditQuery {
  std::optional<std::uint64_t> after_epoch;
  std::uint32_t limit = 10;  // 1..kAuditLimitMax epochs
};
inline constexpr std::uint32_t kAuditLimitMax = 100;

struct AuditPage {
  std::vector<AuditLink> links;
  std::optional<std::uint64_t> next_after_epoch;  // empty when no more yet
};

// ---- The node --------------------------------------------------------------

/// GET /v1/node.
struct NodeInfo {
  std::uint16_t node_id = 0;
  std::uint16_t node_count = 0;
  std::string network_name;
  settlement::Digest network_id{};
  settlement::BusinessDate open_business_date;
  std::optional<std::uint64_t> last_applied_epoch;
  std::optional<std::uint64_t> last_certified_epoch;
  std::string software_version;
};

/// GET /v1/dashboard (operator): the ops dashboard's whole view of this node
/// and, through the peers' signatures, of the others.
struct DashboardNode {
  std::uint16_t id = 0;
  bool self = false;
  bool connected = false;
  std::optional<std::uint64_t> last_signed_epoch;
  std::optional<settlement::Digest> state_digest;  // at DashboardView::comparison_epoch
  std::optional<bool> agrees;                      // with this node's digest there; empty: unknown
};
struct DashboardSample {
  std::int64_t unix_ms = 0;
  std::optional<std::uint64_t> last_applied_epoch;
  std::uint64_t trades_confirmed = 0;
};
struct ReasonCount {
  settlement::Reason reason = settlement::Reason::kNone;
  std::uint64_t count = 0;
};
struct LatencySummary {
  std::uint64_t count = 0;
  std::optional<double> p50, p90, p99;  // seconds
};
struct DashboardFault {
  std::int64_t unix_ms = 0;
  std::string kind;
  std::optional<std::uint16_t> peer;
  std::string detail;
};
struct DashboardView {
  std::uint16_t node_id = 0;
  std::string software_version;
  settlement::BusinessDate open_business_date;
  std::uint64_t engine_epoch = 0;
  std::optional<std::uint64_t> last_applied_epoch;
  std::optional<std::uint64_t> last_certified_epoch;
  bool catching_up = false;
  std::optional<std::uint64_t> diverged_at_epoch;
  bool database_reachable = true;
  std::optional<std::uint64_t> history_start_epoch;
  std::optional<std::uint64_t> comparison_epoch;
  std::vector<DashboardNode> nodes;
  double epoch_rate_per_second = 0;  // over the last 10 s of history
  double trade_rate_per_second = 0;
  std::vector<DashboardSample> history;  // oldest first, about 1 s apart
  std::uint64_t received = 0, confirmed = 0, alleged = 0, unmatched = 0, mismatched = 0, expired = 0;
  std::vector<ReasonCount> rejected;  // by the ledger
  std::vector<ReasonCount> invalid;   // at submission
  LatencySummary confirmation_latency;
  LatencySummary epoch_duration;
  std::optional<RunReport> latest_run;
  std::vector<DashboardFault> faults;  // newest last
};

/// One readiness check, e.g. {"database", false, "connection refused"}.
struct ReadinessCheck {
  std::string name;  // ^[a-z_]{1,32}$
  bool ok = false;
  std::string reason;  // why not, when !ok
};

/// GET /readyz: ready when every check is ok.
struct Readiness {
  std::vector<ReadinessCheck> checks;
};

}  // namespace quorumclear::api
