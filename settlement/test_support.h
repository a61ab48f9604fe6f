#pragma once
// Builders shared by the settlement tests and the benchmark: genesis files,
// trades and encoded batches. Test-only; nothing in the library includes it.

#include "settlement/business_calendar.h"
#include "settlement/codec.h"
#include "settlement/isin.h"
#include "settlement/ledger.h"
#include "settlement/reference_data.h"

#include <cassert>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace quorumclear::settlement::testing {

/// A valid ISIN: `body` (two letters and nine alphanumerics) plus the check digit.
inline Isin isin_with_check_digit(const std::string& body) {
  assert(body.size() == 11);
  for (char d = '0'; d <= '9'; ++d) {
    const std::string candidate = body + d;
    if (is_valid_isin(candidate)) return Isin::of(candidate);
  }
  assert(false && "no check digit fits");
  return {};
}

/// The n-th synthetic ISIN, XS000000000n + check digit.
inline Isin synthetic_isin(std::size_t n) {
  std::string digits = std::to_string(n);
  return isin_with_check_digit("XS" + std::string(9 - digits.size(), '0') + digits);
}

/// A 4-node network (the smallest) in EUR whose `members` clearing members,
/// named by name(i), run no node and may submit through any (submitter
/// binding off), with an operator on node 0 and default limits far above
/// any test's trading: the common start of books built for settlement.
template <class Name>
Genesis nodeless_members_genesis(std::size_t members, Name&& name) {
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}};
  for (std::size_t m = 0; m < members; ++m) {
    g.members.push_back({MemberId::of(name(m)), name(m), Role::kClearingMember, std::nullopt});
  }
  g.members.push_back({MemberId::of("OPS"), "Operator", Role::kOperator, 0});
  g.node_count = 4;
  g.submitter_must_be_proposer = false;
  g.default_limits = Limits{AmountMinor{1'000'000'000'000'000}, Quantity{1'000'000'000'000},
                            Quantity{1'000'000'000'000}};
  return g;
}

inline ReferenceData load(const Genesis& genesis) {
  auto loaded = ReferenceData::load(genesis);
  if (const LoadError* e = std::get_if<LoadError>(&loaded)) {
    assert(false && "test genesis must load");
    (void)e;
  }
  return std::get<ReferenceData>(std::move(loaded));
}

/// Wednesday 2026-11-25: a business day with business days around it.
inline constexpr BusinessDate kWednesday = date_from_civil(2026, 11, 25);
inline constexpr BusinessDate kThursday = date_from_civil(2026, 11, 26);
inline constexpr BusinessDate kFriday = date_from_civil(2026, 11, 27);
inline constexpr BusinessDate kMonday = date_from_civil(2026, 11, 30);
inline constexpr BusinessDate kTuesday = date_from_civil(2026, 12, 1);

