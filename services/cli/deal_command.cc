// clearctl deal: the dealer step of genesis (services/config/setup.h says
// what the dealer can and cannot do, and why the step is separate).

#include "services/cli/command.h"
#include "services/config/setup.h"

#include <sodium.h>

#include <charconv>
#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl deal --nodes N --out DIR\n"
    "\n"
    "The dealer step: draws the threshold-coin key for N nodes (4..31) and writes\n"
    "  DIR/coin-share-<i>.key        node i's secret share (mode 0600): give it to node i\n"
    "                                only, as its coin-share.key, then delete it here;\n"
    "  DIR/coin-public-shares.json   the public shares: input to clearctl genesis.\n"
    "Nothing is overwritten. Whoever runs this knows every share, so it can predict\n"
    "coins and so delay agreement, but never break it: genesis checks that the public\n"
    "shares lie on one polynomial of degree f, and each node checks its secret share\n"
    "against its public one before it starts. A distributed key generation can replace\n"
    "this step later; genesis holds only the public shares either way.\n";

int run(const Args& args) {
  const Command command = deal_command();
  const auto nodes_text = args.value("nodes");
  const auto out = args.value("out");
  if (!nodes_text || !out) return usage_error(command, "--nodes and --out are required");
  std::size_t nodes = 0;
  const auto [end, ec] = std::from_chars(nodes_text->data(), nodes_text->data() + nodes_text->size(), nodes);
  if (ec != std::errc() || end != nodes_text->data() + nodes_text->size()) {
    return usage_error(command, "--nodes must be a number, not \"" + *nodes_text + "\"");
  }
  if (!quorum::is_supported_network_size(nodes)) {
    return usage_error(command, "--nodes must be " + std::to_string(quorum::kNetworkSizeMin) + ".." +
                                    std::to_string(quorum::kNetworkSizeMax) +
                                    " (the supported network sizes)");
  }
  const quorum::RandomSource random = [](std::span<std::uint8_t> bytes) {
    randombytes_buf(bytes.data(), bytes.size());
  };
  const auto dealt = config::deal_coin_files(nodes, *out, random);
  if (const auto* error = std::get_if<config::ConfigError>(&dealt)) {
    std::cerr << "clearctl deal: " << error->what() << "\n";
    return kExitFailed;
  }
  std::cout << "dealt the coin for " << nodes << " nodes into " << *out << ":\n"
            << "  coin-share-0.key .. coin-share-" << nodes - 1
            << ".key (0600): give each node its own, then delete them here\n"
            << "  " << config::kCoinPublicSharesFile << " (public): for clearctl genesis --coin\n";
  return kExitOk;
}

}  // namespace

Command deal_command() {
  return Command{
      "deal", "the dealer step: threshold-coin key shares for N nodes", kUsage, {{"nodes"}, {"out"}}, run};
}

}  // namespace quorumclear::cli
