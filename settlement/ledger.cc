#include "settlement/ledger.h"

#include "settlement/ledger_context.h"

#include <algorithm>
#include <cassert>
#include <tuple>

namespace quorumclear::settlement {
namespace {

// The first link of the state digest chain commits to the whole genesis, so
// two networks with different reference data never share a digest.
Digest genesis_digest(const Genesis& g) {
  Sha256 h;
  h.update_text("quorumclear.settlement.genesis.v1");
  for (const CurrencyDef& c : g.currencies) {
    h.update(Record().text(c.code.view()).u8(static_cast<std::uint8_t>(c.minor_units)).view());
  }
  for (const MemberDef& m : g.members) {
    h.update(Record().text(m.id.view()).u8(static_cast<std::uint8_t>(m.role))
                 .u8(m.node ? 1 : 0).u16(m.node.value_or(0)).view());
    h.update_text(m.name);
  }
  for (const InstrumentDef& i : g.instruments) {
    h.update(Record().text(i.isin.view()).text(i.currency.view())
                 .u8(static_cast<std::uint8_t>(i.price_scale)).i64(i.band_low.units)
                 .i64(i.band_high.units).u8(i.suspended ? 1 : 0).view());
  }
  for (const MemberLimitDef& l : g.limits) {
    h.update(Record().text(l.member.view()).i64(l.limits.max_gross_notional.minor)
                 .i64(l.limits.max_net_position.units).i64(l.limits.max_gross_quantity.units).view());
  }
  for (const SecuritiesHoldingDef& s : g.securities) {
    h.update(Record().text(s.member.view()).text(s.isin.view()).i64(s.quantity.units).view());
  }
  for (const CashHoldingDef& c : g.cash) {
    h.update(Record().text(c.member.view()).text(c.currency.view()).i64(c.amount.minor).view());
  }
  for (BusinessDate d : g.holidays) h.update(Record().i32(d.days).view());
  h.update(Record().i32(g.first_business_date.days)
               .u8(static_cast<std::uint8_t>(g.settlement_cycle_max_days))
               .u8(g.submitter_must_be_proposer ? 1 : 0).u16(g.node_count).view());
  // Late trades and limits (issue 11, items 4-5)
  const Limits none{};
  const Limits& d = g.default_limits.value_or(none);
  h.update(Record().u8(static_cast<std::uint8_t>(g.late_trade_window_days))
               .u8(g.default_limits ? 1 : 0).i64(d.max_gross_notional.minor)
               .i64(d.max_net_position.units).i64(d.max_gross_quantity.units).view());
  for (const DefaultFundContributionDef& f : g.default_fund) {
    h.update(Record().u8('F').text(f.member.view()).text(f.currency.view())
                 .i64(f.amount.minor).view());
  }
  // Two-sided matching (issue 12)
  h.update(Record().u8('M').u8(static_cast<std::uint8_t>(g.allegation_expiry_days))
               .u32(g.max_open_reports_per_member).view());
  for (const VenueMemberDef& v : g.venue_members) {
    h.update(Record().u8('V').text(v.venue.view()).text(v.member.view()).view());
  }
  return h.finish();
}

}  // namespace

Ledger::Ledger(ReferenceData reference, LedgerOptions options)
    : reference_(std::move(reference)),
      options_(options),
      open_date_(reference_.genesis().first_business_date),
      registry_(options.hash_key),
      open_(reference_.member_count()),
      balances_(reference_.member_count() + 1, reference_.currency_count()),
      supply_securities_(reference_.instrument_count(), 0),
      supply_cash_(reference_.currency_count(), 0),
      capital_securities_(reference_.instrument_count(), 0),
      capital_cash_(reference_.currency_count(), 0),
      default_fund_(reference_.currency_count(), 0),
      gross_today_(reference_.member_count() * reference_.currency_count(), 0),
      gross_quantity_today_(reference_.member_count(), 0),
      suspended_(reference_.instrument_count(), 0),
      votes_(reference_.node_count()) {
  const Genesis& g = reference_.genesis();
  registry_.reserve(options.expected_trades);
  // ReferenceData checked that every holding resolves, and that no asset's
  // total exceeds int64, so these sums cannot overflow.
  const AccountIndex ccp = reference_.ccp_account();
  for (const SecuritiesHoldingDef& s : g.securities) {
    const InstrumentIndex i = *reference_.find_instrument(s.isin);
    const AccountIndex account = *reference_.find_account(s.member);
    balances_.add(account, AssetKind::kSecurities, i.value, s.quantity.units);
    supply_securities_[i.value] += s.quantity.units;
    if (account == ccp) capital_securities_[i.value] += s.quantity.units;
  }
  for (const CashHoldingDef& c : g.cash) {
    const CurrencyIndex ccy = *reference_.find_currency(c.currency);
    const AccountIndex account = *reference_.find_account(c.member);
    balances_.add(account, AssetKind::kCash, ccy.value, c.amount.minor);
    supply_cash_[ccy.value] += c.amount.minor;
    if (account == ccp) capital_cash_[ccy.value] += c.amount.minor;
  }
  // Contributions are posted to the CCP account: it draws on them for a
  // defaulter's shortfall before anything else is touched (dvp.h).
  for (const DefaultFundContributionDef& d : g.default_fund) {
    const CurrencyIndex ccy = *reference_.find_currency(d.currency);
    balances_.add(ccp, AssetKind::kCash, ccy.value, d.amount.minor);
    supply_cash_[ccy.value] += d.amount.minor;
    default_fund_[ccy.value] += d.amount.minor;
  }
  for (std::size_t i = 0; i < reference_.instrument_count(); ++i) {
    suspended_[i] = reference_.instrument(InstrumentIndex{static_cast<std::uint32_t>(i)})
                            .suspended_at_genesis ? 1 : 0;
  }
  state_digest_ = genesis_digest(g);
  check_invariants(true);
}

EpochResult Ledger::apply(std::uint64_t epoch, std::span<const EpochBatch> batches) {
  EpochResult result;
  result.epoch = epoch;
  result.open_business_date = open_date_;
  result.state_digest = state_digest_;
  if (last_epoch_ && epoch <= *last_epoch_) {
    result.status = ApplyStatus::kAlreadyApplied;
    return result;
  }
  if (epoch != (last_epoch_ ? *last_epoch_ + 1 : 0)) {
    result.status = ApplyStatus::kOutOfOrder;
    return result;
  }
  Context ctx{result, epoch, {}, {}, {}, {}};
  epoch_hasher_.reset();
  epoch_hasher_.update(state_digest_);
  epoch_hasher_.update(Record().u8('E').u64(epoch).view());
  expire_controls(ctx);
  for (const EpochBatch& batch : batches) {
    DecodedBatch decoded = decode_batch(batch.bytes);
    if (decoded.error != DecodeError::kNone) {
      result.rejected_batches.push_back(BatchRejection{batch.proposer, Reason::kBatchUndecodable,
                                                       decoded.error, decoded.offset});
      epoch_hasher_.update(Record().u8('B').u16(batch.proposer)
                               .u8(static_cast<std::uint8_t>(decoded.error)).view());
      continue;
    }
    const std::vector<std::uint32_t>& at = decoded.entry_offsets;
    result.trades.reserve(result.trades.size() + decoded.batch.entries.size());
    const std::vector<Entry>& entries = decoded.batch.entries;
    constexpr std::size_t kPrefetchAhead = 8;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i + kPrefetchAhead < entries.size()) prefetch_trade_slot(entries[i + kPrefetchAhead]);
      // The entry's canonical bytes, its kind byte first.
      const ByteView entry_bytes = batch.bytes.subspan(at[i], at[i + 1] - at[i]);
      apply_entry(ctx, batch.proposer, static_cast<std::uint32_t>(i), decoded.batch.entries[i],
                  entry_bytes);
    }
  }
  last_epoch_ = epoch;
  finish_epoch(ctx);
  return result;
}

