// The scheduler in simulated time: spread, interval, no overlap, in-flight limit, removal.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prober/runtime/scheduler.h"
#include "tests/fakes/manual_clock.h"

using namespace std::chrono_literals;
using prober::CheckId;
using prober::Millis;
using prober::Scheduler;
using prober::testing::ManualClock;

namespace {

struct Harness {
  ManualClock clock;
  std::vector<CheckId> launched;
  std::vector<prober::SteadyTime> launchedAt;
  std::map<CheckId, int> skipped;
  std::vector<prober::SteadyDuration> lags;
  bool finishAtOnce = true;
  Scheduler scheduler;

  explicit Harness(std::size_t maxInFlight = 100,
                   prober::SteadyDuration minWakeInterval = prober::SteadyDuration::zero())
      : scheduler(clock, clock, maxInFlight,
                  Scheduler::Hooks{[this](CheckId id, prober::SteadyTime) {
                                     launched.push_back(id);
                                     launchedAt.push_back(clock.now());
                                     if (finishAtOnce) {
                                       scheduler.finished(id);
                                     }
                                   },
                                   [this](CheckId id, int count) { skipped[id] += count; },
                                   [this](prober::SteadyDuration lag) { lags.push_back(lag); }},
                  minWakeInterval) {}

  int launches(CheckId id) const {
    return static_cast<int>(std::count(launched.begin(), launched.end(), id));
  }
};

}  // namespace

