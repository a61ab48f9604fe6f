// libFuzzer entry for the clearing ledger's untrusted input: a proposer's
// batch bytes. Whatever they are, decoding must not crash, an accepted batch
// must re-encode to exactly the same bytes (a cancel, kind 5, is exactly
// kind trade_id submitter; a scheduled cut-off, kind 6, exactly kind and a
// four-byte date), and applying it to fresh ledgers over three
// epochs (batch_fuzz_genesis.h: A's and the venue's reports first, or the
// other members' first and the venue's last) must keep every invariant the
// ledger asserts over its whole state, and what it reports must hold from
// outside:
// only CONFIRMED outcomes (a matched second side or a venue trade) move
// positions and cash, each match key and each report is confirmed once, a
// bilateral confirmation names a confirmed counterparty report, and
// positions per instrument and cash per currency sum to zero. A control
// entry takes effect only once its quorum of distinct nodes (f+1; 2f+1 for
// a scheduled cut-off) has proposed the input, and each business date is
// closed by one cut-off of either kind, with one settlement run. An abort here
// is a finding, not noise: no batch a peer sends may break them.
//   QC_BATCH_FUZZ_VERBOSE=1 settlement_batch_fuzz INPUT...   prints each epoch's outcomes
#include "settlement/codec.h"
#include "settlement/ledger.h"
#include "tests/fuzz/batch_fuzz_genesis.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace qs = quorumclear::settlement;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// The grammar of a cancel entry, checked byte for byte: kind 5, then the
// trade id and the submitter as length-prefixed texts.
void check_cancel_bytes(const qs::TradeCancel& c, qs::ByteView bytes) {
  const std::string_view id = c.trade_id.view();
  const std::string_view submitter = c.submitter.view();
  require(bytes.size() == 3 + id.size() + submitter.size());
  require(bytes[0] == 5 && bytes[1] == id.size() && bytes[2 + id.size()] == submitter.size());
  require(std::memcmp(bytes.data() + 2, id.data(), id.size()) == 0);
  require(std::memcmp(bytes.data() + 3 + id.size(), submitter.data(), submitter.size()) == 0);
}

// The grammar of a scheduled cut-off: kind 6, then the date as a big-endian
// i32, and nothing else (no operator name).
void check_scheduled_cut_off_bytes(const qs::ScheduledCutOff& c, qs::ByteView bytes) {
  const auto days = static_cast<std::uint32_t>(c.business_date.days);
  require(bytes.size() == 5 && bytes[0] == 6);
  require(bytes[1] == (days >> 24) && bytes[2] == ((days >> 16) & 0xff) &&
          bytes[3] == ((days >> 8) & 0xff) && bytes[4] == (days & 0xff));
}

// What the outcomes say was booked, rebuilt from outside the ledger.
class Observer {
 public:
  explicit Observer(const qs::ReferenceData& ref) : ref_(ref) {}

