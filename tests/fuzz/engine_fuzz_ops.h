#pragma once
// The input language of quorum_engine_fuzz, shared by the fuzzer and the
// seed-corpus writer so both read one definition of the bytes.
//
// An input is one config byte followed by fixed-size operation records. Any
// byte string is a valid program: the opcode is taken modulo kOpCount, every
// argument modulo its range, a trailing partial record is ignored, and at
// most kOpsMax records run. Fixed-size records keep libFuzzer's byte-level
// mutations aligned with the structure (a changed byte changes one argument
// of one operation), so it can splice and tweak operations cheaply.

#include <array>
#include <cstddef>
#include <cstdint>

namespace quorumclear::quorum::fuzz {

/// Config byte: bits 0-1 pick the membership size (0: n = 4, else n = 13,
/// the larger and costlier one three times in four: issue 11's frame bug
/// needs k = n - 2f not dividing kBatchBytesMax + 8, which holds at 13, not
/// at 4), bit 2 whether the faulty ids are the first f or the last f
/// (proposer order matters to the ACS).
inline constexpr std::uint8_t kConfigSizeBits = 0x03;
inline constexpr std::uint8_t kConfigN4 = 0x00;
inline constexpr std::uint8_t kConfigN13 = 0x01;
inline constexpr std::uint8_t kConfigByzantineFirst = 0x04;
[[nodiscard]] constexpr std::size_t membership_size(std::uint8_t config) {
  return (config & kConfigSizeBits) == kConfigN4 ? 4 : 13;
}

inline constexpr std::size_t kOpBytes = 8;
inline constexpr std::size_t kOpsMax = 256;

/// Arguments below are a..g (bytes 1..7 of a record). Every Byzantine
/// operation reads the same three first: a = sender (a % f; bit 7 makes
/// ECHO and READY come from every faulty id), b = epoch selector (low
/// nibble, see below) plus a fill nibble, c = honest recipients (0, bit 6
/// or bit 7 set: all of them, three masks in four; otherwise bit i % 6
/// names honest node i).
enum class Op : std::uint8_t {
  // --- honest nodes and the network ---
  kPropose,    // a node, b|c<<8 length (mod 4 KiB), d fill: queue a batch
  kTick,       // a node (bit 7: all), b: advance the clock by b * 8 ms, then tick
  kDeliver,    // a dest, b: 1 + b % 16 messages, c: which of the first 8 each time
  kRun,        // deliver 8 * (1 + a) messages round-robin from dest b, reorder seed c
  kDrop,       // a dest, b: drop one of its first 8 queued messages
  kDuplicate,  // a dest, b: queue a copy of one of its first 8 messages again
  kRotate,     // a dest, b: move 1 + b % 8 messages from the front to the back
  // --- Byzantine senders (a, b, c as above) ---
  kByzVal,     // forged codeword, modes in d (engine_fuzz_adversary.cc), e|f<<8 length, g deltas
  kByzMaxVal,  // largest codeword (stripe bound, frame capacity): b & 3 epoch, d small
               // deltas, f == 0xff: no colluders
  kByzEcho,    // d instance, e mode, f which forged codeword, g byte to corrupt
  kByzReady,   // d instance, e root choice, f|g junk
  kByzVote,    // d instance, e kind/value/all-instances, f round selector, g round argument
  kByzCoin,    // d instance, e mode, f round selector, g round argument / byte to corrupt
  kByzMirror,  // d which observed message, e transform: act on what an honest node sent us
  kByzFlip,    // change byte (d | e<<8 | f<<16) of the last Byzantine wire message by g
  kOpCount
};

/// One operation record as laid out in the input.
struct OpRecord {
  Op op = Op::kPropose;
  std::array<std::uint8_t, kOpBytes - 1> arg{};
};

/// The epoch a Byzantine message names, from the low nibble of argument b,
/// relative to the lowest current epoch among honest nodes ("base").
/// 0..7 base, 8..10 base + 1..3 (inside the window), 11 base + 4 (just
/// beyond), 12 base - 1 (stale), 13 the highest honest current epoch,
/// 14 UINT64_MAX, 15 base + 2^32.
inline constexpr std::uint8_t kEpochBase = 0;
inline constexpr std::uint8_t kEpochWindowEdge = 10;
inline constexpr std::uint8_t kEpochBeyondWindow = 11;

}  // namespace quorumclear::quorum::fuzz
