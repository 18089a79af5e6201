#pragma once
// Everything the runtime keeps about one check between runs: its spec, its last result, a
// short compact history, run counters and the values its metrics render at scrape time.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert_state.h"
#include "alerting/leaving_check.h"
#include "checks/check_spec.h"
#include "checks/clock.h"
#include "checks/run_result.h"

namespace prober {

// One past run as the status page reads it. Why a run failed is kept for the last failure only
// (CheckState::lastFailure).
struct RunSummary {
  std::chrono::system_clock::time_point at;
  float seconds = 0;
  std::int16_t status = 0;
  bool passed = false;
};

// Bucket bounds of prober_check_duration_seconds.
inline constexpr std::array<double, 11> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10};

class CheckState {
 public:
  static constexpr std::size_t kHistoryLength = 30;

  explicit CheckState(std::shared_ptr<const CheckSpec> spec);

  // Takes one finished run. Returns the alert transition it caused.
  AlertTransition record(RunResultPtr result);
  // Counts runs skipped because the previous one was still going. True when a warning is due:
  // the first skip, then at most one a minute.
  bool countSkipped(int count, SteadyTime now) {
    skipped_ += static_cast<std::uint64_t>(count);
    if (skipsLoggedAt_ != SteadyTime{} && now - skipsLoggedAt_ < std::chrono::minutes(1)) {
      return false;
    }
    skipsLoggedAt_ = now;
    return true;
  }

  const std::shared_ptr<const CheckSpec>& spec() const { return spec_; }
  // A reload that kept the check with the same behaviour swaps in the new spec object.
  void replaceSpec(std::shared_ptr<const CheckSpec> spec) { spec_ = std::move(spec); }

  const RunResultPtr& last() const { return last_; }
  // Oldest first.
  std::vector<RunSummary> history() const;
  std::uint64_t successes() const { return successes_; }
  std::uint64_t failures() const { return failures_; }
  std::uint64_t skipped() const { return skipped_; }
  // Failed runs by reason (indexed by FailureReason); nullptr until the first failure, so the
  // many checks that never fail carry no counters.
  using FailureCounts = std::array<std::uint64_t, kFailureReasonCount>;
  const FailureCounts* failuresByReason() const {
    return failureMemo_ ? &failureMemo_->byReason : nullptr;
  }
  // The earliest certificate expiry the last handshake that got a certificate showed, kept
  // across runs that reached none (a refused connection), so the series never goes blank.
  std::optional<std::chrono::system_clock::time_point> certExpiry() const { return certExpiry_; }
  // The certificate alert (cert_warning): fires when a run sees a certificate expiring within
  // the window, resolves when a run sees one beyond it; runs that see none change nothing.
  AlertTransition judgeCertificate(std::chrono::system_clock::time_point now);
  bool certWarningFiring() const { return certWarningFiring_; }
  void restoreCertWarning(bool firing) { certWarningFiring_ = firing; }
  const AlertState& alert() const { return alert_; }
  // The degraded warning: fed by passed runs only (degraded or clean) of a check with
  // `degraded` assertions; a failed run is a failure, not degraded, and changes nothing here.
  AlertTransition judgeDegraded();
  const AlertState& degradedAlert() const;
  bool degraded() const { return last_ && last_->degraded(); }
  // Since when the check is degraded (set while degraded runs count or the warning fires).
  std::chrono::system_clock::time_point degradedSince() const {
    return degraded_ ? degraded_->since : std::chrono::system_clock::time_point{};
  }
  void restoreDegraded(bool firing, int degradedRuns, std::chrono::system_clock::time_point since);
  // The most recent failed run: when, and its first failure ("" when none yet).
  std::chrono::system_clock::time_point lastFailureAt() const {
    return failureMemo_ ? failureMemo_->at : std::chrono::system_clock::time_point{};
  }
  const std::string& lastFailure() const;
  // Start of the current failure streak (set while consecutiveFailures() > 0 or firing).
  std::chrono::system_clock::time_point failingSince() const { return failingSince_; }
  void restoreAlert(bool firing, int consecutiveFailures,
                    std::chrono::system_clock::time_point failingSince) {
    alert_.restore(firing, consecutiveFailures);
    failingSince_ = failingSince;
  }
  // The check as it leaves this instance (`stillConfigured`: for another shard), for the
  // alerter; a certificate never seen expires `now`.
  LeavingCheck leaving(bool stillConfigured, std::chrono::system_clock::time_point now) const {
    return {*spec_,
            stillConfigured,
            last_.get(),
            alert_.firing(),
            failingSince_,
            certWarningFiring_,
            certExpiry_.value_or(now),
            degradedAlert().firing(),
            degradedSince()};
  }
  // A reload changed the check: its alert and recent runs carry over.
  void carryAlert(const CheckState& before);
  // Runs per bucket of prober_check_duration_seconds, not cumulative (32 bits: 136 years of a
  // run a second).
  const std::array<std::uint32_t, kDurationBuckets.size()>& durationBuckets() const {
    return durationBuckets_;
  }
  double durationSum() const { return durationSum_; }

