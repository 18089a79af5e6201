#pragma once
// Failed runs grouped into outages, told the same way on the check page and in the incident
// report: an outage begins at a failed run and ends at the first of kRecoveryRuns passes in a
// row. A pass or two between failures (a flapping check) stays inside one outage, so a week of
// flapping reads as a few lines, not one per failed run.
#include <cstdint>
#include <string>
#include <vector>

#include "history/history.h"

namespace prober {

struct Outage {
  std::int64_t startMs = 0;  // the first failed run
  std::int64_t endMs = 0;    // the first pass after the last failed run; 0 while it lasts
  std::uint64_t failedRuns = 0;
  std::uint64_t runs = 0;    // from the first failed run to the last, passes between included
  bool beganBefore = false;  // the check was already failing when the runs read began
  int status = 0;            // of the first failed run; 0 when no response came
  std::string reason;        // of the first failed run ("http_status", "timeout", ...)
  std::string firstFailure;  // its first failed assertion

  bool ongoing() const { return endMs == 0; }
  // "7 runs" when every run in it failed, "43 of 160 runs failed" when some passed.
  std::string runsText() const;
};

class OutageBuilder {
 public:
  static constexpr int kRecoveryRuns = 3;

  // `failingBefore`: the run before the first one added failed, so an outage open at the start
  // began earlier.
  explicit OutageBuilder(bool failingBefore = false) : failingBefore_(failingBefore) {}
  // Runs oldest first.
  void add(const RunRecord& run);
  const std::vector<Outage>& outages() const { return outages_; }
  std::vector<Outage> take() { return std::move(outages_); }

 private:
  std::vector<Outage> outages_;
  bool failingBefore_;
  bool first_ = true;
  bool open_ = false;    // the last outage may still grow
  int passesSince_ = 0;  // passes in a row since its last failed run
};

std::vector<Outage> outagesOf(const std::vector<RunRecord>& runs, bool failingBefore = false);

}  // namespace prober
