#include "alerting/check_alerts.h"

namespace prober {

namespace {

// The earliest expiry of the certificates this run's handshakes got (none: nullopt).
std::optional<std::chrono::system_clock::time_point> earliestCertExpiry(const RunResult& run) {
  std::optional<std::chrono::system_clock::time_point> earliest;
  for (const StepOutcome& step : run.steps) {
    if (step.probe.certExpiry && (!earliest || *step.probe.certExpiry < *earliest)) {
      earliest = step.probe.certExpiry;
    }
  }
  return earliest;
}

}  // namespace

CheckAlerts::CheckAlerts(const CheckSpec& spec)
    : alert_(spec.failureThreshold, spec.successThreshold, spec.failureWindow) {
  if (hasDegradedAssertions(spec)) {
    degradedWatch(spec);
  }
}

CheckAlerts::DegradedWatch& CheckAlerts::degradedWatch(const CheckSpec& spec) {
  if (!degraded_) {
    degraded_ = std::make_unique<DegradedWatch>(DegradedWatch{
        AlertState(spec.failureThreshold, spec.successThreshold, spec.failureWindow)});
  }
  return *degraded_;
}

const AlertState& CheckAlerts::degradedAlert() const {
  static const AlertState kNeverDegraded(1, 1);
  return degraded_ ? degraded_->alert : kNeverDegraded;
}

void CheckAlerts::restoreDegraded(const CheckSpec& spec, bool firing, int degradedRuns,
                                  std::chrono::system_clock::time_point since) {
  DegradedWatch& watch = degradedWatch(spec);
  watch.alert.restore(firing, degradedRuns);
  watch.since = since;
}

void CheckAlerts::carryOver(const CheckSpec& spec, const CheckAlerts& before) {
  alert_.carryOver(before.alert_);
  failingSince_ = before.failingSince_;
  if (before.degraded_) {
    DegradedWatch& watch = degradedWatch(spec);
    watch.alert.carryOver(before.degraded_->alert);
    watch.since = before.degraded_->since;
  }
}

RunJudgement CheckAlerts::judge(const CheckSpec& spec, const RunResult& run,
                                std::chrono::system_clock::time_point now) {
  const auto failingSinceBefore = failingSince_;
  const auto degradedSinceBefore = degradedSince();
  RunJudgement judgement{spec, run};
  judgement.alert = judgeAlert(run);
  judgement.consecutiveFailures = alert_.consecutiveFailures();
  judgement.failingSince =
      judgement.alert == AlertTransition::Resolve ? failingSinceBefore : failingSince_;
  judgement.firing = alert_.firing();
  judgement.certificate = judgeCertificate(spec, run, now);
  judgement.certExpiry = certExpiry_;
  judgement.certFiring = certWarningFiring_;
  judgement.degraded = judgeDegraded(spec, run);
  judgement.degradedRuns = degradedAlert().failuresInWindow();
  judgement.degradedSince =
      judgement.degraded == AlertTransition::Resolve ? degradedSinceBefore : degradedSince();
  judgement.degradedFiring = degradedAlert().firing();
  return judgement;
}

AlertTransition CheckAlerts::judgeAlert(const RunResult& run) {
  if (!run.passed && alert_.consecutiveFailures() == 0 && !alert_.firing()) {
    failingSince_ = run.startedAt;
  }
  return alert_.record(run.passed);
}

AlertTransition CheckAlerts::judgeCertificate(const CheckSpec& spec, const RunResult& run,
                                              std::chrono::system_clock::time_point now) {
  const auto seen = earliestCertExpiry(run);
  if (!seen) {
    return AlertTransition::None;  // no handshake got a certificate: nothing to judge by
  }
  certExpiry_ = seen;
  if (spec.certWarning.count() <= 0) {
    return AlertTransition::None;
  }
  const bool soon = *seen - now < spec.certWarning;
  if (soon == certWarningFiring_) {
    return AlertTransition::None;
  }
  certWarningFiring_ = soon;
  return soon ? AlertTransition::Fire : AlertTransition::Resolve;
}

AlertTransition CheckAlerts::judgeDegraded(const CheckSpec& spec, const RunResult& run) {
  if (!run.passed || !hasDegradedAssertions(spec)) {
    return AlertTransition::None;
  }
  DegradedWatch& watch = degradedWatch(spec);
  const bool degraded = run.degraded();
  if (degraded && watch.alert.consecutiveFailures() == 0 && !watch.alert.firing()) {
    watch.since = run.startedAt;
  }
  return watch.alert.record(!degraded);
}

}  // namespace prober