void Ledger::apply_entry(Context& ctx, std::uint16_t proposer, std::uint32_t index,
                         const Entry& entry, ByteView entry_bytes) {
  if (const Trade* trade = std::get_if<Trade>(&entry)) {
    // A trade's content hash covers encode_trade: its bytes without the kind.
    apply_trade(ctx, proposer, index, *trade, entry_bytes.subspan(1));
    return;
  }
  if (const TradeCancel* cancel = std::get_if<TradeCancel>(&entry)) {
    apply_cancel(ctx, proposer, index, *cancel, entry_bytes);
    return;
  }
  apply_control(ctx, proposer, index, entry, entry_bytes);
}

void Ledger::prefetch_trade_slot(const Entry& entry) const {
  const Trade* trade = std::get_if<Trade>(&entry);
  if (trade == nullptr || trade->trade_id.size() > TradeId::kCapacity) return;
  if (const std::optional<MemberIndex> submitter = reference_.find_member(trade->submitter)) {
    registry_.prefetch(*submitter, trade->trade_id.view());
  }
  // Matching reads the counterparty's key too: the other side of a
  // bilateral report (a venue's trade reads the buyer's).
  const MemberId& other = trade->submitter == trade->buyer ? trade->seller : trade->buyer;
  if (const std::optional<MemberIndex> counterparty = reference_.find_member(other)) {
    registry_.prefetch(*counterparty, trade->trade_id.view());
  }
}

