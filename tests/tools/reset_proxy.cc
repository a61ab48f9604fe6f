// reset-proxy: a TCP forwarder that resets its connections on purpose, for
// cluster tests that prove peer-link delivery across resets.
//
//   reset-proxy --listen 127.0.0.1:A --to 127.0.0.1:B [--reset-every-ms N]
//               [--drop-after-bytes N] [--duration-s S]
//
// Prints "reset-proxy: listening on HOST:PORT -> TARGET" once it accepts
// (PORT is the bound one, so --listen 127.0.0.1:0 works), runs until
// SIGTERM/SIGINT or --duration-s, then prints its counters and exits 0.
// Bad arguments exit 2 with a usage line.

#include "services/net/socket.h"
#include "tests/tools/tcp_reset_proxy.h"

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace {

using quorumclear::tools::ResetProxy;
using quorumclear::tools::ResetProxyOptions;

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "reset-proxy: %s\nusage: reset-proxy --listen HOST:PORT --to HOST:PORT [--reset-every-ms N] "
               "[--drop-after-bytes N] [--duration-s S]\n",
               problem.c_str());
  std::exit(2);
}

std::uint64_t number(std::string_view flag, const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (text[0] == '\0' || text[0] == '-' || *end != '\0') usage(std::string(flag) + ": not a number: " + text);
  return value;
}

struct Arguments {
  ResetProxyOptions proxy;
  std::optional<std::uint64_t> duration_s;
};

Arguments parse(int argc, char** argv) {
  Arguments args;
  bool have_listen = false;
  bool have_target = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    const char* value = argv[++i];
    if (flag == "--listen" || flag == "--to") {
      const auto address = quorumclear::net::parse_host_port(value);
      if (!address) usage(std::string(flag) + ": not HOST:PORT: " + value);
      (flag == "--listen" ? args.proxy.listen_host : args.proxy.target_host) = address->first;
      (flag == "--listen" ? args.proxy.listen_port : args.proxy.target_port) = address->second;
      (flag == "--listen" ? have_listen : have_target) = true;
    } else if (flag == "--reset-every-ms") {
      const std::uint64_t ms = number(flag, value);
      if (ms > 86'400'000) usage("--reset-every-ms: at most a day");
      args.proxy.reset_every_ms = static_cast<std::uint32_t>(ms);
    } else if (flag == "--drop-after-bytes") {
      args.proxy.drop_after_bytes = number(flag, value);
    } else if (flag == "--duration-s") {
      args.duration_s = number(flag, value);
    } else {
      usage("unknown option " + std::string(flag));
    }
  }
  if (!have_listen || !have_target) usage("--listen and --to are required");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse(argc, argv);
  // Block the stop signals before the proxy thread exists, so only
  // sigtimedwait below ever takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ResetProxy proxy(args.proxy);
  try {
    proxy.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reset-proxy: %s\n", e.what());
    return 1;
  }
  std::printf("reset-proxy: listening on %s:%u -> %s:%u\n", args.proxy.listen_host.c_str(), proxy.port(),
              args.proxy.target_host.c_str(), args.proxy.target_port);
  std::fflush(stdout);

  if (args.duration_s) {
    timespec timeout{static_cast<time_t>(*args.duration_s), 0};
    while (sigtimedwait(&stop_signals, nullptr, &timeout) < 0 && errno == EINTR) {
    }
  } else {
    int signal = 0;
    sigwait(&stop_signals, &signal);
  }
  proxy.stop();
  std::printf("reset-proxy: stopped; %llu connections, %llu resets, %llu bytes forwarded\n",
              static_cast<unsigned long long>(proxy.connections()), static_cast<unsigned long long>(proxy.resets()),
              static_cast<unsigned long long>(proxy.bytes_forwarded()));
  return 0;
}
