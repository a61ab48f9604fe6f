#include "services/node/snapshot_files.h"

#include "services/config/files.h"
#include "services/net/socket.h"
#include "services/store/node_store.h"
#include "settlement/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <system_error>
#include <vector>

namespace quorumclear::node {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuffix = ".qcsnap";

/// The epoch a file name spells, for names this class writes only.
std::optional<std::uint64_t> epoch_of(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name.size() != 20 + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::uint64_t epoch = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    epoch = epoch * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  return epoch;
}

}  // namespace

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

settlement::ByteView MappedFile::bytes() const { return {static_cast<const std::uint8_t*>(data_), size_}; }

fs::path SnapshotFiles::path_of(std::uint64_t epoch) const {
  char name[21];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(epoch));
  return directory_ / (std::string(name) + std::string(kSuffix));
}

std::optional<std::string> SnapshotFiles::write(std::uint64_t epoch, settlement::ByteView bytes) const {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) return directory_.string() + ": " + ec.message();
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (auto error = config::write_file_atomically(path_of(epoch), text, 0644, config::Overwrite::kReplace)) {
    return error->what();
  }
  std::vector<std::uint64_t> epochs;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory_, ec)) {
    if (const auto e = epoch_of(entry.path())) epochs.push_back(*e);
  }
  std::sort(epochs.begin(), epochs.end(), std::greater<>());
  for (std::size_t k = store::kSnapshotsKept; k < epochs.size(); ++k) fs::remove(path_of(epochs[k]), ec);
  return std::nullopt;
}

std::optional<MappedFile> SnapshotFiles::map(std::uint64_t epoch) const {
  const fs::path path = path_of(epoch);
  net::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
      static_cast<std::uint64_t>(st.st_size) > settlement::kSnapshotBytesMax) {
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (data == MAP_FAILED) return std::nullopt;
  return MappedFile(data, size);
}

}  // namespace quorumclear::node