DateBook& Ledger::book_for(BusinessDate date) {
  if (last_book_ != nullptr && last_book_date_ == date) return *last_book_;
  auto [it, inserted] = books_.try_emplace(date);
  if (inserted) {
    it->second.gross_minor.assign(reference_.currency_count(), 0);
    it->second.trade_count.assign(reference_.currency_count(), 0);
  }
  // std::map never moves its nodes, so the cached pointer stays valid.
  last_book_ = &it->second;
  last_book_date_ = date;
  return it->second;
}

void Ledger::finish_epoch(Context& ctx) {
  EpochResult& r = ctx.result;
  for (const auto& [date, key] : ctx.touched_positions) {
    const PositionCell& cell = *books_.at(date).positions.find(key);
    r.positions.push_back(PositionRow{MemberIndex{cell_holder(key)},
                                      InstrumentIndex{cell_asset(key)}, date, cell.bought,
                                      cell.sold, cell.paid_minor, cell.received_minor});
    epoch_hasher_.update(Record().u8('P').i32(date.days).u64(key).i64(cell.bought)
                             .i64(cell.sold).i64(cell.paid_minor).i64(cell.received_minor)
                             .view());
  }
  for (const auto& [date, key] : ctx.touched_cash) {
    const CashCell& cell = *books_.at(date).cash.find(key);
    r.cash.push_back(CashRow{MemberIndex{cell_holder(key)},
                             CurrencyIndex{static_cast<std::uint8_t>(cell_asset(key))}, date,
                             cell.received, cell.paid});
    epoch_hasher_.update(Record().u8('K').i32(date.days).u64(key).i64(cell.received)
                             .i64(cell.paid).view());
  }
  auto& keys = ctx.touched_balances;
  const auto order = [](const BalanceKey& a, const BalanceKey& b) {
    return std::tuple(a.account, a.kind, a.asset) < std::tuple(b.account, b.kind, b.asset);
  };
  std::sort(keys.begin(), keys.end(), order);
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const BalanceKey& k : keys) {
    const std::int64_t amount = balances_.get(k.account, k.kind, k.asset);
    r.balances.push_back(BalanceRow{k.account, k.kind, k.asset, amount});
    epoch_hasher_.update(Record().u8('A').u16(k.account.value).u8(static_cast<std::uint8_t>(k.kind))
                             .u32(k.asset).i64(amount).view());
  }
  for (const SettlementReport& report : r.reports) {
    epoch_hasher_.update(Record().u8('R').bytes(report.digest).view());
  }
  epoch_hasher_.update(Record().u8('O').i32(open_date_.days).view());
  r.open_business_date = open_date_;
  std::sort(ctx.touched_dates.begin(), ctx.touched_dates.end());
  ctx.touched_dates.erase(std::unique(ctx.touched_dates.begin(), ctx.touched_dates.end()),
                          ctx.touched_dates.end());
  if (!r.controls.empty()) votes_.check_invariants();
  if (options_.check_whole_state) {
    check_invariants(true);
  } else {
    check_books(ctx.touched_dates);
    if (!keys.empty()) check_balances();
  }
  state_digest_ = epoch_hasher_.finish();
  r.state_digest = state_digest_;
}

