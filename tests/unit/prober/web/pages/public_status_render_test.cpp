// renderPublicStatus and publicState on hand-built checks: the banner, each group's state in
// plain words, what is wrong now and in the past, and none of the engineers' words or numbers.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "prober/web/pages/public_status.h"
#include "tests/fakes/recorded_run.h"
#include "tests/unit/prober/web/pages/render_fixtures.h"

using namespace prober::render_test;

namespace {

constexpr std::int64_t kToday = kNowMs - kNowMs % prober::kDayMs;

void fire(prober::CheckState& state, std::int64_t sinceMs) {
  state.alerts().restoreAlert(true, 3, prober::fromMillis(sinceMs));
}

// checkout works; cart is down (its alert fired on a hostile target's answer); search is slow;
// legacy's alert fires inside a maintenance window.
struct Services {
  prober::CheckState checkout{
      makeSpec("checkout", "https://shop.test/checkout", {{"team", "payments"}})};
  prober::CheckState cart{makeSpec("cart", "https://shop.test/cart", {{"team", "payments"}})};
  prober::CheckState search{makeSpec("search", "https://search.test/", {{"team", "R&D <core>"}})};
  prober::CheckState legacy{makeSpec("legacy", "https://old.test/metrics")};
  prober::UptimeSnapshot uptime;

  Services() {
    prober::testing::recordRun(checkout,
                               makeRun("checkout", kNowMs - kMinuteMs, 0.0417, 200, true));
    for (std::int64_t minutesAgo : {20, 15, 10}) {
      prober::testing::recordRun(cart, makeRun("cart", kNowMs - minutesAgo * kMinuteMs, 1.5, 503,
                                               false, hostileFailure()));
    }
    auto slow =
        std::make_shared<prober::RunResult>(*makeRun("search", kNowMs - kMinuteMs, 2.5, 200, true));
    slow->steps.front().verdict.degradations.push_back("duration < 1s (got 2.5s)");
    prober::testing::recordRun(search, slow);
    search.alerts().restoreDegraded(*search.spec(), true, 3,
                                    prober::fromMillis(kNowMs - 30 * kMinuteMs));
    prober::testing::recordRun(legacy, makeRun("legacy", kNowMs - kMinuteMs, 0.1, 502, false));
    fire(legacy, kNowMs - 5 * kMinuteMs);
    legacy.setHoldMarks({"maintenance weekly-db", {}, true});

    uptime.computedAtMs = kNowMs;
    // Two days of 1,000 runs, 5 failed each; a day before the 30 shown must not count.
    uptime.groupDays["payments"] = {{kToday - 31 * prober::kDayMs, 1000, 0},
                                    {kToday - prober::kDayMs, 1000, 995},
                                    {kToday, 1000, 995}};
    // Newest first, as the snapshot keeps them: cart's current alert is not in the past.
    uptime.alerts = {
        {"cart", prober::AlertKind::Check, kNowMs - 20 * kMinuteMs, 0},
        {"search", prober::AlertKind::Degraded,
         kToday - 2 * prober::kDayMs + 23 * prober::kHourMs + 30 * kMinuteMs,
         kToday - prober::kDayMs + 15 * kMinuteMs},
        {"cart", prober::AlertKind::Check, kToday - 4 * prober::kDayMs + 10 * prober::kHourMs,
         kToday - 4 * prober::kDayMs + 10 * prober::kHourMs + 45 * kMinuteMs}};
  }

  prober::PublicStatusView view() const {
    prober::PublicStatusView view;
    view.checks = {&checkout, &cart, &search, &legacy};
    view.uptime = &uptime;
    view.nowMs = kNowMs;
    view.groupBy = "team";
    prober::Announcement notice;  // from the config: no one posted it
    notice.text = "Payments <b>may</b> be slow & late";
    notice.level = prober::AnnouncementSpec::Level::Warning;
    notice.endsAtMs = kNowMs + prober::kDayMs;
    view.announcements = {notice};
    return view;
  }
};

// The group's section, from its name to its </section>.
std::string sectionOf(const std::string& html, const std::string& escapedName) {
  const std::size_t start =
      positionOf(html, "<section class=\"group\"><h3><span class=\"group-name\">" + escapedName);
  const std::size_t end = html.find("</section>", start);
  REQUIRE(end != std::string::npos);
  return html.substr(start, end - start);
}

}  // namespace

