#include "quorum/erasure.h"

#include <isa-l/erasure_code.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cassert>
#include <cstring>

namespace quorumclear::quorum {
namespace {

// A small cache suffices: an RBC instance decodes once, and a coder shared
// by a caller that decodes often sees the same fastest-k subset again and again.
constexpr std::size_t kPlanCacheEntries = 4;

int to_int(std::size_t v) {
  assert(v <= static_cast<std::size_t>(INT32_MAX));
  return static_cast<int>(v);
}

// Copies frame bytes [offset, offset + out.size()) out of the k data
// stripes, which hold the frame in order but not contiguously.
void copy_from_frame(const std::vector<ByteView>& data, std::size_t stripe_bytes,
                     std::size_t offset, std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t stripe = (offset + done) / stripe_bytes;
    const std::size_t within = (offset + done) % stripe_bytes;
    const std::size_t chunk = std::min(out.size() - done, stripe_bytes - within);
    std::memcpy(out.data() + done, data[stripe].data() + within, chunk);
    done += chunk;
  }
}

bool frame_is_zero(const std::vector<ByteView>& data, std::size_t stripe_bytes, std::size_t offset) {
  const std::size_t end = data.size() * stripe_bytes;
  for (std::size_t at = offset; at < end; ++at) {
    if (data[at / stripe_bytes][at % stripe_bytes] != 0) return false;
  }
  return true;
}

}  // namespace

std::size_t erasure_stripe_bytes(std::size_t value_bytes, std::size_t data_stripes) {
  assert(data_stripes >= 1);
  return (kErasureFrameHeaderBytes + value_bytes + data_stripes - 1) / data_stripes;
}

std::size_t erasure_min_stripe_bytes(const Membership& members) {
  return erasure_stripe_bytes(0, members.data_stripes());
}

std::size_t erasure_max_stripe_bytes(const Membership& members) {
  return erasure_stripe_bytes(kBatchBytesMax, members.data_stripes());
}

ByteView EncodedValue::stripe(std::size_t i) const {
  assert(i < stripe_count_);
  return ByteView(buffer_).subspan(i * stripe_bytes_, stripe_bytes_);
}

std::span<std::uint8_t> EncodedValue::mutable_stripe(std::size_t i) {
  assert(i < stripe_count_);
  return std::span<std::uint8_t>(buffer_).subspan(i * stripe_bytes_, stripe_bytes_);
}

std::vector<ByteView> EncodedValue::stripes() const {
  std::vector<ByteView> out;
  out.reserve(stripe_count_);
  for (std::size_t i = 0; i < stripe_count_; ++i) out.push_back(stripe(i));
  return out;
}

ErasureCoder::ErasureCoder(const Membership& members)
    : n_(members.n()), k_(members.data_stripes()), matrix_(n_ * k_) {
  assert(k_ >= 1 && k_ <= n_ && n_ <= kNodesMax);
  gf_gen_cauchy1_matrix(matrix_.data(), to_int(n_), to_int(k_));
  const std::size_t parity = n_ - k_;
  encode_tables_.resize(32 * k_ * parity);
  if (parity > 0) {
    ec_init_tables(to_int(k_), to_int(parity), matrix_.data() + k_ * k_, encode_tables_.data());
  }
}

EncodedValue ErasureCoder::encode(ByteView value) const {
  assert(value.size() <= kBatchBytesMax);
  const std::size_t stripe_bytes = erasure_stripe_bytes(value.size(), k_);
  EncodedValue out(n_, stripe_bytes, EncodedValue::Uninitialised{});
  // The first k stripes are the frame itself (systematic code): write it in
  // place, then compute parity straight into the remaining stripes. Every
  // byte is written exactly once: header, value, zero padding, parity.
  const std::span<std::uint8_t> frame(out.mutable_stripe(0).data(), k_ * stripe_bytes);
  const auto length = static_cast<std::uint64_t>(value.size());
  for (std::size_t b = 0; b < kErasureFrameHeaderBytes; ++b) {
    frame[b] = static_cast<std::uint8_t>(length >> (8 * (kErasureFrameHeaderBytes - 1 - b)));
  }
  if (!value.empty()) std::memcpy(frame.data() + kErasureFrameHeaderBytes, value.data(), value.size());
  const std::size_t framed = kErasureFrameHeaderBytes + value.size();
  assert(framed <= frame.size());
  std::memset(frame.data() + framed, 0, frame.size() - framed);
  fill_parity(out);
  return out;
}

