// The status pages at scale: CHECKS checks in 50 teams, each with a full in-memory history of
// recent runs (one in ten failing now), and a history database holding 30 days of hourly
// counts for every check. Prints the median time and the size of GET / (first page), a
// filtered /, GET /status and the uptime computation that feeds them (off the loop in the
// daemon), each over ROUNDS rounds.
//   bench_pages CHECKS STATE_DIR [ROUNDS]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "synthetic_history.h"
#include "history/history.h"
#include "prober/runtime/check_state.h"
#include "prober/web/pages/public_status.h"
#include "prober/web/pages/status_page.h"
#include "prober/web/uptime.h"

namespace {

using Clock = std::chrono::steady_clock;

// Median milliseconds of `rounds` calls; `bytes` gets the size of the last answer.
double medianMs(int rounds, const std::function<std::size_t()>& render, std::size_t& bytes) {
  std::vector<double> times;
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    bytes = render();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

prober::RunResultPtr run(const std::string& check, std::chrono::system_clock::time_point at,
                         bool passed, double seconds) {
  auto result = std::make_shared<prober::RunResult>();
  result->check = check;
  result->startedAt = at;
  result->durationSeconds = seconds;
  result->passed = passed;
  prober::StepOutcome step;
  step.probe.status = passed ? 200 : 503;
  step.verdict.passed = passed;
  if (!passed) {
    step.verdict.failures.push_back("status == 200 (got 503)");
  }
  result->steps.push_back(std::move(step));
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: bench_pages CHECKS STATE_DIR [ROUNDS]\n");
    return 2;
  }
  const int checks = std::atoi(argv[1]);
  const std::string dir = argv[2];
  const int rounds = argc == 4 ? std::atoi(argv[3]) : 5;
  if (checks <= 0 || checks > 1'000'000 || rounds <= 0 || rounds > 100) {
    std::fprintf(stderr, "bench_pages: CHECKS 1..1000000, ROUNDS 1..100\n");
    return 2;
  }
  const auto now = std::chrono::system_clock::now();
  const std::int64_t nowMs = prober::toMillis(now);
  std::vector<std::unique_ptr<prober::CheckState>> states;
  std::vector<const prober::CheckState*> view;
  auto specs = std::make_shared<std::vector<std::shared_ptr<const prober::CheckSpec>>>();
  for (int c = 0; c < checks; ++c) {
    auto spec = std::make_shared<prober::CheckSpec>();
    spec->name = "check-" + std::to_string(c);
    prober::StepSpec step;
    step.url = "https://api.example.com/v1/service-" + std::to_string(c) + "/health";
    spec->steps.push_back(step);
    spec->labels = {{"team", "team-" + std::to_string(c % 50)}, {"env", "prod"}};
    specs->push_back(spec);
    auto state = std::make_unique<prober::CheckState>(spec);
    for (int r = 0; r < static_cast<int>(prober::CheckState::kHistoryLength); ++r) {
      const bool failing = c % 10 == 0 && r >= 25;
      state->record(run(spec->name, now - std::chrono::seconds(60 * (30 - r)), !failing,
                        0.02 + 0.001 * ((c + r) % 40)));
      state->alerts().judge(*state->spec(), *state->last(),
                            state->last()->startedAt);  // as the alerter does
    }
    view.push_back(state.get());
    states.push_back(std::move(state));
  }
  std::filesystem::remove_all(dir);
  if (!prober::bench::fillMonthOfHourlyCounts(dir, checks, nowMs)) {
    std::fprintf(stderr, "bench_pages: cannot fill the history in %s\n", dir.c_str());
    return 1;
  }
  std::string error;
  auto reader = prober::HistoryReader::open(dir, error);
  if (!reader) {
    std::fprintf(stderr, "bench_pages: %s\n", error.c_str());
    return 1;
  }
  prober::UptimeSnapshot snapshot;
  std::size_t ignored = 0;
  const double uptimeMs = medianMs(
      std::min(rounds, 3),
      [&] {
        snapshot = prober::computeUptime(*reader, nowMs, error, {"team", specs});
        return snapshot.checks.size();
      },
      ignored);
  prober::DashboardView dashboard;
  dashboard.checks = view;
  dashboard.uptime = &snapshot;
  dashboard.nowMs = nowMs;
  dashboard.groupBy = "team";
  std::size_t dashboardBytes = 0, filteredBytes = 0, statusBytes = 0;
  const double dashboardMs = medianMs(
      rounds, [&] { return prober::renderStatusPage(dashboard).size(); }, dashboardBytes);
  dashboard.query = "team:team-10 state:failing";
  const double filteredMs = medianMs(
      rounds, [&] { return prober::renderStatusPage(dashboard).size(); }, filteredBytes);
  prober::PublicStatusView status;
  status.checks = view;
  status.uptime = &snapshot;
  status.nowMs = nowMs;
  status.groupBy = "team";
  const double statusMs = medianMs(
      rounds, [&] { return prober::renderPublicStatus(status).size(); }, statusBytes);
  std::printf(
      "checks=%d uptime_ms=%.1f uptime_checks=%zu dashboard_ms=%.1f dashboard_bytes=%zu "
      "filtered_ms=%.1f filtered_bytes=%zu status_ms=%.1f status_bytes=%zu\n",
      checks, uptimeMs, snapshot.checks.size(), dashboardMs, dashboardBytes, filteredMs,
      filteredBytes, statusMs, statusBytes);
  std::filesystem::remove_all(dir);
  return error.empty() && snapshot.checks.size() == static_cast<std::size_t>(checks) ? 0 : 1;
}
