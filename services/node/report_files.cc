#include "services/node/report_files.h"

#include "services/api/run_report.h"
#include "services/api/text.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace quorumclear::node {
namespace {

namespace fs = std::filesystem;

void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path aside = file.string() + ".tmp";
  const auto fail = [&](const char* what) {
    throw std::runtime_error(aside.string() + ": " + what + ": " + std::strerror(errno));
  };
  const int fd = ::open(aside.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) fail("open");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync");
  }
  ::close(fd);
  if (::rename(aside.c_str(), file.c_str()) != 0) fail("rename");
}

fs::path file_of(const fs::path& dir, settlement::BusinessDate date, const char* extension) {
  return dir / (api::format_date(date) + extension);
}

}  // namespace

void write_report_files(const fs::path& dir, const api::RunReport& report) {
  fs::create_directories(dir);
  write_atomically(file_of(dir, report.summary.business_date, ".json"), api::run_report_json(report) + "\n");
  write_atomically(file_of(dir, report.summary.business_date, ".csv"), api::run_report_csv(report));
}

bool report_files_exist(const fs::path& dir, settlement::BusinessDate date) {
  return fs::exists(file_of(dir, date, ".json")) && fs::exists(file_of(dir, date, ".csv"));
}

}  // namespace quorumclear::node
