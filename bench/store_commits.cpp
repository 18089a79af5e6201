// What syncing every alert-state commit costs: the store records N transitions (a trigger and
// its notification in one transaction, then the delivery marked) synced at every commit, as the
// daemon runs it, and synced at checkpoints only, in the same run on the same disk.
//   bench_store COUNT STATE_DIR
// Prints "durable_us=... fast_us=... ratio=...": wall microseconds a transition (two commits).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "alerting/store.h"

namespace {

// Microseconds a transition takes in a fresh store opened with `durability`.
double microsecondsPerTransition(const std::string& dir, prober::Durability durability, int count) {
  std::filesystem::remove_all(dir);
  std::string error;
  auto store = prober::Store::open(dir, error, durability);
  if (!store) {
    std::fprintf(stderr, "bench_store: %s\n", error.c_str());
    std::exit(1);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    const std::string check = "check-" + std::to_string(i % 1000);
    std::vector<prober::OutboxRow> rows(1);
    rows[0].check = check;
    rows[0].notifier = "pd";
    rows[0].event.check = check;
    rows[0].via = R"({"type":"pagerduty"})";
    prober::SavedAlert firing{true, 3, 1000 + i, 0, {"pd"}};
    if (!store->recordTransition(check, firing, rows, error) ||
        !store->markDelivered(rows[0].id, 2000 + i, error)) {
      std::fprintf(stderr, "bench_store: %s\n", error.c_str());
      std::exit(1);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  store.reset();
  std::filesystem::remove_all(dir);
  return seconds * 1e6 / count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_store COUNT STATE_DIR\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  if (count <= 0 || count > 1'000'000) {
    std::fprintf(stderr, "bench_store: COUNT 1..1000000\n");
    return 2;
  }
  const std::string dir = argv[2];
  // Fast first, then durable, then fast again: the disk's own warm-up is not charged to one.
  const double fastBefore = microsecondsPerTransition(dir, prober::Durability::Fast, count);
  const double durable = microsecondsPerTransition(dir, prober::Durability::Durable, count);
  const double fastAfter = microsecondsPerTransition(dir, prober::Durability::Fast, count);
  const double fast = (fastBefore + fastAfter) / 2;
  std::printf("durable_us=%.1f fast_us=%.1f ratio=%.2f\n", durable, fast, durable / fast);
  return 0;
}