EncodedValue ErasureCoder::encode_any_frame(ByteView frame, std::size_t stripe_bytes) const {
  assert(stripe_bytes >= 1 && frame.size() <= k_ * stripe_bytes);
  EncodedValue out(n_, stripe_bytes);  // zeroed: the frame's tail pads with zeros
  const std::span<std::uint8_t> data(out.mutable_stripe(0).data(), k_ * stripe_bytes);
  if (!frame.empty()) std::memcpy(data.data(), frame.data(), frame.size());
  fill_parity(out);
  return out;
}

void ErasureCoder::fill_parity(EncodedValue& out) const {
  const std::size_t stripe_bytes = out.stripe_bytes();
  if (n_ > k_) {
    std::vector<std::uint8_t*> data(k_);
    std::vector<std::uint8_t*> parity(n_ - k_);
    for (std::size_t i = 0; i < k_; ++i) data[i] = out.mutable_stripe(i).data();
    for (std::size_t i = k_; i < n_; ++i) parity[i - k_] = out.mutable_stripe(i).data();
    // ec_encode_data takes a non-const table pointer but only reads it.
    ec_encode_data(to_int(stripe_bytes), to_int(k_), to_int(n_ - k_),
                   const_cast<std::uint8_t*>(encode_tables_.data()), data.data(), parity.data());
  }
}

const ErasureCoder::DecodePlan& ErasureCoder::plan_for(const std::vector<std::size_t>& sources) {
  for (const DecodePlan& plan : plan_cache_) {
    if (plan.sources == sources) return plan;
  }
  DecodePlan plan;
  plan.sources = sources;
  // The chosen rows of the encoding matrix map data to received stripes;
  // their inverse maps received stripes back to data.
  std::vector<std::uint8_t> chosen(k_ * k_);
  std::vector<std::uint8_t> inverse(k_ * k_);
  for (std::size_t r = 0; r < k_; ++r) {
    std::memcpy(chosen.data() + r * k_, matrix_.data() + sources[r] * k_, k_);
  }
  [[maybe_unused]] const int singular = gf_invert_matrix(chosen.data(), inverse.data(), to_int(k_));
  assert(singular == 0 && "every k x k sub-matrix of a Cauchy matrix is invertible");
  std::vector<std::uint8_t> rows;
  for (std::size_t j = 0; j < k_; ++j) {
    if (std::binary_search(sources.begin(), sources.end(), j)) continue;
    plan.missing_data.push_back(j);
    const auto row = static_cast<std::ptrdiff_t>(j * k_);
    rows.insert(rows.end(), inverse.begin() + row, inverse.begin() + row + static_cast<std::ptrdiff_t>(k_));
  }
  plan.tables.resize(32 * k_ * plan.missing_data.size());
  if (!plan.missing_data.empty()) {
    ec_init_tables(to_int(k_), to_int(plan.missing_data.size()), rows.data(), plan.tables.data());
  }
  if (plan_cache_.size() < kPlanCacheEntries) {
    plan_cache_.push_back(std::move(plan));
    return plan_cache_.back();
  }
  const std::size_t slot = plan_cache_next_;
  plan_cache_next_ = (plan_cache_next_ + 1) % kPlanCacheEntries;
  plan_cache_[slot] = std::move(plan);
  return plan_cache_[slot];
}

