#pragma once
// `prober report`: the first draft of an incident report, in Markdown, from the history the
// daemon recorded. Description, Area of Influence and Timeline are filled in from what the
// monitor saw; Root Cause and Action Items are left for the review.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "history/history.h"
#include "history/outages.h"

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

// What a check's runs in the window come to: counts and outages (history/outages.h), so a
// month of runs is read one at a time and never held.
struct CheckRuns {
  std::uint64_t total = 0;
  std::uint64_t failed = 0;
  std::vector<Outage> outages;  // oldest first; the first may have begun before the window
};

// Everything the report is written from, read out of the history.
struct ReportData {
  std::vector<std::string> checks;        // in the report, sorted
  std::map<std::string, CheckRuns> runs;  // by check
  std::vector<HistoryEvent> events;       // oldest first
  std::string location;                   // where the records were seen from ("" when not set)
};

// Told how the reading goes when it takes long ("reading the history: 40 of 100 checks,
// 412,000 runs"): at most once a second, from a second on.
using ReportProgress = std::function<void(const std::string& line)>;

// Reads the runs and events of `wanted` checks (none: every check that failed or alerted in
// the window) from the history. False with `error` set when the history cannot be read.
bool readReportData(HistoryReader& history, const std::vector<std::string>& wanted,
                    const ReportWindow& window, ReportData& data, std::string& error,
                    const ReportProgress& progress = {});

// The timeline keeps at most this many lines: the first and last halves, and one line in
// between saying what was left out.
inline constexpr std::size_t kTimelineLimit = 400;

// The Markdown. `configured` gives URLs and labels of the checks still in the config.
std::string renderReport(const ReportData& data, const ReportWindow& window,
                         const std::map<std::string, ReportedCheck>& configured);

}  // namespace prober
