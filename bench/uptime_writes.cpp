// Whether the history keeps writing while the uptime pass reads a month of hourly counts at
// CHECKS checks: the pass runs once on the writer's own thread (as reads ran before they had a
// thread of their own) and once on the read thread, while runs arrive at RATE a second; every
// 250 ms a flush asks how long a run now waits to be committed.
//   bench_uptime CHECKS STATE_DIR RATE
// Prints "pass_ms=... writer_thread_max_wait_ms=... read_thread_max_wait_ms=... dropped=...".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "history/history.h"
#include "prober/web/uptime.h"
#include "synthetic_history.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Outcome {
  double passMs = 0;
  double maxWaitMs = 0;
};

// Queues the pass with `queue`, adds RATE runs a second until it has ended, and measures the
// longest a flush (everything added so far committed) took meanwhile.
Outcome measure(prober::HistoryWriter& writer, prober::HistoryReader& reader, int checks,
                int rate, std::int64_t nowMs,
                const std::function<void(std::function<void()>)>& queue) {
  std::atomic<bool> passDone{false};
  std::atomic<double> passMs{0};
  queue([&] {
    const auto start = Clock::now();
    std::string error;
    const auto snapshot = prober::computeUptime(reader, nowMs, error, {});
    passMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    passDone = true;
  });
  std::atomic<bool> stop{false};
  std::atomic<double> maxWaitMs{0};
  std::thread prober([&] {
    const int perTick = std::max(1, rate / 100);
    for (int n = 0; !stop; ++n) {
      for (int i = 0; i < perTick; ++i) {
        writer.add(prober::RunRecord{nowMs, "check-" + std::to_string((n * perTick + i) % checks),
                                     true, 20.0, 200, "", ""});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  const auto deadline = Clock::now() + std::chrono::minutes(30);
  while (!passDone && Clock::now() < deadline) {
    const auto start = Clock::now();
    writer.flush();
    const double waited = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    maxWaitMs = std::max(maxWaitMs.load(), waited);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  stop = true;
  prober.join();
  return Outcome{passMs, maxWaitMs};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_uptime CHECKS STATE_DIR RATE\n");
    return 2;
  }
  const int checks = std::atoi(argv[1]);
  const std::string dir = argv[2];
  const int rate = std::atoi(argv[3]);
  if (checks <= 0 || checks > 1'000'000 || rate <= 0 || rate > 100'000) {
    std::fprintf(stderr, "bench_uptime: CHECKS 1..1000000, RATE 1..100000\n");
    return 2;
  }
  const std::int64_t nowMs = prober::toMillis(std::chrono::system_clock::now());
  std::filesystem::remove_all(dir);
  const auto filling = Clock::now();
  if (!prober::bench::fillMonthOfHourlyCounts(dir, checks, nowMs)) {
    std::fprintf(stderr, "bench_uptime: cannot fill the history in %s\n", dir.c_str());
    return 1;
  }
  const double fillS = std::chrono::duration<double>(Clock::now() - filling).count();
  std::string error;
  auto writer = prober::HistoryWriter::open(dir, std::chrono::hours(24 * 40), error);
  auto reader = prober::HistoryReader::open(dir, error);
  if (!writer || !reader) {
    std::fprintf(stderr, "bench_uptime: %s\n", error.c_str());
    return 1;
  }
  const Outcome onWriter = measure(*writer, *reader, checks, rate, nowMs,
                                   [&](std::function<void()> job) {
                                     writer->runAfterWrites(std::move(job));
                                   });
  const Outcome onReader = measure(*writer, *reader, checks, rate, nowMs,
                                   [&](std::function<void()> job) {
                                     writer->runReadAfterWrites(std::move(job));
                                   });
  const std::int64_t dropped = writer->dropped();
  writer.reset();
  reader.reset();
  std::filesystem::remove_all(dir);
  std::printf(
      "fill_s=%.1f pass_ms=%.0f writer_thread_max_wait_ms=%.0f read_thread_pass_ms=%.0f "
      "read_thread_max_wait_ms=%.0f dropped=%lld\n",
      fillS, onWriter.passMs, onWriter.maxWaitMs, onReader.passMs, onReader.maxWaitMs,
      static_cast<long long>(dropped));
  return 0;
}
