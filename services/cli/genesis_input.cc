#include "services/cli/genesis_input.h"

#include <iostream>

namespace quorumclear::cli {

std::optional<LoadedGenesis> load_genesis_for(std::string_view command, const std::string& path) {
  auto genesis = config::load_genesis(path);
  if (const auto* e = std::get_if<config::ConfigError>(&genesis)) {
    std::cerr << "clearctl " << command << ": " << e->what() << "\n";
    return std::nullopt;
  }
  config::NetworkGenesis& g = std::get<config::NetworkGenesis>(genesis);
  auto reference = settlement::ReferenceData::load(g.ledger);
  if (const auto* e = std::get_if<settlement::LoadError>(&reference)) {
    std::cerr << "clearctl " << command << ": genesis " << e->field << ": " << e->message << "\n";
    return std::nullopt;
  }
  return LoadedGenesis{std::move(g), std::move(std::get<settlement::ReferenceData>(reference))};
}

}  // namespace quorumclear::cli
