#include "tests/tools/tcp_reset_proxy.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

namespace quorumclear::tools {
namespace {

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// Bytes travelling one way, at most kProxyBufferBytes: [head, tail) of data.
struct Direction {
  std::vector<std::uint8_t> data = std::vector<std::uint8_t>(kProxyBufferBytes);
  std::size_t head = 0;  // first byte not yet sent
  std::size_t tail = 0;  // end of the received bytes
  bool eof = false;      // the source closed its side
  bool shut = false;     // and we passed that on with shutdown(SHUT_WR)
  [[nodiscard]] bool has_bytes() const { return head < tail; }
};

enum class Flow : std::uint8_t { kOk, kFailed };

// Moves what it can from `from` to `to` without blocking; counts bytes sent.
Flow pump(int from, Direction& d, int to, std::uint64_t* sent) {
  if (!d.eof && d.tail - d.head < d.data.size()) {
    if (d.head > 0) {
      std::copy(d.data.begin() + static_cast<std::ptrdiff_t>(d.head),
                d.data.begin() + static_cast<std::ptrdiff_t>(d.tail), d.data.begin());
      d.tail -= d.head;
      d.head = 0;
    }
    const ssize_t n = recv(from, d.data.data() + d.tail, d.data.size() - d.tail, 0);
    if (n > 0) d.tail += static_cast<std::size_t>(n);
    if (n == 0) d.eof = true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Flow::kFailed;
  }
  while (d.has_bytes()) {
    const ssize_t n = send(to, d.data.data() + d.head, d.tail - d.head, MSG_NOSIGNAL);
    if (n > 0) {
      d.head += static_cast<std::size_t>(n);
      *sent += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    return Flow::kFailed;
  }
  if (d.eof && !d.has_bytes() && !d.shut) {
    shutdown(to, SHUT_WR);
    d.shut = true;
  }
  return Flow::kOk;
}

}  // namespace

struct ResetProxy::Pair {
  net::Fd client;
  net::Fd server;
  bool connecting = true;
  Direction up;    // client -> server
  Direction down;  // server -> client
  std::uint64_t forwarded = 0;

  void reset() {
    net::reset_and_close(client);
    net::reset_and_close(server);
  }
};

ResetProxy::ResetProxy(ResetProxyOptions options) : options_(std::move(options)) {}

ResetProxy::~ResetProxy() { stop(); }

void ResetProxy::start() {
  const auto listen_at = net::resolve_address(options_.listen_host, options_.listen_port);
  const auto target = net::resolve_address(options_.target_host, options_.target_port);
  if (!listen_at || !target) throw std::runtime_error("reset proxy: an address does not resolve");
  target_ = *target;
  net::SocketResult listening = net::listen_tcp(*listen_at);
  if (!listening.fd.valid()) throw std::runtime_error("reset proxy: " + listening.error);
  listener_ = std::move(listening.fd);
  port_ = net::local_port(listener_.get());
  wake_fd_ = net::Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_.valid()) throw std::runtime_error("reset proxy: " + net::errno_text("eventfd"));
  thread_ = std::thread([this] { run(); });
}

void ResetProxy::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  reset_all();
  thread_.join();
}

void ResetProxy::reset_all() {
  reset_requested_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_.valid()) (void)!write(wake_fd_.get(), &one, sizeof one);
}

void ResetProxy::run() {
  std::vector<std::unique_ptr<Pair>> pairs;
  std::uint64_t next_reset = options_.reset_every_ms > 0 ? now_ms() + options_.reset_every_ms : UINT64_MAX;
  auto reset_pair = [this](Pair& pair) {
    pair.reset();
    ++resets_;
  };
  while (!stopping_.load()) {
    // Poll only to sleep: every turn tries every socket without blocking.
    std::vector<pollfd> fds{{wake_fd_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
    // Read only where there is room, write only where bytes wait: a full
    // buffer must not turn a readable socket into a busy loop.
    auto events = [](const Direction& in, const Direction& out) {
      const bool room = !in.eof && in.tail - in.head < in.data.size();
      return static_cast<short>((room ? POLLIN : 0) | (out.has_bytes() ? POLLOUT : 0));
    };
    for (const auto& pair : pairs) {
      if (pair->connecting) {
        fds.push_back({pair->server.get(), POLLOUT, 0});
        continue;
      }
      fds.push_back({pair->client.get(), events(pair->up, pair->down), 0});
      fds.push_back({pair->server.get(), events(pair->down, pair->up), 0});
    }
    const std::uint64_t now = now_ms();
    const int timeout = next_reset == UINT64_MAX ? 200 : static_cast<int>(next_reset > now ? next_reset - now : 0);
    poll(fds.data(), fds.size(), std::min(timeout, 200));
    if (fds[0].revents & POLLIN) {
      std::uint64_t count = 0;
      (void)!read(wake_fd_.get(), &count, sizeof count);
    }
    if (reset_requested_.exchange(false) || now_ms() >= next_reset) {
      for (auto& pair : pairs) reset_pair(*pair);
      pairs.clear();
      if (options_.reset_every_ms > 0) next_reset = now_ms() + options_.reset_every_ms;
    }
    for (;;) {
      net::SocketResult accepted = net::accept_tcp(listener_.get());
      if (!accepted.fd.valid()) break;
      net::SocketResult dialing = net::connect_tcp(target_);
      if (!dialing.fd.valid()) {
        net::reset_and_close(accepted.fd);
        continue;
      }
      ++connections_;
      auto pair = std::make_unique<Pair>();
      pair->client = std::move(accepted.fd);
      pair->server = std::move(dialing.fd);
      pairs.push_back(std::move(pair));
    }
    for (auto& pair : pairs) {
      if (pair->connecting) {
        const int error = net::connect_error(pair->server.get());
        if (error != 0 && error != EINPROGRESS && error != EALREADY) {
          pair->reset();  // target refused: the client sees a reset too
          pair = nullptr;
          continue;
        }
        pollfd probe{pair->server.get(), POLLOUT, 0};
        if (poll(&probe, 1, 0) <= 0 || !(probe.revents & POLLOUT)) continue;
        pair->connecting = false;
      }
      std::uint64_t sent = 0;
      const bool failed = pump(pair->client.get(), pair->up, pair->server.get(), &sent) == Flow::kFailed ||
                          pump(pair->server.get(), pair->down, pair->client.get(), &sent) == Flow::kFailed;
      pair->forwarded += sent;
      bytes_ += sent;
      if (failed) {
        pair->reset();
        pair = nullptr;
      } else if (options_.drop_after_bytes > 0 && pair->forwarded >= options_.drop_after_bytes) {
        reset_pair(*pair);
        pair = nullptr;
      } else if (pair->up.shut && pair->down.shut) {
        pair = nullptr;  // both sides finished: ordinary close
      }
    }
    std::erase(pairs, nullptr);
  }
  for (auto& pair : pairs) reset_pair(*pair);
}

}  // namespace quorumclear::tools
