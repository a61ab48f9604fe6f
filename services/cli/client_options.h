#pragma once
// The options every client command shares (issue13-plan.md, "clearctl
// client contract"): --node URL, --cacert FILE (repeatable; a bundle is
// fine), --token-file FILE, else the environment variable QC_TOKEN. A
// token is never taken from the command line: there is no such option,
// because argv is visible to every user of the host (ps, /proc).

#include "services/cli/api_client.h"
#include "services/cli/command.h"

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::cli {

/// The usage lines of the shared options, for each command's kUsage.
#define QC_CLIENT_OPTIONS_USAGE                                                                    \
  "  --node URL         the node's API, https://HOST:PORT (http:// if its API is plain)\n"         \
  "  --cacert FILE      PEM certificate(s) to trust: the node's tls.crt, or a bundle of several\n" \
  "                     nodes' (repeatable)\n"                                                     \
  "  --token-file FILE  the API token (a 0600 file); without it, the environment variable\n"       \
  "                     QC_TOKEN. Never on the command line.\n"

/// `own` plus node (repeatable only when `many_nodes`), cacert and token-file.
[[nodiscard]] std::vector<OptionSpec> client_options(std::vector<OptionSpec> own, bool many_nodes = false);

/// Why a client could not be set up, and whether that was a usage error
/// (exit 2) or a failure (exit 1: an unreadable token file).
struct SetupProblem {
  std::string message;
  int exit_code = kExitUsage;
};

/// A token file (a secret file: not readable by group or others), its
/// trailing newline dropped; refused when unreadable, empty or holding a
/// space or control character. `what` names it in the messages ("--token-file").
[[nodiscard]] std::variant<std::string, SetupProblem> read_token_file(const std::string& path,
                                                                     const std::string& what);

/// One client per --node, sharing --cacert and the token. The token comes
/// from --token-file (a secret file: not readable by group or others, its
/// trailing newline dropped) or QC_TOKEN; neither is a usage error.
[[nodiscard]] std::variant<std::vector<std::unique_ptr<ApiClient>>, SetupProblem> open_clients(const Args& args);

/// Runs open_clients and prints a refusal as its exit code says: usage for
/// kExitUsage, "clearctl NAME: message" for kExitFailed. Empty on failure,
/// with *exit_code set.
[[nodiscard]] std::vector<std::unique_ptr<ApiClient>> open_clients_or_report(const Command& command,
                                                                             const Args& args, int* exit_code);

}  // namespace quorumclear::cli
