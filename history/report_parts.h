#pragma once
// Inside history/ only: the report's words (times, spans, Markdown cells and code) and its
// timeline, shared by report.cpp (Description, Area of Influence) and report_timeline.cpp.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "history/report.h"

namespace prober::report {

// "2026-11-24 08:10:00" (UTC).
std::string utc(std::int64_t ms);
// "5m 28s", "2h 3m", "40s", "1.6s": how long, for people.
std::string span(std::int64_t ms);
// Text inside a table cell: no line breaks, no column separators.
std::string cell(std::string text);
// `text` as Markdown code, whatever backticks it holds.
std::string code(const std::string& text);
// At most `limit` bytes, "..." after a cut.
std::string cut(std::string text, std::size_t limit);
// The check an alert key belongs to: "api" and "api#cert" are api's; a Slack page's is nobody's.
std::string checkOfKey(const std::string& key);
// What an alert key names, for people: "alert", "certificate warning" or "degraded warning".
std::string_view alertNoun(const std::string& key);
// A page held by a maintenance window, a silence or a firing dependency, and its end.
bool isHoldEvent(const HistoryEvent& e);
// "alice (U0ALICE) in #incidents (C0INCIDENT)".
std::string who(const HistoryEvent& e);

// One line of the timeline.
struct Entry {
  enum class Kind { Outage, Alert, Notification, Slack, LeftOut };
  std::int64_t atMs;
  std::string text;
  Kind kind;
  std::string check = "";        // an outage's
  std::uint64_t failedRuns = 0;  // an outage's
};

// Every outage, alert change, delivery and Slack request, in time order.
std::vector<Entry> timelineOf(const ReportData& data);
// At most kTimelineLimit entries: every alert change, delivery and Slack request (the first
// and last ones when even they are too many), then the outages with the most failed runs; one
// entry, where the first left-out one was, says what was left out and how to see them.
std::vector<Entry> capTimeline(std::vector<Entry> entries);

}  // namespace prober::report
