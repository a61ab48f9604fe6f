// The chain: one epoch's digests and signatures, and the audit log with
// the agreed changes of each epoch, as far as the rows apply_epoch writes
// record them.
//
// What the rows can say (node_store.h, report_rows.cc): a report version
// arriving in epoch e is a trades row with epoch = e; a later status
// change UPDATEs that row and sets status_epoch, so only a version's
// latest status and the epoch of its latest change are kept. An epoch's
// list therefore shows every version that arrived in it (with the status
// it has now, flagged when a later epoch changed it) and every earlier
// version whose latest change it made; a change that a later one
// overwrote is not in the database. Unkeyed refusals, control votes and
// settlement runs are rows of their own and are complete.
#include "services/store/read_store_internal.h"

#include "settlement/codec.h"
#include "settlement/digest.h"

#include <limits>
#include <map>

namespace quorumclear::store {
namespace {

using settlement::MemberId;

constexpr std::uint64_t kEpochMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::string epoch_text(std::uint64_t e) { return std::to_string(e); }

// The audit record: u64be(epoch) || output(32) || state(32).
void read_record(const pqxx::field& field, AuditLinkRow& link) {
  const settlement::Bytes record = sql::bytes_of(field);
  std::uint64_t epoch = 0;
  for (std::size_t i = 0; i < 8 && i < record.size(); ++i) epoch = (epoch << 8) | record[i];
  if (record.size() != 72 || epoch != link.epoch) {
    throw StoreError("store: audit record of epoch " + epoch_text(link.epoch) + " is not that epoch's link");
  }
  std::copy(record.begin() + 8, record.begin() + 40, link.output_digest.begin());
  std::copy(record.begin() + 40, record.end(), link.state_digest.begin());
}

// Changes of epochs [first, first + links.size()), each added to its link.
class ChangeReader {
 public:
  ChangeReader(Snapshot& tx, std::vector<AuditLinkRow>& links)
      : tx_(tx), links_(links), first_(links.front().epoch), last_(links.back().epoch) {}

  void run() {
    reports();
    refusals();
    controls();
    runs();
  }

 private:
  AuditLinkRow& link(const pqxx::field& epoch) {
    const std::uint64_t e = read::epoch_of(epoch);
    if (e < first_ || e > last_) throw StoreError("store: audit change outside the page's epochs");
    return links_[static_cast<std::size_t>(e - first_)];
  }
  std::string range(std::string_view column) const {
    return std::string(column) + " BETWEEN " + epoch_text(first_) + " AND " + epoch_text(last_);
  }

  static AuditReport report(const pqxx::row& row, bool arrived) {
    AuditReport r;
    r.submitter = read::code_of<MemberId>(row[1]);
    r.trade_id = read::code_of<settlement::TradeId>(row[2]);
    r.version = static_cast<std::uint8_t>(read::count_of(row[3], settlement::kReportVersionsMax));
    r.arrived = arrived;
    r.status = read::trade_status_of(row[4]);
    r.reason = read::reason_of(row[5]);
    r.field = read::text_of(row[6]);
    return r;
  }

  void reports() {
    // Arrivals by trades_by_epoch. Latest changes by status_epoch, which no
    // index covers: a scan of trades (measured in the README of this part).
    for (const pqxx::row& row :
         tx_.exec("SELECT t.epoch, t.submitter, t.trade_id, t.version, t.status, t.reject_reason, t.reject_field, "
                  "t.status_epoch FROM trades t WHERE " + range("t.epoch") +
                  " ORDER BY t.epoch, t.submitter, t.trade_id, t.version")) {
      AuditReport r = report(row, true);
      const std::optional<std::uint64_t> changed = read::optional_epoch_of(row[7]);
      if (changed && *changed > read::epoch_of(row[0])) r.superseded_in = changed;
      link(row[0]).reports.push_back(std::move(r));
    }
    for (const pqxx::row& row :
         tx_.exec("SELECT t.status_epoch, t.submitter, t.trade_id, t.version, t.status, t.reject_reason, "
                  "t.reject_field FROM trades t WHERE " + range("t.status_epoch") +
                  " AND t.status_epoch > t.epoch ORDER BY t.status_epoch, t.submitter, t.trade_id, t.version")) {
      link(row[0]).reports.push_back(report(row, false));
    }
  }

