#include "services/cli/client_options.h"

#include "services/config/key_files.h"

#include <cstdlib>
#include <optional>
#include <iostream>

namespace quorumclear::cli {

std::vector<OptionSpec> client_options(std::vector<OptionSpec> own, bool many_nodes) {
  own.push_back({"node", true, many_nodes});
  own.push_back({"cacert", true, true});
  own.push_back({"token-file"});
  return own;
}

namespace {

// A header value may not hold control characters; the token itself is never echoed.
std::optional<SetupProblem> check_token(const std::string& token) {
  for (const char c : token) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return SetupProblem{"the token holds a space or control character", kExitFailed};
    }
  }
  return std::nullopt;
}

std::variant<std::string, SetupProblem> load_token(const Args& args) {
  if (const auto file = args.value("token-file")) return read_token_file(*file, "--token-file");
  const char* env = std::getenv("QC_TOKEN");
  if (env == nullptr || *env == '\0') return SetupProblem{"no token: give --token-file FILE or set QC_TOKEN", kExitUsage};
  if (auto problem = check_token(env)) return *problem;
  return std::string(env);
}

}  // namespace

std::variant<std::string, SetupProblem> read_token_file(const std::string& path, const std::string& what) {
  auto text = config::read_secret_file(path);
  if (const auto* e = std::get_if<config::ConfigError>(&text)) {
    return SetupProblem{what + ": " + e->what(), kExitFailed};
  }
  std::string token = std::move(std::get<std::string>(text));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return SetupProblem{what + " " + path + ": empty", kExitFailed};
  if (auto problem = check_token(token)) return *problem;
  return token;
}

std::variant<std::vector<std::unique_ptr<ApiClient>>, SetupProblem> open_clients(const Args& args) {
  const std::vector<std::string> nodes = args.values("node");
  if (nodes.empty()) return SetupProblem{"--node URL is required", kExitUsage};
  auto token = load_token(args);
  if (auto* problem = std::get_if<SetupProblem>(&token)) return std::move(*problem);
  std::vector<std::unique_ptr<ApiClient>> clients;
  for (const std::string& url : nodes) {
    auto client = ApiClient::open(Endpoint{url, args.values("cacert"), std::get<std::string>(token)});
    if (auto* problem = std::get_if<std::string>(&client)) return SetupProblem{*problem, kExitUsage};
    clients.push_back(std::move(std::get<std::unique_ptr<ApiClient>>(client)));
  }
  return clients;
}

std::vector<std::unique_ptr<ApiClient>> open_clients_or_report(const Command& command, const Args& args,
                                                               int* exit_code) {
  auto opened = open_clients(args);
  if (auto* clients = std::get_if<std::vector<std::unique_ptr<ApiClient>>>(&opened)) return std::move(*clients);
  const SetupProblem& problem = std::get<SetupProblem>(opened);
  if (problem.exit_code == kExitUsage) {
    *exit_code = usage_error(command, problem.message);
  } else {
    std::cerr << "clearctl " << command.name << ": " << problem.message << "\n";
    *exit_code = problem.exit_code;
  }
  return {};
}

}  // namespace quorumclear::cli
