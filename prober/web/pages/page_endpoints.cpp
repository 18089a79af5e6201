#include "prober/web/pages/page_endpoints.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "alerting/holds/silence.h"
#include "prober/web/pages/badge.h"
#include "prober/web/pages/check_page.h"
#include "prober/web/pages/page_parts.h"
#include "prober/web/pages/public_status.h"
#include "prober/web/pages/status_page.h"
#include "prober/web/server/form.h"
#include "prober/web/server/sliced_body.h"

namespace prober {

namespace {

ServerResponse html(std::string body) {
  return {200, "text/html; charset=utf-8", std::move(body), ""};
}

ServerResponse notFound(std::string_view what) {
  return {404, "text/plain; charset=utf-8", std::string(what) + "\n", ""};
}

}  // namespace

void StatusPages::keepUptimeFresh() {
  uptime_.keepFresh([this] { return StatusGroups{context_.groupBy, context_.checks.specs()}; });
}

namespace {

// A page over every check, answered as a body built a slice of checks per turn of the loop: the
// checks as they were when the request came (a reload meanwhile replaces the list rather than
// changing it), the uptime snapshot the page reads, and the page. `Page` has add() and render().
// The page is dated when it is written: a check whose streak began after the request came is
// not shown failing since a time after the page's.
template <typename Page>
ServerResponse pageOverChecks(std::shared_ptr<const CheckList> checks,
                              std::shared_ptr<const UptimeSnapshot> uptime,
                              std::shared_ptr<Page> page, std::function<std::int64_t()> nowMs) {
  const std::size_t count = checks->size();
  ServerResponse response = html("");
  response.stream = writtenInSlices(
      "", count, [checks, page](std::string&, std::size_t i) { page->add(*(*checks)[i]); },
      [uptime, page, nowMs = std::move(nowMs)](std::string& out) {
        page->setNow(nowMs());
        out += page->render();
      });
  return response;
}

}  // namespace

void StatusPageEndpoint::serve(const ServerRequest& request, Responder respond) {
  std::string error;
  const auto params = parseForm(requestQuery(request), error, 4096);
  if (!params) {
    return respond({400, "text/plain; charset=utf-8", "malformed query: " + error + "\n", ""});
  }
  DashboardView view;
  for (const auto& [key, value] : *params) {
    if (key == "q") {
      view.query = value;
    } else if (key == "page") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), view.page);
      if (ec != std::errc() || end != value.data() + value.size() || view.page == 0) {
        return respond({400, "text/plain; charset=utf-8", "page must be a number from 1\n", ""});
      }
    } else {
      return respond(
          {400, "text/plain; charset=utf-8", "unknown parameter " + key + " (q, page)\n", ""});
    }
  }
  const auto uptime = context_.uptime.snapshot();
  const auto checks = context_.checks.sharedInOrder();
  view.uptime = uptime.get();
  view.nowMs = context_.nowMs();
  view.location = context_.location;
  view.groupBy = context_.groupBy;
  // No page past the one every check would fill: the page keeps the rows up to the one asked.
  view.page = std::min(
      view.page, std::max<std::size_t>(1, (checks->size() + kChecksPerPage - 1) / kChecksPerPage));
  respond(pageOverChecks(checks, uptime, std::make_shared<DashboardPage>(view), context_.nowMs));
}

