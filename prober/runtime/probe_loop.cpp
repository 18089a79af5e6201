#include "prober/runtime/probe_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace prober {

ProbeLoop::ProbeLoop(Clock& clock, const TimerFactory& timers, CheckProber& prober,
                     CheckSet& checks, Alerter& alerter, ShardMembership& membership,
                     HistoryWriter& history, std::size_t maxInFlight, Observer observer)
    : clock_(clock),
      prober_(prober),
      checks_(checks),
      alerter_(alerter),
      membership_(membership),
      history_(history),
      observer_(std::move(observer)),
      timer_(timers()),
      scheduler_(clock, *timer_, maxInFlight,
                 Scheduler::Hooks{[this](CheckId id, SteadyTime due) { launch(id, due); },
                                  [this](CheckId id, int count) { skipped(id, count); },
                                  [this](SteadyDuration lag) { observer_.lag(lag); }},
                 kMinWakeInterval) {}

void ProbeLoop::schedule(const CheckSetChange& change) {
  for (const CheckId id : change.stopped) {
    scheduler_.remove(id);
  }
  std::vector<Scheduler::NewCheck> started;
  started.reserve(change.started.size());
  for (const auto& [id, spec] : change.started) {
    started.push_back({id, spec->name, spec->interval});
  }
  scheduler_.add(started);
}

void ProbeLoop::stop() {
  stopped_ = true;
  for (const CheckId id : checks_.ids()) {
    scheduler_.remove(id);
  }
  prober_.cancelAll();
  timer_->cancel();
}

void ProbeLoop::launch(CheckId id, SteadyTime due) {
  std::shared_ptr<CheckState> state = checks_.find(id);
  if (!state || stopped_) {
    scheduler_.finished(id);
    return;
  }
  observer_.inFlight(scheduler_.inFlight());
  prober_.run(state->spec(), [this, launched = state.get(), id, due](RunResultPtr result) {
    // A reload may have dropped the check meanwhile, or changed it (a new state under a new
    // id): its old state may still be alive (a scrape or a page holds the old list), but only
    // the state the run was launched for, still the check's current one, may judge it.
    if (auto running = checks_.find(id); running && running.get() == launched) {
      finished(*running, std::move(result));
      scheduleNext(id, due, *running);
    }
    scheduler_.finished(id);
    observer_.inFlight(scheduler_.inFlight());
  });
}

void ProbeLoop::finished(CheckState& state, RunResultPtr result) {
  history_.add(runRecordOf(*result));
  const bool wasPassing = !state.last() || state.last()->passed;
  const std::string& name = state.spec()->name;
  if (!result->passed && wasPassing) {
    spdlog::warn("check {} failing: {}", name, result->firstFailure());
  } else if (result->passed && !wasPassing) {
    spdlog::info("check {} passing again", name);
  }
  state.record(std::move(result));
  // The alerter judges the run against the check's alerts and pages from that; shard
  // membership reads the judged alert (an adopted check settles once it passes or fires).
  alerter_.onRun(*state.spec(), *state.last(), state.alerts());
  membership_.runFinished(state);
}

void ProbeLoop::scheduleNext(CheckId id, SteadyTime due, const CheckState& state) {
  const CheckSpec& spec = *state.spec();
  if (spec.retryInterval.count() == 0 || stopped_) {
    return;
  }
  if (!state.last()->passed && !state.alert().firing()) {
    scheduler_.runAgainAt(id, due + std::max(spec.retryInterval, spec.timeout));
  } else {
    scheduler_.resumeInterval(id);
  }
}

// Skips are counted in prober_check_runs_skipped_total; the log hears of them at most once a
// minute per check, so an overloaded prober does not also flood its log.
void ProbeLoop::skipped(CheckId id, int count) {
  skippedTotal_ += static_cast<std::uint64_t>(count);
  std::shared_ptr<CheckState> state = checks_.find(id);
  if (!state) {
    return;
  }
  if (state->countSkipped(count, clock_.now())) {
    spdlog::warn(
        "check {}: {} run(s) skipped in all so far, a run was due while the previous one was "
        "still going",
        state->spec()->name, state->skipped());
  }
}

}  // namespace prober
