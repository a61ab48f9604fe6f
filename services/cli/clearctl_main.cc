// clearctl: the operator's tool for setting up and running a network.
// "clearctl COMMAND --help" describes each command. Exit codes: 0 done,
// 1 refused or failed (the message names the file and field, or the node's
// answer), 2 bad arguments. The client commands (submit, wait, status,
// positions, cash, cutoff, report) take a token from --token-file or
// QC_TOKEN, never from the command line.

#include "services/cli/command.h"

#include <sodium.h>

#include <iostream>

namespace quorumclear::cli {
namespace {

/// Every subcommand; a new one is one line here (and its own file).
std::vector<Command> commands() {
  return {
      keygen_command(),
      deal_command(),
      genesis_command(),
      token_command(),
      submit_command(),
      wait_command(),
      status_command(),
      positions_command(),
      cash_command(),
      cutoff_command(),
      report_command(),
      loadgen_command(),
      proof_command(),
      audit_command(),
  };
}

void print_usage(std::ostream& out) {
  out << "usage: clearctl COMMAND [OPTIONS]   (clearctl COMMAND --help for its options)\n\ncommands:\n";
  for (const Command& c : commands()) {
    out << "  " << c.name << std::string(c.name.size() < 11 ? 11 - c.name.size() : 1, ' ') << c.summary
        << "\n";
  }
}

int run(std::span<const std::string_view> argv) {
  if (argv.empty()) {
    print_usage(std::cerr);
    return kExitUsage;
  }
  if (argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    print_usage(std::cout);
    return kExitOk;
  }
  for (const Command& command : commands()) {
    if (command.name != argv[0]) continue;
    std::string verb_flag;
    const std::vector<std::string_view> rest = with_verb_option(argv.subspan(1), command, verb_flag);
    const auto args = Args::parse(rest, command.options);
    if (const auto* problem = std::get_if<std::string>(&args)) return usage_error(command, *problem);
    if (std::get<Args>(args).help()) {
      std::cout << command.usage;
      return kExitOk;
    }
    return command.run(std::get<Args>(args));
  }
  std::cerr << "clearctl: unknown command \"" << argv[0] << "\"\n\n";
  print_usage(std::cerr);
  return kExitUsage;
}

}  // namespace
}  // namespace quorumclear::cli

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "clearctl: libsodium could not be initialised\n";
    return quorumclear::cli::kExitFailed;
  }
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  return quorumclear::cli::run(args);
}
