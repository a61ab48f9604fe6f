#include "services/cli/command.h"

#include <algorithm>
#include <iostream>

namespace quorumclear::cli {

std::variant<Args, std::string> Args::parse(std::span<const std::string_view> argv,
                                            std::span<const OptionSpec> spec) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      args.help_ = true;
      continue;
    }
    if (!arg.starts_with("--")) return "unexpected argument \"" + std::string(arg) + "\"";
    const std::string_view name = arg.substr(2);
    const auto option =
        std::find_if(spec.begin(), spec.end(), [&](const OptionSpec& o) { return o.name == name; });
    if (option == spec.end()) {
      // Never echo what follows: it may be a secret.
      if (name == "token") {
        return "there is no --token option: a token on the command line is visible to every user of the host; "
               "give --token-file FILE or set QC_TOKEN";
      }
      return "unknown option " + std::string(arg);
    }
    if (!option->repeatable && args.flag(name)) return "option " + std::string(arg) + " given twice";
    std::string value;
    if (option->takes_value) {
      if (i + 1 == argv.size() || argv[i + 1].starts_with("--"))
        return "option " + std::string(arg) + " needs a value";
      value = argv[++i];
    }
    args.given_.emplace_back(name, std::move(value));
  }
  return args;
}

std::optional<std::string> Args::value(std::string_view name) const {
  for (const auto& [n, v] : given_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Args::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : given_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

bool Args::flag(std::string_view name) const { return value(name).has_value(); }

std::vector<std::string_view> with_verb_option(std::span<const std::string_view> rest, const Command& command,
                                               std::string& storage) {
  std::vector<std::string_view> out(rest.begin(), rest.end());
  if (command.verb_option.empty()) return out;
  storage = "--" + std::string(command.verb_option);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].starts_with("--")) {
      const std::string_view name = out[i].substr(2);
      const auto option = std::find_if(command.options.begin(), command.options.end(),
                                       [&](const OptionSpec& o) { return o.name == name; });
      if (option != command.options.end() && option->takes_value) ++i;  // skip its value
      continue;
    }
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), storage);
    return out;
  }
  return out;
}

int usage_error(const Command& command, std::string_view problem) {
  std::cerr << "clearctl " << command.name << ": " << problem << "\n\n" << command.usage;
  return kExitUsage;
}

}  // namespace quorumclear::cli
