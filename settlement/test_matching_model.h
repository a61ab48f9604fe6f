#pragma once
// A second, independent account of two-sided matching (ledger.h, "Rules
// applied to each trade report" and "Matching") for the property test: it
// walks the entries of an applied epoch in the ledger's order, predicts every
// report outcome, every status transition and every cut-off's unmatched list,
// and fails at the first place where the ledger disagrees. Stateless
// validation is taken from validate_trade (validation_test covers it); the
// match key, pairing, corrections, cancels, venue lock-in, affirmation,
// expiry, the open-report cap, the roll and the limits at matching are
// predicted here from the reports alone. Control entries take effect where
// the ledger says they did (the property test checks the votes). Test-only.

#include "settlement/ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace quorumclear::settlement::testing {

/// What a booked trade moved, and what the limits at matching read: kept by
/// the property test's model, updated through MatchingModel::Booker.
struct BookState {
  /// (settlement date, member, instrument) -> (bought, sold)
  std::map<std::tuple<BusinessDate, std::uint16_t, std::uint32_t>, std::pair<std::int64_t, std::int64_t>>
      positions;
  /// Limits used per (member, business date, currency) and (member, business date).
  std::map<std::tuple<std::uint16_t, BusinessDate, std::uint8_t>, Int128> notional_used;
  std::map<std::pair<std::uint16_t, BusinessDate>, Int128> quantity_used;
};

class MatchingModel {
 public:
  /// (submitter, trade id): a report key.
  using Key = std::pair<std::uint16_t, std::string>;
  /// (buyer, seller, trade id): a match key.
  using MatchKey = std::tuple<std::uint16_t, std::uint16_t, std::string>;
  /// Called for each outcome the model predicted CONFIRMED, once the ledger's
  /// outcome was found equal to the prediction: it must update the BookState.
  using Booker = std::function<void(const TradeOutcome&)>;

  /// The current version of a report key.
  struct Report {
    std::uint32_t order = 0;  // creation order: the ledger's record index
    std::uint16_t submitter = 0;
    std::uint8_t version = 0;
    std::vector<Bytes> contents;  // encoded trade of every version, oldest first
    Trade trade;
    std::int64_t price = 0;  // at the instrument's scale
    TradeStatus status = TradeStatus::kRejected;
    MemberIndex buyer;
    MemberIndex seller;
    bool venue = false;
    BusinessDate arrived;     // open date when the live version arrived
    BusinessDate expires_on;  // its expiry cut-off
    std::uint64_t arrived_epoch = 0;
    std::string_view mismatch_field;
    BusinessDate business_date;
    BusinessDate settlement_date;
    [[nodiscard]] MemberIndex counterparty() const { return submitter == buyer.value ? seller : buyer; }
  };

  MatchingModel(const ReferenceData& ref, BookState& book) : ref_(ref), book_(book) {
    live_.assign(ref.member_count(), 0);
    suspended_.assign(ref.instrument_count(), 0);
    open_ = ref.first_business_date();
  }

