// What one check costs in memory, part by part: loads CHECKS typical checks (a URL of their
// own, three assertions, two labels) from a generated config, then builds what the daemon
// keeps for them in the daemon's order (the running set, the schedule, a last run each) and
// prints the heap each part took, per check, with the sizes of the structures behind them.
//   bench_memory CHECKS DIR
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checks/config/config_loader.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/check_state.h"
#include "prober/runtime/scheduler.h"
#include "typical_run.h"

namespace {

// Bytes the allocator has handed out and not had back (small blocks and mmapped ones).
std::size_t heapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

std::size_t residentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    }
  }
  return 0;
}

// The shape of check most configs have: its own URL, three assertions, two labels.
void writeConfig(const std::string& path, int checks) {
  std::ofstream out(path);
  out << "[prober]\nlisten = \"127.0.0.1:0\"\n";
  for (int i = 0; i < checks; ++i) {
    out << "[[check]]\nname = \"service-" << i << "-health\"\n"
        << "url = \"https://api.example.com/v1/services/" << i << "/health\"\n"
        << "interval = \"5m\"\n"
        << "assert = [\"status == 200\", 'json $.status == \"UP\"', \"latency < 500ms\"]\n"
        << "labels = { team = \"team-" << i % 50 << "\", tier = \"" << 1 + i % 3 << "\" }\n";
  }
}

class IdleTimer final : public prober::Timer {
 public:
  void armAt(prober::SteadyTime, std::function<void()>) override {}
  void cancel() override {}
};

class FixedClock final : public prober::Clock {
 public:
  prober::SteadyTime now() const override { return {}; }
  std::chrono::system_clock::time_point wallNow() const override { return {}; }
};

struct Part {
  const char* key;  // for bench.sh
  const char* name;
  std::size_t bytes;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_memory CHECKS DIR\n");
    return 2;
  }
  const int checks = std::atoi(argv[1]);
  const std::string path = std::string(argv[2]) + "/memory.toml";
  std::filesystem::create_directories(argv[2]);
  writeConfig(path, checks);

  std::vector<Part> parts;
  std::size_t before = heapInUse();
  const auto took = [&](const char* key, const char* name) {
    const std::size_t now = heapInUse();
    parts.push_back({key, name, now - before});
    before = now;
  };

  prober::LoadResult loaded = prober::loadConfig(path);
  if (!loaded.config) {
    std::fprintf(stderr, "bench_memory: the generated config has errors\n");
    return 1;
  }
  const std::vector<std::shared_ptr<const prober::CheckSpec>> specs = loaded.config->checks;
  took("spec", "spec (config as loaded, assertions compiled)");

  prober::CheckSet running;
  const prober::CheckSetChange change = running.apply(specs);
  took("state", "state and the running set's indexes");

  FixedClock clock;
  IdleTimer timer;
  prober::Scheduler scheduler(clock, timer, 1000, {});
  for (const auto& [id, spec] : change.started) {
    scheduler.add(id, spec->name, spec->interval);
  }
  took("schedule", "schedule entry");

  const auto at = std::chrono::system_clock::now();
  for (const auto& state : running.inOrder()) {
    state->record(bench::typicalRun(*state->spec(), at));
    state->alerts().judge(*state->spec(), *state->last(),
                          state->last()->startedAt);  // as the alerter does
  }
  took("last_run", "last run (one recorded)");

  for (int round = 1; round < 30; ++round) {
    for (const auto& state : running.inOrder()) {
      state->record(bench::typicalRun(*state->spec(), at + std::chrono::minutes(5 * round)));
      state->alerts().judge(*state->spec(), *state->last(),
                            state->last()->startedAt);  // as the alerter does
    }
  }
  took("more_runs", "30 runs recorded (recent-run ring, counters)");

  std::size_t total = 0;
  std::printf("part | bytes a check\n---|---\n");
  for (const Part& part : parts) {
    std::printf("%s | %.0f\n", part.name, static_cast<double>(part.bytes) / checks);
    total += part.bytes;
  }
  std::printf("total heap | %.0f\n", static_cast<double>(total) / checks);
  std::printf("resident (whole process) | %.0f\n", static_cast<double>(residentBytes()) / checks);
  std::printf("\nfigures");
  for (const Part& part : parts) {
    std::printf(" %s=%.0f", part.key, static_cast<double>(part.bytes) / checks);
  }
  std::printf(" total=%.0f resident=%.0f\n", static_cast<double>(total) / checks,
              static_cast<double>(residentBytes()) / checks);
  std::printf(
      "sizeof: CheckSpec %zu, StepSpec %zu, Assertion %zu, CheckState %zu, "
      "RunResult %zu, StepOutcome %zu, ProbeOutcome %zu\n",
      sizeof(prober::CheckSpec), sizeof(prober::StepSpec), sizeof(prober::Assertion),
      sizeof(prober::CheckState), sizeof(prober::RunResult), sizeof(prober::StepOutcome),
      sizeof(prober::ProbeOutcome));
  return 0;
}