  // Why the check's pages would be held now, as last worked out (HoldMarker): for
  // prober_check_silenced, prober_check_suppressed, the API and the status page.
  struct HoldMarks {
    std::string silencedBy;                 // the window or silence, "" when none
    std::vector<std::string> suppressedBy;  // depends_on checks that fire
    bool maintenance = false;               // silencedBy is a maintenance window
  };
  void setHoldMarks(HoldMarks marks) {
    marks_ = marks.silencedBy.empty() && marks.suppressedBy.empty()
                 ? nullptr
                 : std::make_unique<HoldMarks>(std::move(marks));
  }
  // nullptr when nothing holds it (most checks: they carry one pointer).
  const HoldMarks* holdMarks() const { return marks_.get(); }
  bool silenced() const { return marks_ && !marks_->silencedBy.empty(); }
  bool suppressed() const { return marks_ && !marks_->suppressedBy.empty(); }

 private:
  std::shared_ptr<const CheckSpec> spec_;
  RunResultPtr last_;
  // A RunSummary packed into 8 bytes (30 of them a check): the start to the second until 2106;
  // in the other word whether it passed, the status (10 bits) and the duration in tenths of a
  // millisecond (21 bits, so runs over 209.7 s show as 209.7 s).
  struct StoredRun {
    std::uint32_t atSeconds = 0;
    std::uint32_t packed = 0;
  };
  static_assert(sizeof(StoredRun) == 8);
  static constexpr std::uint32_t kPassedBit = 1U << 31;
  static constexpr int kStatusShift = 21;
  static constexpr std::uint32_t kStatusMask = 0x3ff;
  static constexpr std::uint32_t kDurationMask = (1U << kStatusShift) - 1;  // tenths of a ms
  std::array<StoredRun, kHistoryLength> history_{};
  std::uint8_t historyNext_ = 0;
  std::uint8_t historyCount_ = 0;
  std::uint64_t successes_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t skipped_ = 0;
  SteadyTime skipsLoggedAt_{};  // rate-limits the skip warning
  // The last failure and the failures by reason, made at the first failure: most checks never
  // fail, and carry one pointer for them.
  struct FailureMemo {
    std::chrono::system_clock::time_point at;
    std::string first;
    FailureCounts byReason{};
  };
  std::unique_ptr<FailureMemo> failureMemo_;
  std::optional<std::chrono::system_clock::time_point> certExpiry_;
  bool certSeenLastRun_ = false;
  bool certWarningFiring_ = false;
  AlertState alert_;
  std::chrono::system_clock::time_point failingSince_{};
  // The degraded warning, made for a check with `degraded` assertions (or one restored so).
  struct DegradedWatch {
    AlertState alert;
    std::chrono::system_clock::time_point since{};
  };
  std::unique_ptr<DegradedWatch> degraded_;
  DegradedWatch& degradedWatch();
  std::array<std::uint32_t, kDurationBuckets.size()> durationBuckets_{};
  double durationSum_ = 0;
  std::unique_ptr<HoldMarks> marks_;
};

}  // namespace prober
