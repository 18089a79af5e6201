#pragma once
// Probing, start to end: the scheduler says a check is due, the runner runs it on the engine,
// and the finished run goes to the check's state, the history and, in one call, the alerter.
// Runs that could not start in time are counted on the check.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "alerting/alerter.h"
#include "checks/clock.h"
#include "history/history.h"
#include "prober/engine/check_prober.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/scheduler.h"
#include "prober/runtime/shard_membership.h"

namespace prober {

// The scheduler's timer wakes at most this often. Each wake costs a timer, an epoll_wait and two
// context switches, so runs due a few milliseconds apart start together, one wake for all of
// them: at 500 runs a second (bench W2) that measured about 15 % less CPU a probe. A run starts at
// most this much later than it was due, which prober_schedule_lag_seconds shows; 3 ms keeps the lag
// at 10,000 checks under its 5 ms target.
inline constexpr SteadyDuration kMinWakeInterval = std::chrono::milliseconds(3);

class ProbeLoop {
 public:
  struct Observer {
    std::function<void(std::size_t running)> inFlight;
    std::function<void(SteadyDuration lag)> lag;  // how late a run started after it was due
  };

  ProbeLoop(Clock& clock, const TimerFactory& timers, CheckProber& prober, CheckSet& checks,
            Alerter& alerter, ShardMembership& membership, HistoryWriter& history,
            std::size_t maxInFlight, Observer observer);
  ProbeLoop(const ProbeLoop&) = delete;
  ProbeLoop& operator=(const ProbeLoop&) = delete;

  // Schedules what a config change started and stops what it stopped.
  void schedule(const CheckSetChange& change);
  void setMaxInFlight(std::size_t maxInFlight) { scheduler_.setMaxInFlight(maxInFlight); }
  // Stops scheduling and abandons the runs in flight.
  void stop();
  std::size_t inFlight() const { return scheduler_.inFlight(); }
  // Runs skipped since the start, over every check (prober_runs_skipped_total).
  std::uint64_t skippedTotal() const { return skippedTotal_; }

 private:
  void launch(CheckId id, SteadyTime due);
  void finished(CheckState& state, RunResultPtr result);
  // retry_interval: a failed run of a check whose alert is not firing yet is followed sooner.
  void scheduleNext(CheckId id, SteadyTime due, const CheckState& state);
  void skipped(CheckId id, int count);

  Clock& clock_;
  CheckProber& prober_;  // runs each check by its kind
  CheckSet& checks_;
  Alerter& alerter_;
  ShardMembership& membership_;
  HistoryWriter& history_;
  Observer observer_;
  bool stopped_ = false;
  std::uint64_t skippedTotal_ = 0;
  std::unique_ptr<Timer> timer_;  // the scheduler's
  Scheduler scheduler_;
};

}  // namespace prober
