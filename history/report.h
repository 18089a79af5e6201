#pragma once
// `prober report`: the first draft of an incident report, in Markdown, from the history the
// daemon recorded. Description, Area of Influence and Timeline are filled in from what the
// monitor saw; Root Cause and Action Items are left for the review.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "history/history.h"

namespace prober {

// What the config says of a check (its URL as written, never expanded, and its labels).
struct ReportedCheck {
  std::string url;
  std::map<std::string, std::string> labels;
};

struct ReportWindow {
  std::int64_t sinceMs = 0;
  std::int64_t untilMs = 0;
  std::int64_t generatedAtMs = 0;
};

// Everything the report is written from, read out of the history.
struct ReportData {
  std::vector<std::string> checks;                    // in the report, sorted
  std::map<std::string, std::vector<RunRecord>> runs;  // by check, oldest first
  std::set<std::string> failingBefore;  // checks whose last run before the window failed
  std::vector<HistoryEvent> events;                    // oldest first
  std::string location;  // where the records were seen from ("" when not set)
};

// Reads the runs and events of `wanted` checks (none: every check that failed or alerted in
// the window) from the history. False with `error` set when the history cannot be read.
bool readReportData(HistoryReader& history, const std::vector<std::string>& wanted,
                    const ReportWindow& window, ReportData& data, std::string& error);

// The Markdown. `configured` gives URLs and labels of the checks still in the config.
std::string renderReport(const ReportData& data, const ReportWindow& window,
                         const std::map<std::string, ReportedCheck>& configured);

}  // namespace prober