TEST_CASE("render: publicState shows a confirmed alert, a slow check and maintenance") {
  prober::CheckState fresh(makeSpec("fresh", "https://fresh.test/"));
  CHECK(prober::publicState(fresh) == prober::PublicState::Operational);

  prober::CheckState once(makeSpec("once", "https://once.test/"));
  prober::testing::recordRun(once, makeRun("once", kNowMs, 0.1, 503, false));
  CHECK(prober::publicState(once) == prober::PublicState::Operational);  // one failure: no news

  prober::CheckState down(makeSpec("down", "https://down.test/"));
  fire(down, kNowMs);
  CHECK(prober::publicState(down) == prober::PublicState::Down);
  down.alerts().restoreDegraded(*down.spec(), true, 3, prober::fromMillis(kNowMs));
  CHECK(prober::publicState(down) == prober::PublicState::Down);  // down outranks slow
  // A silence holds pages, it does not hide an outage from the public; maintenance does.
  down.setHoldMarks({"silence 4", {}, false});
  CHECK(prober::publicState(down) == prober::PublicState::Down);
  down.setHoldMarks({"maintenance nightly", {}, true});
  CHECK(prober::publicState(down) == prober::PublicState::Maintenance);

  prober::CheckState slow(makeSpec("slow", "https://slow.test/"));
  slow.alerts().restoreDegraded(*slow.spec(), true, 3, prober::fromMillis(kNowMs));
  CHECK(prober::publicState(slow) == prober::PublicState::Slow);
}

TEST_CASE("render: the public page says what is wrong now in words, per group and overall") {
  const Services services;
  const std::string html = prober::renderPublicStatus(services.view());
  CHECK(has(html, "<meta http-equiv=\"refresh\" content=\"60\">"));
  // One of the three counted (maintenance aside) is down: problems, not a major outage.
  CHECK(has(html,
            "<div class=\"banner degraded\" role=\"status\"><span aria-hidden=\"true\">▲"
            "</span> Some systems have problems</div>"));
  CHECK(has(html,
            "<section class=\"announcement warning\"><b>Warning:</b> Payments "
            "&lt;b&gt;may&lt;/b&gt; be slow &amp; late <span class=\"small muted\">(until "
            "2026-12-08 12:00:00 UTC)</span></section>"));

  const std::size_t cart = positionOf(
      html, "<li><b>cart</b> is down. It has not been working since 11:40 UTC (20 min).</li>");
  const std::size_t search =
      positionOf(html, "<li><b>search</b> is slower than usual since 11:30 UTC (30 min).</li>");
  const std::size_t legacy =
      positionOf(html, "<li><b>legacy</b> is under planned maintenance.</li>");
  CHECK(cart < search);
  CHECK(search < legacy);
  CHECK_FALSE(has(html, "<b>checkout</b> is"));
  CHECK_FALSE(has(html, "Everything is working."));

  // Groups in name order: "Other" (no team label), then by byte order "R..." before "p...".
  const std::size_t other = positionOf(html, "<span class=\"group-name\">Other</span>");
  const std::size_t rnd =
      positionOf(html, "<span class=\"group-name\">R&amp;D &lt;core&gt;</span>");
  const std::size_t payments = positionOf(html, "<span class=\"group-name\">payments</span>");
  CHECK(other < rnd);
  CHECK(rnd < payments);
  const std::string paymentsSection = sectionOf(html, "payments");
  CHECK(has(paymentsSection, "</span> Partial outage</span></h3>"));
  // 1,990 of 2,000 in the last 30 days; the day before them is left out.
  CHECK(has(paymentsSection, "<p class=\"small\">99.50 % available over the last 30 days</p>"));
  CHECK(has(paymentsSection,
            "aria-label=\"payments, each day of the last 30 days: 2000 runs, 10 "
            "failed\""));
  CHECK(has(paymentsSection,
            "<li><span class=\"state failing\"><span aria-hidden=\"true\">✕"
            "</span> Down</span> cart</li>"));
  CHECK(has(paymentsSection,
            "<li><span class=\"state passing\"><span aria-hidden=\"true\">✓"
            "</span> Operational</span> checkout</li>"));
  const std::string rndSection = sectionOf(html, "R&amp;D &lt;core&gt;");
  CHECK(has(rndSection, "</span> Degraded performance</span></h3>"));
  CHECK(has(rndSection, "<p class=\"small\">Not measured yet.</p>"));
  CHECK(has(rndSection, "aria-label=\"R&amp;D &lt;core&gt;, each day of the last 30 days: 0 "));
  CHECK(has(sectionOf(html, "Other"),
            "<span aria-hidden=\"true\">⚒</span> Under "
            "maintenance</span></h3>"));

  // The past: resolved alerts only, dated, slow or down; the one still firing is above.
  CHECK(has(html, "<h2>Past 30 days</h2>"));
  CHECK(has(html, "<li>Dec 5 23:30–Dec 6 00:15 UTC: <b>search</b> was slow for 45 min.</li>"));
  CHECK(has(html, "<li>Dec 3 10:00–10:45 UTC: <b>cart</b> was down for 45 min.</li>"));
  CHECK(occurrences(html, "UTC: <b>") == 2);
  CHECK(has(html, "<p class=\"small muted\">Updated 2026-12-07 12:00:00 UTC.</p>"));
}

