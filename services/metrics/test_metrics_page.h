#pragma once
// Reading a /metrics page in tests (metrics_test, and the cluster tests on
// live nodes): its samples, and promtool (from Debian's prometheus package,
// which ops/bootstrap.sh installs) run on it. Test-only.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::metrics::testing {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// Every sample of a Prometheus text page; lines that do not parse are
/// returned in `malformed`.
[[nodiscard]] std::vector<MetricSample> parse_metrics(const std::string& page,
                                                      std::vector<std::string>* malformed = nullptr);

/// The value of the sample with exactly these labels, if the page has it.
[[nodiscard]] std::optional<double> metric_value(const std::vector<MetricSample>& samples, const std::string& name,
                                                 const std::map<std::string, std::string>& labels = {});

/// Runs `promtool <args>` with `input` on its standard input; its exit
/// status, and what it printed in `output`. -1 when promtool is missing.
int run_promtool(const std::string& args, const std::string& input, std::string* output);

}  // namespace quorumclear::metrics::testing