LedgerStateRows Ledger::state_rows() const {
  LedgerStateRows rows;
  // books_ is ordered by date; cells are sorted per date because a FlatMap
  // iterates in slot order.
  for (const auto& entry : books_) {
    // Named, not bound: clang before 16 cannot capture a structured binding.
    const BusinessDate date = entry.first;
    const DateBook& book = entry.second;
    const std::size_t positions_from = rows.positions.size();
    book.positions.for_each([&](std::uint64_t key, const PositionCell& cell) {
      if (cell.empty()) return;
      rows.positions.push_back(PositionRow{MemberIndex{cell_holder(key)}, InstrumentIndex{cell_asset(key)}, date,
                                           cell.bought, cell.sold, cell.paid_minor, cell.received_minor});
    });
    std::sort(rows.positions.begin() + static_cast<std::ptrdiff_t>(positions_from), rows.positions.end(),
              [](const PositionRow& a, const PositionRow& b) {
                return std::tuple(a.member.value, a.instrument.value) < std::tuple(b.member.value, b.instrument.value);
              });
    const std::size_t cash_from = rows.cash.size();
    book.cash.for_each([&](std::uint64_t key, const CashCell& cell) {
      if (cell.empty()) return;
      rows.cash.push_back(CashRow{MemberIndex{cell_holder(key)},
                                  CurrencyIndex{static_cast<std::uint8_t>(cell_asset(key))}, date, cell.received,
                                  cell.paid});
    });
    std::sort(rows.cash.begin() + static_cast<std::ptrdiff_t>(cash_from), rows.cash.end(),
              [](const CashRow& a, const CashRow& b) {
                return std::tuple(a.member.value, a.currency.value) < std::tuple(b.member.value, b.currency.value);
              });
  }
  balances_.for_each([&](AccountIndex account, AssetKind kind, std::uint32_t asset, std::int64_t amount) {
    rows.balances.push_back(BalanceRow{account, kind, asset, amount});
  });
  std::sort(rows.balances.begin(), rows.balances.end(), [](const BalanceRow& a, const BalanceRow& b) {
    return std::tuple(a.account.value, a.kind, a.asset) < std::tuple(b.account.value, b.kind, b.asset);
  });
  return rows;
}

PositionCell Ledger::position(MemberIndex m, InstrumentIndex i, BusinessDate date) const {
  const auto it = books_.find(date);
  if (it == books_.end()) return {};
  const PositionCell* cell = it->second.positions.find(cell_key(m.value, i.value));
  return cell ? *cell : PositionCell{};
}

CashCell Ledger::cash_position(MemberIndex m, CurrencyIndex c, BusinessDate date) const {
  const auto it = books_.find(date);
  if (it == books_.end()) return {};
  const CashCell* cell = it->second.cash.find(cell_key(m.value, c.value));
  return cell ? *cell : CashCell{};
}

std::int64_t Ledger::ccp_capital(AssetKind kind, std::uint32_t asset) const {
  return kind == AssetKind::kCash ? capital_cash_.at(asset) : capital_securities_.at(asset);
}

std::int64_t Ledger::total_supply(AssetKind kind, std::uint32_t asset) const {
  return kind == AssetKind::kCash ? supply_cash_.at(asset) : supply_securities_.at(asset);
}

}  // namespace quorumclear::settlement