TEST_CASE("render: the public page shows no URL, status code, assertion or metric word") {
  const Services services;
  const std::string html = prober::renderPublicStatus(services.view());
  for (const char* jargon :
       {"status ==", "503",      "502",         "got ",     "duration",         "body contains",
        "script",    "https://", "shop.test",   "old.test", "metrics",          "prober_",
        "latency",   "assert",   "weekly-db",   "firing",   "degraded warning", "41.7",
        "1.5s",      "2.5s",     "\xEF\xBF\xBD"}) {
    CHECK_MESSAGE(!has(html, jargon), std::string(jargon));
  }
  CHECK(prober::isValidUtf8(html));
  CHECK(occurrences(html, "<svg") == 3);  // one strip per group
  CHECK(occurrences(html, "</svg>") == 3);
  CHECK(occurrences(html, "<section") == occurrences(html, "</section>"));
  CHECK(occurrences(html, "<ul") == occurrences(html, "</ul>"));
}

TEST_CASE("render: all well, the public page says so; an outage notice makes it a major outage") {
  prober::CheckState ok(makeSpec("checkout", "https://shop.test/"));
  prober::testing::recordRun(ok, makeRun("checkout", kNowMs - kMinuteMs, 0.05, 200, true));
  prober::UptimeSnapshot uptime;
  uptime.computedAtMs = kNowMs;
  uptime.retention = std::chrono::hours(14 * 24);
  prober::PublicStatusView view;
  view.checks = {&ok};
  view.uptime = &uptime;
  view.nowMs = kNowMs;
  std::string html = prober::renderPublicStatus(view);
  CHECK(has(html,
            "<div class=\"banner passing\" role=\"status\"><span aria-hidden=\"true\">✓"
            "</span> All systems operational</div>"));
  CHECK(has(html, "<li>Everything is working.</li>"));
  CHECK(has(html, "<span class=\"group-name\">Services</span>"));  // ungrouped: one group
  // The history keeps 14 days: the page claims no more.
  CHECK(has(html, "<h2>Past 14 days</h2>"));
  CHECK(has(html, "<li>No problems in the last 14 days.</li>"));
  CHECK_FALSE(has(html, "30 days"));

  view.announcements = {{"Checkout is down, we are on it", prober::AnnouncementSpec::Level::Outage,
                         std::nullopt, "bob <ops>", kNowMs - 3 * kMinuteMs}};
  html = prober::renderPublicStatus(view);
  CHECK(has(html, "</span> Major outage</div>"));
  CHECK(has(html,
            "<b>Outage:</b> Checkout is down, we are on it <span class=\"small "
            "muted\">(posted by bob &lt;ops&gt; <time datetime=\"2026-12-07T11:57:00.000Z\""));
  CHECK(has(html, ">3 min ago</time>)</span>"));
}

TEST_CASE("render: a big group lists what is not operational; happening now stops at fifty") {
  // 60 services, all down: the list above stops at 50, each group lists 25 and counts the rest.
  std::vector<std::unique_ptr<prober::CheckState>> states;
  prober::PublicStatusView view;
  for (int i = 0; i < 90; ++i) {
    states.push_back(std::make_unique<prober::CheckState>(
        makeSpec(fmt::format("s{:02}", i), "https://s.test/", {{"team", i < 60 ? "down" : "up"}})));
    if (i < 60) {
      fire(*states.back(), kNowMs - 5 * kMinuteMs);
    }
    view.checks.push_back(states.back().get());
  }
  view.nowMs = kNowMs;
  view.groupBy = "team";
  const std::string html = prober::renderPublicStatus(view);
  CHECK(has(html, "</span> Major outage</div>"));  // 60 of 90 down
  CHECK(occurrences(html, "</b> is down.") == 50);
  CHECK(has(html, "<li>10 more services have problems; the groups below show them.</li>"));
  const std::string down = sectionOf(html, "down");
  CHECK(has(down, "</span> Major outage</span></h3>"));
  CHECK(occurrences(down, "</span> Down</span> s") == 25);
  CHECK(has(down, "<li class=\"muted\">35 more</li>"));
  const std::string up = sectionOf(html, "up");
  CHECK(occurrences(up, "<li><span class=\"state") == 0);
  CHECK(has(up, "<li class=\"muted\">30 services, all operational</li>"));
}
