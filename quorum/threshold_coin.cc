#include "quorum/threshold_coin.h"

#include "quorum/lagrange.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <string_view>

namespace quorumclear::quorum {
namespace {

// Domain separation: every hash in the coin starts with its own tag, so a
// value hashed for one purpose can never be replayed as another.
constexpr std::string_view kNameTag = "quorumclear/coin/name/v1";
constexpr std::string_view kNonceTag = "quorumclear/coin/nonce/v1";
constexpr std::string_view kChallengeTag = "quorumclear/coin/challenge/v1";
constexpr std::string_view kValueTag = "quorumclear/coin/value/v1";

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; the static makes it run once.
  static const int initialised = sodium_init();
  assert(initialised >= 0 && "sodium_init failed");
  (void)initialised;
}

/// Incremental SHA-512 over tagged, fixed-layout inputs.
class Sha512 {
 public:
  explicit Sha512(std::string_view tag) {
    crypto_hash_sha512_init(&state_);
    update(ByteView(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
  }
  Sha512& update(ByteView bytes) {
    crypto_hash_sha512_update(&state_, bytes.data(), bytes.size());
    return *this;
  }
  std::array<std::uint8_t, 64> finish() {
    std::array<std::uint8_t, 64> out{};
    crypto_hash_sha512_final(&state_, out.data());
    return out;
  }

 private:
  crypto_hash_sha512_state state_{};
};

template <typename T>
void put_big_endian(std::uint8_t* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * (sizeof(T) - 1 - i)));
  }
}

ScalarBytes reduce(const std::array<std::uint8_t, 64>& wide) {
  ScalarBytes out{};
  crypto_core_ristretto255_scalar_reduce(out.data(), wide.data());
  return out;
}

bool is_zero(const std::array<std::uint8_t, 32>& bytes) {
  return sodium_is_zero(bytes.data(), bytes.size()) == 1;
}

/// A scalar from the wire is canonical when it is already reduced mod L;
/// rejecting the rest keeps each share's encoding unique.
bool is_canonical_scalar(const ScalarBytes& s) {
  std::array<std::uint8_t, 64> wide{};
  std::copy(s.begin(), s.end(), wide.begin());
  return reduce(wide) == s;
}

/// H(C): the coin name hashed onto the group. A counter is appended and
/// bumped in the (probability ~2^-250) event that the map yields the
/// identity, so H(C) is always a usable base.
PointBytes hash_name_to_group(const CoinName& name) {
  std::array<std::uint8_t, 32 + 8 + 2 + 4> encoded{};
  std::copy(name.network_id.begin(), name.network_id.end(), encoded.begin());
  put_big_endian(encoded.data() + 32, name.epoch.value);
  put_big_endian(encoded.data() + 40, name.proposer.value);
  put_big_endian(encoded.data() + 42, name.round.value);
  for (std::uint8_t counter = 0;; ++counter) {
    const auto wide = Sha512(kNameTag).update(encoded).update(ByteView(&counter, 1)).finish();
    PointBytes point{};
    crypto_core_ristretto255_from_hash(point.data(), wide.data());
    if (!is_zero(point)) return point;
    assert(counter < 255 && "hash-to-group keeps producing the identity");
  }
}

ScalarBytes challenge_of(const PointBytes& base_h, const PointBytes& public_share, const PointBytes& share,
                         const PointBytes& commit_g, const PointBytes& commit_h) {
  static const PointBytes generator = [] {
    PointBytes g{};
    const ScalarBytes one = scalar_of(1);
    [[maybe_unused]] const int ok = crypto_scalarmult_ristretto255_base(g.data(), one.data());
    assert(ok == 0);
    return g;
  }();
  return reduce(Sha512(kChallengeTag)
                    .update(generator)
                    .update(base_h)
                    .update(public_share)
                    .update(share)
                    .update(commit_g)
                    .update(commit_h)
                    .finish());
}

/// a*P - c*Q, or nullopt when an intermediate product is the identity
/// (libsodium refuses to encode it; an honest proof never produces one).
std::optional<PointBytes> mul_sub(const ScalarBytes& a, const PointBytes* p, const ScalarBytes& c,
                                  const PointBytes& q) {
  PointBytes ap{};
  PointBytes cq{};
  const int a_ok = p == nullptr ? crypto_scalarmult_ristretto255_base(ap.data(), a.data())
                                : crypto_scalarmult_ristretto255(ap.data(), a.data(), p->data());
  if (a_ok != 0) return std::nullopt;
  if (crypto_scalarmult_ristretto255(cq.data(), c.data(), q.data()) != 0) return std::nullopt;
  PointBytes out{};
  if (crypto_core_ristretto255_sub(out.data(), ap.data(), cq.data()) != 0) return std::nullopt;
  return out;
}

}  // namespace

