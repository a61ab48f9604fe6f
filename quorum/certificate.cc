#include "quorum/certificate.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace quorumclear::quorum {
namespace {

static_assert(crypto_sign_BYTES == std::tuple_size_v<Signature>);

constexpr char kTupleTag[8] = {'Q', 'C', 'E', 'P', 'O', 'C', 'H', '2'};

template <std::size_t N>
void put_be(std::uint8_t* out, std::uint64_t v) {
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * (N - 1 - i)));
}

}  // namespace

std::array<std::uint8_t, kEpochTupleBytes> signing_bytes(const EpochTuple& tuple) {
  std::array<std::uint8_t, kEpochTupleBytes> out{};
  std::uint8_t* p = out.data();
  std::memcpy(p, kTupleTag, 8);
  p += 8;
  std::memcpy(p, tuple.network_id.data(), 32);
  p += 32;
  put_be<8>(p, tuple.epoch.value);
  p += 8;
  for (const Digest* d : {&tuple.output_digest, &tuple.state_digest, &tuple.audit_head,
                          &tuple.snapshot_digest, &tuple.obligations_root}) {
    std::memcpy(p, d->data(), 32);
    p += 32;
  }
  return out;
}

Digest output_digest(const DecidedEpoch& decided) {
  std::vector<BatchView> views;
  views.reserve(decided.batches.size());
  for (const DecidedBatch& b : decided.batches) views.push_back({b.proposer, b.value});
  return output_digest(decided.epoch, views);
}

Digest output_digest(Epoch epoch, std::span<const BatchView> batches) {
  // The header and each batch's framing go through one buffer so the hash
  // sees exactly the documented byte string without copying the values.
  std::vector<std::uint8_t> framing(8 + 2 + batches.size() * 6);
  put_be<8>(framing.data(), epoch.value);
  put_be<2>(framing.data() + 8, batches.size());
  std::vector<std::span<const std::uint8_t>> parts;
  parts.reserve(1 + 2 * batches.size());
  parts.emplace_back(framing.data(), 10);
  for (std::size_t i = 0; i < batches.size(); ++i) {
    std::uint8_t* f = framing.data() + 10 + 6 * i;
    put_be<2>(f, batches[i].proposer.value);
    put_be<4>(f + 2, batches[i].value.size());
    parts.emplace_back(f, 6);
    parts.emplace_back(batches[i].value);
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (const auto& part : parts) crypto_hash_sha256_update(&state, part.data(), part.size());
  Digest out{};
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Signature sign_epoch(const EpochTuple& tuple, const SigningSecretKey& key) {
  const auto bytes = signing_bytes(tuple);
  Signature out{};
  crypto_sign_detached(out.data(), nullptr, bytes.data(), bytes.size(), key.data());
  return out;
}

bool verify_epoch(const EpochTuple& tuple, const Signature& signature, const SigningPublicKey& key) {
  const auto bytes = signing_bytes(tuple);
  return crypto_sign_verify_detached(signature.data(), bytes.data(), bytes.size(), key.data()) == 0;
}

std::size_t distinct_valid_signers(const EpochTuple& tuple,
                                   std::span<const std::pair<NodeId, Signature>> signatures,
                                   std::span<const SigningPublicKey> keys) {
  std::vector<bool> counted(keys.size(), false);
  std::size_t count = 0;
  for (const auto& [signer, signature] : signatures) {
    if (signer.value >= keys.size() || counted[signer.value]) continue;
    if (!verify_epoch(tuple, signature, keys[signer.value])) continue;
    counted[signer.value] = true;
    ++count;
  }
  return count;
}

CertificateTracker::CertificateTracker(Membership members, Digest network_id,
                                       std::vector<SigningPublicKey> keys, Epoch first_tracked)
    : members_(members), network_id_(network_id), keys_(std::move(keys)), first_(first_tracked) {}

SignatureFiling CertificateTracker::file(const EpochSignature& s) {
  if (!members_.contains(s.signer) || s.signer.value >= keys_.size() ||
      s.tuple.network_id != network_id_) {
    return SignatureFiling::kInvalid;
  }
  const std::uint64_t e = s.tuple.epoch.value;
  if (e < first_.value || e - first_.value > kEpochsAheadMax) return SignatureFiling::kOutOfWindow;
  PerEpoch& per = epochs_[e];
  const auto it = per.by_signer.find(s.signer.value);
  if (it != per.by_signer.end()) {
    if (it->second.tuple != s.tuple) {
      // Only a verified second tuple is proof of equivocation; a forged one
      // proves nothing against the named signer.
      return verify_epoch(s.tuple, s.signature, keys_[s.signer.value]) ? SignatureFiling::kConflicting
                                                                          : SignatureFiling::kInvalid;
    }
    return SignatureFiling::kRepeated;
  }
  if (!verify_epoch(s.tuple, s.signature, keys_[s.signer.value])) {
    if (per.by_signer.empty() && !per.own) epochs_.erase(e);
    return SignatureFiling::kInvalid;
  }
  per.by_signer.emplace(s.signer.value, s);
  return SignatureFiling::kFiled;
}

void CertificateTracker::set_own(const EpochTuple& tuple) {
  if (tuple.epoch < first_) return;
  epochs_[tuple.epoch.value].own = tuple;
}

std::optional<EpochTuple> CertificateTracker::strong_tuple(const PerEpoch& per) const {
  for (const auto& [signer, candidate] : per.by_signer) {
    std::size_t agreeing = 0;
    for (const auto& [other, s] : per.by_signer) agreeing += s.tuple == candidate.tuple ? 1u : 0u;
    if (agreeing >= members_.strong()) return candidate.tuple;
  }
  return std::nullopt;
}

std::optional<Certificate> CertificateTracker::certificate(Epoch epoch) const {
  const auto it = epochs_.find(epoch.value);
  if (it == epochs_.end()) return std::nullopt;
  const std::optional<EpochTuple> tuple = strong_tuple(it->second);
  if (!tuple) return std::nullopt;
  return Certificate{*tuple, signatures_for(*tuple)};
}

bool CertificateTracker::diverged(Epoch epoch) const {
  const auto it = epochs_.find(epoch.value);
  if (it == epochs_.end() || !it->second.own) return false;
  const std::optional<EpochTuple> tuple = strong_tuple(it->second);
  return tuple && *tuple != *it->second.own;
}

std::size_t CertificateTracker::signatures_filed(Epoch epoch) const {
  const auto it = epochs_.find(epoch.value);
  return it == epochs_.end() ? 0 : it->second.by_signer.size();
}

std::vector<std::pair<NodeId, Signature>> CertificateTracker::signatures_for(const EpochTuple& tuple) const {
  std::vector<std::pair<NodeId, Signature>> out;
  const auto it = epochs_.find(tuple.epoch.value);
  if (it == epochs_.end()) return out;
  for (const auto& [signer, s] : it->second.by_signer) {
    if (s.tuple == tuple) out.emplace_back(s.signer, s.signature);
  }
  return out;
}

void CertificateTracker::forget_below(Epoch epoch) {
  if (epoch <= first_) return;
  epochs_.erase(epochs_.begin(), epochs_.lower_bound(epoch.value));
  first_ = epoch;
}

}  // namespace quorumclear::quorum

namespace quorumclear::quorum {

Digest audit_link(const Digest& prev, Epoch epoch, const Digest& output, const Digest& state) {
  std::array<std::uint8_t, 8> e{};
  put_be<8>(e.data(), epoch.value);
  return sha256({prev, e, output, state});
}

}  // namespace quorumclear::quorum
