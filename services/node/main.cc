// clearing-node --config node.json: one member's clearing node.
#include "services/node/clearing_node.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  std::string config;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config = argv[++i];
    } else if (std::strcmp(argv[i], "--help") == 0) {
      std::printf("usage: clearing-node --config node.json\n");
      return 0;
    } else {
      std::fprintf(stderr, "clearing-node: unknown argument %s (usage: clearing-node --config node.json)\n", argv[i]);
      return 2;
    }
  }
  if (config.empty()) {
    std::fprintf(stderr, "clearing-node: --config node.json is required\n");
    return 2;
  }
  // Every thread inherits this mask, so SIGTERM and SIGINT reach only
  // ClearingNode::run's sigwait; a peer or client closing a socket must not
  // kill the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    quorumclear::node::ClearingNode node(config);
    return node.run();
  } catch (const quorumclear::node::StartupError& e) {
    std::fprintf(stderr, "clearing-node: %s\n", e.what());
    return 2;
  }
}