/// small_genesis's default limits: far above what the tests trade, within
/// the genesis rule (4 clearing members x 3 dates x 10^17 < 2^63), and a
/// net position that lets one trade's consideration approach int64 max.
inline constexpr Limits kSmallLimits{AmountMinor{100'000'000'000'000'000},
                                     Quantity{1'000'000'000'000'000},
                                     Quantity{100'000'000'000'000'000}};

/// Members A, B, C (clearing, nodes 0..2), D (clearing, node 3), OPS
/// (operator, node 4), REG (regulator); 5 nodes; EUR; one instrument ACME
/// priced in cents with a band of 1.00..1000.00; T+0..T+2; trades may be
/// one business day late; generous network-wide limits (kSmallLimits); no
/// balances.
inline Genesis small_genesis() {
  Genesis g;
  g.currencies = {{CurrencyCode::of("EUR"), 2}, {CurrencyCode::of("JPY"), 0}};
  g.members = {
      {MemberId::of("A"), "Alpha Bank", Role::kClearingMember, 0},
      {MemberId::of("B"), "Beta Securities", Role::kClearingMember, 1},
      {MemberId::of("C"), "Gamma Clearing", Role::kClearingMember, 2},
      {MemberId::of("D"), "Delta Brokers", Role::kClearingMember, 3},
      {MemberId::of("OPS"), "Network Operator", Role::kOperator, 4},
      {MemberId::of("REG"), "Regulator", Role::kRegulator, std::nullopt},
  };
  g.instruments = {
      {Isin::of("US0378331005"), CurrencyCode::of("EUR"), 2, Price{100}, Price{100'000}, false},
      {Isin::of("DE0007164600"), CurrencyCode::of("EUR"), 3, Price{1'000}, Price{10'000'000}, false},
  };
  g.first_business_date = kWednesday;
  g.settlement_cycle_max_days = 2;
  g.node_count = 5;  // f = 1: control entries take effect at 2 distinct proposers
  g.late_trade_window_days = 1;
  g.default_limits = kSmallLimits;
  return g;
}

inline const Isin kAcme = Isin::of("US0378331005");

/// A trade in ACME (EUR, cents), submitted by the buyer, T+0 on `date`.
inline Trade acme_trade(std::string_view id, std::string_view buyer, std::string_view seller,
                        std::int64_t quantity, std::int64_t price_cents, BusinessDate date) {
  Trade t;
  t.trade_id = TradeId::of(id);
  t.submitter = MemberId::of(buyer);
  t.buyer = MemberId::of(buyer);
  t.seller = MemberId::of(seller);
  t.isin = kAcme;
  t.quantity = Quantity{quantity};
  t.price = Price{price_cents};
  t.price_scale = 2;
  t.currency = CurrencyCode::of("EUR");
  t.trade_date = date;
  t.settlement_date = date;
  return t;
}

inline Bytes batch_of(std::vector<Entry> entries) { return encode_batch(Batch{std::move(entries)}); }

/// The other party's own report of `t`: same trade id and economic fields,
/// submitted by the counterparty (no client reference: that is each side's own).
inline Trade counter_report(const Trade& t) {
  Trade c = t;
  c.submitter = t.submitter == t.buyer ? t.seller : t.buyer;
  c.client_ref.reset();
  return c;
}

/// Both sides' reports of each trade, in one list: what a batch from a
/// proposer that may submit for both carries (submitter binding off).
inline std::vector<Entry> both_sides(const std::vector<Trade>& trades) {
  std::vector<Entry> entries;
  entries.reserve(2 * trades.size());
  for (const Trade& t : trades) {
    entries.emplace_back(t);
    entries.emplace_back(counter_report(t));
  }
  return entries;
}

/// One epoch's batches where each of `trades` is reported by both its
/// parties, each report in the batch of the node its submitter runs (the
/// genesis binds submitters to nodes); within a node's batch its members'
/// submitted sides come before their counter reports.
inline std::vector<std::pair<std::uint16_t, Bytes>> matched_batches(
    const ReferenceData& ref, const std::vector<Trade>& trades) {
  std::map<std::uint16_t, std::vector<Entry>> first, second;
  for (const Trade& t : trades) {
    const Trade other = counter_report(t);
    first[*ref.member(*ref.find_member(t.submitter)).node].push_back(t);
    second[*ref.member(*ref.find_member(other.submitter)).node].push_back(other);
  }
  // One batch per node, as the quorum decides them.
  for (auto& [node, entries] : second) {
    std::vector<Entry>& all = first[node];
    all.insert(all.end(), entries.begin(), entries.end());
  }
  std::vector<std::pair<std::uint16_t, Bytes>> batches;
  for (auto& [node, entries] : first) batches.emplace_back(node, batch_of(std::move(entries)));
  return batches;
}

/// Applies one epoch of batches given as (proposer, bytes).
inline EpochResult apply_epoch(Ledger& ledger, std::uint64_t epoch,
                               const std::vector<std::pair<std::uint16_t, Bytes>>& batches) {
  std::vector<EpochBatch> views;
  for (const auto& [proposer, bytes] : batches) views.push_back(EpochBatch{proposer, bytes});
  return ledger.apply(epoch, views);
}

/// Applies one epoch of batches given as (proposer, entries).
inline EpochResult apply_entries(
    Ledger& ledger, std::uint64_t epoch,
    const std::vector<std::pair<std::uint16_t, std::vector<Entry>>>& batches) {
  std::vector<std::pair<std::uint16_t, Bytes>> encoded;
  for (const auto& [node, entries] : batches) encoded.emplace_back(node, batch_of(entries));
  return apply_epoch(ledger, epoch, encoded);
}

}  // namespace quorumclear::settlement::testing
