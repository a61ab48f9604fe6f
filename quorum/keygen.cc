#include "quorum/keygen.h"

#include <sodium.h>

#include <cassert>

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

ScalarBytes scalar_from_index(std::size_t index) {
  ScalarBytes out{};
  for (std::size_t i = 0; i < sizeof(index); ++i) out[i] = static_cast<std::uint8_t>(index >> (8 * i));
  return out;
}

bool is_zero(const ScalarBytes& s) { return sodium_is_zero(s.data(), s.size()) == 1; }

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
      shares.push_back(evaluate(coefficients, scalar_from_index(i + 1)));
      usable = !is_zero(shares.back());
    }
    for (auto& c : coefficients) sodium_memzero(c.data(), c.size());
    if (usable) return shares;
  }
}

}  // namespace

std::vector<NodeKeys> deal_keys(const Membership& members, const RandomSource& random) {
  ensure_sodium();
  const std::vector<ScalarBytes> secret_shares = deal_secret_shares(members, random);
  std::vector<PointBytes> public_shares(members.n());
  for (std::size_t i = 0; i < members.n(); ++i) {
    [[maybe_unused]] const int ok =
        crypto_scalarmult_ristretto255_base(public_shares[i].data(), secret_shares[i].data());
    assert(ok == 0 && "non-zero share gives a non-identity public share");
  }
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
    out[i].coin.self = NodeId{static_cast<std::uint16_t>(i)};
    out[i].coin.secret_share = secret_shares[i];
    out[i].coin.public_shares = public_shares;
    out[i].signing_secret = signing_secrets[i];
    out[i].signing_public = signing_public;
  }
  return out;
}

}  // namespace quorumclear::quorum