ThresholdCoin::ThresholdCoin(const Membership& members, CoinKeys keys)
    : members_(members), keys_(std::move(keys)) {
  ensure_sodium();
  assert(keys_.public_shares.size() == members_.n());
  assert(members_.contains(keys_.self));
  assert(!is_zero(keys_.secret_share) && is_canonical_scalar(keys_.secret_share));
  for ([[maybe_unused]] const auto& x : keys_.public_shares) {
    assert(crypto_core_ristretto255_is_valid_point(x.data()) == 1 && !is_zero(x));
  }
}

CoinShare ThresholdCoin::make_share(const CoinName& name) const {
  const PointBytes base_h = hash_name_to_group(name);
  CoinShare out;
  // x_i != 0 (keygen guarantees it) and H(C) is not the identity, so the
  // product is a non-identity point in the prime-order group.
  [[maybe_unused]] int ok =
      crypto_scalarmult_ristretto255(out.point.data(), keys_.secret_share.data(), base_h.data());
  assert(ok == 0);
  const PointBytes& public_share = keys_.public_shares[keys_.self.value];
  // Deterministic nonce (as in RFC 8032): a restarted node re-sends the
  // identical share and no randomness is needed. The counter retries the
  // negligible cases r == 0, c == 0 or z == 0, which the verifier rejects
  // because libsodium cannot multiply into the identity.
  for (std::uint8_t counter = 0;; ++counter) {
    assert(counter < 255);
    const ScalarBytes r = reduce(
        Sha512(kNonceTag).update(keys_.secret_share).update(base_h).update(ByteView(&counter, 1)).finish());
    PointBytes commit_g{};
    PointBytes commit_h{};
    if (crypto_scalarmult_ristretto255_base(commit_g.data(), r.data()) != 0) continue;
    if (crypto_scalarmult_ristretto255(commit_h.data(), r.data(), base_h.data()) != 0) continue;
    const ScalarBytes c = challenge_of(base_h, public_share, out.point, commit_g, commit_h);
    ScalarBytes cx{};
    ScalarBytes z{};
    crypto_core_ristretto255_scalar_mul(cx.data(), c.data(), keys_.secret_share.data());
    crypto_core_ristretto255_scalar_add(z.data(), r.data(), cx.data());
    if (is_zero(c) || is_zero(z)) continue;
    out.challenge = c;
    out.response = z;
    return out;
  }
}

bool ThresholdCoin::verify_share(NodeId from, const CoinName& name, const CoinShare& share) const {
  if (!members_.contains(from)) return false;
  if (crypto_core_ristretto255_is_valid_point(share.point.data()) != 1 || is_zero(share.point)) {
    return false;
  }
  if (!is_canonical_scalar(share.challenge) || !is_canonical_scalar(share.response)) return false;
  if (is_zero(share.challenge) || is_zero(share.response)) return false;
  const PointBytes base_h = hash_name_to_group(name);
  const PointBytes& public_share = keys_.public_shares[from.value];
  // Chaum-Pedersen: A = z*G - c*X_i and B = z*H - c*share must hash back to c.
  const auto commit_g = mul_sub(share.response, nullptr, share.challenge, public_share);
  const auto commit_h = mul_sub(share.response, &base_h, share.challenge, share.point);
  if (!commit_g || !commit_h) return false;
  const ScalarBytes c = challenge_of(base_h, public_share, share.point, *commit_g, *commit_h);
  return sodium_memcmp(c.data(), share.challenge.data(), c.size()) == 0;
}

std::optional<bool> ThresholdCoin::combine(const CoinName& name,
                                           std::span<const std::pair<NodeId, CoinShare>> shares) const {
  // Take the first f+1 distinct senders; more would not change the point.
  std::vector<std::pair<NodeId, const CoinShare*>> chosen;
  for (const auto& [node, share] : shares) {
    if (chosen.size() == members_.weak()) break;
    if (!members_.contains(node)) return std::nullopt;
    const bool seen =
        std::any_of(chosen.begin(), chosen.end(), [node = node](const auto& c) { return c.first == node; });
    if (!seen) chosen.emplace_back(node, &share);
  }
  if (chosen.size() < members_.weak()) return std::nullopt;
  std::vector<std::uint32_t> xs;
  xs.reserve(chosen.size());
  for (const auto& [node, unused] : chosen) xs.push_back(node.value + 1u);
  const std::vector<ScalarBytes> lambdas = lagrange_coefficients(xs, 0);
  PointBytes combined{};  // starts as the identity encoding
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    PointBytes term{};
    // lambda != 0 and a valid share is not the identity, so -1 here means
    // the caller passed an unverified, invalid point.
    if (crypto_scalarmult_ristretto255(term.data(), lambdas[i].data(), chosen[i].second->point.data()) != 0) {
      return std::nullopt;
    }
    if (crypto_core_ristretto255_add(combined.data(), combined.data(), term.data()) != 0) {
      return std::nullopt;
    }
  }
  (void)name;  // the point already binds the name; kept for the API's symmetry
  const Digest digest =
      sha256({ByteView(reinterpret_cast<const std::uint8_t*>(kValueTag.data()), kValueTag.size()),
              ByteView(combined)});
  return (digest[0] & 1u) == 1u;
}

}  // namespace quorumclear::quorum
