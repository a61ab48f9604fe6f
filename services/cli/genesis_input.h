#pragma once
// The genesis file as the verification commands (proof, audit) take it:
// the network's public facts and the ledger's reference data they name.

#include "services/config/genesis.h"
#include "settlement/reference_data.h"

#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::cli {

struct LoadedGenesis {
  config::NetworkGenesis genesis;
  settlement::ReferenceData reference;
};

/// Loads and validates `path`; on any error prints "clearctl `command`:
/// <what is wrong>" to stderr and returns nullopt (the caller exits 1).
[[nodiscard]] std::optional<LoadedGenesis> load_genesis_for(std::string_view command, const std::string& path);

}  // namespace quorumclear::cli
