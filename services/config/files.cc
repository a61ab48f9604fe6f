#include "services/config/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

namespace quorumclear::config {
namespace {

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

/// An open file descriptor, closed on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  /// Closes now and reports close's error (a write error may surface only here).
  [[nodiscard]] int close_now() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

/// Makes a rename or link in `directory` durable.
void sync_directory(const std::filesystem::path& directory) {
  const Fd dir(::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());  // best effort: some filesystems refuse fsync on directories
}

}  // namespace

std::variant<std::string, ConfigError> read_file(const std::filesystem::path& path, std::size_t max_bytes,
                                                 Secrecy secrecy) {
  const auto fail = [&](std::string message) { return ConfigError{path.string(), "", std::move(message)}; };
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return fail("cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail("cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if (secrecy == Secrecy::kSecret && (st.st_mode & 077) != 0) {
    return fail("mode " + octal_mode(st.st_mode) +
                " lets group or others read or write this secret key; it must be 0600 or stricter "
                "(chmod 600)");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    return fail("larger than " + std::to_string(max_bytes) + " bytes");
  }
  // One byte past the size fstat gave, so a file that grew since is seen
  // growing; it may grow up to the limit, never past it.
  std::string bytes(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t filled = 0;
  for (;;) {
    if (filled == bytes.size()) bytes.resize(std::min(bytes.size() * 2, max_bytes + 1));
    const ssize_t got = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail("cannot read: " + errno_text(errno));
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
    if (filled > max_bytes) return fail("larger than " + std::to_string(max_bytes) + " bytes");
  }
  bytes.resize(filled);
  return bytes;
}

std::optional<ConfigError> write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                                 mode_t mode, Overwrite overwrite) {
  const auto fail = [&](std::string message) { return ConfigError{path.string(), "", std::move(message)}; };
  if (overwrite == Overwrite::kRefuse && ::access(path.c_str(), F_OK) == 0) {
    return fail("exists; refusing to overwrite it");
  }
  std::string temporary = path.string() + ".tmp-XXXXXX";
  Fd fd(::mkostemp(temporary.data(), O_CLOEXEC));  // created 0600
  if (fd.get() < 0) return fail("cannot create a temporary file beside it: " + errno_text(errno));
  const auto abandon = [&](std::string message) {
    ::unlink(temporary.c_str());
    return fail(std::move(message));
  };
  if (::fchmod(fd.get(), mode) != 0) return abandon("cannot set mode: " + errno_text(errno));
  if (!write_all(fd.get(), bytes)) return abandon("cannot write: " + errno_text(errno));
  if (::fsync(fd.get()) != 0) return abandon("cannot sync: " + errno_text(errno));
  if (fd.close_now() != 0) return abandon("cannot close: " + errno_text(errno));
  if (overwrite == Overwrite::kRefuse) {
    // link() fails with EEXIST if the name appeared meanwhile: never replaces a key.
    if (::link(temporary.c_str(), path.c_str()) != 0) {
      const int error = errno;
      return abandon(error == EEXIST ? "exists; refusing to overwrite it"
                                     : "cannot create: " + errno_text(error));
    }
    ::unlink(temporary.c_str());
  } else if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return abandon("cannot replace: " + errno_text(errno));
  }
  sync_directory(path.parent_path());
  return std::nullopt;
}

}  // namespace quorumclear::config
