#pragma once
// Vocabulary types of the clearing domain: textual codes as they travel on
// the wire and in PostgreSQL, small interned indices for the hot path, and
// integer amounts. Money is never floating point.

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace quorumclear::settlement {

/// Exact intermediate for int64 products and sums (GCC/Clang extension;
/// __extension__ keeps -Wpedantic quiet about it).
__extension__ typedef __int128 Int128;

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

/// A short text of at most N bytes stored inline (no allocation per trade).
/// Holds any bytes up to N; the syntax of each field (charset, exact length)
/// is checked by validation, so that a bad field rejects one trade with a
/// reason code instead of making the whole batch undecodable.
template <std::size_t N, class Tag>
class Code {
 public:
  static constexpr std::size_t kCapacity = N;
  static_assert(N <= 255, "length travels as one byte");

  constexpr Code() = default;
  /// Empty when `text` is longer than N.
  [[nodiscard]] static constexpr std::optional<Code> from(std::string_view text) {
    if (text.size() > N) return std::nullopt;
    Code code;
    std::copy(text.begin(), text.end(), code.bytes_.begin());
    code.size_ = static_cast<std::uint8_t>(text.size());
    return code;
  }
  /// Precondition: text.size() <= N (for literals in tests and genesis files).
  [[nodiscard]] static constexpr Code of(std::string_view text) { return from(text).value(); }

  [[nodiscard]] constexpr std::string_view view() const { return {bytes_.data(), size_}; }
  /// All N bytes; those past size() are zero, so equal codes have equal bytes.
  [[nodiscard]] constexpr const std::array<char, N>& padded() const { return bytes_; }
  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr bool empty() const { return size_ == 0; }

  friend constexpr bool operator==(const Code& a, const Code& b) { return a.view() == b.view(); }
  friend constexpr auto operator<=>(const Code& a, const Code& b) { return a.view() <=> b.view(); }

 private:
  std::array<char, N> bytes_{};
  std::uint8_t size_ = 0;
};

/// members.member_id: ^[A-Z0-9_]{1,16}$
using MemberId = Code<16, struct MemberIdTag>;
/// instruments.isin: ISO 6166, 12 characters with a Luhn check digit.
using Isin = Code<12, struct IsinTag>;
/// ISO 4217 alphabetic code.
using CurrencyCode = Code<3, struct CurrencyCodeTag>;
/// trades.trade_id: ^[A-Za-z0-9._:-]{1,64}$, unique per submitter.
using TradeId = Code<64, struct TradeIdTag>;
/// trades.client_ref: printable ASCII, 1..64.
using ClientRef = Code<64, struct ClientRefTag>;
/// The operator's id for one funding or suspension request, chosen by the
/// operator and sent to every node: ^[A-Za-z0-9._:-]{1,64}$. It makes the
/// same request proposed by several nodes one request (see ledger.h).
using ControlRef = Code<64, struct ControlRefTag>;
/// net_obligations.asset: an ISIN or a currency code.
using AssetCode = Code<12, struct AssetCodeTag>;

/// Interned at genesis, in the order the genesis lists them; identical on
/// every node, so they are also the canonical sort order of reports.
struct MemberIndex {
  std::uint16_t value = 0;
  friend constexpr auto operator<=>(MemberIndex, MemberIndex) = default;
};
struct InstrumentIndex {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(InstrumentIndex, InstrumentIndex) = default;
};
struct CurrencyIndex {
  std::uint8_t value = 0;
  friend constexpr auto operator<=>(CurrencyIndex, CurrencyIndex) = default;
};
/// A holder of balances: members 0..M-1, and the central counterparty at M.
struct AccountIndex {
  std::uint16_t value = 0;
  friend constexpr auto operator<=>(AccountIndex, AccountIndex) = default;
};

/// Securities, in whole units.
struct Quantity {
  std::int64_t units = 0;
  friend constexpr auto operator<=>(Quantity, Quantity) = default;
};
/// A price in units of 10^-price_scale of the currency (scale per instrument).
struct Price {
  std::int64_t units = 0;
  friend constexpr auto operator<=>(Price, Price) = default;
};
/// Money in minor units of its currency (cents for EUR).
struct AmountMinor {
  std::int64_t minor = 0;
  friend constexpr auto operator<=>(AmountMinor, AmountMinor) = default;
};
/// A calendar date as days since 1970-01-01; see business_calendar.h.
struct BusinessDate {
  std::int32_t days = 0;
  friend constexpr auto operator<=>(BusinessDate, BusinessDate) = default;
};

enum class AssetKind : std::uint8_t { kSecurities = 0, kCash = 1 };

// Limits on everything read from genesis or a batch.
inline constexpr std::size_t kMembersMax = 4096;
inline constexpr std::size_t kInstrumentsMax = (1u << 24) - 1;  // fits a 24-bit key field
inline constexpr std::size_t kCurrenciesMax = 64;
inline constexpr std::size_t kHolidaysMax = 4096;
inline constexpr std::size_t kMemberNameMax = 200;
inline constexpr int kSettlementCycleMax = 10;  // T+0 .. T+10 business days
inline constexpr int kLateTradeWindowMax = 10;  // a trade may be 0..10 business days late
inline constexpr int kAllegationExpiryMax = 10;  // an unmatched report lives 0..10 business days more
inline constexpr std::uint32_t kOpenReportsMax = 1'000'000;  // per member, the genesis cap's ceiling
/// Versions of one (submitter, trade id) report: the original and 15 corrections.
inline constexpr std::uint16_t kReportVersionsMax = 16;
inline constexpr std::size_t kBatchBytesMax = 1u << 20;  // as quorum::kBatchBytesMax
inline constexpr std::size_t kBatchEntriesMax = 200'000;
inline constexpr std::size_t kNodesMax = 128;  // as quorum::kNodesMax
/// Network sizes a genesis may name, as quorum::kNetworkSizeMin/Max: every
/// n from 4 to 31 and no other (quorum/README.md "Supported network sizes").
inline constexpr std::size_t kNetworkSizeMin = 4;
inline constexpr std::size_t kNetworkSizeMax = 31;
/// Control entries (ledger.h): a pending entry expires this many epochs
/// after its first vote; each proposer has at most this many votes on
/// pending entries (a new one withdraws its oldest), so pending state is at
/// most node_count x kControlVotesPerProposerMax entries whatever a faulty
/// node proposes.
inline constexpr std::uint64_t kControlPendingEpochs = 16;
inline constexpr std::size_t kControlVotesPerProposerMax = 64;
/// Dates outside [1970-01-01, 2999-12-31] are rejected; keeps date keys in 19 bits.
inline constexpr BusinessDate kDateMin{0};
inline constexpr BusinessDate kDateMax{376'199};

}  // namespace quorumclear::settlement