  /// `proposers`: who proposed the input in this epoch, in order.
  void epoch(const qs::Ledger& ledger, const qs::EpochResult& r,
             const std::vector<std::uint16_t>& proposers) {
    controls(r, proposers);
    for (const qs::TradeOutcome& t : r.trades) {
      if (t.kind != qs::TradeOutcomeKind::kConfirmed) continue;
      require(!t.cancel);
      const qs::MemberIndex submitter = *ref_.find_member(t.trade.submitter);
      const qs::MemberIndex buyer = *ref_.find_member(t.trade.buyer);
      const qs::MemberIndex seller = *ref_.find_member(t.trade.seller);
      const std::string id(t.trade.trade_id.view());
      require(booked_.insert({buyer.value, seller.value, id}).second);
      confirm(submitter, id);
      const qs::TradeRecord* mine = ledger.find_trade(submitter, id);
      require(mine != nullptr);
      if (ref_.member(submitter).role == qs::Role::kTradingVenue) {
        require(mine->locked_in && !t.paired_with);
      } else {
        // The second side of a match: its counterparty's report is booked too.
        const qs::MemberIndex other = submitter == buyer ? seller : buyer;
        require(t.paired_with == other);
        const qs::TradeRecord* theirs = ledger.find_trade(other, id);
        require(theirs != nullptr && theirs->status == qs::TradeStatus::kConfirmed &&
                theirs->buyer == buyer && theirs->seller == seller && !theirs->locked_in);
      }
      const qs::InstrumentIndex ins = *ref_.find_instrument(t.trade.isin);
      const std::uint8_t ccy = ref_.instrument(ins).currency.value;
      const std::int64_t q = t.trade.quantity.units;
      const std::int64_t c = t.consideration.minor;
      positions_[{t.settlement_date.days, buyer.value, ins.value}].first += q;
      positions_[{t.settlement_date.days, seller.value, ins.value}].second += q;
      cash_[{t.settlement_date.days, buyer.value, ccy}] -= c;
      cash_[{t.settlement_date.days, seller.value, ccy}] += c;
    }
    // A report confirmed by a later entry: the first side of that entry's match.
    for (const qs::ReportTransition& t : r.transitions) {
      if (t.status != qs::TradeStatus::kConfirmed) continue;
      require(!t.by_cut_off && t.cause < r.trades.size());
      const qs::TradeOutcome& second = r.trades[t.cause];
      require(second.kind == qs::TradeOutcomeKind::kConfirmed && second.trade.trade_id == t.trade_id &&
              t.paired_with == ref_.find_member(second.trade.submitter));
      confirm(t.submitter, std::string(t.trade_id.view()));
    }
    // Every row the epoch reports is what the confirmed outcomes booked.
    for (const qs::PositionRow& row : r.positions) {
      const auto it = positions_.find({row.settlement_date.days, row.member.value, row.instrument.value});
      require(it != positions_.end() && it->second.first == row.bought &&
              it->second.second == row.sold);
    }
    for (const qs::CashRow& row : r.cash) {
      const auto it = cash_.find({row.settlement_date.days, row.member.value, row.currency.value});
      require(it != cash_.end() && it->second == row.received - row.paid);
    }
    std::map<std::pair<std::int32_t, std::uint32_t>, qs::Int128> per_instrument;
    for (const auto& [key, cell] : positions_) {
      const auto [date, member, ins] = key;
      const qs::PositionCell held =
          ledger.position(qs::MemberIndex{member}, qs::InstrumentIndex{ins}, qs::BusinessDate{date});
      require(held.bought == cell.first && held.sold == cell.second);
      per_instrument[{date, ins}] += static_cast<qs::Int128>(cell.first) - cell.second;
    }
    for (const auto& [key, sum] : per_instrument) require(sum == 0);
    std::map<std::pair<std::int32_t, std::uint8_t>, qs::Int128> per_currency;
    for (const auto& [key, net] : cash_) per_currency[{std::get<0>(key), std::get<2>(key)}] += net;
    for (const auto& [key, sum] : per_currency) require(sum == 0);
    // Two confirmed reports per match, one per venue trade.
    const qs::MatchingStats s = ledger.matching_stats();
    require(confirmed_.size() == 2 * s.matched + s.locked_in && booked_.size() == s.matched + s.locked_in);
  }

 private:
  // Every proposer proposes the same input, so an entry taking effect at
  // proposer p has been proposed by exactly the distinct nodes seen so far
  // (all within one epoch window: a run is three epochs).
  void controls(const qs::EpochResult& r, const std::vector<std::uint16_t>& proposers) {
    std::size_t cut_offs = 0;
    for (const qs::ControlOutcome& c : r.controls) {
      if (!c.applied()) continue;
      const std::size_t quorum = qs::control_quorum(c.entry, ref_);
      require(c.votes == quorum);
      std::set<std::uint16_t> voters = proposed_;
      for (std::uint16_t p : proposers) {
        voters.insert(p);
        if (p == c.proposer) break;
      }
      require(voters.size() >= quorum);
      cut_offs += qs::cut_off_date(c.entry).has_value();
    }
    proposed_.insert(proposers.begin(), proposers.end());
    // One settlement run per applied cut-off, each closing a later date.
    require(cut_offs == r.reports.size());
    for (const qs::SettlementReport& report : r.reports) {
      require(!last_closed_ || report.business_date > *last_closed_);
      last_closed_ = report.business_date;
    }
  }

  void confirm(qs::MemberIndex submitter, const std::string& id) {
    require(confirmed_.insert({submitter.value, id}).second);
  }

  const qs::ReferenceData& ref_;
  std::set<std::uint16_t> proposed_;  // nodes that proposed the input in earlier epochs
  std::optional<qs::BusinessDate> last_closed_;
  std::set<std::tuple<std::uint16_t, std::uint16_t, std::string>> booked_;  // match keys
  std::set<std::pair<std::uint16_t, std::string>> confirmed_;             // report keys
  std::map<std::tuple<std::int32_t, std::uint16_t, std::uint32_t>, std::pair<std::int64_t, std::int64_t>>
      positions_;
  std::map<std::tuple<std::int32_t, std::uint16_t, std::uint8_t>, std::int64_t> cash_;
};

