#include "tests/browser/webdriver.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace quorumclear::testing {

namespace {

namespace fs = std::filesystem;
using Poco::Dynamic::Var;
using Poco::JSON::Object;

constexpr const char* kChromeDriver = "/usr/bin/chromedriver";
constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kMissing =
    "headless Chromium needs /usr/bin/chromium and /usr/bin/chromedriver: ops/bootstrap.sh installs the "
    "chromium and chromium-driver packages";
// The W3C name of the key that carries an element reference.
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";
constexpr int kHttpTimeoutSeconds = 30;
constexpr auto kReadyTimeout = std::chrono::seconds(30);

/// A protocol error, with the W3C error code find() needs to tell "no such
/// element" from the rest.
class WebDriverError : public std::runtime_error {
 public:
  WebDriverError(const std::string& code, const std::string& what) : std::runtime_error(what), code_(code) {}
  [[nodiscard]] const std::string& code() const { return code_; }

 private:
  std::string code_;
};

/// One request to chromedriver; returns the answer's "value".
Var call(std::uint16_t port, const std::string& method, const std::string& path, const Object* body = nullptr) {
  const std::string what = "chromedriver " + method + " " + path;
  std::string answer;
  Poco::Net::HTTPResponse response;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(kHttpTimeoutSeconds, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    std::string payload;
    if (method == Poco::Net::HTTPRequest::HTTP_POST) {
      std::ostringstream out;
      if (body != nullptr) {
        body->stringify(out);
      } else {
        out << "{}";
      }
      payload = out.str();
      request.setContentType("application/json; charset=utf-8");
      request.setContentLength(static_cast<std::streamsize>(payload.size()));
    }
    session.sendRequest(request) << payload;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error(what + ": " + e.displayText());
  }
  Var value;
  try {
    const Var parsed = Poco::JSON::Parser().parse(answer);
    value = parsed.extract<Object::Ptr>()->get("value");
  } catch (const std::exception&) {
    throw std::runtime_error(what + ": HTTP " + std::to_string(static_cast<int>(response.getStatus())) +
                             ", not a WebDriver answer: " + answer.substr(0, 500));
  }
  if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    std::string code = "unknown error", message = answer.substr(0, 500);
    if (value.type() == typeid(Object::Ptr)) {
      const Object::Ptr error = value.extract<Object::Ptr>();
      code = error->optValue<std::string>("error", code);
      message = error->optValue<std::string>("message", message);
    }
    throw WebDriverError(code, what + ": " + code + ": " + message);
  }
  return value;
}

std::string as_string(const Var& value, const std::string& what) {
  if (!value.isString()) {
    throw std::runtime_error(what + ": expected a string, got " + (value.isEmpty() ? "null" : value.toString()));
  }
  return value.extract<std::string>();
}

/// Asks the kernel for a free loopback port.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t size = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot bind a loopback port");
  return ntohs(addr.sin_port);
}

void sleep_ms(long ms) {
  const timespec t{0, ms * 1000000L};
  ::nanosleep(&t, nullptr);
}

