// Report rows of one epoch: each new version of a member's report becomes a
// trades row keyed (submitter, trade_id, version); each status change of a
// report (a ReportTransition, or a cancel) updates its row; each refusal
// that took no key becomes a trade_rejections row.
//
// Changes are folded in memory before anything is sent: a row written this
// epoch goes in with the status the epoch leaves it in (most second sides
// confirm a first side of the same or a recent epoch), and a row of an
// earlier epoch gets one UPDATE however often it changed, all of them in
// one statement from a staged set. The fold keeps per-row order, which is
// all that matters: the transitions are listed in the order they happened,
// and a cancel is the last change of its row, since only a live report
// changes status (Ledger::change_report) and a cancelled one is not live.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <unordered_map>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using sql::Rows;

enum class PairChange : std::uint8_t { kKeep, kClear, kSet };

// The lifecycle columns of a trades row after one or more changes.
struct Lifecycle {
  TradeStatus status = TradeStatus::kAlleged;
  Reason reason = Reason::kNone;
  std::string_view field{};
  PairChange pair = PairChange::kKeep;  // matched_submitter
  MemberIndex matched{};
  bool booked = false;  // business_date and effective_settlement_date are set
  BusinessDate business_date{};
  BusinessDate settlement_date{};
};

Lifecycle arrival(const TradeOutcome& o) {
  Lifecycle l{status_of(o.kind), o.reason, o.field};
  l.pair = o.paired_with ? PairChange::kSet : PairChange::kClear;
  if (o.paired_with) l.matched = *o.paired_with;
  if (o.kind == TradeOutcomeKind::kConfirmed) {
    l.booked = true;
    l.business_date = o.business_date;
    l.settlement_date = o.settlement_date;
  }
  return l;
}

// As settlement_rows_test writes them: every change sets status, reason and
// field; back to ALLEGED releases the pairing, a new pairing names its
// report, anything else keeps what the row had (a REPLACED or expired
// version keeps the report it was compared with).
Lifecycle change(const ReportTransition& t) {
  Lifecycle l{t.status, t.reason, t.field};
  if (t.paired_with) {
    l.pair = PairChange::kSet;
    l.matched = *t.paired_with;
  } else if (t.status == TradeStatus::kAlleged) {
    l.pair = PairChange::kClear;
  }
  if (t.status == TradeStatus::kConfirmed) {
    l.booked = true;
    l.business_date = t.business_date;
    l.settlement_date = t.settlement_date;
  }
  return l;
}

// A cancel: withdrawn, no reason (the ledger clears it), pairing kept.
Lifecycle cancelled() { return Lifecycle{TradeStatus::kCancelled}; }

void fold(Lifecycle& into, const Lifecycle& later) {
  into.status = later.status;
  into.reason = later.reason;
  into.field = later.field;
  if (later.pair != PairChange::kKeep) {
    into.pair = later.pair;
    into.matched = later.matched;
  }
  if (later.booked) {
    into.booked = true;
    into.business_date = later.business_date;
    into.settlement_date = later.settlement_date;
  }
}

std::string row_key(MemberIndex submitter, std::string_view trade_id, std::uint8_t version) {
  std::string key;
  key.reserve(3 + trade_id.size());
  key += static_cast<char>(submitter.value >> 8);
  key += static_cast<char>(submitter.value & 0xff);
  key += static_cast<char>(version);
  key += trade_id;
  return key;
}

struct NewRow {
  std::uint32_t outcome = 0;  // index in EpochResult::trades
  MemberIndex submitter;
  Lifecycle state;
  bool changed = false;  // changed again after it arrived: status_epoch is set
};

struct OldRow {
  MemberIndex submitter;
  TradeId trade_id;
  std::uint8_t version = 0;
  Lifecycle state;
};

// What one epoch does to report rows, folded.
class ReportFold {
 public:
  explicit ReportFold(const EpochToWrite& e) : e_(e), ref_(e.reference) {}

