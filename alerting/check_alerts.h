#pragma once
// The alerts one check keeps between its runs, and what each finished run means for them: the
// check's own alert (failure_threshold, failure_window, success_threshold), its certificate
// warning (cert_warning) and its degraded warning (`degraded` assertions). The alerter judges a
// run here and pages from the judgement; the runtime only holds this for the check and reads it.
#include <chrono>
#include <memory>
#include <optional>

#include "alerting/alert_state.h"
#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

// What one finished run meant for its check's alerts.
struct RunJudgement {
  const CheckSpec& spec;
  const RunResult& run;
  AlertTransition alert = AlertTransition::None;
  int consecutiveFailures = 0;
  // The first failure of the streak that fired or, on a resolve, of the streak that ended.
  std::chrono::system_clock::time_point failingSince;
  AlertTransition certificate = AlertTransition::None;
  std::optional<std::chrono::system_clock::time_point> certExpiry;
  // Whether each alert fires after this run: a firing alert is posted again to notifiers that
  // want it re-sent (Alertmanager's `resend`).
  bool firing = false;
  bool certFiring = false;
  // The degraded warning (`degraded` assertions): its transition, the degraded runs that count
  // towards it, since when the check is degraded, and whether it fires after this run.
  AlertTransition degraded = AlertTransition::None;
  int degradedRuns = 0;
  std::chrono::system_clock::time_point degradedSince;
  bool degradedFiring = false;

  // Nothing changed and nothing fires: the alerter has nothing to do (most runs).
  bool quiet() const {
    return alert == AlertTransition::None && certificate == AlertTransition::None &&
           degraded == AlertTransition::None && !firing && !certFiring && !degradedFiring;
  }
};

class CheckAlerts {
 public:
  explicit CheckAlerts(const CheckSpec& spec);

  // Feeds one finished run of `spec` (the check as it runs now) to the three alerts; `now` is
  // the wall clock the certificate's expiry is measured from.
  RunJudgement judge(const CheckSpec& spec, const RunResult& run,
                     std::chrono::system_clock::time_point now);

  const AlertState& alert() const { return alert_; }
  // Start of the current failure streak (set while consecutiveFailures() > 0 or firing).
  std::chrono::system_clock::time_point failingSince() const { return failingSince_; }
  // The earliest certificate expiry the last handshake that got a certificate showed, kept
  // across runs that reached none (a refused connection), so the series never goes blank.
  std::optional<std::chrono::system_clock::time_point> certExpiry() const { return certExpiry_; }
  bool certWarningFiring() const { return certWarningFiring_; }
  // The degraded warning of a check without `degraded` assertions never fires.
  const AlertState& degradedAlert() const;
  // Since when the check is degraded (set while degraded runs count or the warning fires).
  std::chrono::system_clock::time_point degradedSince() const {
    return degraded_ ? degraded_->since : std::chrono::system_clock::time_point{};
  }

  // After a restart, what the state store kept.
  void restoreAlert(bool firing, int consecutiveFailures,
                    std::chrono::system_clock::time_point failingSince) {
    alert_.restore(firing, consecutiveFailures);
    failingSince_ = failingSince;
  }
  void restoreCertWarning(bool firing) { certWarningFiring_ = firing; }
  void restoreDegraded(const CheckSpec& spec, bool firing, int degradedRuns,
                       std::chrono::system_clock::time_point since);
  // A reload changed the check (now `spec`): its alert, degraded warning and recent runs carry
  // over; the certificate warning is the reload's to decide (it may no longer be asked for).
  void carryOver(const CheckSpec& spec, const CheckAlerts& before);

 private:
  AlertTransition judgeAlert(const RunResult& run);
  AlertTransition judgeCertificate(const CheckSpec& spec, const RunResult& run,
                                   std::chrono::system_clock::time_point now);
  // Fed by passed runs only (degraded or clean) of a check with `degraded` assertions; a failed
  // run is a failure, not degraded, and changes nothing here.
  AlertTransition judgeDegraded(const CheckSpec& spec, const RunResult& run);

  AlertState alert_;
  std::chrono::system_clock::time_point failingSince_{};
  std::optional<std::chrono::system_clock::time_point> certExpiry_;
  bool certWarningFiring_ = false;
  // The degraded warning, made for a check with `degraded` assertions (or one restored so):
  // most checks carry one null pointer for it.
  struct DegradedWatch {
    AlertState alert;
    std::chrono::system_clock::time_point since{};
  };
  std::unique_ptr<DegradedWatch> degraded_;
  DegradedWatch& degradedWatch(const CheckSpec& spec);
};

}  // namespace prober
