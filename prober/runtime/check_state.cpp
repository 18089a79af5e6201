#include "prober/runtime/check_state.h"

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
  RunSummary summary;
  summary.at = result->startedAt;
  summary.seconds = static_cast<float>(result->durationSeconds);
  summary.passed = result->passed;
  if (const ProbeResult* probe = result->lastProbe()) {
    summary.status = static_cast<std::int16_t>(probe->status);
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
  history_[historyNext_] = std::move(summary);
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
    out.push_back(history_[(start + i) % kHistoryLength]);
  }
  return out;
}

}  // namespace prober