  void run() {
    const std::vector<TradeOutcome>& trades = e_.result.trades;
    for (std::uint32_t i = 0; i < trades.size(); ++i) {
      const TradeOutcome& o = trades[i];
      if (o.cancel || o.kind == TradeOutcomeKind::kDuplicate || o.kind == TradeOutcomeKind::kRejectedUnkeyed) {
        continue;
      }
      const MemberIndex submitter = member_index(o.trade.submitter);
      index_.emplace(row_key(submitter, o.trade.trade_id.view(), o.version), new_rows_.size());
      new_rows_.push_back(NewRow{i, submitter, arrival(o)});
    }
    for (const ReportTransition& t : e_.result.transitions) {
      apply(t.submitter, t.trade_id, t.version, change(t));
    }
    for (const TradeOutcome& o : trades) {
      if (o.cancel && o.kind == TradeOutcomeKind::kCancelled) {
        apply(member_index(o.trade.submitter), o.trade.trade_id, o.version, cancelled());
      }
    }
  }

  [[nodiscard]] const std::vector<NewRow>& new_rows() const { return new_rows_; }
  [[nodiscard]] const std::vector<OldRow>& old_rows() const { return old_rows_; }

 private:
  MemberIndex member_index(const MemberId& id) const {
    const std::optional<MemberIndex> m = ref_.find_member(id);
    // A keyed outcome's submitter passed the ledger's key check.
    if (!m) throw StoreError("store: a keyed report names an unknown submitter");
    return *m;
  }

  void apply(MemberIndex submitter, const TradeId& trade_id, std::uint8_t version, const Lifecycle& l) {
    std::string key = row_key(submitter, trade_id.view(), version);
    if (const auto it = index_.find(key); it != index_.end()) {
      NewRow& row = new_rows_[it->second];
      fold(row.state, l);
      row.changed = true;
      return;
    }
    const auto [it, fresh] = old_index_.emplace(std::move(key), old_rows_.size());
    if (fresh) {
      old_rows_.push_back(OldRow{submitter, trade_id, version, l});
    } else {
      fold(old_rows_[it->second].state, l);
    }
  }

  const EpochToWrite& e_;
  const ReferenceData& ref_;
  std::vector<NewRow> new_rows_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<OldRow> old_rows_;
  std::unordered_map<std::string, std::size_t> old_index_;
};

sql::Field reason_field(Reason r) { return r == Reason::kNone ? sql::null_field() : sql::text(to_string(r)); }

sql::Field matched_field(const ReferenceData& ref, const Lifecycle& l) {
  return l.pair == PairChange::kSet ? sql::text(ref.member(l.matched).id.view()) : sql::null_field();
}

sql::Row<24> trade_row(const EpochToWrite& e, const NewRow& row) {
  const ReferenceData& ref = e.reference;
  const TradeOutcome& o = e.result.trades[row.outcome];
  const Trade& t = o.trade;
  const Lifecycle& l = row.state;
  // Validated far enough to price it: the price at the instrument's scale.
  const bool priced = o.price.units != 0;
  const int scale = priced ? ref.instrument(*ref.find_instrument(t.isin)).price_scale : t.price_scale;
  const bool venue = ref.member(row.submitter).role == Role::kTradingVenue;
  const std::int64_t epoch = static_cast<std::int64_t>(e.epoch);
  return {sql::text(t.submitter.view()), sql::text(t.trade_id.view()), sql::integer(o.version),
          // What follows may be anything a refused report carried.
          sql::untrusted_text(t.buyer.view()), sql::untrusted_text(t.seller.view()),
          sql::untrusted_text(t.isin.view()), sql::integer(t.quantity.units),
          sql::integer(priced ? o.price.units : t.price.units), sql::integer(scale),
          sql::untrusted_text(t.currency.view()), sql::integer(o.consideration.minor), sql::date(t.trade_date),
          sql::date(t.settlement_date),
          t.client_ref ? sql::untrusted_text(t.client_ref->view()) : sql::null_field(),
          sql::bytea(o.content_hash), sql::text(to_string(l.status)), reason_field(l.reason),
          sql::text_or_null(l.field), sql::integer(epoch), sql::text(venue ? "LOCKED_IN" : "BILATERAL"),
          matched_field(ref, l), row.changed ? sql::integer(epoch) : sql::null_field(),
          l.booked ? sql::date(l.business_date) : sql::null_field(),
          l.booked ? sql::date(l.settlement_date) : sql::null_field()};
}

