// renderStatusPage on hand-built checks: the groups and their order, each row's state, uptime
// figures and last failure as shown, target text escaped, and ?page=N showing its hundred.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "prober/web/pages/status_page.h"
#include "tests/fakes/recorded_run.h"
#include "tests/unit/prober/web/pages/render_fixtures.h"

using namespace prober::render_test;

namespace {

// Four checks in three groups of `team`: checkout passes, cart failed once (the alert waits for
// three), search fails with a hostile message and its alert fires, legacy has not run.
struct Fleet {
  prober::CheckState checkout{
      makeSpec("checkout", "https://shop.test/checkout?a=1&b=<2>", {{"team", "payments"}})};
  prober::CheckState cart{makeSpec("cart", "https://shop.test/cart", {{"team", "payments"}})};
  prober::CheckState search{makeSpec("search", "https://search.test/", {{"team", "R&D <core>"}})};
  prober::CheckState legacy{makeSpec("legacy", "https://old.test/")};
  prober::UptimeSnapshot uptime;

  Fleet() {
    for (int minutesAgo : {3, 2, 1}) {
      prober::testing::recordRun(
          checkout, makeRun("checkout", kNowMs - minutesAgo * kMinuteMs, 0.0417, 200, true));
      prober::testing::recordRun(search, makeRun("search", kNowMs - minutesAgo * kMinuteMs, 1.5,
                                                 500, false, hostileFailure()));
    }
    prober::testing::recordRun(cart, makeRun("cart", kNowMs - kMinuteMs, 0.2, 503, false));
    uptime.computedAtMs = kNowMs;
    uptime.retention = std::chrono::hours(14 * 24);  // the month's figure covers 14 days
    // 39,990 of 40,000 is 99.975 %: cut, not rounded, it shows 99.97.
    uptime.checks["checkout"] = {{0, 1000, 1000}, {0, 10000, 9999}, {0, 40000, 39990}};
    uptime.checks["search"] = {{0, 100, 50}, {0, 700, 650}, {0, 2800, 2750}};
  }

  prober::DashboardView view() const {
    prober::DashboardView view;
    view.checks = {&legacy, &checkout, &search, &cart};  // not in the order shown
    view.uptime = &uptime;
    view.nowMs = kNowMs;
    view.location = "Frankfurt & Co";
    view.groupBy = "team";
    return view;
  }
};

// The row of one check, from its <tr> to its </tr>.
std::string rowOf(const std::string& html, const std::string& name) {
  const std::size_t start = positionOf(html, "<tr id=\"check-" + name + "\"");
  const std::size_t end = html.find("</tr>", start);
  REQUIRE(end != std::string::npos);
  return html.substr(start, end - start);
}

}  // namespace

TEST_CASE("render: the status page groups by label in name order, the worst check first") {
  const Fleet fleet;
  const std::string html = prober::renderStatusPage(fleet.view());

  CHECK(has(html, "<h1>prober from Frankfurt &amp; Co</h1><p>4 checks, 2 not passing."));
  CHECK(has(html, "<title>prober from Frankfurt &amp; Co: 4 checks, 2 not passing</title>"));
  // Groups by label value in byte order ("R" before "p"), the checks without the label last.
  const std::size_t rnd = positionOf(html, "team: R&amp;D &lt;core&gt;</span>");
  const std::size_t payments = positionOf(html, "team: payments</span>");
  const std::size_t none = positionOf(html, "No team</span>");
  CHECK(rnd < payments);
  CHECK(payments < none);
  CHECK(has(html, "team: payments</span> <span class=\"muted small\">2 checks, 1 not passing"));
  CHECK(has(html,
            "team: R&amp;D &lt;core&gt;</span> <span class=\"muted small\">1 check, 1 not "
            "passing"));
  CHECK(has(html, "No team</span> <span class=\"muted small\">1 check, 0 not passing"));
  // In a group the failing cart comes before the passing checkout, whatever the input order.
  const std::size_t search = positionOf(html, "<tr id=\"check-search\"");
  const std::size_t cart = positionOf(html, "<tr id=\"check-cart\"");
  const std::size_t checkout = positionOf(html, "<tr id=\"check-checkout\"");
  const std::size_t legacy = positionOf(html, "<tr id=\"check-legacy\"");
  CHECK(search < payments);
  CHECK(payments < cart);
  CHECK(cart < checkout);
  CHECK(none < legacy);
  CHECK(occurrences(html, "<tr id=\"check-") == 4);

  // The counts link to the filter for their state; states with no check get no link.
  CHECK(has(html,
            "<a href=\"/?q=state%3Afailing\"><span class=\"state failing\"><span "
            "aria-hidden=\"true\">✕</span> failing</span> 2</a>"));
  CHECK(has(html, "<a href=\"/?q=state%3Apassing\">"));
  CHECK(has(html, "<a href=\"/?q=state%3Apending\">"));
  CHECK_FALSE(has(html, "state%3Asilenced"));
  CHECK_FALSE(has(html, "Uptime is being worked out"));
  CHECK_FALSE(has(html, "No check matches."));
  CHECK_FALSE(has(html, "class=\"pager\""));  // four checks fit on one page
}

