// `prober report` from a recorded history, compared with golden files in testdata/report/.
// PROBER_UPDATE_GOLDEN=1 rewrites them (then read the diff before committing it).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "history/report.h"
#include "tests/support/history_event.h"
#include "tests/support/temp_history.h"

using prober::HistoryEvent;
using prober::RunRecord;

namespace {

const std::string kGoldenDir = std::string(TESTDATA_DIR) + "/report";
// 2026-11-24 08:00:00 UTC
constexpr std::int64_t kT0 = 1'795'507'200'000;
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;

struct History : prober::testing::TempHistory {
  History() : TempHistory("report-test") {}
  // Runs of `check` every 30 s in [from, to): failing in [failFrom, failTo).
  void runs(const std::string& check, std::int64_t from, std::int64_t to, std::int64_t failFrom,
            std::int64_t failTo, const std::string& failure = "status == 200 (got 503)",
            const std::string& reason = "http_status") {
    for (std::int64_t at = from; at < to; at += 30 * kSecond) {
      const bool failed = at >= failFrom && at < failTo;
      writer->add(RunRecord{at, check, !failed, failed ? 2.5 : 41.0, failed ? 503 : 200,
                            failed ? reason : "", failed ? failure : ""});
    }
  }
  void event(std::int64_t at, HistoryEvent::Type type, std::string key, std::string action,
             std::string notifier = "", std::string outcome = "", std::string detail = "") {
    writer->add(prober::testing::historyEvent(at, type, std::move(key), std::move(action),
                                              std::move(notifier), std::move(outcome),
                                              std::move(detail)));
  }
  void slash(std::int64_t at, bool allowed, std::string user, std::string userName,
             std::string channel, std::string text, std::string why = "") {
    HistoryEvent e = prober::testing::historyEvent(
        at, HistoryEvent::Type::SlashCommand, allowed ? "#slack:" + user : "",
        allowed ? "allowed" : "refused", allowed ? "pagerduty" : "", std::move(why),
        std::move(text));
    e.teamId = "T0ACME";
    e.channelId = std::move(channel);
    e.channelName = "incidents";
    e.userId = std::move(user);
    e.userName = std::move(userName);
    writer->add(std::move(e));
  }
  std::string report(const std::vector<std::string>& checks, std::int64_t since,
                     std::int64_t until) {
    auto reader = this->reader();
    std::string error;
    prober::ReportWindow window{since, until, until + 5 * kMinute};
    prober::ReportData data;
    REQUIRE_MESSAGE(prober::readReportData(*reader, checks, window, data, error), error);
    const std::map<std::string, prober::ReportedCheck> configured = {
        {"checkout-api",
         {"https://api.example.com/v1/checkout?key=${API_KEY}",
          {{"team", "payments"}, {"tier", "1"}}}},
        {"web", {"https://www.example.com/", {}}}};
    return prober::renderReport(data, window, configured);
  }
};

void compareWithGolden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + "/" + name;
  if (const char* update = std::getenv("PROBER_UPDATE_GOLDEN"); update && *update == '1') {
    std::filesystem::create_directories(kGoldenDir);
    std::ofstream(path) << actual;
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), ("missing golden file " + path));
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace

