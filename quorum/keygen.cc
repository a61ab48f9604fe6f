#include "quorum/keygen.h"

#include "quorum/lagrange.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <optional>

namespace quorumclear::quorum {
namespace {

static_assert(crypto_sign_SECRETKEYBYTES == std::tuple_size_v<SigningSecretKey>);
static_assert(crypto_sign_PUBLICKEYBYTES == std::tuple_size_v<SigningPublicKey>);

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; the static makes it run once.
  static const int initialised = sodium_init();
  assert(initialised >= 0 && "sodium_init failed");
  (void)initialised;
}

ScalarBytes random_scalar(const RandomSource& random) {
  // 64 uniform bytes reduced mod L: the bias is about 2^-259, unlike
  // reducing 32 bytes, which would favour small scalars noticeably.
  std::array<std::uint8_t, 64> wide{};
  random(wide);
  ScalarBytes out{};
  crypto_core_ristretto255_scalar_reduce(out.data(), wide.data());
  sodium_memzero(wide.data(), wide.size());
  return out;
}

bool is_zero(const std::array<std::uint8_t, 32>& s) { return sodium_is_zero(s.data(), s.size()) == 1; }

/// P(x) by Horner's rule; coefficients[0] is the shared secret P(0).
ScalarBytes evaluate(const std::vector<ScalarBytes>& coefficients, const ScalarBytes& x) {
  ScalarBytes acc{};
  for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) {
    crypto_core_ristretto255_scalar_mul(acc.data(), acc.data(), x.data());
    crypto_core_ristretto255_scalar_add(acc.data(), acc.data(), it->data());
  }
  return acc;
}

/// Secret shares x_i = P(i+1) of a fresh random degree-f polynomial. A zero
/// secret or share (probability ~n * 2^-252) would make x * G the identity,
/// which libsodium cannot encode: the whole polynomial is drawn again.
std::vector<ScalarBytes> deal_secret_shares(const Membership& members, const RandomSource& random) {
  for (;;) {
    std::vector<ScalarBytes> coefficients;
    coefficients.reserve(members.f() + 1);
    for (std::size_t k = 0; k <= members.f(); ++k) coefficients.push_back(random_scalar(random));
    bool usable = !is_zero(coefficients[0]);
    std::vector<ScalarBytes> shares;
    shares.reserve(members.n());
    for (std::size_t i = 0; i < members.n() && usable; ++i) {
      shares.push_back(evaluate(coefficients, scalar_of(static_cast<std::uint32_t>(i + 1))));
      usable = !is_zero(shares.back());
    }
    for (auto& c : coefficients) sodium_memzero(c.data(), c.size());
    if (usable) return shares;
  }
}

bool is_canonical_scalar(const ScalarBytes& s) {
  std::array<std::uint8_t, 64> wide{};
  std::copy(s.begin(), s.end(), wide.begin());
  ScalarBytes reduced{};
  crypto_core_ristretto255_scalar_reduce(reduced.data(), wide.data());
  return reduced == s;
}

bool is_usable_point(const PointBytes& p) {
  return crypto_core_ristretto255_is_valid_point(p.data()) == 1 && !is_zero(p);
}

/// sum_i lambda_i * X_i, or nullopt if libsodium refuses a product (only an
/// invalid or identity point can make it).
std::optional<PointBytes> combine_in_exponent(std::span<const ScalarBytes> lambdas,
                                              std::span<const PointBytes> points) {
  PointBytes sum{};  // the identity encoding
  for (std::size_t i = 0; i < lambdas.size(); ++i) {
    PointBytes term{};
    if (crypto_scalarmult_ristretto255(term.data(), lambdas[i].data(), points[i].data()) != 0) {
      return std::nullopt;
    }
    if (crypto_core_ristretto255_add(sum.data(), sum.data(), term.data()) != 0) return std::nullopt;
  }
  return sum;
}

}  // namespace

std::vector<CoinKeys> deal_coin_shares(const Membership& members, const RandomSource& random) {
  ensure_sodium();
  std::vector<ScalarBytes> secret_shares = deal_secret_shares(members, random);
  std::vector<PointBytes> public_shares(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    [[maybe_unused]] const int ok =
        crypto_scalarmult_ristretto255_base(public_shares[i].data(), secret_shares[i].data());
    assert(ok == 0 && "non-zero share gives a non-identity public share");
  }
  std::vector<CoinKeys> out(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    out[i].self = NodeId{static_cast<std::uint16_t>(i)};
    out[i].secret_share = secret_shares[i];
    out[i].public_shares = public_shares;
    sodium_memzero(secret_shares[i].data(), secret_shares[i].size());
  }
  return out;
}

std::vector<NodeKeys> deal_keys(const Membership& members, const RandomSource& random) {
  std::vector<CoinKeys> coins = deal_coin_shares(members, random);
  std::vector<SigningSecretKey> signing_secrets(members.n());
  std::vector<SigningPublicKey> signing_public(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
    random(seed);
    crypto_sign_seed_keypair(signing_public[i].data(), signing_secrets[i].data(), seed.data());
    sodium_memzero(seed.data(), seed.size());
  }
  std::vector<NodeKeys> out(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    out[i].coin = std::move(coins[i]);
    out[i].signing_secret = signing_secrets[i];
    out[i].signing_public = signing_public;
  }
  return out;
}

bool public_shares_consistent(const Membership& members, std::span<const PointBytes> public_shares) {
  ensure_sodium();
  if (public_shares.size() != members.n()) return false;
  for (const PointBytes& x : public_shares) {
    if (!is_usable_point(x)) return false;
  }
  // f+1 points fix a degree-f polynomial; X_0 .. X_f are as good as any.
  const std::size_t base_count = members.f() + 1;
  std::vector<std::uint32_t> base_xs(base_count);
  for (std::size_t i = 0; i < base_count; ++i) base_xs[i] = static_cast<std::uint32_t>(i + 1);
  const std::span<const PointBytes> base = public_shares.first(base_count);
  for (std::size_t j = base_count; j < members.n(); ++j) {
    const std::vector<ScalarBytes> lambdas =
        lagrange_coefficients(base_xs, static_cast<std::uint32_t>(j + 1));
    const std::optional<PointBytes> predicted = combine_in_exponent(lambdas, base);
    if (!predicted || sodium_memcmp(predicted->data(), public_shares[j].data(), predicted->size()) != 0) {
      return false;
    }
  }
  return true;
}

bool secret_matches_public(const ScalarBytes& secret_share, const PointBytes& public_share) {
  ensure_sodium();
  if (is_zero(secret_share) || !is_canonical_scalar(secret_share) || !is_usable_point(public_share)) {
    return false;
  }
  PointBytes derived{};
  if (crypto_scalarmult_ristretto255_base(derived.data(), secret_share.data()) != 0) return false;
  return sodium_memcmp(derived.data(), public_share.data(), derived.size()) == 0;
}

}  // namespace quorumclear::quorum
