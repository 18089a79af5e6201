#pragma once
// Everything the runtime keeps about one check between runs: its spec, its last result, a
// short compact history, run counters and the values its metrics render at scrape time. Its
// alerts (CheckAlerts) are held here and judged by the alerter; the runtime only reads them.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/check_alerts.h"
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

  // Takes one finished run into the counters, the ring and the last result (its alerts are
  // the alerter's to judge: Alerter::onRun).
  void record(RunResultPtr result);
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
  // The check's alerts: read here, judged by the alerter (Alerter::onRun), restored after a
  // restart and carried over a reload by the check set.
  const CheckAlerts& alerts() const { return alerts_; }
  CheckAlerts& alerts() { return alerts_; }
  const AlertState& alert() const { return alerts_.alert(); }
  const AlertState& degradedAlert() const { return alerts_.degradedAlert(); }
  std::chrono::system_clock::time_point failingSince() const { return alerts_.failingSince(); }
  std::chrono::system_clock::time_point degradedSince() const { return alerts_.degradedSince(); }
  bool certWarningFiring() const { return alerts_.certWarningFiring(); }
  std::optional<std::chrono::system_clock::time_point> certExpiry() const {
    return alerts_.certExpiry();
  }
  bool degraded() const { return last_ && last_->degraded(); }
  // The most recent failed run: when, and its first failure ("" when none yet).
  std::chrono::system_clock::time_point lastFailureAt() const {
    return failureMemo_ ? failureMemo_->at : std::chrono::system_clock::time_point{};
  }
  const std::string& lastFailure() const;
  // The check as it leaves this instance (`stillConfigured`: for another shard), for the
  // alerter; a certificate never seen expires `now`.
  LeavingCheck leaving(bool stillConfigured, std::chrono::system_clock::time_point now) const {
    return {*spec_,
            stillConfigured,
            last_.get(),
            alert().firing(),
            failingSince(),
            certWarningFiring(),
            certExpiry().value_or(now),
            degradedAlert().firing(),
            degradedSince()};
  }
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
  CheckAlerts alerts_;
  std::array<std::uint32_t, kDurationBuckets.size()> durationBuckets_{};
  double durationSum_ = 0;
  std::unique_ptr<HoldMarks> marks_;
};

}  // namespace prober
