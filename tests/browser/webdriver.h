#pragma once
// Headless Chromium driven over the W3C WebDriver protocol, for tests of
// the pages the nodes serve (over HTTPS with a self-signed certificate,
// hence --ignore-certificate-errors). One ChromeDriver owns one
// `/usr/bin/chromedriver` process on a private loopback port and one
// session. Not thread-safe.
//
// chromedriver leaves Chromium running when it is killed, and a test
// process that crashes runs no destructor, so both are started under a
// small watchdog process that leads their process group: when the test
// process goes away for any reason, the watchdog's keep-alive pipe closes
// and it stops chromedriver (SIGTERM) and then kills the whole group.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::testing {

class ChromeDriver {
 public:
  /// Starts chromedriver, waits for GET /status to say ready, creates the
  /// session. Throws std::runtime_error (with chromedriver's log or
  /// message) when any step fails; nothing is left running then.
  ChromeDriver();
  /// Deletes the session and stops chromedriver and every browser process.
  ~ChromeDriver();
  ChromeDriver(const ChromeDriver&) = delete;
  ChromeDriver& operator=(const ChromeDriver&) = delete;

  /// Both /usr/bin/chromedriver and /usr/bin/chromium are executable.
  [[nodiscard]] static bool available();

  /// Loads `url` and returns once the page has loaded.
  void navigate(const std::string& url);
  /// The first element matching the CSS selector; nullopt when none does.
  [[nodiscard]] std::optional<std::string> find(const std::string& css);
  void click(const std::string& element);
  /// Sends keystrokes to the element (appends to what it holds).
  void type(const std::string& element, const std::string& text);
  /// The element's rendered text.
  [[nodiscard]] std::string text(const std::string& element);
  /// nullopt when the element has no such attribute.
  [[nodiscard]] std::optional<std::string> attribute(const std::string& element, const std::string& name);
  /// Runs `script` as a function body (use `return`); a string result comes
  /// back as is, anything else as its JSON text ("null", "3", "{...}").
  std::string execute(const std::string& script);
  /// The viewport as PNG bytes.
  [[nodiscard]] std::vector<std::uint8_t> screenshot_png();
  /// Polls `condition` every 50 ms until it holds or `timeout` passes;
  /// returns its last value.
  bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

  /// The loopback port chromedriver listens on.
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  bool launch();
  void create_session();
  [[nodiscard]] std::string element_path(const std::string& element) const;
  [[nodiscard]] std::string log_tail() const;
  void stop() noexcept;

  pid_t watchdog_ = -1;
  int keepalive_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string session_;
  /// The profile chromedriver made for the session (its userDataDir).
  std::filesystem::path profile_;
  /// Where Chromium keeps its process-singleton socket.
  std::filesystem::path singleton_dir_;
  /// chromedriver's stdout and stderr: an unlinked temporary file, so
  /// nothing is left in /tmp however the test ends.
  int log_fd_ = -1;
};

}  // namespace quorumclear::testing