void print(std::uint64_t epoch, const qs::EpochResult& r) {
  if (epoch == 0) std::printf("-- schedule\n");
  for (const qs::TradeOutcome& t : r.trades) {
    std::printf("epoch %llu proposer %u: %s %.*s by %.*s -> kind %d %.*s %.*s\n",
                static_cast<unsigned long long>(epoch), t.proposer, t.cancel ? "cancel" : "report",
                static_cast<int>(t.trade.trade_id.size()), t.trade.trade_id.view().data(),
                static_cast<int>(t.trade.submitter.size()), t.trade.submitter.view().data(),
                static_cast<int>(t.kind), static_cast<int>(to_string(t.reason).size()),
                to_string(t.reason).data(), static_cast<int>(t.field.size()), t.field.data());
  }
  for (const qs::ReportTransition& t : r.transitions) {
    std::printf("epoch %llu: %.*s of member %u -> %.*s\n", static_cast<unsigned long long>(epoch),
                static_cast<int>(t.trade_id.size()), t.trade_id.view().data(), t.submitter.value,
                static_cast<int>(to_string(t.status).size()), to_string(t.status).data());
  }
  for (const qs::ControlOutcome& c : r.controls) {
    const std::string_view kind = to_string(c.kind());
    const std::string_view status = to_string(c.status);
    const std::string_view reason = to_string(c.reason);
    std::printf("epoch %llu proposer %u: %.*s -> %.*s votes %u %.*s\n",
                static_cast<unsigned long long>(epoch), c.proposer, static_cast<int>(kind.size()),
                kind.data(), static_cast<int>(status.size()), status.data(), c.votes,
                static_cast<int>(reason.size()), reason.data());
  }
  for (const qs::SettlementReport& report : r.reports) {
    std::printf("epoch %llu: settlement run for day %d\n", static_cast<unsigned long long>(epoch),
                report.business_date.days);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const qs::ByteView input(data, size);
  const qs::DecodedBatch decoded = qs::decode_batch(input);
  if (decoded.error == qs::DecodeError::kNone) {
    const qs::Bytes again = qs::encode_batch(decoded.batch);
    require(again.size() == size && (size == 0 || std::memcmp(again.data(), data, size) == 0));
    const std::vector<std::uint32_t>& at = decoded.entry_offsets;
    for (std::size_t i = 0; i < decoded.batch.entries.size(); ++i) {
      const qs::ByteView entry = input.subspan(at[i], at[i + 1] - at[i]);
      if (const auto* c = std::get_if<qs::TradeCancel>(&decoded.batch.entries[i])) {
        check_cancel_bytes(*c, entry);
      }
      if (const auto* c = std::get_if<qs::ScheduledCutOff>(&decoded.batch.entries[i])) {
        check_scheduled_cut_off_bytes(*c, entry);
      }
    }
  }
  // Fresh ledgers per input keep runs reproducible from the input alone.
  static const qs::ReferenceData reference = qs::testing::load(qs::fuzzing::batch_fuzz_genesis());
  static const bool verbose = std::getenv("QC_BATCH_FUZZ_VERBOSE") != nullptr;
  const qs::Bytes bytes(data, data + size);
  for (const auto& schedule : qs::fuzzing::kSchedules) {
    qs::Ledger ledger(reference, qs::LedgerOptions{{1, 2}, /*check_whole_state=*/true, 0});
    Observer observer(reference);
    std::uint64_t epoch = 0;
    for (const std::vector<std::uint16_t>& proposers : schedule) {
      std::vector<std::pair<std::uint16_t, qs::Bytes>> batches;
      for (std::uint16_t p : proposers) batches.emplace_back(p, bytes);
      const qs::EpochResult r = qs::testing::apply_epoch(ledger, epoch, batches);
      require(r.status == qs::ApplyStatus::kApplied);
      if (verbose) print(epoch, r);
      observer.epoch(ledger, r, proposers);
      ++epoch;
    }
    // Replaying an epoch must change nothing, whatever it held.
    const qs::Digest digest = ledger.state_digest();
    require(qs::testing::apply_epoch(ledger, 0, {{0, bytes}}).status == qs::ApplyStatus::kAlreadyApplied);
    require(ledger.state_digest() == digest);
  }
  return 0;
}
