#include "prober/web/metrics/process_self.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "prober/web/metrics/metrics.h"

namespace prober {

namespace {

void gauge(std::string& out, std::string_view name, std::string_view help, double value,
           std::string_view type = "gauge") {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type,
                     formatMetricValue(value));
}

// /proc/self/stat's fields after the command name (which may hold spaces and parentheses):
// fields[0] is field 3 (state) of proc(5).
std::vector<std::string> statFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) {
    return fields;
  }
  std::istringstream rest(line.substr(close + 1));
  for (std::string field; rest >> field;) {
    fields.push_back(field);
  }
  return fields;
}

// When the machine booted, in Unix seconds (the btime line of /proc/stat); 0 when unknown.
double bootTime() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) {
      return std::stod(line.substr(6));
    }
  }
  return 0;
}

}  // namespace

void renderProcessSelf(std::string& out, std::string_view version) {
  out += fmt::format(
      "# HELP prober_build_info The running prober's version.\n# TYPE prober_build_info gauge\n"
      "prober_build_info{{version=\"{}\"}} 1\n",
      escapeLabelValue(version));
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const auto fields = statFields();
  constexpr std::size_t kUtime = 14 - 3, kStime = 15 - 3, kStart = 22 - 3, kVsize = 23 - 3,
                        kRss = 24 - 3;
  if (fields.size() > kRss && ticks > 0) {
    gauge(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
          (std::stod(fields[kUtime]) + std::stod(fields[kStime])) / ticks, "counter");
    gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
          std::stod(fields[kVsize]));
    gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
          std::stod(fields[kRss]) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
    if (const double boot = bootTime(); boot > 0) {
      gauge(out, "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            boot + std::stod(fields[kStart]) / ticks);
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    gauge(out, "process_open_fds", "Number of open file descriptors.", static_cast<double>(fds));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
          static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace prober
