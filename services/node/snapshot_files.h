#pragma once
// Checkpoint snapshots kept as files beside the database, in
// data_dir/snapshots (one per epoch, the newest two). A restart maps its
// newest one instead of reading it back through PostgreSQL: the snapshot
// after a million trades is 126 MB, which takes over a second through a
// loopback socket and longer to a remote server, and bounds restart time.
// Only a cache: the database's copy stays the one a peer or an audit
// reads, and a file is used only when its bytes hash to the digest its
// epoch's certified tuple signed (ledger_restore.cc), so a missing,
// truncated or stale file costs time, never correctness.

#include "settlement/types.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace quorumclear::node {

/// A file mapped read-only; unmapped when destroyed.
class MappedFile {
 public:
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  [[nodiscard]] settlement::ByteView bytes() const;

 private:
  friend class SnapshotFiles;
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_;
  std::size_t size_;
};

class SnapshotFiles {
 public:
  explicit SnapshotFiles(std::filesystem::path directory) : directory_(std::move(directory)) {}
  /// Writes epoch's snapshot atomically and removes all but the newest
  /// two; an error message on failure (the caller logs it, nothing else).
  [[nodiscard]] std::optional<std::string> write(std::uint64_t epoch, settlement::ByteView bytes) const;
  /// Epoch's snapshot file mapped, or nullopt when there is none (or it
  /// cannot be opened or is larger than any snapshot may be).
  [[nodiscard]] std::optional<MappedFile> map(std::uint64_t epoch) const;

 private:
  [[nodiscard]] std::filesystem::path path_of(std::uint64_t epoch) const;
  std::filesystem::path directory_;
};

}  // namespace quorumclear::node