TEST_CASE("an outage that fired and resolved, with retries, a certificate warning and Slack") {
  History h;
  using T = HistoryEvent::Type;
  h.runs("checkout-api", kT0, kT0 + 60 * kMinute, kT0 + 10 * kMinute, kT0 + 25 * kMinute);
  h.runs("web", kT0, kT0 + 60 * kMinute, 0, 0);
  h.runs("healthy", kT0, kT0 + 60 * kMinute, 0, 0);  // never failed: not in the report
  // Fired after the third failure (10:00, 10:30, 11:00).
  h.event(kT0 + 11 * kMinute + 100, T::Alert, "checkout-api", "fired", "", "",
          "status == 200 (got 503)");
  h.event(kT0 + 11 * kMinute + 400, T::Notification, "checkout-api", "trigger", "pagerduty",
          "retry", "HTTP 503");
  h.event(kT0 + 11 * kMinute + 1500, T::Notification, "checkout-api", "trigger", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(kT0 + 11 * kMinute + 600, T::Notification, "checkout-api", "trigger", "status-channel",
          "delivered", "HTTP 200: ok");
  h.slash(kT0 + 14 * kMinute, false, "U0MALLORY", "mallory", "C0INCIDENT", "page them all",
          "you are not on the list of people allowed to page on-call");
  h.slash(kT0 + 15 * kMinute, true, "U0ALICE", "alice", "C0INCIDENT", "checkout down | EU too");
  h.event(kT0 + 15 * kMinute + 300, T::Notification, "#slack:U0ALICE:1", "trigger", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(kT0 + 25 * kMinute + 50, T::Alert, "checkout-api", "resolved");
  h.event(kT0 + 25 * kMinute + 400, T::Notification, "checkout-api", "resolve", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(
      kT0 + 40 * kMinute, T::Alert, "web#cert", "fired", "", "",
      "web: the TLS certificate expires in 12d (2026-12-06 08:40:00 UTC), within cert_warning 21d");
  compareWithGolden("outage.md", h.report({}, kT0, kT0 + 60 * kMinute));
}

TEST_CASE("a window that cuts alerts short, a check gone from the config, and --check") {
  History h;
  using T = HistoryEvent::Type;
  // checkout-api fired before the window and resolves inside it; web fires and is still firing.
  h.runs("checkout-api", kT0 - 30 * kMinute, kT0 + 20 * kMinute, kT0 - 20 * kMinute,
         kT0 + 5 * kMinute);
  h.event(kT0 - 18 * kMinute, T::Alert, "checkout-api", "fired");
  h.event(kT0 + 5 * kMinute + 10, T::Alert, "checkout-api", "resolved");
  h.runs("web", kT0, kT0 + 20 * kMinute, kT0 + 10 * kMinute, kT0 + 30 * kMinute,
         "json $.status == \"UP\" (got \"DOWN\")");
  h.event(kT0 + 11 * kMinute + 200, T::Alert, "web", "fired");
  // A check removed from the config since, failing without reaching its threshold.
  h.runs("legacy", kT0, kT0 + 20 * kMinute, kT0 + 2 * kMinute, kT0 + 3 * kMinute,
         "connection refused", "connect");
  compareWithGolden("window.md", h.report({}, kT0, kT0 + 20 * kMinute));
  compareWithGolden("only-web.md", h.report({"web"}, kT0, kT0 + 20 * kMinute));
}

TEST_CASE("a quiet window says so") {
  History h;
  h.runs("web", kT0, kT0 + 10 * kMinute, 0, 0);
  const std::string report = h.report({}, kT0, kT0 + 10 * kMinute);
  CHECK(report.find("No check failed or alerted in the window.") != std::string::npos);
  CHECK(report.find("Nothing was recorded in the window.") != std::string::npos);
  CHECK(report.find("## Action Items") != std::string::npos);
}

TEST_CASE("pages held by a maintenance window and a dependency, and a degraded warning") {
  History h;
  using T = HistoryEvent::Type;
  // checkout-api fails from 10:00 inside a window from 05:00 to 20:00: held, paged at 20:00.
  h.runs("checkout-api", kT0, kT0 + 30 * kMinute, kT0 + 10 * kMinute, kT0 + 25 * kMinute);
  h.event(kT0 + 11 * kMinute, T::Alert, "checkout-api", "fired", "", "", "status == 200 (got 503)");
  h.event(kT0 + 11 * kMinute, T::Alert, "checkout-api", "held", "", "",
          "maintenance db-failover until 2026-11-24 08:20:00 UTC");
  h.event(kT0 + 20 * kMinute, T::Alert, "checkout-api", "released", "", "",
          "still firing: paged now");
  h.event(kT0 + 20 * kMinute + 300, T::Notification, "checkout-api", "trigger", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(kT0 + 25 * kMinute + 50, T::Alert, "checkout-api", "resolved");
  h.event(kT0 + 25 * kMinute + 400, T::Notification, "checkout-api", "resolve", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  // web fails while checkout-api fires and recovers before it resolves: never paged.
  h.runs("web", kT0, kT0 + 30 * kMinute, kT0 + 12 * kMinute, kT0 + 15 * kMinute);
  h.event(kT0 + 13 * kMinute + 30 * kSecond, T::Alert, "web", "fired", "", "",
          "status == 200 (got 503)");
  h.event(kT0 + 13 * kMinute + 30 * kSecond, T::Alert, "web", "held", "", "",
          "depends on checkout-api, which is firing");
  h.event(kT0 + 15 * kMinute, T::Alert, "web", "resolved");
  h.event(kT0 + 15 * kMinute, T::Alert, "web", "released", "", "",
          "recovered while held: nothing was sent");
  // checkout-api passes slowly after it recovers: its degraded warning fires.
  h.event(kT0 + 27 * kMinute, T::Alert, "checkout-api#degraded", "fired", "", "",
          "latency < 300ms (got 412ms)");
  h.event(kT0 + 27 * kMinute + 300, T::Notification, "checkout-api#degraded", "trigger",
          "pagerduty", "delivered", R"(HTTP 202: {"status":"success"})");
  compareWithGolden("held.md", h.report({}, kT0, kT0 + 30 * kMinute));
}

TEST_CASE("the report names the location the history was recorded from") {
  History h;
  h.writer->setLocation("tokyo");
  std::promise<void> written;  // jobs run in order: once this one ran, the location is stored
  h.writer->runAfterWrites([&written] { written.set_value(); });
  written.get_future().wait();
  h.runs("web", kT0, kT0 + 10 * kMinute, kT0, kT0 + 2 * kMinute);
  const std::string report = h.report({}, kT0, kT0 + 10 * kMinute);
  CHECK(report.find("A first draft written by prober from what it recorded from location tokyo "
                    "between 2026-11-24 08:00:00 and") != std::string::npos);
}

TEST_CASE(
    "a flapping week: outages, not runs; time to detect from the first failure; a capped "
    "timeline") {
  History h;
  using T = HistoryEvent::Type;
  constexpr std::int64_t kHour = 60 * kMinute;
  constexpr std::int64_t kDay = 24 * kHour;
  const std::int64_t flapFrom = kT0 + kDay + 2 * kHour, flapTo = flapFrom + 6 * kHour;
  const std::int64_t downFrom = kT0 + 4 * kDay + 3 * kHour, downTo = downFrom + 20 * kMinute;
  for (std::int64_t at = kT0; at < kT0 + 7 * kDay; at += kMinute) {
    const std::int64_t minute = (at - kT0) / kMinute;
    // checkout-api flaps for six hours (two runs in five fail, never three passes in a row),
    // then is down hard for twenty minutes.
    const bool flapping = at >= flapFrom && at < flapTo && (minute % 5 == 0 || minute % 5 == 2);
    const bool down = at >= downFrom && at < downTo;
    const bool failed = flapping || down;
    h.writer->add(RunRecord{at, "checkout-api", !failed, failed ? 2.5 : 41.0, failed ? 503 : 200,
                            failed ? "http_status" : "", failed ? "status == 200 (got 503)" : ""});
    // web times out one run in ten all week: each failure alone, never enough to page.
    const bool blip = minute % 10 == 3;
    h.writer->add(RunRecord{at, "web", !blip, blip ? 5000.0 : 80.0, blip ? 0 : 200,
                            blip ? "timeout" : "", blip ? "timed out after 5s" : ""});
  }
  h.event(flapFrom + 14 * kMinute, T::Alert, "checkout-api", "fired", "", "",
          "status == 200 (got 503)");
  h.event(flapFrom + 14 * kMinute + 900, T::Notification, "checkout-api", "trigger", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(flapTo + 2 * kMinute, T::Alert, "checkout-api", "resolved");
  h.event(flapTo + 2 * kMinute + 700, T::Notification, "checkout-api", "resolve", "pagerduty",
          "delivered", R"(HTTP 202: {"status":"success"})");
  h.event(downFrom + 3 * kMinute, T::Alert, "checkout-api", "fired", "", "",
          "status == 200 (got 503)");
  h.event(downTo + kMinute, T::Alert, "checkout-api", "resolved");
  const std::string report = h.report({}, kT0, kT0 + 7 * kDay);
  CHECK(report.find("time to detect 14m (from the first failure, 2026-11-25 10:00:00 UTC)") !=
        std::string::npos);
  CHECK(report.find("in 2 outages") != std::string::npos);
  CHECK(report.find("617 entries from 2026-11-27 01:13:00 to 2026-12-01 07:53:00 UTC are left "
                    "out: outages (617 of web)") != std::string::npos);
  CHECK(report.find("**checkout-api** down until 2026-11-28 11:20:00 UTC") != std::string::npos);
  CHECK(std::count(report.begin(), report.end(), '\n') < prober::kTimelineLimit + 60);
  compareWithGolden("flapping-week.md", report);
}
