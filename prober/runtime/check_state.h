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
#include "checks/check_spec.h"
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
  void countSkipped(int count) { skipped_ += static_cast<std::uint64_t>(count); }

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
  const FailureCounts* failuresByReason() const { return failuresByReason_.get(); }
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
  const AlertState& degradedAlert() const { return degraded_; }
  bool degraded() const { return last_ && last_->degraded(); }
  // Since when the check is degraded (set while degraded runs count or the warning fires).
  std::chrono::system_clock::time_point degradedSince() const { return degradedSince_; }
  void restoreDegraded(bool firing, int degradedRuns, std::chrono::system_clock::time_point since) {
    degraded_.restore(firing, degradedRuns);
    degradedSince_ = since;
  }
  // The most recent failed run: when, and its first failure ("" when none yet).
  std::chrono::system_clock::time_point lastFailureAt() const { return lastFailureAt_; }
  const std::string& lastFailure() const { return lastFailure_; }
  // Start of the current failure streak (set while consecutiveFailures() > 0 or firing).
  std::chrono::system_clock::time_point failingSince() const { return failingSince_; }
  void restoreAlert(bool firing, int consecutiveFailures,
                    std::chrono::system_clock::time_point failingSince) {
    alert_.restore(firing, consecutiveFailures);
    failingSince_ = failingSince;
  }
  // A reload changed the check: its alert and recent runs carry over.
  void carryAlert(const CheckState& before) {
    alert_.carryOver(before.alert_);
    failingSince_ = before.failingSince_;
    degraded_.carryOver(before.degraded_);
    degradedSince_ = before.degradedSince_;
  }
  // Runs per bucket of prober_check_duration_seconds, not cumulative (32 bits: 136 years of a
  // run a second).
  const std::array<std::uint32_t, kDurationBuckets.size()>& durationBuckets() const {
    return durationBuckets_;
  }
  double durationSum() const { return durationSum_; }
  std::chrono::steady_clock::time_point skipsLoggedAt{};  // rate-limits the skip warning
  // Taken over from another shard when the shard map changed: once it has passed
  // success_threshold runs, one resolve goes to its notifiers (ProbeLoop).
  bool adopted = false;

  // Why the check's pages would be held now, as last worked out (HoldPolicy::mark): for
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
  // A RunSummary packed into 12 bytes (30 of them a check): the start to the millisecond until
  // 2106, the status and whether it passed in one word.
  struct StoredRun {
    std::uint32_t atSeconds = 0;
    float seconds = 0;
    std::uint16_t atMillis = 0;
    std::uint16_t statusAndPassed = 0;  // status, plus kPassedBit
  };
  static_assert(sizeof(StoredRun) == 12);
  static constexpr std::uint16_t kPassedBit = 0x8000;
  std::array<StoredRun, kHistoryLength> history_{};
  std::size_t historyNext_ = 0;
  std::size_t historyCount_ = 0;
  std::uint64_t successes_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t skipped_ = 0;
  std::unique_ptr<FailureCounts> failuresByReason_;
  std::optional<std::chrono::system_clock::time_point> certExpiry_;
  bool certSeenLastRun_ = false;
  bool certWarningFiring_ = false;
  AlertState alert_;
  std::chrono::system_clock::time_point failingSince_{};
  AlertState degraded_;
  std::chrono::system_clock::time_point degradedSince_{};
  std::chrono::system_clock::time_point lastFailureAt_{};
  std::string lastFailure_;
  std::array<std::uint32_t, kDurationBuckets.size()> durationBuckets_{};
  double durationSum_ = 0;
  std::unique_ptr<HoldMarks> marks_;
};

}  // namespace prober
