#include "quorum/codec.h"

#include "quorum/erasure.h"
#include "quorum/merkle.h"

#include <cassert>
#include <cstring>
#include <limits>
#include <optional>

namespace quorumclear::quorum {
namespace {

// version | epoch | proposer | type
constexpr std::size_t kHeaderBytes = 1 + 8 + 2 + 1;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Tags follow the order of the Payload variant, from 1 so 0 is never valid.
std::uint8_t tag_of(const Payload& payload) { return static_cast<std::uint8_t>(payload.index() + 1); }

class Writer {
 public:
  explicit Writer(std::size_t size) { out_.reserve(size); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { big_endian(v, 2); }
  void u32(std::uint32_t v) { big_endian(v, 4); }
  void u64(std::uint64_t v) { big_endian(v, 8); }
  void raw(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  Bytes finish() && { return std::move(out_); }

 private:
  void big_endian(std::uint64_t v, int width) {
    for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  Bytes out_;
};

std::size_t stripe_payload_size(const std::vector<Digest>& branch, const Bytes& stripe) {
  return 32 + 1 + branch.size() * 32 + 4 + stripe.size();
}

template <class RbcStripeMessage>
void write_stripe_message(Writer& w, const RbcStripeMessage& m) {
  assert(m.branch.size() <= std::numeric_limits<std::uint8_t>::max());
  assert(m.stripe.size() <= std::numeric_limits<std::uint32_t>::max());
  w.raw(m.root);
  w.u8(static_cast<std::uint8_t>(m.branch.size()));
  for (const Digest& d : m.branch) w.raw(d);
  w.u32(static_cast<std::uint32_t>(m.stripe.size()));
  w.raw(m.stripe);
}

std::uint8_t bool_byte(bool v) { return v ? 1 : 0; }

void write_payload(Writer& w, const Payload& payload) {
  std::visit(Overloaded{
                 [&](const RbcVal& m) { write_stripe_message(w, m); },
                 [&](const RbcEcho& m) { write_stripe_message(w, m); },
                 [&](const RbcReady& m) { w.raw(m.root); },
                 [&](const AbaBval& m) { w.u32(m.round.value); w.u8(bool_byte(m.value)); },
                 [&](const AbaAux& m) { w.u32(m.round.value); w.u8(bool_byte(m.value)); },
                 [&](const AbaConf& m) {
                   assert(m.values != BoolSet::kNone && "CONF never carries an empty set");
                   w.u32(m.round.value);
                   w.u8(static_cast<std::uint8_t>(m.values));
                 },
                 [&](const AbaCoin& m) {
                   w.u32(m.round.value);
                   w.raw(m.share.point);
                   w.raw(m.share.challenge);
                   w.raw(m.share.response);
                 },
                 [&](const AbaTerm& m) { w.u8(bool_byte(m.value)); },
             },
             payload);
}

// Reads fields off untrusted input; every read checks the bytes remain.
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  [[nodiscard]] std::size_t remaining() const { return in_.size() - at_; }
  bool u8(std::uint8_t& v) { return read_be(v); }
  bool u16(std::uint16_t& v) { return read_be(v); }
  bool u32(std::uint32_t& v) { return read_be(v); }
  bool u64(std::uint64_t& v) { return read_be(v); }
  template <std::size_t N>
  bool fixed(std::array<std::uint8_t, N>& out) {
    if (remaining() < N) return false;
    std::memcpy(out.data(), in_.data() + at_, N);
    at_ += N;
    return true;
  }
  /// Precondition (checked by the caller): size <= remaining().
  ByteView take(std::size_t size) {
    assert(size <= remaining());
    ByteView out = in_.subspan(at_, size);
    at_ += size;
    return out;
  }

 private:
  template <class T>
  bool read_be(T& v) {
    if (remaining() < sizeof(T)) return false;
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) acc = (acc << 8) | in_[at_ + i];
    v = static_cast<T>(acc);
    at_ += sizeof(T);
    return true;
  }
  ByteView in_;
  std::size_t at_ = 0;
};

// Reads a u8 that must be 0 or 1.
std::optional<DecodeError> read_bool(Reader& r, bool& out) {
  std::uint8_t b = 0;
  if (!r.u8(b)) return DecodeError::kTruncated;
  if (b > 1) return DecodeError::kNonCanonicalBool;
  out = b == 1;
  return std::nullopt;
}

template <class RbcStripeMessage>
DecodeResult read_stripe_message(Reader& r, const Membership& members, Message& msg) {
  RbcStripeMessage m;
  std::uint8_t count = 0;
  if (!r.fixed(m.root) || !r.u8(count)) return DecodeError::kTruncated;
  if (count > merkle_depth(members.n())) return DecodeError::kBranchTooLong;
  if (r.remaining() < std::size_t{count} * 32) return DecodeError::kTruncated;
  m.branch.resize(count);
  for (Digest& d : m.branch) (void)r.fixed(d);
  std::uint32_t stripe_bytes = 0;
  if (!r.u32(stripe_bytes)) return DecodeError::kTruncated;
  if (stripe_bytes < erasure_min_stripe_bytes(members) || stripe_bytes > erasure_max_stripe_bytes(members)) {
    return DecodeError::kStripeSizeOutOfRange;
  }
  if (r.remaining() < stripe_bytes) return DecodeError::kTruncated;
  const ByteView stripe = r.take(stripe_bytes);
  m.stripe.assign(stripe.begin(), stripe.end());
  msg.payload = std::move(m);
  return std::move(msg);
}

template <class AbaVote>
DecodeResult read_vote(Reader& r, Message& msg) {
  AbaVote m;
  if (!r.u32(m.round.value)) return DecodeError::kTruncated;
  if (auto error = read_bool(r, m.value)) return *error;
  msg.payload = m;
  return std::move(msg);
}

DecodeResult read_conf(Reader& r, Message& msg) {
  AbaConf m;
  std::uint8_t set = 0;
  if (!r.u32(m.round.value) || !r.u8(set)) return DecodeError::kTruncated;
  if (set < 1 || set > 3) return DecodeError::kNonCanonicalBoolSet;
  m.values = static_cast<BoolSet>(set);
  msg.payload = m;
  return std::move(msg);
}

DecodeResult read_coin(Reader& r, Message& msg) {
  AbaCoin m;
  if (!r.u32(m.round.value) || !r.fixed(m.share.point) || !r.fixed(m.share.challenge) ||
      !r.fixed(m.share.response)) {
    return DecodeError::kTruncated;
  }
  msg.payload = m;
  return std::move(msg);
}

DecodeResult read_payload(Reader& r, std::uint8_t tag, const Membership& members, Message& msg) {
  switch (tag) {
    case 1: return read_stripe_message<RbcVal>(r, members, msg);
    case 2: return read_stripe_message<RbcEcho>(r, members, msg);
    case 3: {
      RbcReady m;
      if (!r.fixed(m.root)) return DecodeError::kTruncated;
      msg.payload = m;
      return std::move(msg);
    }
    case 4: return read_vote<AbaBval>(r, msg);
    case 5: return read_vote<AbaAux>(r, msg);
    case 6: return read_conf(r, msg);
    case 7: return read_coin(r, msg);
    case 8: {
      AbaTerm m;
      if (auto error = read_bool(r, m.value)) return *error;
      msg.payload = m;
      return std::move(msg);
    }
    default: return DecodeError::kUnknownPayloadType;
  }
}

}  // namespace

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kUnsupportedVersion: return "unsupported version";
    case DecodeError::kUnknownPayloadType: return "unknown payload type";
    case DecodeError::kProposerOutOfRange: return "proposer out of range";
    case DecodeError::kNonCanonicalBool: return "bool not 0 or 1";
    case DecodeError::kNonCanonicalBoolSet: return "bool set not 1, 2 or 3";
    case DecodeError::kBranchTooLong: return "Merkle branch too long";
    case DecodeError::kStripeSizeOutOfRange: return "stripe size out of range";
    case DecodeError::kTrailingBytes: return "trailing bytes";
  }
  return "unknown";
}

