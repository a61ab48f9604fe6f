// Invariants asserted after every epoch, and the from-scratch snapshot digest.
#include "settlement/ledger.h"

#include "settlement/record.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>

namespace quorumclear::settlement {

// Each check returns the first invariant that fails, as a static text, or
// nullptr: the ledger asserts on it after every epoch (its own state), and
// decode_snapshot refuses a snapshot with it (someone else's bytes).
void Ledger::check_invariants(bool whole_state) const {
  [[maybe_unused]] const char* violation = first_violation(whole_state);
  assert(violation == nullptr);
}

void Ledger::check_books(const std::vector<BusinessDate>& dates) const {
  [[maybe_unused]] const char* violation = books_violation(dates);
  assert(violation == nullptr);
}

void Ledger::check_balances() const {
  [[maybe_unused]] const char* violation = balances_violation();
  assert(violation == nullptr);
}

const char* Ledger::first_violation(bool whole_state) const {
  if (whole_state) {
    std::vector<BusinessDate> dates;
    for (const auto& [date, book] : books_) dates.push_back(date);
    if (const char* v = books_violation(dates)) return v;
  }
  if (const char* v = balances_violation()) return v;
  return whole_state ? matching_violation() : nullptr;
}


const char* Ledger::matching_violation() const {
  // Every live record has its slot and nothing else does; a booked
  // bilateral trade is two confirmed reports naming each other.
  std::size_t live = 0;
  std::uint64_t confirmed_bilateral = 0;
  std::vector<std::uint32_t> per_member(reference_.member_count(), 0);
  // The counterpart lookups go to random slots: start loading them ahead.
  constexpr std::size_t kAhead = 8;
  const auto prefetch_counterpart = [&](std::size_t i) {
    const TradeRecord& r = registry_.record(i);
    if (r.status == TradeStatus::kConfirmed && !r.locked_in) registry_.prefetch(r.counterparty(), registry_.id_of(r));
  };
  for (std::size_t i = 0; i < std::min(kAhead, registry_.size()); ++i) prefetch_counterpart(i);
  for (std::size_t i = 0; i < registry_.size(); ++i) {
    if (i + kAhead < registry_.size()) prefetch_counterpart(i + kAhead);
    const TradeRecord& r = registry_.record(i);
    if (is_live(r.status)) {
      ++live;
      ++per_member.at(r.submitter.value);
      if (open_.at(r.slot).record != i) return "a live report's open slot names another record";
      if (r.status == TradeStatus::kMismatched && open_.at(r.slot).mismatch_field.empty()) {
        return "a mismatched report names no field";
      }
    }
    if (r.status == TradeStatus::kConfirmed && !r.locked_in) {
      ++confirmed_bilateral;
      const TradeRecord* p = registry_.find(r.counterparty(), registry_.id_of(r));
      if (p == nullptr || p->status != TradeStatus::kConfirmed || p->locked_in ||
          p->buyer != r.buyer || p->seller != r.seller) {
        return "a confirmed bilateral report has no confirmed counterpart";
      }
    }
  }
  if (live != open_.size()) return "open reports differ from the live records";
  if (confirmed_bilateral != 2 * stats_.matched) return "matched count differs from the confirmed reports";
  for (std::size_t m = 0; m < per_member.size(); ++m) {
    if (per_member[m] != open_.open_count(MemberIndex{static_cast<std::uint16_t>(m)})) {
      return "a member's open-report count differs from its live records";
    }
    if (per_member[m] > reference_.max_open_reports_per_member()) {
      return "a member holds more live reports than genesis allows";
    }
  }
  if (registry_.locked_in_count() != stats_.locked_in) return "locked-in count differs from the index";
  return nullptr;
}

const char* Ledger::books_violation(const std::vector<BusinessDate>& dates) const {
  const std::size_t ccys = reference_.currency_count();
  std::vector<Int128> securities(reference_.instrument_count(), 0);
  std::vector<Int128> traded_cash(reference_.instrument_count(), 0);
  std::vector<Int128> cash(ccys, 0);
  std::vector<Int128> paid(ccys, 0);
  // Per (member, currency): cash cell minus its instruments' trade cash.
  std::vector<Int128> split(reference_.member_count() * ccys, 0);
  const char* bad = nullptr;
  for (BusinessDate date : dates) {
    const DateBook& book = books_.at(date);
    std::fill(securities.begin(), securities.end(), 0);
    std::fill(traded_cash.begin(), traded_cash.end(), 0);
    std::fill(cash.begin(), cash.end(), 0);
    std::fill(paid.begin(), paid.end(), 0);
    std::fill(split.begin(), split.end(), 0);
    book.positions.for_each([&](std::uint64_t key, const PositionCell& cell) {
      if (cell.bought < 0 || cell.sold < 0 || cell.paid_minor < 0 || cell.received_minor < 0) {
        bad = "a position cell is negative";
      }
      securities[cell_asset(key)] += cell.net();
      traded_cash[cell_asset(key)] += cell.trade_cash();
      const CurrencyIndex ccy = reference_.instrument(InstrumentIndex{cell_asset(key)}).currency;
      split.at(cell_holder(key) * ccys + ccy.value) -= cell.trade_cash();
    });
    book.cash.for_each([&](std::uint64_t key, const CashCell& cell) {
      if (cell.received < 0 || cell.paid < 0) bad = "a cash cell is negative";
      cash[cell_asset(key)] += cell.net();
      paid[cell_asset(key)] += cell.paid;
      split.at(cell_holder(key) * ccys + cell_asset(key)) += cell.net();
    });
    if (bad != nullptr) return bad;
    // Every trade moves q from seller to buyer and its consideration from
    // buyer to seller, in one instrument, and each consideration is counted
    // once in the gross; a member's cash per currency is the sum of what its
    // trades in that currency's instruments moved.
    for (Int128 sum : securities) {
      if (sum != 0) return "positions in an instrument do not sum to zero";
    }
    for (Int128 sum : traded_cash) {
      if (sum != 0) return "trade cash in an instrument does not sum to zero";
    }
    for (Int128 sum : split) {
      if (sum != 0) return "a member's cash differs from its instruments' trade cash";
    }
    for (std::size_t c = 0; c < cash.size(); ++c) {
      if (cash[c] != 0) return "cash in a currency does not sum to zero";
      if (paid[c] != book.gross_minor[c]) return "cash paid differs from the gross";
    }
  }
  return nullptr;
}

const char* Ledger::balances_violation() const {
  std::map<std::pair<AssetKind, std::uint32_t>, Int128> held;
  bool negative = false;
  balances_.for_each([&](AccountIndex, AssetKind kind, std::uint32_t asset, std::int64_t amount) {
    negative = negative || amount < 0;
    held[{kind, asset}] += amount;
  });
  if (negative) return "a balance is negative";
  // Settlement and funding conserve holdings: they add up to the supply.
  for (std::size_t i = 0; i < supply_securities_.size(); ++i) {
    const auto it = held.find({AssetKind::kSecurities, static_cast<std::uint32_t>(i)});
    if ((it == held.end() ? 0 : it->second) != supply_securities_[i]) {
      return "securities balances differ from the supply";
    }
  }
  for (std::size_t c = 0; c < supply_cash_.size(); ++c) {
    const auto it = held.find({AssetKind::kCash, static_cast<std::uint32_t>(c)});
    if ((it == held.end() ? 0 : it->second) != supply_cash_[c]) return "cash balances differ from the supply";
  }
  // The CCP holds its own capital and the default fund plus exactly what
  // open fails leave with it: each unsettled unit and its value leg, each
  // unpaid mark. Every movement of a run moves an obligation's amount between
  // a member and the CCP and removes it from what is open, so this holds.
  // Open fails are all securities obligations: each carries its own cash.
  std::map<std::pair<AssetKind, std::uint32_t>, Int128> expected_ccp;
  for (const Obligation& o : carried_) {
    if (o.kind != AssetKind::kSecurities) return "a carried obligation is not in securities";
    if (o.net_amount != 0) expected_ccp[{o.kind, o.asset}] += o.net_amount;
    const CurrencyIndex ccy = reference_.instrument(InstrumentIndex{o.asset}).currency;
    expected_ccp[{AssetKind::kCash, ccy.value}] += o.value_minor + o.mark_minor;
  }
  for (std::size_t i = 0; i < capital_securities_.size(); ++i) {
    if (capital_securities_[i] != 0) {
      expected_ccp[{AssetKind::kSecurities, static_cast<std::uint32_t>(i)}] += capital_securities_[i];
    }
  }
  for (std::size_t c = 0; c < capital_cash_.size(); ++c) {
    if (capital_cash_[c] + default_fund_[c] != 0) {
      expected_ccp[{AssetKind::kCash, static_cast<std::uint32_t>(c)}] +=
          capital_cash_[c] + default_fund_[c];
    }
  }
  const AccountIndex ccp = reference_.ccp_account();
  for (const auto& [asset, sum] : expected_ccp) {
    if (balances_.get(ccp, asset.first, asset.second) != sum) {
      return "the CCP's balance differs from its capital, fund and open fails";
    }
  }
  bool unexplained = false;
  balances_.for_each([&](AccountIndex account, AssetKind kind, std::uint32_t asset, std::int64_t amount) {
    if (account == ccp) {
      const auto it = expected_ccp.find({kind, asset});
      unexplained = unexplained || it == expected_ccp.end() || it->second != amount;
    }
  });
  return unexplained ? "the CCP holds an asset nothing explains" : nullptr;
}

Digest Ledger::business_state_digest() const {
  Sha256 h;
  h.update_text("quorumclear.settlement.snapshot.v2");
  // The epoch counter is bookkeeping, not business state: an epoch that
  // changes nothing leaves the snapshot as it was.
  h.update(Record().i32(open_date_.days).view());
  for (std::uint8_t s : suspended_) h.update_u8(s);
  for (std::int64_t g : gross_today_) h.update_i64(g);
  for (std::int64_t q : gross_quantity_today_) h.update_i64(q);
  std::vector<std::size_t> order(registry_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const TradeRecord& x = registry_.record(a);
    const TradeRecord& y = registry_.record(b);
    return std::tuple(x.submitter, registry_.id_of(x)) < std::tuple(y.submitter, registry_.id_of(y));
  });
  for (std::size_t i : order) {
    const TradeRecord& r = registry_.record(i);
    h.update(Record().u16(r.submitter.value).text(registry_.id_of(r)).bytes(r.content_hash)
                 .u8(static_cast<std::uint8_t>(r.status)).u8(static_cast<std::uint8_t>(r.reason))
                 .u64(r.epoch).i32(r.business_date.days).i32(r.settlement_date.days)
                 .u8(r.version).u16(r.buyer.value).u16(r.seller.value)
                 .u8(r.locked_in ? 1 : 0).view());
    for (const Digest& older : registry_.superseded(static_cast<std::uint32_t>(i))) {
      h.update(Record().u8('S').bytes(older).view());
    }
    // What a live report is compared with and when it expires; a booked
    // venue trade's fields, which later reports of its key are compared with.
    const ReportFields* fields = nullptr;
    if (is_live(r.status)) {
      const OpenReport& o = open_.at(r.slot);
      fields = &o.fields;
      h.update(Record().u8('L').i32(o.business_date.days).i32(o.expires_on.days)
                   .text(o.mismatch_field).i64(o.consideration.minor).view());
    } else if (r.locked_in && r.status == TradeStatus::kConfirmed) {
      fields = &locked_fields_.at(r.slot);
    }
    if (fields != nullptr) {
      h.update(Record().u32(fields->instrument.value).i64(fields->quantity.units)
                   .i64(fields->price.units).u8(fields->currency.value)
                   .i32(fields->trade_date.days).i32(fields->settlement_date.days).view());
    }
  }
  for (const auto& [date, book] : books_) {
    using Cell = std::tuple<std::uint64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>;
    std::vector<Cell> cells;
    book.positions.for_each([&](std::uint64_t key, const PositionCell& c) {
      if (!c.empty()) cells.emplace_back(key, c.bought, c.sold, c.paid_minor, c.received_minor);
    });
    book.cash.for_each([&](std::uint64_t key, const CashCell& c) {
      if (!c.empty()) cells.emplace_back(key | (std::uint64_t{1} << 63), c.received, c.paid, 0, 0);
    });
    std::sort(cells.begin(), cells.end());
    h.update(Record().i32(date.days).u8(book.settled ? 1 : 0).view());
    for (const auto& [key, a, b, c, d] : cells) {
      h.update(Record().u64(key).i64(a).i64(b).i64(c).i64(d).view());
    }
  }
  std::vector<std::tuple<std::uint16_t, std::uint8_t, std::uint32_t, std::int64_t>> held;
  balances_.for_each([&](AccountIndex a, AssetKind k, std::uint32_t asset, std::int64_t amount) {
    held.emplace_back(a.value, static_cast<std::uint8_t>(k), asset, amount);
  });
  std::sort(held.begin(), held.end());
  for (const auto& [a, k, asset, amount] : held) {
    h.update(Record().u16(a).u8(k).u32(asset).i64(amount).view());
  }
  for (const Obligation& o : carried_) {
    h.update(Record().u16(o.member.value).u8(static_cast<std::uint8_t>(o.kind)).u32(o.asset)
                 .i64(o.net_amount).i32(o.origin_date.days)
                 .u8(static_cast<std::uint8_t>(o.fail_reason)).i64(o.price_minor)
                 .i64(o.value_minor).i64(o.mark_minor).view());
  }
  // Pending votes are state: they decide when a later vote takes effect.
  for (const auto& [sequence, pending] : votes_.pending()) {
    Record r;
    r.u8('V').u64(sequence).u64(pending.first_epoch).bytes(pending.digest);
    for (std::size_t p = 0; p < kNodesMax; ++p) {
      if (pending.voters.test(p)) r.u8(static_cast<std::uint8_t>(p));
    }
    h.update(r.view());
  }
  for (const auto& [reference, digest] : applied_refs_) {
    h.update(Record().u8('F').text(reference.view()).bytes(digest).view());
  }
  return h.finish();
}

}  // namespace quorumclear::settlement