TEST_CASE("the first run is spread over the interval, stably by name") {
  const auto a = Scheduler::spreadOffset("api-health", Millis(10'000));
  CHECK(a == Scheduler::spreadOffset("api-health", Millis(10'000)));
  CHECK(a != Scheduler::spreadOffset("api-health2", Millis(10'000)));

  // 10,000 checks at 10 s: no 10 ms window holds more than a few first runs.
  std::vector<int> perWindow(1000, 0);
  for (int i = 0; i < 10'000; ++i) {
    const auto offset = Scheduler::spreadOffset("check-" + std::to_string(i), Millis(10'000));
    REQUIRE(offset >= prober::SteadyDuration::zero());
    REQUIRE(offset < 10s);
    ++perWindow[static_cast<std::size_t>(offset / 10ms)];
  }
  CHECK(*std::max_element(perWindow.begin(), perWindow.end()) <= 30);
  CHECK(std::count(perWindow.begin(), perWindow.end(), 0) < 50);
}

TEST_CASE("a check runs once per interval after its spread offset") {
  Harness h;
  h.scheduler.add(1, "every-second", Millis(1000));
  const auto offset = Scheduler::spreadOffset("every-second", Millis(1000));
  h.clock.advance(offset - 1us);
  CHECK(h.launched.empty());
  h.clock.advance(1us);
  CHECK(h.launches(1) == 1);
  h.clock.advance(10s);
  CHECK(h.launches(1) == 11);
  for (std::size_t i = 1; i < h.launchedAt.size(); ++i) {
    CHECK(h.launchedAt[i] - h.launchedAt[i - 1] == 1s);
  }
  CHECK(h.skipped.empty());
  for (auto lag : h.lags) {
    CHECK(lag == prober::SteadyDuration::zero());
  }
}

TEST_CASE("a run still going when the next is due is not doubled, it is counted as skipped") {
  Harness h;
  h.finishAtOnce = false;
  h.scheduler.add(7, "slow", Millis(1000));
  h.clock.advance(1s);  // the first run starts within the first interval
  REQUIRE(h.launches(7) == 1);
  h.clock.advance(3s);  // three more runs fall due while the first is going
  CHECK(h.launches(7) == 1);
  CHECK(h.skipped[7] == 3);
  CHECK(h.scheduler.inFlight() == 1);
  h.scheduler.finished(7);
  h.clock.advance(1s);
  CHECK(h.launches(7) == 2);
}

TEST_CASE("at most max_in_flight runs at once; the rest wait in order") {
  Harness h(2);
  h.finishAtOnce = false;
  for (CheckId id = 1; id <= 5; ++id) {
    h.scheduler.add(id, "check-" + std::to_string(id), Millis(60'000));
  }
  h.clock.advance(60s);  // every first run is now due
  CHECK(h.launched.size() == 2);
  CHECK(h.scheduler.inFlight() == 2);
  CHECK(h.scheduler.waiting() == 3);

  // Waiting runs start in the order they fell due, one per freed slot.
  std::vector<std::pair<prober::SteadyDuration, CheckId>> byOffset;
  for (CheckId id = 1; id <= 5; ++id) {
    byOffset.emplace_back(Scheduler::spreadOffset("check-" + std::to_string(id), Millis(60'000)),
                          id);
  }
  std::sort(byOffset.begin(), byOffset.end());
  CHECK(h.launched[0] == byOffset[0].second);
  CHECK(h.launched[1] == byOffset[1].second);
  h.scheduler.finished(h.launched[0]);
  CHECK(h.launched.size() == 3);
  CHECK(h.launched[2] == byOffset[2].second);
  h.scheduler.finished(h.launched[1]);
  h.scheduler.finished(h.launched[2]);
  CHECK(h.launched.size() == 5);
  CHECK(h.launched[3] == byOffset[3].second);
  CHECK(h.launched[4] == byOffset[4].second);
  // Their wait shows up as schedule lag.
  CHECK(h.lags.size() == 5);
  CHECK(h.lags[4] > prober::SteadyDuration::zero());
}

TEST_CASE("a removed check never runs again, even with a run in flight") {
  Harness h;
  h.finishAtOnce = false;
  h.scheduler.add(1, "gone", Millis(1000));
  h.scheduler.add(2, "stays", Millis(1000));
  h.clock.advance(1s);
  REQUIRE(h.launches(1) == 1);
  h.scheduler.remove(1);
  h.finishAtOnce = true;
  h.scheduler.finished(1);
  h.scheduler.finished(2);
  h.clock.advance(5s);
  CHECK(h.launches(1) == 1);
  CHECK(h.launches(2) >= 5);
  CHECK(h.scheduler.size() == 1);
}

TEST_CASE("a stalled loop does not fire a burst of catch-up runs") {
  int passedOver = 0;
  const prober::SteadyTime due{100s};
  CHECK(Scheduler::nextDue(due, Millis(1000), due, passedOver) == due + 1s);
  CHECK(passedOver == 0);
  CHECK(Scheduler::nextDue(due, Millis(1000), due + 3500ms, passedOver) == due + 4s);
  CHECK(passedOver == 3);
}

TEST_CASE("ten thousand checks at 10s run once each per interval") {
  Harness h(1000);
  for (CheckId id = 0; id < 10'000; ++id) {
    h.scheduler.add(id, "check-" + std::to_string(id), Millis(10'000));
  }
  h.clock.advance(10s);
  CHECK(h.launched.size() == 10'000);
  h.clock.advance(10s);
  CHECK(h.launched.size() == 20'000);
  CHECK(h.skipped.empty());
}

TEST_CASE("runAgainAt moves the next run; resumeInterval goes back to the check's slots") {
  Harness h;
  h.scheduler.add(1, "retried", Millis(30'000));
  const auto offset = Scheduler::spreadOffset("retried", Millis(30'000));
  h.clock.advance(offset);
  REQUIRE(h.launches(1) == 1);
  const auto firstAt = h.launchedAt[0];
  h.scheduler.runAgainAt(1, firstAt + 5s);
  h.clock.advance(5s);
  CHECK(h.launches(1) == 2);
  CHECK(h.launchedAt[1] - firstAt == 5s);
  // Without a new instruction the retried run is followed an interval later.
  h.scheduler.runAgainAt(1, h.launchedAt[1] + 5s);
  h.clock.advance(5s);
  CHECK(h.launches(1) == 3);
  h.scheduler.resumeInterval(1);
  h.clock.advance(19s);
  CHECK(h.launches(1) == 3);
  h.clock.advance(1s);  // 30 s after the first run: its slot, not 30 s after the retry
  REQUIRE(h.launches(1) == 4);
  CHECK(h.launchedAt[3] - firstAt == 30s);
  h.scheduler.resumeInterval(1);  // not retrying: changes nothing
  h.clock.advance(30s);
  CHECK(h.launches(1) == 5);
  CHECK(h.launchedAt[4] - firstAt == 60s);
  CHECK(h.skipped.empty());  // slots passed during retries are not skips
}

TEST_CASE("a retry already due runs at once; one for a removed check never runs") {
  Harness h;
  h.scheduler.add(1, "late", Millis(30'000));
  h.scheduler.add(2, "gone", Millis(30'000));
  h.clock.advance(30s);
  REQUIRE(h.launches(1) == 1);
  h.scheduler.runAgainAt(1, h.clock.now() - 1s);
  h.clock.advance(0s);
  CHECK(h.launches(1) == 2);
  h.scheduler.remove(2);
  h.scheduler.runAgainAt(2, h.clock.now() + 1s);
  h.clock.advance(60s);
  CHECK(h.launches(2) == 1);
}

TEST_CASE(
    "the timer wakes at most once per minWakeInterval; runs due between wakes wait for the "
    "next, never start early") {
  Harness h(100, 4ms);
  const auto start = h.clock.now();
  // Hourly checks, each moved to a known due time (their spread slots are far later).
  const std::vector<std::pair<CheckId, prober::SteadyDuration>> due = {
      {1, 1ms}, {2, 2ms}, {3, 6ms}, {4, 20ms}};
  for (const auto& [id, at] : due) {
    h.scheduler.add(id, "hourly-" + std::to_string(id), Millis(3'600'000));
    REQUIRE(Scheduler::spreadOffset("hourly-" + std::to_string(id), Millis(3'600'000)) > 1s);
    h.scheduler.runAgainAt(id, start + at);
  }
  std::vector<std::size_t> launchedBy;  // runs started by each millisecond
  for (int ms = 1; ms <= 30; ++ms) {
    h.clock.advance(1ms);
    launchedBy.push_back(h.launched.size());
  }
  // 1 at once (no wake before it); 2 waits for 4 ms after that wake; 3 for 4 ms after that; 4
  // is due long after the last wake and starts on time.
  REQUIRE(h.launched == std::vector<CheckId>{1, 2, 3, 4});
  CHECK(h.launchedAt[0] - start == 1ms);
  CHECK(h.launchedAt[1] - start == 5ms);
  CHECK(h.launchedAt[2] - start == 9ms);
  CHECK(h.launchedAt[3] - start == 20ms);
  CHECK(launchedBy[3] == 1);  // nothing more by 4 ms, though check 2 was due at 2 ms
  CHECK(h.lags == std::vector<prober::SteadyDuration>{0ms, 3ms, 3ms, 0ms});
  for (std::size_t i = 0; i < due.size(); ++i) {
    CHECK(h.launchedAt[i] - start >= due[i].second);
  }

  SUBCASE("runs due together start in one wake") {
    h.scheduler.runAgainAt(1, h.clock.now() + 10ms);
    h.scheduler.runAgainAt(2, h.clock.now() + 11ms);
    h.scheduler.runAgainAt(3, h.clock.now() + 13ms);
    const auto before = h.launched.size();
    CHECK(h.clock.advance(10ms) == 1);
    CHECK(h.clock.advance(5ms) == 1);  // 2 and 3 both at 14 ms: one firing
    CHECK(h.launched.size() == before + 3);
    CHECK(h.launchedAt[before + 1] == h.launchedAt[before + 2]);
  }
}

namespace {

// A timer that records what the scheduler arms and what it says the wake after will be.
struct HintedTimer final : prober::Timer {
  explicit HintedTimer(std::unique_ptr<prober::Timer> inner) : inner(std::move(inner)) {}
  void armAt(prober::SteadyTime deadline, std::function<void()> fire) override {
    armed.push_back(deadline);
    inner->armAt(deadline, std::move(fire));
  }
  void cancel() override { inner->cancel(); }
  void expectNext(prober::SteadyTime deadline) override { hints.push_back(deadline); }
  std::unique_ptr<prober::Timer> inner;
  std::vector<prober::SteadyTime> armed;
  std::vector<prober::SteadyTime> hints;
};

}  // namespace

TEST_CASE(
    "a scheduler tells its timer the earliest next wake; busy, that is the wake it then arms") {
  ManualClock clock;
  HintedTimer timer(clock.newTimer());
  Scheduler scheduler(
      clock, timer, 100,
      Scheduler::Hooks{[&](CheckId id, prober::SteadyTime) { scheduler.finished(id); },
                       [](CheckId, int) {}, [](prober::SteadyDuration) {}},
      4ms);
  const auto start = clock.now();
  // A run due every millisecond: more than one a wake interval, so every wake waits for it.
  for (CheckId id = 1; id <= 40; ++id) {
    scheduler.add(id, "hourly-" + std::to_string(id), Millis(3'600'000));
    scheduler.runAgainAt(id, start + std::chrono::milliseconds(id));
  }
  clock.advance(30ms);
  REQUIRE(timer.armed.size() >= 6);
  REQUIRE(timer.hints.size() >= 5);
  // Armed: the spread slot, then 1 ms (the first retry), then 5 ms (the first wake that waits
  // for the interval); every wake from then on was foretold by the one before it.
  CHECK(timer.armed[1] == start + 1ms);
  CHECK(timer.armed[2] == start + 5ms);
  for (std::size_t i = 3; i < timer.armed.size(); ++i) {
    CAPTURE(i);
    CHECK(timer.armed[i] == start + 1ms + std::chrono::milliseconds(4 * (i - 1)));
    CHECK(std::find(timer.hints.begin(), timer.hints.end(), timer.armed[i]) != timer.hints.end());
  }

  // Each hint is one wake interval after the wake just armed: the earliest the next can be.
  REQUIRE(timer.hints.size() == timer.armed.size());
  for (std::size_t i = 0; i < timer.armed.size(); ++i) {
    CHECK(timer.hints[i] == timer.armed[i] + 4ms);
  }
}

TEST_CASE("checks added together run at their offsets, as if added one by one") {
  Harness h;
  std::vector<std::string> names;
  std::vector<Scheduler::NewCheck> batch;
  for (int i = 0; i < 200; ++i) {
    names.push_back("check-" + std::to_string(i));
  }
  for (int i = 0; i < 200; ++i) {
    batch.push_back({static_cast<CheckId>(i + 1), names[i], Millis(1000)});
  }
  const prober::SteadyTime start = h.clock.now();
  h.scheduler.add(batch);
  CHECK(h.scheduler.size() == 200);
  h.clock.advance(1s - 1us);        // offsets are whole microseconds below the interval
  CHECK(h.launched.size() == 200);  // each once, at its offset
  for (std::size_t i = 0; i < h.launched.size(); ++i) {
    const CheckId id = h.launched[i];
    CHECK(h.launchedAt[i] - start == Scheduler::spreadOffset(names[id - 1], Millis(1000)));
  }
  CHECK(std::all_of(h.lags.begin(), h.lags.end(),
                    [](prober::SteadyDuration lag) { return lag == 0s; }));
  h.clock.advance(1s);
  CHECK(h.launched.size() == 400);
}