std::optional<Bytes> ErasureCoder::decode(std::span<const IndexedStripe> stripes) {
  if (stripes.empty()) return std::nullopt;
  const std::size_t stripe_bytes = stripes.front().bytes.size();
  const Membership members(n_);
  if (stripe_bytes < erasure_min_stripe_bytes(members) || stripe_bytes > erasure_max_stripe_bytes(members)) {
    return std::nullopt;
  }
  // by_index[i] = position in `stripes` of stripe i; duplicates are garbage.
  std::vector<const IndexedStripe*> by_index(n_, nullptr);
  for (const IndexedStripe& s : stripes) {
    if (s.index >= n_ || s.bytes.size() != stripe_bytes || by_index[s.index] != nullptr) return std::nullopt;
    by_index[s.index] = &s;
  }
  // Prefer low indices: data stripes need no arithmetic at all.
  std::vector<std::size_t> sources;
  for (std::size_t i = 0; i < n_ && sources.size() < k_; ++i) {
    if (by_index[i] != nullptr) sources.push_back(i);
  }
  if (sources.size() < k_) return std::nullopt;

  const DecodePlan& plan = plan_for(sources);
  std::vector<Bytes> rebuilt(plan.missing_data.size(), Bytes(stripe_bytes));
  if (!plan.missing_data.empty()) {
    std::vector<std::uint8_t*> in(k_);
    std::vector<std::uint8_t*> out(rebuilt.size());
    // ISA-L takes non-const source pointers but only reads through them.
    for (std::size_t r = 0; r < k_; ++r) in[r] = const_cast<std::uint8_t*>(by_index[sources[r]]->bytes.data());
    for (std::size_t m = 0; m < rebuilt.size(); ++m) out[m] = rebuilt[m].data();
    ec_encode_data(to_int(stripe_bytes), to_int(k_), to_int(rebuilt.size()),
                   const_cast<std::uint8_t*>(plan.tables.data()), in.data(), out.data());
  }
  std::vector<ByteView> data(k_);
  for (std::size_t j = 0; j < k_; ++j) {
    if (by_index[j] != nullptr) data[j] = by_index[j]->bytes;
  }
  for (std::size_t m = 0; m < plan.missing_data.size(); ++m) data[plan.missing_data[m]] = rebuilt[m];
  return unframe(data, stripe_bytes);
}

std::optional<Bytes> ErasureCoder::unframe(const std::vector<ByteView>& data, std::size_t stripe_bytes) const {
  std::array<std::uint8_t, kErasureFrameHeaderBytes> header{};
  copy_from_frame(data, stripe_bytes, 0, header);
  std::uint64_t length = 0;
  for (std::uint8_t b : header) length = (length << 8) | b;
  const std::size_t capacity = k_ * stripe_bytes - kErasureFrameHeaderBytes;
  // Canonical frame only: the length fits, the padding is the minimal
  // amount and all zero, so one stripe set means exactly one value.
  if (length > capacity) return std::nullopt;
  // No honest proposer frames more than kBatchBytesMax. Where k does not
  // divide kBatchBytesMax + 8, the largest stripe the codec admits leaves
  // room for a longer frame; such a codeword is a non-codeword here, so
  // every honest node decides alike (deliver nothing, blame the proposer)
  // instead of re-encoding a value encode() refuses (issue 11, item 1).
  if (length > kBatchBytesMax) return std::nullopt;
  const auto value_bytes = static_cast<std::size_t>(length);
  if (erasure_stripe_bytes(value_bytes, k_) != stripe_bytes) return std::nullopt;
  if (!frame_is_zero(data, stripe_bytes, kErasureFrameHeaderBytes + value_bytes)) return std::nullopt;
  // Appended chunk by chunk rather than zero-filled and then overwritten.
  Bytes value;
  value.reserve(value_bytes);
  for (std::size_t at = kErasureFrameHeaderBytes; at < kErasureFrameHeaderBytes + value_bytes;) {
    const std::size_t within = at % stripe_bytes;
    const std::size_t chunk = std::min(kErasureFrameHeaderBytes + value_bytes - at, stripe_bytes - within);
    const ByteView source = data[at / stripe_bytes].subspan(within, chunk);
    value.insert(value.end(), source.begin(), source.end());
    at += chunk;
  }
  assert(value.size() == value_bytes);
  return value;
}

}  // namespace quorumclear::quorum