  void refusals() {
    for (const pqxx::row& row :
         tx_.exec("SELECT epoch, seq, submitter, trade_id, content_hash, reject_reason, reject_field, entry_kind "
                  "FROM trade_rejections WHERE " + range("epoch") + " ORDER BY epoch, seq")) {
      AuditRefusal r;
      r.seq = read::count_of(row[1], std::numeric_limits<std::int32_t>::max());
      r.submitter = read::code_of<MemberId>(row[2]);
      r.trade_id = read::code_of<settlement::TradeId>(row[3]);
      r.content_hash = sql::digest_of(row[4]);
      r.reason = read::reason_of(row[5]);
      r.field = read::text_of(row[6]);
      r.cancel = read::text_of(row[7]) == "CANCEL";
      link(row[0]).refusals.push_back(std::move(r));
    }
  }

  void controls() {
    for (const pqxx::row& row :
         tx_.exec("SELECT epoch, seq, proposer, kind, entry_digest, reference, " + read::days("business_date") +
                  ", status, votes, reason FROM control_votes WHERE " + range("epoch") + " ORDER BY epoch, seq")) {
      AuditControl c;
      c.seq = read::count_of(row[1], std::numeric_limits<std::int32_t>::max());
      if (!row[2].is_null()) {
        c.proposer = static_cast<std::uint16_t>(read::count_of(row[2], std::numeric_limits<std::uint16_t>::max()));
      }
      c.kind = read::control_kind_of(row[3]);
      c.entry_digest = sql::digest_of(row[4]);
      c.reference = read::text_of(row[5]);
      c.business_date = read::optional_date_of(row[6]);
      c.status = read::control_status_of(row[7]);
      c.votes = static_cast<std::uint16_t>(read::count_of(row[8], std::numeric_limits<std::uint16_t>::max()));
      c.reason = read::reason_of(row[9]);
      link(row[0]).controls.push_back(std::move(c));
    }
    add_operators();
  }

  // control_votes keep no operator; the vote's entry in the epoch's batch
  // does. Only the batches of proposers that voted are decoded (control
  // entries are rare), and an entry is found by its digest.
  void add_operators() {
    std::map<std::pair<std::uint64_t, Digest>, MemberId> operators;
    for (const pqxx::row& row : tx_.exec(
             "SELECT b.epoch, b.payload FROM epoch_batches b WHERE " + range("b.epoch") +
             " AND (b.epoch, b.proposer) IN (SELECT v.epoch, v.proposer FROM control_votes v WHERE " +
             range("v.epoch") + ")")) {
      const std::uint64_t e = read::epoch_of(row[0]);
      const settlement::Bytes payload = sql::bytes_of(row[1]);
      const settlement::DecodedBatch batch = settlement::decode_batch(payload);
      if (batch.error != settlement::DecodeError::kNone) continue;  // refused whole; it voted for nothing
      for (std::size_t i = 0; i < batch.batch.entries.size(); ++i) {
        const std::optional<MemberId> op = std::visit(
            [](const auto& entry) -> std::optional<MemberId> {
              if constexpr (requires { entry.operator_id; }) {
                return entry.operator_id;
              } else {
                return std::nullopt;
              }
            },
            batch.batch.entries[i]);
        if (!op) continue;
        const std::size_t from = batch.entry_offsets[i];
        const std::size_t to = batch.entry_offsets[i + 1];
        operators.emplace(std::pair{e, settlement::sha256(settlement::ByteView(payload).subspan(from, to - from))},
                          *op);
      }
    }
    for (AuditLinkRow& l : links_) {
      for (AuditControl& c : l.controls) {
        if (!c.proposer) continue;
        if (const auto it = operators.find({l.epoch, c.entry_digest}); it != operators.end()) {
          c.operator_id = it->second;
        }
      }
    }
  }

  void runs() {
    for (const pqxx::row& row :
         tx_.exec("SELECT cutoff_epoch, " + read::days("settlement_date") +
                  ", status, report_digest FROM settlement_runs WHERE " + range("cutoff_epoch") +
                  " ORDER BY cutoff_epoch, settlement_date")) {
      link(row[0]).runs.push_back(
          AuditRun{read::date_of(row[1]), read::run_status_of(row[2]), sql::digest_of(row[3])});
    }
  }