std::size_t encoded_size(const Message& message) {
  const std::size_t payload = std::visit(
      Overloaded{
          [](const RbcVal& m) { return stripe_payload_size(m.branch, m.stripe); },
          [](const RbcEcho& m) { return stripe_payload_size(m.branch, m.stripe); },
          [](const RbcReady&) -> std::size_t { return 32; },
          [](const AbaBval&) -> std::size_t { return 4 + 1; },
          [](const AbaAux&) -> std::size_t { return 4 + 1; },
          [](const AbaConf&) -> std::size_t { return 4 + 1; },
          [](const AbaCoin&) -> std::size_t { return 4 + 3 * 32; },
          [](const AbaTerm&) -> std::size_t { return 1; },
      },
      message.payload);
  return kHeaderBytes + payload;
}

Bytes encode(const Message& message) {
  const std::size_t size = encoded_size(message);
  Writer w(size);
  w.u8(kCodecVersion);
  w.u64(message.epoch.value);
  w.u16(message.proposer.value);
  w.u8(tag_of(message.payload));
  write_payload(w, message.payload);
  Bytes out = std::move(w).finish();
  assert(out.size() == size);
  return out;
}

DecodeResult decode(ByteView bytes, const Membership& members) {
  Reader r(bytes);
  std::uint8_t version = 0;
  if (!r.u8(version)) return DecodeError::kTruncated;
  if (version != kCodecVersion) return DecodeError::kUnsupportedVersion;
  Message msg{};
  std::uint8_t tag = 0;
  if (!r.u64(msg.epoch.value) || !r.u16(msg.proposer.value) || !r.u8(tag)) return DecodeError::kTruncated;
  if (!members.contains(msg.proposer)) return DecodeError::kProposerOutOfRange;
  DecodeResult result = read_payload(r, tag, members, msg);
  if (result.ok() && r.remaining() != 0) return DecodeError::kTrailingBytes;
  return result;
}

}  // namespace quorumclear::quorum