TEST_CASE("render: each row shows its state, uptime as figures, last run and last failure") {
  const Fleet fleet;
  const std::string html = prober::renderStatusPage(fleet.view());

  const std::string checkout = rowOf(html, "checkout");
  CHECK(has(checkout, "data-state=\"passing\""));
  CHECK(has(checkout, "<a href=\"/checks/checkout\">checkout</a>"));
  CHECK(has(checkout, "https://shop.test/checkout?a=1&amp;b=&lt;2&gt;"));
  CHECK(has(checkout, " team=payments"));
  // The day's figure first. (Its label is left out here: spanLabel names 24 h "1 d", where the
  // check page and the API say 24 h.)
  CHECK(has(checkout, "data-label=\"Uptime\"><span class=\"muted small\">"));
  CHECK(has(checkout, "</span> <b>100.00 %</b><br><span class=\"muted small\">7 d</span>"));
  CHECK(has(checkout, "<span class=\"muted small\">7 d</span> <b>99.99 %</b>"));
  // The month's figure says it covers the 14 days the history keeps, and is cut, not rounded.
  CHECK(has(checkout, "<span class=\"muted small\">14 d</span> <b>99.97 %</b>"));
  CHECK_FALSE(has(checkout, "class=\"low\""));
  CHECK(has(checkout, ">1 min ago</time><br><span class=\"small muted\">41.7ms, status 200"));
  CHECK(has(checkout, "<td data-label=\"Last failure\"><span class=\"muted\">none</span>"));
  CHECK(has(checkout, "aria-label=\"Latency of the last 3 runs"));
  CHECK(has(checkout, "<td data-label=\"Alert\" class=\"small\">ok</td>"));

  const std::string search = rowOf(html, "search");
  CHECK(has(search, "data-state=\"failing\""));
  CHECK(has(search, "<b class=\"low\">50.00 %</b>"));  // under 99 stands out
  CHECK(has(search, "<b class=\"low\">92.85 %</b>"));  // 650 / 700 = 92.857...
  CHECK(has(search, "1.5s, status 500"));
  CHECK(has(search, "<td data-label=\"Alert\" class=\"small\">firing</td>"));
  CHECK(has(search, " team=R&amp;D &lt;core&gt;"));

  const std::string cart = rowOf(html, "cart");
  CHECK(has(cart, "data-state=\"failing\""));
  CHECK(has(cart, "<span class=\"why\">status == 200 (got 503)</span>"));
  CHECK(occurrences(cart, " no runs</span>") == 3);  // no uptime entry yet
  CHECK_FALSE(has(cart, " %</b>"));
  CHECK(has(cart, "<td data-label=\"Alert\" class=\"small\">ok</td>"));  // one failure: no alert

  const std::string legacy = rowOf(html, "legacy");
  CHECK(has(legacy, "data-state=\"pending\""));
  CHECK(has(legacy, "<span class=\"muted\">not yet</span>"));
  CHECK(has(legacy, "no runs yet"));
  CHECK_FALSE(has(legacy, "<svg"));
  // Every check's month cell names the 14 days; none claims 30.
  CHECK(occurrences(html, ">14 d") == 4);
  CHECK_FALSE(has(html, ">30 d"));
}

TEST_CASE("render: target text on the status page is escaped and the page stays valid UTF-8") {
  const Fleet fleet;
  const std::string html = prober::renderStatusPage(fleet.view());
  const std::string search = rowOf(html, "search");
  CHECK(has(search,
            "<span class=\"why\">body contains &quot;ok&quot; (got "
            "&lt;script&gt;alert(1)&lt;/script&gt; \xEF\xBF\xBD\xEF\xBF\xBD&amp;)"
            "</span>"));
  CHECK_FALSE(has(html, "<script"));
  CHECK(prober::isValidUtf8(html));
  // Well formed enough: every element the page opens, it closes.
  CHECK(occurrences(html, "<svg") == occurrences(html, "</svg>"));
  CHECK(occurrences(html, "<svg") == 3);  // one chart per check that has run
  CHECK(occurrences(html, "<details") == 3);
  CHECK(occurrences(html, "</details>") == 3);
  CHECK(occurrences(html, "<table") == occurrences(html, "</table>"));
  CHECK(occurrences(html, "<tr") == occurrences(html, "</tr>"));
  CHECK(html.rfind("</body></html>\n") == html.size() - 15);
}

