#include "services/config/key_fields.h"

#include "services/config/hex.h"

#include <sodium.h>

#include <cstdlib>

namespace quorumclear::config::detail {
namespace {

std::array<std::uint8_t, 32> hex32(const std::string& text, const std::string& field) {
  const auto bytes = from_hex<32>(text);
  if (!bytes) fail(field, "must be 64 lower-case hex characters");
  return *bytes;
}

}  // namespace

void ensure_sodium() {
  // Idempotent and thread-safe; a failure means no usable randomness at all.
  static const int initialised = sodium_init();
  if (initialised < 0) std::abort();
}

TlsPin tls_pin_field(JsonObject& object, std::string_view key) {
  return hex32(object.string(key, 64), object.field(key));
}

quorum::SigningPublicKey signing_key_field(JsonObject& object, std::string_view key) {
  const quorum::SigningPublicKey k = hex32(object.string(key, 64), object.field(key));
  // Also refuses small-order points, whose signatures prove nothing.
  if (crypto_core_ed25519_is_valid_point(k.data()) != 1) {
    fail(object.field(key), "not a valid Ed25519 public key");
  }
  return k;
}

quorum::PointBytes coin_point_text(const std::string& text, const std::string& field) {
  const quorum::PointBytes p = hex32(text, field);
  if (crypto_core_ristretto255_is_valid_point(p.data()) != 1 || sodium_is_zero(p.data(), p.size()) == 1) {
    fail(field, "not a valid ristretto255 point (a coin public share)");
  }
  return p;
}

}  // namespace quorumclear::config::detail