// Runs in the forked watchdog, so only async-signal-safe calls; everything
// it needs is prepared before the fork.
[[noreturn]] void watchdog_main(int keepalive, int log, char* const* argv) {
  ::setpgid(0, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  const int in = ::open("/dev/null", O_RDONLY);
  if (in > 0) {
    ::dup2(in, 0);
    ::close(in);
  }
  // Another ChromeDriver's keep-alive pipe above all must not stay open
  // here, or that watchdog would never see its pipe close.
  if (keepalive > 3) ::close_range(3, static_cast<unsigned>(keepalive) - 1, 0);
  ::close_range(static_cast<unsigned>(keepalive) + 1, ~0U, 0);
  const pid_t driver = ::fork();
  if (driver == 0) {
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  bool exited = driver < 0;
  while (!exited) {
    pollfd p{keepalive, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char c = 0;
      if (::read(keepalive, &c, 1) <= 0) break;  // the owner closed it or is gone
    }
    exited = ::waitpid(driver, nullptr, WNOHANG) == driver;  // e.g. its port was taken
  }
  if (!exited) {
    ::kill(driver, SIGTERM);
    for (int i = 0; i < 100 && ::waitpid(driver, nullptr, WNOHANG) == 0; ++i) sleep_ms(20);
  }
  // Chromium and its helpers share the group; this ends them and the watchdog.
  ::kill(0, SIGKILL);
  ::_exit(1);
}

/// chromedriver's own profile folders only, never anything else.
bool is_chromium_temp_dir(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  return dir.parent_path() == fs::temp_directory_path(ec) && dir.filename().string().starts_with(prefix);
}

}  // namespace

bool ChromeDriver::available() {
  return ::access(kChromeDriver, X_OK) == 0 && ::access(kChromium, X_OK) == 0;
}

ChromeDriver::ChromeDriver() {
  if (!available()) throw std::runtime_error(kMissing);
  std::string log = (fs::temp_directory_path() / "qc-chromedriver-XXXXXX").string();
  log_fd_ = ::mkostemp(log.data(), O_CLOEXEC | O_APPEND);
  if (log_fd_ < 0) throw std::runtime_error("cannot create " + log);
  ::unlink(log.c_str());
  try {
    // The port is free when asked for, but another process may take it
    // before chromedriver binds it; chromedriver then exits and we retry.
    bool ready = false;
    for (int attempt = 0; attempt < 3 && !ready; ++attempt) ready = launch();
    if (!ready) throw std::runtime_error("chromedriver exited before it was ready: " + log_tail());
    create_session();
  } catch (...) {
    stop();
    ::close(log_fd_);
    throw;
  }
}

ChromeDriver::~ChromeDriver() {
  stop();
  ::close(log_fd_);
}

bool ChromeDriver::launch() {
  stop();
  if (::ftruncate(log_fd_, 0) != 0) throw std::runtime_error("cannot truncate chromedriver's log");
  port_ = free_port();
  const std::string port_arg = "--port=" + std::to_string(port_);
  std::vector<char*> argv = {const_cast<char*>(kChromeDriver), const_cast<char*>(port_arg.c_str()), nullptr};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2() failed");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw std::runtime_error("fork() failed");
  }
  if (pid == 0) watchdog_main(pipe_fds[0], log_fd_, argv.data());
  ::close(pipe_fds[0]);
  watchdog_ = pid;
  keepalive_fd_ = pipe_fds[1];
  // Also set here, so a kill(-watchdog_) right after the fork finds the group.
  ::setpgid(pid, pid);

  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(watchdog_, nullptr, WNOHANG) == watchdog_) {
      watchdog_ = -1;
      return false;
    }
    try {
      const Var status = call(port_, "GET", "/status");
      if (status.extract<Object::Ptr>()->optValue<bool>("ready", false)) return true;
    } catch (const std::exception&) {
      // Not listening yet.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("chromedriver not ready after 30 s: " + log_tail());
}

