#pragma once
// The composition root (STYLE.md 7): reads node.json and genesis, checks the
// keys, opens the database, rebuilds the ledger from the stored epochs
// (refusing to start, naming the epoch, when a recomputed digest differs
// from the stored one), and wires the core thread, the transport, the store
// threads and the HTTP listeners. services/README.md tells the story.

#include <filesystem>
#include <memory>
#include <stdexcept>

namespace quorumclear::node {

/// Why the node would not start: names the file, the field or the epoch.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ClearingNode {
 public:
  /// Everything up to, not including, starting threads. Throws StartupError.
  explicit ClearingNode(const std::filesystem::path& config_file);
  ~ClearingNode();
  ClearingNode(const ClearingNode&) = delete;
  ClearingNode& operator=(const ClearingNode&) = delete;

  /// Runs until SIGTERM or SIGINT (which the caller has blocked in every
  /// thread), then drains: stops proposing, finishes the epochs it entered,
  /// commits them, stops. Returns the process exit status.
  int run();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace quorumclear::node