  /// Walks `epoch` (the batches as applied) against the ledger's result `r`.
  void walk(std::uint64_t epoch, const std::vector<std::pair<std::uint16_t, Bytes>>& batches,
            const EpochResult& r, const Booker& booker) {
    r_ = &r;
    epoch_ = epoch;
    booker_ = &booker;
    next_trade_ = 0;
    next_transition_ = next_report_ = 0;
    touched_.clear();
    std::map<std::pair<std::uint16_t, std::uint32_t>, std::uint32_t> applied;
    for (std::size_t i = 0; i < r.controls.size(); ++i) {
      if (r.controls[i].applied()) {
        applied[{r.controls[i].proposer, r.controls[i].entry_index}] = static_cast<std::uint32_t>(i);
      }
    }
    for (const auto& [proposer, bytes] : batches) {
      const DecodedBatch decoded = decode_batch(bytes);
      if (decoded.error != DecodeError::kNone) continue;
      for (std::size_t i = 0; i < decoded.batch.entries.size(); ++i) {
        const Entry& entry = decoded.batch.entries[i];
        SCOPED_TRACE("epoch " + std::to_string(epoch) + " proposer " + std::to_string(proposer) +
                     " entry " + std::to_string(i));
        if (const Trade* t = std::get_if<Trade>(&entry)) {
          on_trade(proposer, *t);
        } else if (const TradeCancel* c = std::get_if<TradeCancel>(&entry)) {
          on_cancel(proposer, *c);
        } else if (auto it = applied.find({proposer, static_cast<std::uint32_t>(i)});
                   it != applied.end()) {
          on_control(it->second, entry);
        }
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
    ASSERT_EQ(next_trade_, r.trades.size()) << "the ledger decided entries the model did not see";
    ASSERT_EQ(next_transition_, r.transitions.size()) << "unexpected status transitions";
    ASSERT_EQ(next_report_, r.reports.size());
    ASSERT_EQ(open_, r.open_business_date);
    // The confirmed set as the ledger reported it, independently of the
    // predictions above: each report key at most once over the whole run.
    for (const TradeOutcome& t : r.trades) {
      if (t.kind != TradeOutcomeKind::kConfirmed) continue;
      const Key key{ref_.find_member(t.trade.submitter)->value, std::string(t.trade.trade_id.view())};
      ASSERT_TRUE(ledger_confirmed_.insert(key).second) << "a report confirmed twice: " << key.second;
    }
    for (const ReportTransition& t : r.transitions) {
      if (t.status != TradeStatus::kConfirmed) continue;
      ASSERT_TRUE(ledger_confirmed_.insert(Key{t.submitter.value, std::string(t.trade_id.view())}).second)
          << "a report confirmed twice: " << t.trade_id.view();
    }
  }

  /// Checks the ledger's registry against the model: every key touched by
  /// the last walk, or every key when `all`.
  void check_ledger(const Ledger& ledger, bool all) const {
    ASSERT_EQ(ledger.trade_count(), reports_.size());
    const MatchingStats s = ledger.matching_stats();
    ASSERT_EQ(s.matched, stats_.matched);
    ASSERT_EQ(s.locked_in, stats_.locked_in);
    ASSERT_EQ(s.affirmed, stats_.affirmed);
    ASSERT_EQ(s.mismatched, stats_.mismatched);
    ASSERT_EQ(s.cancelled, stats_.cancelled);
    ASSERT_EQ(s.expired, stats_.expired);
    ASSERT_EQ(s.refused_over_limit, stats_.refused_over_limit);
    std::size_t live = 0;
    for (std::uint32_t n : live_) live += n;
    ASSERT_EQ(s.open_reports, live);
    const auto check = [&](const Key& key, const Report& m) {
      SCOPED_TRACE("report " + std::to_string(key.first) + "/" + key.second);
      const TradeRecord* r = ledger.find_trade(MemberIndex{key.first}, key.second);
      ASSERT_NE(r, nullptr);
      ASSERT_EQ(r->status, m.status);
      ASSERT_EQ(r->version, m.version);
      ASSERT_EQ(r->locked_in, m.venue);
      const OpenReport* open = ledger.open_report(MemberIndex{key.first}, key.second);
      ASSERT_EQ(open != nullptr, is_live(m.status));
      if (open == nullptr) return;
      ASSERT_EQ(open->business_date, m.arrived);
      ASSERT_EQ(open->expires_on, m.expires_on);
      ASSERT_EQ(open->mismatch_field, m.mismatch_field);
      ASSERT_EQ(open->counterparty, m.counterparty());
    };
    if (all) {
      for (const auto& [key, m] : reports_) ASSERT_NO_FATAL_FAILURE(check(key, m));
    } else {
      for (const Key& key : touched_) ASSERT_NO_FATAL_FAILURE(check(key, reports_.at(key)));
    }
  }

  /// Keys CONFIRMED by the ledger's outcomes and transitions (each at most
  /// once, checked as they come) and by the model: they must be equal.
  [[nodiscard]] std::set<Key> model_confirmed() const {
    std::set<Key> out;
    for (const auto& [key, m] : reports_) {
      if (m.status == TradeStatus::kConfirmed) out.insert(key);
    }
    return out;
  }
  [[nodiscard]] const std::set<Key>& ledger_confirmed() const { return ledger_confirmed_; }

  [[nodiscard]] const std::map<Key, Report>& reports() const { return reports_; }
  /// Every keyed version `member` submitted (for resubmissions).
  [[nodiscard]] const std::vector<Trade>& sent(std::uint16_t member) const { return sent_[member]; }
  [[nodiscard]] const std::vector<std::string>& ids_of(std::uint16_t member) const {
    return ids_[member];
  }
  [[nodiscard]] const std::map<std::string, int>& counts() const { return counts_; }
  [[nodiscard]] std::uint64_t bookings() const { return stats_.matched + stats_.locked_in; }

 private:
  struct Expected {
    TradeOutcomeKind kind = TradeOutcomeKind::kRejectedUnkeyed;
    Reason reason = Reason::kNone;
    std::string_view field;
    std::uint8_t version = 0;
    std::optional<MemberIndex> paired_with;
    std::uint8_t paired_version = 0;
    AmountMinor consideration;
    BusinessDate business_date;
    BusinessDate settlement_date;
    bool rolled = false;
  };

  // A report that passed its arrival checks.
  struct Arrival {
    Key key;
    const Trade& trade;
    Bytes bytes;
    ValidTrade v;
    std::int64_t price = 0;
    Report* known = nullptr;
    bool replaces_live = false;
  };

  struct Change {
    TradeStatus status;
    Reason reason = Reason::kNone;
    std::string_view field{};
    std::optional<MemberIndex> paired_with{};
    std::uint8_t paired_version = 0;
    bool booked = false;
    BusinessDate business_date{};
    BusinessDate settlement_date{};
  };

  static constexpr std::int64_t pow10(int n) {
    std::int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
  }

  std::int64_t price_at_scale(const Trade& t) const {
    const int shift = ref_.instrument(*ref_.find_instrument(t.isin)).price_scale - t.price_scale;
    return shift >= 0 ? t.price.units * pow10(shift) : t.price.units / pow10(-shift);
  }

  // The economic fields in the ledger's naming order (matching.h).
  static std::string_view differing(const Trade& a, std::int64_t a_price, const Trade& b,
                                    std::int64_t b_price) {
    if (a.isin != b.isin) return "isin";
    if (a.quantity != b.quantity) return "quantity";
    if (a_price != b_price) return "price";
    if (a.currency != b.currency) return "currency";
    if (a.trade_date != b.trade_date) return "trade_date";
    if (a.settlement_date != b.settlement_date) return "settlement_date";
    return {};
  }

  Report* find(std::uint16_t submitter, const std::string& id) {
    const auto it = reports_.find(Key{submitter, id});
    return it == reports_.end() ? nullptr : &it->second;
  }

  void count(const std::string& what) { counts_[what] += 1; }

  // --- trade reports -------------------------------------------------------

  void on_trade(std::uint16_t proposer, const Trade& t) {
    ASSERT_LT(next_trade_, r_->trades.size());
    const TradeOutcome& actual = r_->trades[next_trade_];
    Expected e;
    e.business_date = t.trade_date;
    e.settlement_date = t.settlement_date;
    ASSERT_NO_FATAL_FAILURE(predict_trade(proposer, t, e));
    ASSERT_FALSE(actual.cancel);
    ASSERT_EQ(actual.trade, t);
    ASSERT_NO_FATAL_FAILURE(compare(e, actual))
        << describe(t) << "; the ledger said " << to_string(actual.reason) << " (" << actual.field
        << ")";
    if (e.kind == TradeOutcomeKind::kConfirmed) {
      const auto [buyer, seller] = parties_of(t);
      ASSERT_TRUE(booked_keys_.insert(MatchKey{buyer, seller, std::string(t.trade_id.view())}).second)
          << "a match key booked twice";
      (*booker_)(actual);
    }
    ++next_trade_;
  }

  static std::string describe(const Trade& t) {
    return std::string(t.trade_id.view()) + " by " + std::string(t.submitter.view()) + ": " +
           std::string(t.buyer.view()) + " buys " + std::to_string(t.quantity.units) + " " +
           std::string(t.isin.view()) + " from " + std::string(t.seller.view()) + " at " +
           std::to_string(t.price.units) + "e-" + std::to_string(t.price_scale) + " " +
           std::string(t.currency.view()) + ", trade date " + std::to_string(t.trade_date.days) +
           ", settles " + std::to_string(t.settlement_date.days);
  }

  std::pair<std::uint16_t, std::uint16_t> parties_of(const Trade& t) const {
    return {ref_.find_member(t.buyer)->value, ref_.find_member(t.seller)->value};
  }

  void compare(const Expected& e, const TradeOutcome& a) const {
    ASSERT_EQ(a.kind, e.kind) << "reason " << to_string(a.reason) << " field " << a.field
                              << ", expected " << to_string(e.reason);
    ASSERT_EQ(a.reason, e.reason) << to_string(a.reason) << " vs " << to_string(e.reason);
    ASSERT_EQ(a.field, e.field);
    ASSERT_EQ(a.version, e.version);
    ASSERT_EQ(a.paired_with, e.paired_with);
    ASSERT_EQ(a.paired_version, e.paired_version);
    ASSERT_EQ(a.consideration, e.consideration);
    ASSERT_EQ(a.business_date, e.business_date);
    ASSERT_EQ(a.settlement_date, e.settlement_date);
    ASSERT_EQ(a.rolled, e.rolled);
  }

  // check_key (ledger.h): a bad id, an unknown submitter or one that does
  // not run the proposing node never takes a key.
  std::optional<MemberIndex> key_of(std::uint16_t proposer, const TradeId& id,
                                    const MemberId& submitter, Expected& e) const {
    e.field = "trade_id";
    if (!is_valid_trade_id(id.view())) {
      e.reason = Reason::kTradeIdInvalid;
      return std::nullopt;
    }
    e.field = "submitter";
    const std::optional<MemberIndex> m = ref_.find_member(submitter);
    if (!m) {
      e.reason = Reason::kMemberUnknown;
    } else if (ref_.submitter_must_be_proposer() && ref_.member_of_node(proposer) != m) {
      e.reason = Reason::kSubmitterNotProposer;
    } else {
      e.field = {};
      return m;
    }
    return std::nullopt;
  }

  void predict_trade(std::uint16_t proposer, const Trade& t, Expected& e) {
    const std::optional<MemberIndex> submitter = key_of(proposer, t.trade_id, t.submitter, e);
    if (!submitter) return;
    const std::string id(t.trade_id.view());
    Bytes bytes;
    encode_trade(t, bytes);
    Report* known = find(submitter->value, id);
    if (known != nullptr) {
      if (std::find(known->contents.begin(), known->contents.end(), bytes) != known->contents.end()) {
        e.kind = TradeOutcomeKind::kDuplicate;
        e.version = known->version;
        e.business_date = known->business_date;
        e.settlement_date = known->settlement_date;
        count("DUPLICATE");
        return;
      }
      e.field = "trade_id";
      if (known->status == TradeStatus::kConfirmed || known->status == TradeStatus::kAffirmed) {
        e.reason = Reason::kDuplicateConflict;
        return;
      }
      if (known->version >= kReportVersionsMax) {
        e.reason = Reason::kVersionLimit;
        return;
      }
    }
    const TradeCheck check = validate_trade(t, ref_);
    e.reason = check.reason;
    e.field = check.field;
    if (check.ok()) {
      e.consideration = check.trade.consideration;
      ASSERT_EQ(check.trade.price.units, price_at_scale(t));
      const int window = ref_.late_trade_window_days();
      if (t.trade_date > open_) {
        e.reason = Reason::kTradeDateNotOpen;
        e.field = "trade_date";
      } else if (t.trade_date < open_ &&
                 !ref_.calendar().business_days_between(t.trade_date, open_, window)) {
        e.reason = Reason::kTradeDateTooOld;
        e.field = "trade_date";
      }
    }
    Arrival a{Key{submitter->value, id}, t, std::move(bytes), check.trade,
              check.ok() ? price_at_scale(t) : 0, known, false};
    if (e.reason != Reason::kNone) {
      if (known != nullptr) return;  // a refused correction: the current version stays
      e.kind = TradeOutcomeKind::kRejected;
      record(a, e, TradeStatus::kRejected);
      return;
    }
    a.replaces_live = known != nullptr && is_live(known->status);
    if (a.replaces_live) {
      count("CORRECTION_OF_LIVE");
      Report* old_partner = find(known->counterparty().value, id);
      if (old_partner != nullptr && old_partner->status != TradeStatus::kMismatched) {
        old_partner = nullptr;
      }
      change(a.key, *known, Change{TradeStatus::kReplaced}, next_trade_, false);
      ASSERT_NO_FATAL_FAILURE(arrive(a, e));
      if (old_partner != nullptr) {
        ASSERT_NO_FATAL_FAILURE(revert_if_unpaired(*old_partner, next_trade_, false));
      }
      return;
    }
    ASSERT_NO_FATAL_FAILURE(arrive(a, e));
  }

  void arrive(Arrival& a, Expected& e) {
    if (a.v.locked_in) {
      book_locked_in(a, e);
    } else {
      match_bilateral(a, e);
    }
  }

  Report& record(const Arrival& a, Expected& e, TradeStatus status) {
    Report* rec = a.known;
    if (rec == nullptr) {
      rec = &reports_[a.key];
      rec->order = next_order_++;
      rec->submitter = a.key.first;
      ids_[a.key.first].push_back(a.key.second);
      by_id_[a.key.second].push_back(a.key.first);
    }
    touched_.insert(a.key);
    rec->version = static_cast<std::uint8_t>(rec->version + 1);
    rec->contents.push_back(a.bytes);
    rec->trade = a.trade;
    rec->price = a.price;
    rec->status = status;
    rec->buyer = a.v.buyer;
    rec->seller = a.v.seller;
    rec->venue = a.v.locked_in;
    rec->business_date = e.business_date;
    rec->settlement_date = e.settlement_date;
    rec->mismatch_field = status == TradeStatus::kMismatched ? e.field : std::string_view{};
    if (is_live(status)) {
      rec->arrived = open_;
      // The earlier of its own lifetime and the end of its trade date's
      // late-trade window, after which no counter report could match it.
      rec->expires_on = std::min(
          ref_.calendar().add_business_days(open_, ref_.allegation_expiry_days()).value_or(kDateMax),
          ref_.calendar().add_business_days(a.trade.trade_date, ref_.late_trade_window_days())
              .value_or(kDateMax));
      rec->arrived_epoch = epoch_;
      ++live_[a.key.first];
    }
    sent_[a.key.first].push_back(a.trade);
    e.version = rec->version;
    count("KEYED_" + std::string(to_string(status)));
    return *rec;
  }

  void match_bilateral(Arrival& a, Expected& e) {
    const std::uint16_t me = a.key.first;
    const std::string& id = a.key.second;
    const std::uint16_t other = me == a.v.buyer.value ? a.v.seller.value : a.v.buyer.value;
    if (const auto li = locked_.find(MatchKey{a.v.buyer.value, a.v.seller.value, id});
        li != locked_.end()) {
      const Report& venue = reports_.at(li->second);
      e.paired_with = MemberIndex{li->second.first};
      e.paired_version = venue.version;
      e.field = differing(a.trade, a.price, venue.trade, venue.price);
      if (e.field.empty()) {
        e.kind = TradeOutcomeKind::kAffirmed;
        ++stats_.affirmed;
        count("AFFIRMED_AFTER_VENUE");
      } else {
        e.kind = TradeOutcomeKind::kRejected;
        e.reason = Reason::kLockedInMismatch;
      }
      record(a, e, status_of(e.kind));
      return;
    }
    Report* theirs = find(other, id);
    const bool paired = theirs != nullptr && is_live(theirs->status) &&
                        theirs->buyer == a.v.buyer && theirs->seller == a.v.seller;
    const std::string_view diff =
        paired ? differing(a.trade, a.price, theirs->trade, theirs->price) : std::string_view{};
    if ((!paired || !diff.empty()) && !a.replaces_live &&
        live_[me] >= ref_.max_open_reports_per_member()) {
      ++stats_.refused_over_limit;
      e.reason = Reason::kAllegationLimit;
      e.field = "submitter";
      return;
    }
    if (!paired) {
      e.kind = TradeOutcomeKind::kAlleged;
      record(a, e, TradeStatus::kAlleged);
      return;
    }
    e.paired_with = MemberIndex{other};
    e.paired_version = theirs->version;
    const Key partner{other, id};
    if (!diff.empty()) {
      e.kind = TradeOutcomeKind::kMismatched;
      e.reason = Reason::kFieldMismatch;
      e.field = diff;
      ++stats_.mismatched;
      count("MISMATCHED_ON_" + std::string(diff));
      const Report& mine = record(a, e, TradeStatus::kMismatched);
      if (theirs->status != TradeStatus::kMismatched || theirs->mismatch_field != diff) {
        if (theirs->status != TradeStatus::kMismatched) ++stats_.mismatched;
        change(partner, *theirs,
               Change{TradeStatus::kMismatched, Reason::kFieldMismatch, diff, MemberIndex{me},
                      mine.version},
               next_trade_, false);
      }
      return;
    }
    // Equal: this report is the second side; book the matched trade.
    const Reason booked = e.reason = booking(a, e);
    e.kind = booked == Reason::kNone ? TradeOutcomeKind::kConfirmed : TradeOutcomeKind::kRejected;
    const Report& mine = record(a, e, status_of(e.kind));
    Change c{status_of(e.kind), booked, e.field, MemberIndex{me}, mine.version};
    c.booked = booked == Reason::kNone;
    c.business_date = e.business_date;
    c.settlement_date = e.settlement_date;
    if (c.booked) {
      ++stats_.matched;
      note_match(a, *theirs);
    }
    change(partner, *theirs, c, next_trade_, false);
  }

  // What a booked bilateral match exercised, for the test's coverage counts.
  void note_match(const Arrival& a, const Report& first) {
    count(first.arrived_epoch == epoch_ ? "MATCHED_SAME_EPOCH" : "MATCHED_LATER_EPOCH");
    if (first.arrived < open_) count("MATCHED_ACROSS_CUTOFF");
    count(a.key.first == a.v.buyer.value ? "SECOND_SIDE_BUYER" : "SECOND_SIDE_SELLER");
    if (first.trade.price_scale != a.trade.price_scale) count("MATCHED_OTHER_PRICE_SCALE");
    if (first.version > 1 || (a.known != nullptr)) count("MATCHED_AFTER_CORRECTION");
    for (std::uint16_t submitter : by_id_.at(a.key.second)) {
      if (submitter != a.v.buyer.value && submitter != a.v.seller.value &&
          !reports_.at(Key{submitter, a.key.second}).venue) {
        count("MATCHED_BESIDE_THIRD_PARTY_REPORT");
        break;
      }
    }
  }

  void book_locked_in(Arrival& a, Expected& e) {
    const std::string& id = a.key.second;
    const MatchKey match{a.v.buyer.value, a.v.seller.value, id};
    const Report* buyer_side = find(a.v.buyer.value, id);
    if (locked_.count(match) != 0 ||
        (buyer_side != nullptr && buyer_side->status == TradeStatus::kConfirmed &&
         buyer_side->buyer == a.v.buyer && buyer_side->seller == a.v.seller)) {
      e.kind = TradeOutcomeKind::kRejected;
      e.reason = Reason::kAlreadyMatched;
      e.field = "trade_id";
      count(locked_.count(match) != 0 ? "VENUE_AFTER_VENUE" : "VENUE_AFTER_MATCH");
      record(a, e, TradeStatus::kRejected);
      return;
    }
    const Reason booked = e.reason = booking(a, e);
    e.kind = booked == Reason::kNone ? TradeOutcomeKind::kConfirmed : TradeOutcomeKind::kRejected;
    const Report& venue = record(a, e, status_of(e.kind));
    if (booked != Reason::kNone) return;
    locked_[match] = a.key;
    ++stats_.locked_in;
    for (const MemberIndex party : {a.v.buyer, a.v.seller}) {
      Report* l = find(party.value, id);
      if (l == nullptr || !is_live(l->status) || l->buyer != a.v.buyer || l->seller != a.v.seller) {
        continue;
      }
      const std::string_view diff = differing(l->trade, l->price, a.trade, a.price);
      if (diff.empty()) {
        ++stats_.affirmed;
        count("AFFIRMED_BEFORE_VENUE");
      }
      change(Key{party.value, id}, *l,
             Change{diff.empty() ? TradeStatus::kAffirmed : TradeStatus::kRejected,
                    diff.empty() ? Reason::kNone : Reason::kLockedInMismatch, diff,
                    MemberIndex{a.key.first}, venue.version},
             next_trade_, false);
    }
  }

  // Roll, suspension, limits (ledger.h "Booking"), predicted from the book.
  Reason booking(const Arrival& a, Expected& e) {
    const Trade& t = a.trade;
    const BusinessCalendar& cal = ref_.calendar();
    if (t.trade_date < open_) {
      const int cycle =
          *cal.business_days_between(t.trade_date, t.settlement_date, ref_.settlement_cycle_max_days());
      e.rolled = true;
      e.business_date = open_;
      e.settlement_date = *cal.add_business_days(open_, cycle);
    }
    if (suspended_[a.v.instrument.value] != 0) {
      e.field = "isin";
      return Reason::kInstrumentSuspended;
    }
    const std::int64_t q = t.quantity.units;
    const std::int64_t c = a.v.consideration.minor;
    const MemberIndex parties[2] = {a.v.buyer, a.v.seller};
    static constexpr std::string_view kParty[2] = {"buyer", "seller"};
    for (int p = 0; p < 2; ++p) {
      e.field = kParty[p];
      const auto cell = book_.positions.find({e.settlement_date, parties[p].value, a.v.instrument.value});
      Int128 net = cell == book_.positions.end() ? 0 : Int128{cell->second.first} - cell->second.second;
      net += p == 0 ? q : -q;
      const std::int64_t limit = ref_.member(parties[p]).limits.max_net_position.units;
      if (net > limit || -net > limit) return Reason::kLimitNetPosition;
    }
    for (int p = 0; p < 2; ++p) {
      e.field = kParty[p];
      const auto used = book_.notional_used.find({parties[p].value, e.business_date, a.v.currency.value});
      const Int128 before = used == book_.notional_used.end() ? 0 : used->second;
      if (before + c > ref_.member(parties[p]).limits.max_gross_notional.minor) {
        return Reason::kLimitGrossNotional;
      }
    }
    for (int p = 0; p < 2; ++p) {
      e.field = kParty[p];
      const auto used = book_.quantity_used.find({parties[p].value, e.business_date});
      const Int128 before = used == book_.quantity_used.end() ? 0 : used->second;
      if (before + q > ref_.member(parties[p]).limits.max_gross_quantity.units) {
        return Reason::kLimitGrossQuantity;
      }
    }
    e.field = {};
    return Reason::kNone;
  }

  // A status change of an earlier report, as the ledger must report it next.
  void change(const Key& key, Report& rec, const Change& c, std::uint32_t cause, bool by_cut_off) {
    ASSERT_TRUE(is_live(rec.status)) << "only a live report changes status";
    ASSERT_LT(next_transition_, r_->transitions.size()) << "missing transition to "
                                                        << to_string(c.status);
    const ReportTransition& t = r_->transitions[next_transition_++];
    ASSERT_EQ(t.cause, cause);
    ASSERT_EQ(t.by_cut_off, by_cut_off);
    ASSERT_EQ(t.submitter.value, key.first);
    ASSERT_EQ(t.trade_id.view(), key.second);
    ASSERT_EQ(t.version, rec.version);
    ASSERT_EQ(t.status, c.status) << to_string(t.status) << " vs " << to_string(c.status);
    ASSERT_EQ(t.reason, c.reason);
    ASSERT_EQ(t.field, c.field);
    ASSERT_EQ(t.paired_with, c.paired_with);
    ASSERT_EQ(t.paired_version, c.paired_version);
    touched_.insert(key);
    count("TRANSITION_" + std::string(to_string(c.status)));
    if (c.booked) {
      rec.business_date = c.business_date;
      rec.settlement_date = c.settlement_date;
      ASSERT_EQ(t.business_date, c.business_date);
      ASSERT_EQ(t.settlement_date, c.settlement_date);
    }
    rec.status = c.status;
    if (is_live(c.status)) {
      rec.mismatch_field = c.status == TradeStatus::kMismatched ? c.field : std::string_view{};
    } else {
      rec.mismatch_field = {};
      --live_[key.first];
    }
  }

  void revert_if_unpaired(Report& rec, std::uint32_t cause, bool by_cut_off) {
    if (rec.status != TradeStatus::kMismatched) return;
    const std::string id(rec.trade.trade_id.view());
    const Report* p = find(rec.counterparty().value, id);
    if (p != nullptr && is_live(p->status) && p->buyer == rec.buyer && p->seller == rec.seller) return;
    count("MISMATCH_RELEASED");
    change(Key{rec.submitter, id}, rec, Change{TradeStatus::kAlleged}, cause, by_cut_off);
  }

  // --- cancels -------------------------------------------------------------

  void on_cancel(std::uint16_t proposer, const TradeCancel& c) {
    ASSERT_LT(next_trade_, r_->trades.size());
    const TradeOutcome& actual = r_->trades[next_trade_];
    ASSERT_TRUE(actual.cancel);
    ASSERT_EQ(actual.trade.trade_id, c.trade_id);
    ASSERT_EQ(actual.trade.submitter, c.submitter);
    Expected e;
    const std::optional<MemberIndex> submitter = key_of(proposer, c.trade_id, c.submitter, e);
    Report* rec = nullptr;
    const std::string id(c.trade_id.view());
    if (submitter) {
      rec = find(submitter->value, id);
      e.field = "trade_id";
      if (rec == nullptr) {
        e.reason = Reason::kTradeNotFound;
      } else if (rec->status == TradeStatus::kCancelled) {
        e.kind = TradeOutcomeKind::kDuplicate;
        e.field = {};
      } else if (rec->status == TradeStatus::kConfirmed || rec->status == TradeStatus::kAffirmed) {
        e.reason = Reason::kAlreadyMatched;
      } else if (!is_live(rec->status)) {
        e.reason = Reason::kReportNotOpen;
      } else {
        e.kind = TradeOutcomeKind::kCancelled;
        e.field = {};
      }
      e.version = rec == nullptr ? 0 : rec->version;
    }
    count("CANCEL_" + std::string(e.kind == TradeOutcomeKind::kCancelled ? "NONE" : to_string(e.reason)));
    ASSERT_NO_FATAL_FAILURE(compare(e, actual));
    if (e.kind == TradeOutcomeKind::kCancelled) {
      ++stats_.cancelled;
      Report* partner = find(rec->counterparty().value, id);
      rec->status = TradeStatus::kCancelled;
      rec->mismatch_field = {};
      --live_[submitter->value];
      touched_.insert(Key{submitter->value, id});
      if (partner != nullptr) {
        ASSERT_NO_FATAL_FAILURE(revert_if_unpaired(*partner, next_trade_, false));
      }
    }
    ++next_trade_;
  }

  // --- control entries -----------------------------------------------------

  void on_control(std::uint32_t index, const Entry& entry) {
    if (const SuspensionChange* s = std::get_if<SuspensionChange>(&entry)) {
      suspended_[ref_.find_instrument(s->isin)->value] = s->suspended ? 1 : 0;
    }
    if (cut_off_date(entry)) {  // either kind
      ASSERT_NO_FATAL_FAILURE(on_cut_off(index));
    }
  }

  // A cut-off closes the open date: reports whose expiry is that date expire
  // (in arrival order), their mismatched partners become ALLEGED again, and
  // the report lists what expired and what is still live.
  void on_cut_off(std::uint32_t index) {
    ASSERT_LT(next_report_, r_->reports.size());
    const SettlementReport& report = r_->reports[next_report_++];
    const BusinessDate closing = open_;
    ASSERT_EQ(report.business_date, closing);
    std::vector<std::pair<std::uint32_t, Key>> expiring;
    for (const auto& [key, m] : reports_) {
      if (is_live(m.status) && m.expires_on <= closing) expiring.emplace_back(m.order, key);
    }
    std::sort(expiring.begin(), expiring.end());
    std::vector<UnmatchedReport> unmatched;
    std::vector<std::pair<std::uint32_t, Key>> partners;
    for (const auto& [order, key] : expiring) {
      Report& m = reports_.at(key);
      ASSERT_EQ(m.expires_on, closing) << "a report outlived its expiry cut-off";
      const MemberIndex other = m.counterparty();
      unmatched.push_back(UnmatchedReport{MemberIndex{key.first}, other, TradeId::of(key.second),
                                          m.version, TradeStatus::kExpired, {}, m.arrived});
      if (const Report* p = find(other.value, key.second)) partners.emplace_back(p->order, Key{other.value, key.second});
      ++stats_.expired;
      ASSERT_NO_FATAL_FAILURE(
          change(key, m, Change{TradeStatus::kExpired, Reason::kAllegationExpired}, index, true));
    }
    std::sort(partners.begin(), partners.end());
    for (const auto& [order, key] : partners) {
      Report& p = reports_.at(key);
      if (is_live(p.status)) {
        ASSERT_NO_FATAL_FAILURE(revert_if_unpaired(p, index, true));
      }
    }
    for (const auto& [key, m] : reports_) {
      if (!is_live(m.status)) continue;
      unmatched.push_back(UnmatchedReport{MemberIndex{key.first}, m.counterparty(),
                                          TradeId::of(key.second), m.version, m.status,
                                          m.mismatch_field, m.arrived});
    }
    std::sort(unmatched.begin(), unmatched.end(), [](const UnmatchedReport& x, const UnmatchedReport& y) {
      return std::tuple(x.submitter, x.trade_id) < std::tuple(y.submitter, y.trade_id);
    });
    ASSERT_EQ(report.unmatched.size(), unmatched.size());
    for (std::size_t i = 0; i < unmatched.size(); ++i) {
      const UnmatchedReport& a = report.unmatched[i];
      const UnmatchedReport& x = unmatched[i];
      ASSERT_EQ(std::tuple(a.submitter, a.counterparty, a.trade_id, a.version, a.status, a.field,
                           a.business_date),
                std::tuple(x.submitter, x.counterparty, x.trade_id, x.version, x.status, x.field,
                           x.business_date))
          << "unmatched row " << i;
    }
    count("CUTOFF_UNMATCHED_ROWS");
    open_ = *ref_.calendar().next_business_day(closing);
  }

  const ReferenceData& ref_;
  BookState& book_;
  std::map<Key, Report> reports_;
  std::map<MatchKey, Key> locked_;  // booked venue trades -> the venue's key
  std::set<MatchKey> booked_keys_;
  std::set<Key> ledger_confirmed_;
  std::map<std::string, std::vector<std::uint16_t>> by_id_;
  std::vector<std::uint32_t> live_;
  std::vector<std::uint8_t> suspended_;
  std::vector<std::vector<Trade>> sent_ = std::vector<std::vector<Trade>>(kMembersMax);
  std::vector<std::vector<std::string>> ids_ = std::vector<std::vector<std::string>>(kMembersMax);
  std::map<std::string, int> counts_;
  MatchingStats stats_;
  std::uint32_t next_order_ = 0;
  BusinessDate open_;
  std::set<Key> touched_;
  // The walk in progress.
  const EpochResult* r_ = nullptr;
  const Booker* booker_ = nullptr;
  std::uint64_t epoch_ = 0;
  std::uint32_t next_trade_ = 0;  // the cause of the transitions it makes
  std::size_t next_transition_ = 0;
  std::size_t next_report_ = 0;
};

}  // namespace quorumclear::settlement::testing