  Snapshot& tx_;
  std::vector<AuditLinkRow>& links_;
  std::uint64_t first_;
  std::uint64_t last_;
};

}  // namespace

std::optional<EpochRow> read::epoch_row(Snapshot& tx, std::uint64_t e) {
  if (e > kEpochMax) return std::nullopt;
  const pqxx::result rows =
      tx.exec("SELECT epoch, output_digest, state_digest, audit_head, batch_count, trade_count, "
              "(SELECT node_count FROM network), snapshot_digest, obligations_root FROM epochs WHERE epoch = " +
              epoch_text(e));
  if (rows.empty()) return std::nullopt;
  const pqxx::row row = rows[0];
  EpochRow out;
  out.epoch = e;
  out.output_digest = sql::digest_of(row[1]);
  out.state_digest = sql::digest_of(row[2]);
  out.audit_head = sql::digest_of(row[3]);
  if (!row[7].is_null()) out.snapshot_digest = sql::digest_of(row[7]);
  if (!row[8].is_null()) out.obligations_root = sql::digest_of(row[8]);
  out.batch_count = read::count_of(row[4], std::numeric_limits<std::int32_t>::max());
  if (!row[5].is_null()) out.trade_count = read::count_of(row[5], std::numeric_limits<std::int32_t>::max());
  for (const pqxx::row& sig :
       tx.exec("SELECT node_id, signature FROM epoch_signatures WHERE epoch = " + epoch_text(e) + " ORDER BY node_id")) {
    const settlement::Bytes bytes = sql::bytes_of(sig[1]);
    EpochSignature signature;
    signature.node_id = static_cast<std::uint16_t>(read::count_of(sig[0], std::numeric_limits<std::uint16_t>::max()));
    if (bytes.size() != signature.signature.size()) throw StoreError("store: a stored signature is not 64 bytes");
    std::copy(bytes.begin(), bytes.end(), signature.signature.begin());
    out.signatures.push_back(signature);
  }
  if (!row[6].is_null()) {
    // 2f + 1 of n = 3f + 1 (or more) nodes.
    const std::uint32_t n = read::count_of(row[6], std::numeric_limits<std::uint16_t>::max());
    out.certified = n > 0 && out.signatures.size() >= 2 * ((n - 1) / 3) + 1;
  }
  return out;
}

std::optional<EpochRow> ReadStore::epoch(std::uint64_t e) {
  return guarded("epoch", [&](Session& s) -> std::optional<EpochRow> {
    Snapshot tx(s.db);
    std::optional<EpochRow> out = read::epoch_row(tx, e);
    tx.commit();
    return out;
  });
}

AuditPage ReadStore::audit(std::optional<std::uint64_t> after_epoch, std::uint32_t limit) {
  read::check_limit(limit, kAuditPageMax);
  if (after_epoch && *after_epoch >= kEpochMax) return {};
  // audit_log row seq = epoch + 1.
  const std::uint64_t first_seq = after_epoch ? *after_epoch + 2 : 1;
  return guarded("audit", [&](Session& s) {
    Snapshot tx(s.db);
    const pqxx::result rows =
        tx.exec("SELECT a.seq, a.epoch, a.prev_hash, a.entry_hash, a.record, e.trade_count FROM audit_log a "
                "JOIN epochs e ON e.epoch = a.epoch WHERE a.seq >= " + epoch_text(first_seq) +
                " ORDER BY a.seq LIMIT " + std::to_string(limit + 1));
    AuditPage page;
    std::uint64_t outcomes = 0;
    std::size_t taken = 0;
    for (; taken < rows.size() && taken < limit; ++taken) {
      const pqxx::row row = rows[static_cast<pqxx::result::size_type>(taken)];
      outcomes += read::epoch_of(row[5]);
      if (taken > 0 && outcomes > kAuditOutcomesMax) break;
      AuditLinkRow link;
      link.epoch = read::epoch_of(row[0]) - 1;
      if (read::epoch_of(row[1]) != link.epoch ||
          (taken > 0 && link.epoch != page.links.back().epoch + 1)) {
        throw StoreError("store: audit_log row " + epoch_text(link.epoch + 1) + " is out of the chain's order");
      }
      link.prev_hash = sql::digest_of(row[2]);
      link.entry_hash = sql::digest_of(row[3]);
      read_record(row[4], link);
      page.links.push_back(std::move(link));
    }
    if (taken < rows.size()) page.next_after_epoch = page.links.back().epoch;
    if (!page.links.empty()) ChangeReader(tx, page.links).run();
    tx.commit();
    return page;
  });
}

}  // namespace quorumclear::store
