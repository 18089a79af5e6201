// Failed runs grouped into outages: a pass or two between failures stays inside one outage,
// kRecoveryRuns passes in a row end it, and the end is the first of those passes.
#include <doctest/doctest.h>

#include "history/outages.h"

using prober::OutageBuilder;
using prober::RunRecord;

namespace {

// "F" a failed run, "P" a passing one, a minute apart from minute 0.
std::vector<prober::Outage> outagesOf(const std::string& runs, bool failingBefore = false) {
  std::vector<RunRecord> records;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const bool passed = runs[i] == 'P';
    records.push_back(RunRecord{static_cast<std::int64_t>(i) * 60'000, "api", passed, 10,
                                passed ? 200 : 503, passed ? "" : "http_status",
                                passed ? "" : "status == 200 (got 503) at " + std::to_string(i)});
  }
  return prober::outagesOf(records, failingBefore);
}

}  // namespace

TEST_CASE("a clean stretch of failures is one outage ending at the first pass") {
  const auto outages = outagesOf("PPFFFFFFFPPPP");
  REQUIRE(outages.size() == 1);
  CHECK(outages[0].startMs == 2 * 60'000);
  CHECK(outages[0].endMs == 9 * 60'000);
  CHECK(outages[0].failedRuns == 7);
  CHECK(outages[0].runs == 7);
  CHECK(outages[0].runsText() == "7 runs");
  CHECK(outages[0].firstFailure == "status == 200 (got 503) at 2");
  CHECK(outages[0].status == 503);
  CHECK_FALSE(outages[0].beganBefore);
}

TEST_CASE("flapping stays one outage until three passes in a row") {
  const auto outages = outagesOf("FPFPPFPFPPPFF");
  REQUIRE(outages.size() == 2);
  CHECK(outages[0].startMs == 0);
  CHECK(outages[0].endMs == 8 * 60'000);  // the first pass of the three that ended it
  CHECK(outages[0].failedRuns == 4);
  CHECK(outages[0].runs == 8);  // from the first failure to the last, passes between included
  CHECK(outages[0].runsText() == "4 of 8 runs failed");
  CHECK(outages[1].ongoing());
  CHECK(outages[1].runsText() == "2 runs");
}

TEST_CASE("an outage still on at the end has no end; one open at the start may be older") {
  auto outages = outagesOf("FFP", true);
  REQUIRE(outages.size() == 1);
  CHECK(outages[0].beganBefore);
  CHECK(outages[0].endMs == 2 * 60'000);
  outages = outagesOf("PFF", true);
  REQUIRE(outages.size() == 1);
  CHECK_FALSE(outages[0].beganBefore);  // a pass came first: this one began in the window
  CHECK(outages[0].ongoing());
  CHECK(outagesOf("PPPP").empty());
  CHECK(outagesOf("").empty());
}
