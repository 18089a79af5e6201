// The history's cost at a steady rate of results, as the daemon hands them over: records are
// added from one thread in small bursts and the writer thread commits them in batches.
// Prints the process's CPU (both threads, getrusage) for the whole run.
//   bench_history SECONDS RATE STATE_DIR [NAME_PREFIX [CHECKS]]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "history/history.h"

namespace {

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: bench_history SECONDS RATE STATE_DIR [NAME_PREFIX [CHECKS]]\n");
    return 2;
  }
  // Check names are PREFIX + a number below CHECKS ("check-1234" by default, 10,000 checks):
  // at RATE results a second each check runs every CHECKS / RATE seconds.
  const std::string prefix = argc >= 5 ? argv[4] : "check-";
  const int checks = argc == 6 ? std::atoi(argv[5]) : 10'000;
  const int seconds = std::atoi(argv[1]);
  const int rate = std::atoi(argv[2]);
  if (seconds <= 0 || seconds > 3600 || rate <= 0 || rate > 1'000'000 || checks <= 0 ||
      checks > 10'000'000) {
    std::fprintf(stderr, "bench_history: SECONDS 1..3600, RATE 1..1000000, CHECKS 1..10000000\n");
    return 2;
  }
  std::string error;
  auto writer = prober::HistoryWriter::open(argv[3], std::chrono::hours(24 * 14), error);
  if (!writer) {
    std::fprintf(stderr, "bench_history: %s\n", error.c_str());
    return 1;
  }
  const auto wallNow = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  constexpr int kBurst = 100;  // results arrive in bursts as probes finish together
  const double cpu0 = cpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const long long total = static_cast<long long>(seconds) * rate;
  for (long long i = 0; i < total; ++i) {
    const bool failed = i % 50 == 0;  // 2 % of runs fail and carry their assertion
    writer->add(prober::RunRecord{wallNow + i * 1000 / rate, prefix + std::to_string(i % checks),
                                  !failed, 12.5, failed ? 503 : 200, failed ? "http_status" : "",
                                  failed ? "status == 200 (got 503)" : ""});
    if (i % kBurst == kBurst - 1) {
      std::this_thread::sleep_until(start + std::chrono::microseconds((i + 1) * 1'000'000 / rate));
    }
  }
  writer->flush();
  const double used = cpuSeconds() - cpu0;
  const auto written = static_cast<long long>(writer->written());
  const auto dropped = writer->dropped();
  // Closed, the write-ahead log is folded into history.db: what the records take for good.
  writer.reset();
  std::error_code ec;
  const auto bytes =
      static_cast<long long>(std::filesystem::file_size(prober::historyPath(argv[3]), ec));
  std::printf(
      "records=%lld written=%lld dropped=%lld cpu_seconds=%.4f bytes=%lld "
      "bytes_per_record=%.1f\n",
      total, written, static_cast<long long>(dropped), used, bytes,
      static_cast<double>(bytes) / static_cast<double>(total));
  return dropped == 0 ? 0 : 1;
}
