#pragma once
// Public key material in JSON fields (genesis, node public files, the coin
// dealing): 64 lower-case hex characters, checked to be what they claim.
// Internal to config.

#include "services/config/genesis.h"
#include "services/config/json_reader.h"

namespace quorumclear::config::detail {

/// sodium_init, once; every entry point that touches libsodium calls it.
void ensure_sodium();

/// A TLS pin (any 32 bytes: a SHA-256).
[[nodiscard]] TlsPin tls_pin_field(JsonObject& object, std::string_view key);
/// An Ed25519 public key that is a valid, non-small-order curve point.
[[nodiscard]] quorum::SigningPublicKey signing_key_field(JsonObject& object, std::string_view key);
/// A ristretto255 point that is valid and not the identity (a coin public share).
[[nodiscard]] quorum::PointBytes coin_point_text(const std::string& text, const std::string& field);

}  // namespace quorumclear::config::detail
