#pragma once
// Traded positions per settlement date: what confirmed trades add up to
// before netting. One DateBook per settlement date; cells are keyed by
// (member, instrument) or (member, currency) packed into 64 bits.

#include "settlement/flat_map.h"
#include "settlement/types.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace quorumclear::settlement {

inline constexpr std::uint64_t kNeverTouched = std::numeric_limits<std::uint64_t>::max();

/// positions row: net = bought - sold. All four stay >= 0. The cash its
/// trades moved is kept per instrument too, so that the mark (the difference
/// between trade prices and the settlement price) belongs to the instrument
/// it arose in: a loss a defaulter leaves in one instrument can then be
/// kept within it (dvp.h), never charged to a member that did not trade it.
struct PositionCell {
  std::int64_t bought = 0;
  std::int64_t sold = 0;
  std::int64_t paid_minor = 0;      // considerations of its buys
  std::int64_t received_minor = 0;  // considerations of its sales
  std::uint64_t touched_epoch = kNeverTouched;  // last epoch that changed it
  [[nodiscard]] std::int64_t net() const { return bought - sold; }
  /// Cash its trades moved, at trade prices: received - paid. Both are
  /// in [0, int64 max], so the difference fits.
  [[nodiscard]] std::int64_t trade_cash() const { return received_minor - paid_minor; }
  /// A cell no trade has been booked to (the map may hold such placeholders).
  [[nodiscard]] bool empty() const { return bought == 0 && sold == 0; }
};

/// cash_positions row: net = received - paid. Both stay >= 0.
struct CashCell {
  std::int64_t received = 0;
  std::int64_t paid = 0;
  std::uint64_t touched_epoch = kNeverTouched;
  [[nodiscard]] std::int64_t net() const { return received - paid; }
  [[nodiscard]] bool empty() const { return received == 0 && paid == 0; }
};

/// (member or account, instrument or currency) -> one 64-bit key. Members
/// and accounts fit 16 bits, assets 24 bits (types.h limits).
[[nodiscard]] constexpr std::uint64_t cell_key(std::uint16_t holder, std::uint32_t asset) {
  return (static_cast<std::uint64_t>(holder) << 24) | asset;
}
[[nodiscard]] constexpr std::uint16_t cell_holder(std::uint64_t key) {
  return static_cast<std::uint16_t>(key >> 24);
}
[[nodiscard]] constexpr std::uint32_t cell_asset(std::uint64_t key) {
  return static_cast<std::uint32_t>(key & 0xffffff);
}

/// Per instrument and settlement date: what the date's confirmed trades
/// traded, for the settlement price (netting.h). Sums over all trades, so
/// 128 bits: each term fits int64, their sum need not.
struct TradedVolume {
  Int128 quantity = 0;
  Int128 consideration_minor = 0;
};

/// Everything that settles on one date.
struct DateBook {
  FlatMap<PositionCell> positions;        // cell_key(member, instrument)
  FlatMap<CashCell> cash;                 // cell_key(member, currency)
  std::vector<std::int64_t> gross_minor;  // per currency: sum of considerations
  std::vector<std::uint32_t> trade_count; // per currency
  FlatMap<TradedVolume> volumes;          // instrument index -> traded volume
  bool settled = false;                   // its cut-off has run; no trade may land here
};

}  // namespace quorumclear::settlement
