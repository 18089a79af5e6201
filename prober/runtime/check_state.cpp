#include "prober/runtime/check_state.h"

#include <algorithm>
#include <chrono>

#include "alerting/alert_event.h"

namespace prober {

CheckState::CheckState(std::shared_ptr<const CheckSpec> spec)
    : spec_(std::move(spec)),
      alert_(spec_->failureThreshold, spec_->successThreshold, spec_->failureWindow),
      degraded_(spec_->failureThreshold, spec_->successThreshold, spec_->failureWindow) {}

AlertTransition CheckState::judgeDegraded() {
  if (!last_ || !last_->passed || !hasDegradedAssertions(*spec_)) {
    return AlertTransition::None;
  }
  const bool degraded = last_->degraded();
  if (degraded && degraded_.consecutiveFailures() == 0 && !degraded_.firing()) {
    degradedSince_ = last_->startedAt;
  }
  return degraded_.record(!degraded);
}

AlertTransition CheckState::record(RunResultPtr result) {
  const std::int64_t atMs = std::max<std::int64_t>(0, toMillis(result->startedAt));
  StoredRun stored;
  stored.atSeconds = static_cast<std::uint32_t>(atMs / 1000);
  stored.atMillis = static_cast<std::uint16_t>(atMs % 1000);
  stored.seconds = static_cast<float>(result->durationSeconds);
  if (const ProbeResult* probe = result->lastProbe()) {
    stored.statusAndPassed = static_cast<std::uint16_t>(std::clamp(probe->status, 0, 0x7fff));
  }
  if (result->passed) {
    stored.statusAndPassed |= kPassedBit;
  }
  if (!result->passed) {
    lastFailureAt_ = result->startedAt;
    lastFailure_ = result->firstFailure();
    if (!failuresByReason_) {
      failuresByReason_ = std::make_unique<FailureCounts>();
    }
    ++(*failuresByReason_)[static_cast<std::size_t>(result->failureReason())];
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
  historyNext_ = (historyNext_ + 1) % kHistoryLength;
  historyCount_ = std::min(historyCount_ + 1, kHistoryLength);

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
    run.at = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(std::int64_t{stored.atSeconds} * 1000 + stored.atMillis));
    run.seconds = stored.seconds;
    run.status = static_cast<std::int16_t>(stored.statusAndPassed & ~kPassedBit);
    run.passed = (stored.statusAndPassed & kPassedBit) != 0;
    out.push_back(run);
  }
  return out;
}

}  // namespace prober
