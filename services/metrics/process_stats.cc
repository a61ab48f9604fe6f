// The process's own CPU, memory and descriptors, as every Prometheus client
// library exports them (process_*), read from /proc at scrape time.

#include "services/metrics/node_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace quorumclear::metrics {
namespace {

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

double count_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats s;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // The command name (field 2) may hold spaces: count fields after its ')'.
    const std::size_t close = line.rfind(')');
    std::istringstream rest(close == std::string::npos ? std::string() : line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string w; rest >> w;) f.push_back(w);
    // f[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
    if (f.size() >= 22 && ticks > 0) {
      s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
      s.start_time_seconds = boot_time_seconds() + std::stod(f[19]) / ticks;
      s.virtual_bytes = std::stod(f[20]);
      s.resident_bytes = std::stod(f[21]) * page;
    }
  }
  s.open_fds = count_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) s.max_fds = static_cast<double>(limit.rlim_cur);
  return s;
}

}  // namespace quorumclear::metrics