TEST_CASE("render: the filter's words come back escaped, and a page before the uptime says so") {
  const Fleet fleet;
  prober::DashboardView view = fleet.view();
  view.query = "\"><script>x</script>";
  view.uptime = nullptr;
  const std::string html = prober::renderStatusPage(view);
  CHECK(has(html, "value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
  CHECK(has(html,
            "<p id=\"matching\">0 of 4 checks match <b>&quot;&gt;&lt;script&gt;x&lt;/"
            "script&gt;</b>.</p>"));
  CHECK(has(html, "<p>No check matches.</p>"));
  CHECK(has(html, " <a href=\"/\">clear</a>"));
  CHECK_FALSE(has(html, "<script"));
  CHECK(has(html, "Uptime is being worked out from the history."));
  // The header counts every check, not the ones the filter kept.
  CHECK(has(html, "<p>4 checks, 2 not passing."));
}

TEST_CASE("render: ?page=2 of 250 matching checks shows the second hundred and links both ways") {
  // 250 pending checks of team payments (named so their order is their number), 5 of team ads.
  std::vector<std::unique_ptr<prober::CheckState>> states;
  for (int i = 0; i < 255; ++i) {
    const std::string name = fmt::format("c{:03}", i);
    states.push_back(std::make_unique<prober::CheckState>(
        makeSpec(name, "https://shop.test/" + name, {{"team", i < 250 ? "payments" : "ads"}})));
  }
  prober::DashboardView view;
  for (const auto& state : states) {
    view.checks.push_back(state.get());
  }
  view.nowMs = kNowMs;
  view.query = "team:payments";
  view.page = 2;
  const std::string html = prober::renderStatusPage(view);

  CHECK(occurrences(html, "<tr id=\"check-") == prober::kChecksPerPage);
  CHECK_FALSE(has(html, "id=\"check-c099\""));
  CHECK(has(html, "id=\"check-c100\""));
  CHECK(has(html, "id=\"check-c199\""));
  CHECK_FALSE(has(html, "id=\"check-c200\""));
  CHECK(positionOf(html, "id=\"check-c100\"") < positionOf(html, "id=\"check-c199\""));
  CHECK(has(html, "Page 2 of 3 (250 checks, 100 a page)."));
  // The links keep the filter, URL-encoded then HTML-escaped; page 1 needs no page parameter.
  CHECK(has(html, "<a href=\"/?q=team%3Apayments\" rel=\"prev\">← previous</a>"));
  CHECK(has(html, "<a href=\"/?q=team%3Apayments&amp;page=3\" rel=\"next\">next →</a>"));
  CHECK(has(html, "250 of 255 checks match"));

  // Past the end: the last page, with no next link.
  view.page = 9;
  const std::string last = prober::renderStatusPage(view);
  CHECK(occurrences(last, "<tr id=\"check-") == 50);
  CHECK(has(last, "id=\"check-c249\""));
  CHECK_FALSE(has(last, "id=\"check-c199\""));
  CHECK(has(last, "Page 3 of 3"));
  CHECK(has(last, "page=2\" rel=\"prev\""));
  CHECK_FALSE(has(last, "rel=\"next\""));

  // A page number whose hundred would not fit in 64 bits: still the last page.
  view.page = std::size_t{1} << 62;
  CHECK(prober::renderStatusPage(view) == last);
}

TEST_CASE("render: each page of checks given in any order shows its hundred of the whole order") {
  // 350 checks in three groups (and some without the label), given shuffled; a third failed
  // their last run, a third passed, the rest have not run.
  std::vector<std::unique_ptr<prober::CheckState>> states;
  for (int i = 0; i < 350; ++i) {
    const std::string name = fmt::format("c{:03}", (i * 211) % 350);
    prober::Labels::Map labels;
    if (i % 4 != 3) {
      labels["team"] = fmt::format("t{}", i % 4);
    }
    states.push_back(
        std::make_unique<prober::CheckState>(makeSpec(name, "https://shop.test/" + name, labels)));
    if (i % 3 != 2) {
      states.back()->record(
          makeRun(name, kNowMs - kMinuteMs, 0.1, i % 3 == 0 ? 200 : 503, i % 3 == 0));
    }
  }
  // The whole order, worked out here the long way: group name (none last), worst first, name.
  std::vector<const prober::CheckState*> order;
  for (const auto& state : states) {
    order.push_back(state.get());
  }
  const auto key = [](const prober::CheckState* state) {
    const auto& labels = state->spec()->labels;
    const bool labelled = labels.count("team") > 0;
    return std::make_tuple(!labelled, labelled ? labels.at("team") : std::string(),
                           -prober::severity(prober::shownState(*state)), state->spec()->name);
  };
  std::sort(order.begin(), order.end(),
            [&](const auto* a, const auto* b) { return key(a) < key(b); });

  prober::DashboardView view;
  for (const auto& state : states) {
    view.checks.push_back(state.get());
  }
  view.nowMs = kNowMs;
  view.groupBy = "team";
  for (std::size_t page = 1; page <= 4; ++page) {
    CAPTURE(page);
    view.page = page;
    const std::string html = prober::renderStatusPage(view);
    std::vector<std::string> shown;
    for (std::size_t at = html.find("<tr id=\"check-"); at != std::string::npos;
         at = html.find("<tr id=\"check-", at + 1)) {
      const std::size_t start = at + 14;
      shown.push_back(html.substr(start, html.find('"', start) - start));
    }
    std::vector<std::string> expected;
    for (std::size_t i = (page - 1) * 100; i < std::min<std::size_t>(350, page * 100); ++i) {
      expected.push_back(order[i]->spec()->name);
    }
    CHECK(shown == expected);
    CHECK(has(html, fmt::format("Page {} of 4 (350 checks, 100 a page).", page)));
  }
}
