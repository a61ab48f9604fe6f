// clearctl genesis: genesis.json from public material only.

#include "services/cli/command.h"
#include "services/config/hex.h"
#include "services/config/setup.h"

#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl genesis --network network.json --node node-0.public.json [--node ...]\n"
    "                        --coin coin-public-shares.json --out genesis.json [--force]\n"
    "\n"
    "Writes genesis.json from public material only: network.json (the genesis format\n"
    "without \"nodes\"; node_count may be left out), one node-<id>.public.json per node\n"
    "(from clearctl keygen on each node's host; ids 0..n-1, in any order) and the\n"
    "dealer's coin-public-shares.json. The same inputs always give the same bytes.\n"
    "The file is validated as a node will load it and refused, naming the file and\n"
    "field, if anything is wrong; nothing is written then. --force replaces an\n"
    "existing genesis.json. Prints the network id (SHA-256 of the file).\n";

int run(const Args& args) {
  const Command command = genesis_command();
  const auto network = args.value("network");
  const auto coin = args.value("coin");
  const auto out = args.value("out");
  const std::vector<std::string> node_files = args.values("node");
  if (!network || !coin || !out || node_files.empty()) {
    return usage_error(command, "--network, --node (one per node), --coin and --out are required");
  }
  config::GenesisInputs inputs{*network,
                               {node_files.begin(), node_files.end()},
                               *coin,
                               *out,
                               args.flag("force") ? config::Overwrite::kReplace : config::Overwrite::kRefuse};
  const auto built = config::build_genesis(inputs);
  if (const auto* error = std::get_if<config::ConfigError>(&built)) {
    std::cerr << "clearctl genesis: " << error->what() << "\n";
    return kExitFailed;
  }
  std::cout << "wrote " << *out << " for " << node_files.size() << " nodes\n"
            << "network id " << config::to_hex(std::get<quorum::Digest>(built)) << "\n";
  return kExitOk;
}

}  // namespace

Command genesis_command() {
  return Command{"genesis",
                 "genesis.json from network.json, the node public files and the coin public shares",
                 kUsage,
                 {{"network"}, {"node", true, true}, {"coin"}, {"out"}, {"force", false}},
                 run};
}

}  // namespace quorumclear::cli
