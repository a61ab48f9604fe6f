#include "tests/cluster/prometheus_server.h"

#include "tests/cluster/cluster.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace quorumclear::testing {
namespace fs = std::filesystem;

PrometheusServer::PrometheusServer(const fs::path& dir, const std::vector<std::string>& targets) : dir_(dir) {
  if (std::system("command -v prometheus > /dev/null 2>&1") != 0) {
    throw std::runtime_error("prometheus not found: ops/bootstrap.sh installs Debian's prometheus package");
  }
  fs::create_directories(dir_ / "data");
  std::string list;
  for (const std::string& t : targets) list += (list.empty() ? "'" : ", '") + t + "'";
  {
    std::ofstream config(dir_ / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "rule_files: ['" << QC_OPS_DIR << "/prometheus/alerts.yml']\n"
           << "scrape_configs:\n  - job_name: quorumclear\n    static_configs:\n      - targets: [" << list << "]\n";
  }
  port_ = free_port();
  const std::string config = "--config.file=" + (dir_ / "prometheus.yml").string();
  const std::string data = "--storage.tsdb.path=" + (dir_ / "data").string();
  const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
  const std::string log = (dir_ / "prometheus.log").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execlp("prometheus", "prometheus", config.c_str(), data.c_str(), listen.c_str(), "--log.level=warn",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

PrometheusServer::~PrometheusServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 150 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string PrometheusServer::get(const std::string& path_and_query, int* status) {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request("GET", path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    if (status) *status = static_cast<int>(response.getStatus());
    return body;
  } catch (const Poco::Exception& e) {
    if (status) *status = 0;
    return e.displayText();
  }
}

bool PrometheusServer::wait_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    (void)get("/-/ready", &status);
    if (status == 200) return true;
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = 0;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

std::vector<PromSample> PrometheusServer::query(const std::string& promql) {
  Poco::URI uri("/api/v1/query");
  uri.addQueryParameter("query", promql);
  int status = 0;
  const std::string body = get(uri.getPathAndQuery(), &status);
  std::vector<PromSample> out;
  try {
    const auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    if (status != 200 || doc->getValue<std::string>("status") != "success") {
      last_error_ = body;
      return out;
    }
    const auto data = doc->getObject("data");
    if (data->getValue<std::string>("resultType") != "vector") {
      last_error_ = "not a vector: " + body;
      return out;
    }
    const auto result = data->getArray("result");
    for (std::size_t i = 0; i < result->size(); ++i) {
      const auto sample = result->getObject(static_cast<unsigned>(i));
      PromSample s;
      const auto metric = sample->getObject("metric");
      for (const auto& [name, value] : *metric) s.labels[name] = value.toString();
      s.value = std::stod(sample->getArray("value")->getElement<std::string>(1));
      out.push_back(std::move(s));
    }
  } catch (const std::exception& e) {
    last_error_ = std::string(e.what()) + ": " + body;
  }
  return out;
}

std::vector<std::map<std::string, std::string>> PrometheusServer::firing(const std::string& name) {
  std::vector<std::map<std::string, std::string>> out;
  const std::string body = get("/api/v1/alerts");
  try {
    const auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    const auto alerts = doc->getObject("data")->getArray("alerts");
    for (std::size_t i = 0; i < alerts->size(); ++i) {
      const auto alert = alerts->getObject(static_cast<unsigned>(i));
      if (alert->getValue<std::string>("state") != "firing") continue;
      std::map<std::string, std::string> labels;
      for (const auto& [k, v] : *alert->getObject("labels")) labels[k] = v.toString();
      if (labels["alertname"] == name) out.push_back(std::move(labels));
    }
  } catch (const std::exception& e) {
    last_error_ = std::string(e.what()) + ": " + body;
  }
  return out;
}

std::string PrometheusServer::log() const {
  std::ifstream in(dir_ / "prometheus.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace quorumclear::testing
