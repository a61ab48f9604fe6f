#pragma once
// clearctl's subcommands: each is one small file that fills a Command, and
// clearctl_main.cc lists them. A subcommand parses its options, calls the
// library that does the work (services/config for deal and genesis) and
// prints the result; it holds no rule of its own. The client commands talk
// to a node's REST API (api_client.h) and print its answers.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::cli {

/// Exit codes of every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,  // the command ran and refused or failed (the error says why)
  kExitUsage = 2,   // bad arguments; usage was printed
};

/// One option a subcommand accepts.
struct OptionSpec {
  std::string_view name;  // without the leading "--"
  bool takes_value = true;
  bool repeatable = false;
};

/// A subcommand's parsed options.
class Args {
 public:
  /// Parses "--name value" and "--flag" arguments against `spec`; refuses
  /// unknown options, missing values, repeats of a non-repeatable option and
  /// positional arguments. "--help" is always accepted.
  [[nodiscard]] static std::variant<Args, std::string> parse(std::span<const std::string_view> argv,
                                                             std::span<const OptionSpec> spec);
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> values(std::string_view name) const;
  [[nodiscard]] bool flag(std::string_view name) const;
  [[nodiscard]] bool help() const { return help_; }

 private:
  std::vector<std::pair<std::string, std::string>> given_;
  bool help_ = false;
};

/// One subcommand: its name, its help, its options and what runs it.
struct Command {
  std::string_view name;
  std::string_view summary;  // one line, for "clearctl --help"
  std::string_view usage;    // the full text, for "clearctl NAME --help"
  std::vector<OptionSpec> options;
  /// Runs with parsed options; returns an ExitCode. Prints its own errors.
  int (*run)(const Args& args) = nullptr;
  /// For commands with verbs ("clearctl token create"): the option the verb
  /// is passed as ("verb"), so "token create --x" parses as "--verb create --x".
  std::string_view verb_option{};
};

/// The subcommands (one file each). Set-up: keygen, deal, genesis, token.
/// Clients of a running node's API (client_options.h): submit, wait, status,
/// positions, cash, cutoff, report.
[[nodiscard]] Command deal_command();
[[nodiscard]] Command genesis_command();
[[nodiscard]] Command keygen_command();
[[nodiscard]] Command token_command();
[[nodiscard]] Command submit_command();
[[nodiscard]] Command wait_command();
[[nodiscard]] Command status_command();
[[nodiscard]] Command positions_command();
[[nodiscard]] Command cash_command();
[[nodiscard]] Command cutoff_command();
[[nodiscard]] Command report_command();
/// Load: loadgen (every node at once; load_plan.h).
[[nodiscard]] Command loadgen_command();
/// Verification with only public files: proof (a member's obligations).
[[nodiscard]] Command proof_command();
/// Verification of a node's database with the genesis file: audit.
[[nodiscard]] Command audit_command();

/// The arguments after the command name, with the command's one positional
/// argument (its verb, or the trade id of status), wherever it stands,
/// turned into "--<verb_option> value". `storage` keeps the flag's text.
[[nodiscard]] std::vector<std::string_view> with_verb_option(std::span<const std::string_view> rest,
                                                             const Command& command, std::string& storage);

/// Prints "clearctl NAME: usage error: `problem`" and the command's usage
/// to stderr; returns kExitUsage.
int usage_error(const Command& command, std::string_view problem);

}  // namespace quorumclear::cli