void CheckPageEndpoint::serve(const ServerRequest& request, Responder respond) {
  static constexpr std::string_view kPrefix = "/checks/";
  const std::string name = requestPath(request).substr(kPrefix.size());
  if (!context_.checks.find(name)) {
    return respond(notFound("no such check"));
  }
  const std::int64_t now = context_.nowMs();
  const std::int64_t since = now - kDayMs;
  history_.readForPage(
      name, since, now, now - 30 * kDayMs,
      [this, name, since, now, respond = std::move(respond)](
          std::vector<RunRecord> runs, std::vector<HistoryEvent> events,
          std::vector<RunCount> hours, const std::string& error) {
        const auto state = context_.checks.find(name);  // a reload meanwhile may have removed it
        if (!state) {
          return respond(notFound("no such check"));
        }
        if (!error.empty()) {
          return respond({500, "text/plain; charset=utf-8", "history unavailable\n", ""});
        }
        const auto uptime = context_.uptime.snapshot();
        CheckPageView view;
        view.check = state.get();
        view.nowMs = now;
        view.sinceMs = since;
        view.runs = std::move(runs);
        view.events = std::move(events);
        view.hours = std::move(hours);
        view.uptime = uptime->find(name);
        view.monthCovered = uptime->covered(kMonthWindow);
        const CheckSpec& spec = *state->spec();
        for (Silence& silence : holds_.silences(fromMillis(now))) {
          if (coversCheck(silence.checks, silence.labels, spec)) {
            view.silences.push_back(std::move(silence));
          }
        }
        for (const MaintenanceSpec& window : holds_.windows()) {
          if (coversCheck(window.checks, window.labels, spec)) {
            view.windows.push_back(window);
          }
        }
        respond(html(renderCheckPage(view)));
      });
}

void PublicStatusEndpoint::serve(const ServerRequest&, Responder respond) {
  const auto uptime = context_.uptime.snapshot();
  PublicStatusView view;
  view.uptime = uptime.get();
  view.nowMs = context_.nowMs();
  view.groupBy = context_.groupBy;
  view.announcements = context_.announcements.active(view.nowMs);
  respond(pageOverChecks(context_.checks.sharedInOrder(), uptime,
                         std::make_shared<PublicStatusPage>(view), context_.nowMs));
}

void BadgeEndpoint::serve(const ServerRequest& request, Responder respond) {
  // /badge/NAME/status.svg or /badge/NAME/uptime/WINDOW.svg
  static constexpr std::string_view kPrefix = "/badge/";
  const std::string rest = requestPath(request).substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  const auto state =
      slash == std::string::npos ? nullptr : context_.checks.find(rest.substr(0, slash));
  if (!state) {
    return respond(notFound("no such check"));
  }
  const std::string name = rest.substr(0, slash);
  const std::string what = rest.substr(slash + 1);
  const auto svg = [&](std::string body) { respond({200, "image/svg+xml", std::move(body), ""}); };
  if (what == "status.svg") {
    const ShownState shown = shownState(*state);
    return svg(badgeSvg(name, stateWord(shown), stateColour(shown)));
  }
  const auto uptime = context_.uptime.snapshot();
  const CheckUptime* counts = uptime->find(name);
  for (const UptimeWindow& window : kUptimeWindows) {
    if (what == fmt::format("uptime/{}.svg", window.name)) {
      const auto percent = counts != nullptr ? uptimePercent(counts->*window.count) : std::nullopt;
      // Named by what it covers: "uptime 14d" from a 30d window when the history keeps 14 days.
      return svg(badgeSvg(fmt::format("uptime {}", uptime->coveredName(window)),
                          percent ? fmt::format("{:.2f}%", *percent) : "no runs",
                          !percent         ? "#616161"
                          : *percent >= 99 ? "#1e7b34"
                                           : "#c62828"));
    }
  }
  respond(notFound("no such badge: status.svg, uptime/24h.svg, uptime/7d.svg or uptime/30d.svg"));
}

StatusPages::StatusPages(const CheckSet& checks, CheckHistory& history, HistoryWriter& writer,
                         HistoryReader& reader, const PageHolds& holds, PostToLoop post,
                         const Clock& clock, const TimerFactory& timers)
    : uptime_(writer, reader, std::move(post), clock, timers),
      context_{checks, uptime_, [&clock] { return wallMs(clock); }, "", "", {}},
      checkPage_(context_, history, holds) {}

void StatusPages::configure(const Config& config) {
  context_.location = config.prober.location;
  context_.groupBy = config.prober.statusGroupBy;
  context_.announcements.configure(config.announcements);
  uptime_.setRetention(config.prober.historyRetention);
}

void StatusPages::route(Router& router) {
  router.exact("/", "GET, HEAD", dashboard_);
  router.exact("/status", "GET, HEAD", publicStatus_);
  router.prefix("/checks/", "GET, HEAD", checkPage_);
  router.prefix("/badge/", "GET, HEAD", badges_);
}

}  // namespace prober
