#include "prober/runtime/check_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "alerting/alert_event.h"

namespace prober {

CheckState::CheckState(std::shared_ptr<const CheckSpec> spec)
    : spec_(std::move(spec)), alerts_(*spec_) {}

const std::string& CheckState::lastFailure() const {
  static const std::string kNone;
  return failureMemo_ ? failureMemo_->first : kNone;
}

void CheckState::record(RunResultPtr result) {
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
  last_ = std::move(result);
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