void write_new_rows(pqxx::work& tx, const EpochToWrite& e, const ReportFold& fold, BulkMethod bulk) {
  Rows<24> rows{{"submitter", "trade_id", "version", "buyer", "seller", "isin", "quantity", "price",
                 "price_scale", "currency", "consideration_minor", "trade_date", "settlement_date",
                 "client_ref", "content_hash", "status", "reject_reason", "reject_field", "epoch",
                 "report_kind", "matched_submitter", "status_epoch", "business_date",
                 "effective_settlement_date"},
                {}};
  rows.rows.reserve(fold.new_rows().size());
  for (const NewRow& row : fold.new_rows()) rows.rows.push_back(trade_row(e, row));
  sql::write_rows(tx, bulk, "trades", rows);
}

// One UPDATE for every earlier row the epoch changed, from a staged set; a
// row the database does not hold means the ledger and the database
// disagree, and the epoch is refused whole.
void write_changes(pqxx::work& tx, const EpochToWrite& e, const ReportFold& fold,
                   std::optional<std::uint64_t> history_start, BulkMethod bulk) {
  if (fold.old_rows().empty()) return;
  const ReferenceData& ref = e.reference;
  Rows<10> rows{{"submitter", "trade_id", "version", "status", "reject_reason", "reject_field", "set_matched",
                 "matched_submitter", "business_date", "effective_settlement_date"},
                {}};
  for (const OldRow& r : fold.old_rows()) {
    const Lifecycle& l = r.state;
    rows.rows.push_back({sql::text(ref.member(r.submitter).id.view()), sql::text(r.trade_id.view()),
                         sql::integer(r.version), sql::text(to_string(l.status)), reason_field(l.reason),
                         sql::text_or_null(l.field), sql::boolean(l.pair != PairChange::kKeep),
                         matched_field(ref, l), l.booked ? sql::date(l.business_date) : sql::null_field(),
                         l.booked ? sql::date(l.settlement_date) : sql::null_field()});
  }
  sql::write_rows(tx, bulk, "qc_stage_trade_changes", rows);
  const pqxx::result done = tx.exec(
      "UPDATE trades t SET status = c.status, status_epoch = " + std::to_string(e.epoch) +
      ", reject_reason = c.reject_reason, reject_field = c.reject_field, "
      "matched_submitter = CASE WHEN c.set_matched THEN c.matched_submitter ELSE t.matched_submitter END, "
      "business_date = COALESCE(c.business_date, t.business_date), "
      "effective_settlement_date = COALESCE(c.effective_settlement_date, t.effective_settlement_date) "
      "FROM qc_stage_trade_changes c "
      "WHERE t.submitter = c.submitter AND t.trade_id = c.trade_id AND t.version = c.version");
  // Every row an epoch changes was written by an earlier one, unless this
  // node's history starts at a checkpoint after it was decided.
  const bool may_lack = history_start.has_value();
  if (may_lack ? done.affected_rows() > fold.old_rows().size() : done.affected_rows() != fold.old_rows().size()) {
    throw StoreError("store: epoch " + std::to_string(e.epoch) + " changes " +
                     std::to_string(fold.old_rows().size()) + " earlier report rows, the database holds " +
                     std::to_string(done.affected_rows()) + " of them");
  }
}

void write_rejections(pqxx::work& tx, const EpochToWrite& e, BulkMethod bulk) {
  Rows<8> rows{{"epoch", "seq", "submitter", "trade_id", "content_hash", "reject_reason", "reject_field",
                "entry_kind"},
               {}};
  const std::vector<TradeOutcome>& trades = e.result.trades;
  for (std::size_t seq = 0; seq < trades.size(); ++seq) {
    const TradeOutcome& o = trades[seq];
    if (o.kind != TradeOutcomeKind::kRejectedUnkeyed) continue;
    rows.rows.push_back({sql::integer(static_cast<std::int64_t>(e.epoch)),
                         sql::integer(static_cast<std::int64_t>(seq)), sql::untrusted_text(o.trade.submitter.view()),
                         sql::untrusted_text(o.trade.trade_id.view()), sql::bytea(o.content_hash),
                         sql::text(to_string(o.reason)), sql::text_or_null(o.field),
                         sql::text(o.cancel ? "CANCEL" : "REPORT")});
  }
  sql::write_rows(tx, bulk, "trade_rejections", rows);
}

}  // namespace

void write_reports(pqxx::work& tx, const EpochToWrite& e, std::optional<std::uint64_t> history_start,
                   BulkMethod bulk) {
  ReportFold fold(e);
  fold.run();
  write_new_rows(tx, e, fold, bulk);
  write_changes(tx, e, fold, history_start, bulk);
  write_rejections(tx, e, bulk);
}

}  // namespace quorumclear::store
