#pragma once
// When each check runs: every `interval`, first run spread over the interval by the check's
// name, never two runs of one check at once, at most `maxInFlight` runs across all checks.
// One timer over a min-heap of due times drives everything, so 100,000 checks cost one timer.
// The timer wakes at most once per `minWakeInterval`: a run due sooner after the last wake waits
// for the next, with the others due by then (see ProbeLoop for why).
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <vector>

#include "checks/clock.h"
#include "checks/duration.h"

namespace prober {

using CheckId = std::uint64_t;

class Scheduler {
 public:
  struct Hooks {
    // Starts a run; the owner must call finished(id) exactly once when it ends.
    std::function<void(CheckId id, SteadyTime due)> launch;
    // `count` runs of this check were due while its previous run was still going or waiting.
    std::function<void(CheckId id, int count)> skipped;
    // How late a run started after it was due (timer latency, waiting for the next wake, and
    // for a slot).
    std::function<void(SteadyDuration lag)> lag;
  };

  Scheduler(Clock& clock, Timer& timer, std::size_t maxInFlight, Hooks hooks,
            SteadyDuration minWakeInterval = SteadyDuration::zero());
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Schedules a new check; its first run is due after its stable spread offset.
  void add(CheckId id, std::string_view name, Millis interval);
  struct NewCheck {
    CheckId id;
    std::string_view name;
    Millis interval;
  };
  // The same for many checks, their offsets counted from when the last is in: adding a million
  // takes the loop a few hundred milliseconds, and counted from the first the earliest runs
  // would be due before the loop could start any (a burst of late runs after every start).
  void add(const std::vector<NewCheck>& checks);
  // Stops scheduling a check. A run in flight still ends with finished(id).
  void remove(CheckId id);
  // retry_interval: the check's next run comes at `at` (or at once when that has passed)
  // instead of on its interval, until resumeInterval().
  void runAgainAt(CheckId id, SteadyTime at);
  // Back to the check's interval, on the same slots as before the retries (its spread offset),
  // when runAgainAt() had moved it; nothing otherwise.
  void resumeInterval(CheckId id);
  void finished(CheckId id);
  void setMaxInFlight(std::size_t maxInFlight);

  std::size_t inFlight() const { return running_.size(); }
  std::size_t waiting() const { return ready_.size(); }
  std::size_t size() const { return entries_.size(); }

  // The one delay function: where in its interval a check's runs fall (stable per name)...
  static SteadyDuration spreadOffset(std::string_view name, Millis interval);
  // ...and the next due time after `due` that is later than `now`, with how many slots were
  // passed over on the way (a stalled loop does not fire a burst of catch-up runs).
  static SteadyTime nextDue(SteadyTime due, Millis interval, SteadyTime now, int& passedOver);

 private:
  struct Entry {
    Millis interval;
    std::uint64_t generation;
    SteadyTime firstDue;  // the check's slots are firstDue + k * interval
    bool queued = false;
    bool retrying = false;  // runAgainAt() moved it off its slots
  };
  struct Due {
    SteadyTime at;
    CheckId id;
    std::uint64_t generation;
    bool operator>(const Due& other) const { return at > other.at; }
  };
  struct Ready {
    CheckId id;
    std::uint64_t generation;
    SteadyTime due;
  };

  // Puts the check's next run at `at` under a new generation: the due time already queued for
  // it is dropped when it comes up.
  void reschedule(CheckId id, Entry& entry, SteadyTime at);
  void onTimer();
  void dispatch();
  void rearm();

  Clock& clock_;
  Timer& timer_;
  std::size_t maxInFlight_;
  Hooks hooks_;
  SteadyDuration minWakeInterval_;
  // Open addressing: found three times a run, without chasing a node (entries are never held
  // across an insertion).
  boost::unordered_flat_map<CheckId, Entry> entries_;
  std::vector<Due> heap_;  // min-heap on `at`; removed or re-added checks are skipped lazily
  std::deque<Ready> ready_;
  // A launch and its end insert and erase without allocating.
  boost::unordered_flat_set<CheckId> running_;
  std::uint64_t nextGeneration_ = 1;
  bool armed_ = false;
  SteadyTime armedAt_{};
  // When the timer last woke; before its first wake, far enough back to hold nothing up.
  SteadyTime lastWake_ = SteadyTime::min();
  bool dispatching_ = false;
};

}  // namespace prober
