#include "prober/runtime/check_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "alerting/alert_event.h"

namespace prober {

CheckState::CheckState(std::shared_ptr<const CheckSpec> spec)
    : spec_(std::move(spec)),
      alert_(spec_->failureThreshold, spec_->successThreshold, spec_->failureWindow) {
  if (hasDegradedAssertions(*spec_)) {
    degradedWatch();
  }
}

CheckState::DegradedWatch& CheckState::degradedWatch() {
  if (!degraded_) {
    degraded_ = std::make_unique<DegradedWatch>(DegradedWatch{
        AlertState(spec_->failureThreshold, spec_->successThreshold, spec_->failureWindow)});
  }
  return *degraded_;
}

const AlertState& CheckState::degradedAlert() const {
  static const AlertState kNeverDegraded(1, 1);
  return degraded_ ? degraded_->alert : kNeverDegraded;
}

void CheckState::restoreDegraded(bool firing, int degradedRuns,
                                 std::chrono::system_clock::time_point since) {
  DegradedWatch& watch = degradedWatch();
  watch.alert.restore(firing, degradedRuns);
  watch.since = since;
}

void CheckState::carryAlert(const CheckState& before) {
  alert_.carryOver(before.alert_);
  failingSince_ = before.failingSince_;
  if (before.degraded_) {
    DegradedWatch& watch = degradedWatch();
    watch.alert.carryOver(before.degraded_->alert);
    watch.since = before.degraded_->since;
  }
}

const std::string& CheckState::lastFailure() const {
  static const std::string kNone;
  return failureMemo_ ? failureMemo_->first : kNone;
}

AlertTransition CheckState::judgeDegraded() {
  if (!last_ || !last_->passed || !hasDegradedAssertions(*spec_)) {
    return AlertTransition::None;
  }
  DegradedWatch& watch = degradedWatch();
  const bool degraded = last_->degraded();
  if (degraded && watch.alert.consecutiveFailures() == 0 && !watch.alert.firing()) {
    watch.since = last_->startedAt;
  }
  return watch.alert.record(!degraded);
}

AlertTransition CheckState::record(RunResultPtr result) {
  StoredRun stored;
  stored.atSeconds =
      static_cast<std::uint32_t>(std::max<std::int64_t>(0, toMillis(result->startedAt)) / 1000);
  const double tenthsOfMs =
      std::clamp(result->durationSeconds * 10'000, 0.0, static_cast<double>(kDurationMask));
  stored.packed = static_cast<std::uint32_t>(std::lround(tenthsOfMs));
  if (const ProbeOutcome* probe = result->lastProbe()) {
    const auto status = static_cast<std::uint32_t>(std::clamp(probe->status, 0, 999));
    stored.packed |= status << kStatusShift;
  }
  if (result->passed) {
    stored.packed |= kPassedBit;
  }
  if (!result->passed) {
    if (!failureMemo_) {
      failureMemo_ = std::make_unique<FailureMemo>();
    }
    failureMemo_->at = result->startedAt;
    failureMemo_->first = result->firstFailure();
    ++failureMemo_->byReason[static_cast<std::size_t>(result->failureReason())];
  }
  std::optional<std::chrono::system_clock::time_point> earliest;
  for (const StepOutcome& step : result->steps) {
    if (step.probe.certExpiry && (!earliest || *step.probe.certExpiry < *earliest)) {
      earliest = step.probe.certExpiry;
    }
  }
  certSeenLastRun_ = earliest.has_value();
  if (earliest) {
    certExpiry_ = earliest;
  }
  history_[historyNext_] = stored;
  historyNext_ = static_cast<std::uint8_t>((historyNext_ + 1) % kHistoryLength);
  historyCount_ =
      static_cast<std::uint8_t>(std::min<std::size_t>(historyCount_ + 1, kHistoryLength));

  (result->passed ? successes_ : failures_) += 1;
  durationSum_ += result->durationSeconds;
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (result->durationSeconds <= kDurationBuckets[i]) {
      ++durationBuckets_[i];
      break;
    }
  }
  const bool passed = result->passed;
  if (!passed && alert_.consecutiveFailures() == 0 && !alert_.firing()) {
    failingSince_ = result->startedAt;
  }
  last_ = std::move(result);
  return alert_.record(passed);
}

AlertTransition CheckState::judgeCertificate(std::chrono::system_clock::time_point now) {
  if (spec_->certWarning.count() <= 0 || !certSeenLastRun_) {  // seen implies certExpiry_ is set
    return AlertTransition::None;
  }
  const bool soon = *certExpiry_ - now < spec_->certWarning;
  if (soon == certWarningFiring_) {
    return AlertTransition::None;
  }
  certWarningFiring_ = soon;
  return soon ? AlertTransition::Fire : AlertTransition::Resolve;
}

std::vector<RunSummary> CheckState::history() const {
  std::vector<RunSummary> out;
  out.reserve(historyCount_);
  const std::size_t start = (historyNext_ + kHistoryLength - historyCount_) % kHistoryLength;
  for (std::size_t i = 0; i < historyCount_; ++i) {
    const StoredRun& stored = history_[(start + i) % kHistoryLength];
    RunSummary run;
    run.at = std::chrono::system_clock::time_point(std::chrono::seconds(stored.atSeconds));
    run.seconds = static_cast<float>(stored.packed & kDurationMask) / 10'000.0F;
    run.status = static_cast<std::int16_t>((stored.packed >> kStatusShift) & kStatusMask);
    run.passed = (stored.packed & kPassedBit) != 0;
    out.push_back(run);
  }
  return out;
}

}  // namespace prober
