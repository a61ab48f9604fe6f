#pragma once
// A real Prometheus (Debian's prometheus package) for one test: it scrapes
// the given targets every second under job "quorumclear" with the repo's
// own alert rules (ops/prometheus/alerts.yml, unchanged), keeps its data
// under `dir`, and is stopped by the destructor.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::testing {

struct PromSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

class PrometheusServer {
 public:
  /// Throws when the prometheus binary is missing (ops/bootstrap.sh installs it).
  PrometheusServer(const std::filesystem::path& dir, const std::vector<std::string>& targets);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  /// Its /-/ready answers 200.
  [[nodiscard]] bool wait_ready(std::chrono::seconds timeout);
  /// An instant query through the HTTP API (/api/v1/query): the vector's
  /// samples; empty when it has none or the query failed (see last_error()).
  [[nodiscard]] std::vector<PromSample> query(const std::string& promql);
  /// Alerts in state "firing" named `name` (/api/v1/alerts), their labels.
  [[nodiscard]] std::vector<std::map<std::string, std::string>> firing(const std::string& name);
  [[nodiscard]] const std::string& last_error() const { return last_error_; }
  [[nodiscard]] std::string log() const;

 private:
  [[nodiscard]] std::string get(const std::string& path_and_query, int* status = nullptr);

  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  int pid_ = 0;
  std::string last_error_;
};

}  // namespace quorumclear::testing