void ChromeDriver::create_session() {
  Poco::JSON::Array::Ptr args = new Poco::JSON::Array;
  for (const char* arg : {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--ignore-certificate-errors", "--window-size=1400,1800"}) {
    args->add(std::string(arg));
  }
  Object::Ptr chrome = new Object;
  chrome->set("binary", std::string(kChromium));
  chrome->set("args", args);
  Object::Ptr always = new Object;
  always->set("browserName", std::string("chrome"));
  always->set("acceptInsecureCerts", true);
  always->set("goog:chromeOptions", chrome);
  Object::Ptr capabilities = new Object;
  capabilities->set("alwaysMatch", always);
  Object body;
  body.set("capabilities", capabilities);
  const Var value = call(port_, "POST", "/session", &body);
  const Object::Ptr answer = value.extract<Object::Ptr>();
  session_ = as_string(answer->get("sessionId"), "new session");
  const Object::Ptr granted = answer->getObject("capabilities");
  const Object::Ptr chrome_granted = granted ? granted->getObject("chrome") : nullptr;
  if (chrome_granted) {
    const fs::path profile = chrome_granted->optValue<std::string>("userDataDir", "");
    if (is_chromium_temp_dir(profile, "org.chromium.Chromium.scoped_dir.")) profile_ = profile;
  }
  // Chromium's process-singleton socket lives in a folder of its own,
  // which the profile links to.
  std::error_code ec;
  const fs::path singleton = fs::read_symlink(profile_ / "SingletonSocket", ec).parent_path();
  if (!profile_.empty() && !ec && is_chromium_temp_dir(singleton, "org.chromium.Chromium.")) singleton_dir_ = singleton;
}

std::string ChromeDriver::element_path(const std::string& element) const {
  std::string id;
  Poco::URI::encode(element, "/?#%", id);
  return "/session/" + session_ + "/element/" + id;
}

void ChromeDriver::navigate(const std::string& url) {
  Object body;
  body.set("url", url);
  call(port_, "POST", "/session/" + session_ + "/url", &body);
}

std::optional<std::string> ChromeDriver::find(const std::string& css) {
  Object body;
  body.set("using", std::string("css selector"));
  body.set("value", css);
  try {
    const Var value = call(port_, "POST", "/session/" + session_ + "/element", &body);
    return as_string(value.extract<Object::Ptr>()->get(kElementKey), "find " + css);
  } catch (const WebDriverError& e) {
    if (e.code() == "no such element") return std::nullopt;
    throw;
  }
}

void ChromeDriver::click(const std::string& element) { call(port_, "POST", element_path(element) + "/click"); }

void ChromeDriver::type(const std::string& element, const std::string& text) {
  Object body;
  body.set("text", text);
  call(port_, "POST", element_path(element) + "/value", &body);
}

std::string ChromeDriver::text(const std::string& element) {
  return as_string(call(port_, "GET", element_path(element) + "/text"), "element text");
}

std::optional<std::string> ChromeDriver::attribute(const std::string& element, const std::string& name) {
  std::string encoded;
  Poco::URI::encode(name, "/?#%", encoded);
  const Var value = call(port_, "GET", element_path(element) + "/attribute/" + encoded);
  if (value.isEmpty()) return std::nullopt;
  return value.isString() ? value.extract<std::string>() : value.toString();
}

std::string ChromeDriver::execute(const std::string& script) {
  Object body;
  body.set("script", script);
  body.set("args", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
  const Var value = call(port_, "POST", "/session/" + session_ + "/execute/sync", &body);
  if (value.isString()) return value.extract<std::string>();
  if (value.isEmpty()) return "null";
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(value, out);
  return out.str();
}

std::vector<std::uint8_t> ChromeDriver::screenshot_png() {
  std::istringstream encoded(as_string(call(port_, "GET", "/session/" + session_ + "/screenshot"), "screenshot"));
  Poco::Base64Decoder decoder(encoded);
  std::vector<std::uint8_t> png;
  for (char c = 0; decoder.get(c);) png.push_back(static_cast<std::uint8_t>(c));
  return png;
}

bool ChromeDriver::wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

std::string ChromeDriver::log_tail() const {
  struct stat st {};
  if (::fstat(log_fd_, &st) != 0 || st.st_size == 0) return "(chromedriver wrote nothing)";
  const off_t from = std::max<off_t>(0, st.st_size - 2000);
  std::string tail(static_cast<std::size_t>(st.st_size - from), '\0');
  const ssize_t n = ::pread(log_fd_, tail.data(), tail.size(), from);
  tail.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return tail;
}

void ChromeDriver::stop() noexcept {
  std::error_code ec;
  if (!session_.empty()) {
    try {
      // Lets chromedriver quit Chromium cleanly.
      call(port_, "DELETE", "/session/" + session_);
    } catch (const std::exception&) {
      // The watchdog kills whatever is left.
    }
    session_.clear();
  }
  if (keepalive_fd_ >= 0) {
    ::close(keepalive_fd_);  // the watchdog SIGTERMs chromedriver, then SIGKILLs the group
    keepalive_fd_ = -1;
  }
  if (watchdog_ > 0) {
    bool reaped = false;
    for (int i = 0; i < 250 && !reaped; ++i) {
      reaped = ::waitpid(watchdog_, nullptr, WNOHANG) == watchdog_;
      if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!reaped) {
      ::kill(-watchdog_, SIGKILL);
      ::waitpid(watchdog_, nullptr, 0);
    }
    watchdog_ = -1;
  }
  // Chromium is seldom done quitting when chromedriver stops, and would
  // leave both folders in /tmp.
  for (fs::path* dir : {&profile_, &singleton_dir_}) {
    if (!dir->empty()) fs::remove_all(*dir, ec);
    dir->clear();
  }
}

}  // namespace quorumclear::testing
