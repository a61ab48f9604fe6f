#include "services/metrics/test_metrics_page.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace quorumclear::metrics::testing {

std::vector<MetricSample> parse_metrics(const std::string& page, std::vector<std::string>* malformed) {
  static const std::regex line(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex label(R"lbl(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")lbl");
  std::vector<MetricSample> out;
  std::istringstream in(page);
  for (std::string l; std::getline(in, l);) {
    if (l.empty() || l[0] == '#') continue;
    std::smatch m;
    if (!std::regex_match(l, m, line)) {
      if (malformed) malformed->push_back(l);
      continue;
    }
    MetricSample s{m[1], {}, 0};
    const std::string value = m[4];
    s.value = value == "+Inf" ? 1e308 : std::stod(value);
    const std::string labels = m[3];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label); it != std::sregex_iterator(); ++it) {
      s.labels[(*it)[1]] = (*it)[2];
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<double> metric_value(const std::vector<MetricSample>& samples, const std::string& name,
                                   const std::map<std::string, std::string>& labels) {
  for (const MetricSample& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

int run_promtool(const std::string& args, const std::string& input, std::string* output) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) {
    if (output) *output = "promtool not found: ops/bootstrap.sh installs Debian's prometheus package";
    return -1;
  }
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base = fs::temp_directory_path() /
                        ("qc-promtool-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  { std::ofstream(base.string() + ".in") << input; }
  const std::string command =
      "promtool " + args + " < " + base.string() + ".in > " + base.string() + ".out 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream out(base.string() + ".out");
  std::stringstream text;
  text << out.rdbuf();
  if (output) *output = text.str();
  fs::remove(base.string() + ".in");
  fs::remove(base.string() + ".out");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace quorumclear::metrics::testing
