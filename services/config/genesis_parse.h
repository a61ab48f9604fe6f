#pragma once
// The genesis document's parser, shared by genesis.json and network.json.
// Internal to config: throws detail::FieldError.

#include "services/config/genesis.h"

#include <string_view>

namespace quorumclear::config::detail {

enum class GenesisShape : std::uint8_t {
  kGenesis,  // genesis.json: node_count and nodes required
  kNetwork,  // network.json: no nodes; node_count optional
};

/// Every field of the document, syntax and per-field ranges checked; the
/// cross-field rules (ReferenceData, node keys, time zone) are the caller's.
[[nodiscard]] NetworkGenesis parse_genesis_document(std::string_view text, GenesisShape shape);

}  // namespace quorumclear::config::detail
