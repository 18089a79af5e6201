#include "prober/web/pages/status_page.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <map>

#include "checks/duration.h"
#include "prober/web/pages/charts.h"
#include "prober/web/pages/check_filter.h"
#include "prober/web/pages/page_parts.h"
#include "prober/web/server/form.h"

namespace prober {

std::string alertText(const CheckState& state) {
  std::string text = state.alert().firing() ? "firing" : "ok";
  if (state.degradedAlert().firing()) {
    text += "; degraded warning";
  }
  if (const CheckState::HoldMarks* marks = state.holdMarks()) {
    if (!marks->silencedBy.empty()) {
      text += "; silenced: " + marks->silencedBy;
    }
    if (!marks->suppressedBy.empty()) {
      text += fmt::format("; suppressed: {} firing", fmt::join(marks->suppressedBy, ", "));
    }
  }
  return text;
}

namespace {

std::string groupOf(const CheckSpec& spec, const std::string& groupBy) {
  if (groupBy.empty()) {
    return "";
  }
  const auto label = spec.labels.find(groupBy);
  return label == spec.labels.end() ? std::string() : label->second;
}

std::string groupTitle(const std::string& group, const std::string& groupBy) {
  if (groupBy.empty()) {
    return "All checks";
  }
  return group.empty() ? fmt::format("No {}", groupBy) : fmt::format("{}: {}", groupBy, group);
}

std::string link(const std::string& query, std::size_t page) {
  std::string href = "/?q=" + urlEncode(query);
  if (page > 1) {
    href += fmt::format("&page={}", page);
  }
  return escapeHtml(href);
}

std::string uptimeCells(const CheckUptime* uptime, const UptimeSnapshot* snapshot) {
  const auto one = [](const char* window, const RunCount* count) {
    const auto percent = count != nullptr ? uptimePercent(*count) : std::nullopt;
    if (!percent) {
      return fmt::format("<span class=\"muted small\">{} no runs</span>", window);
    }
    return fmt::format("<span class=\"muted small\">{}</span> <b{}>{:.2f} %</b>", window,
                       *percent < 99 ? " class=\"low\"" : "", *percent);
  };
  // Each figure named by what it covers: "14 d" for the month when the history keeps 14 days.
  const auto label = [snapshot](const UptimeWindow& window) {
    return snapshot ? snapshot->coveredLabel(window) : spanLabel(window.span);
  };
  return fmt::format("{}<br>{}<br>{}",
                     one(label(kUptimeWindows[0]).c_str(), uptime ? &uptime->last24h : nullptr),
                     one(label(kUptimeWindows[1]).c_str(), uptime ? &uptime->last7d : nullptr),
                     one(label(kMonthWindow).c_str(), uptime ? &uptime->last30d : nullptr));
}

std::string lastFailureCell(const CheckState& state, std::int64_t nowMs) {
  if (state.lastFailure().empty()) {
    return "<span class=\"muted\">none</span>";
  }
  return fmt::format("{}<br><span class=\"why\">{}</span>",
                     timeTag(toMillis(state.lastFailureAt()), nowMs),
                     escapeHtml(state.lastFailure()));
}

void renderRow(std::string& html, const DashboardPage::Row& row, const DashboardView& view) {
  const CheckState& state = *row.check;
  const CheckSpec& spec = *state.spec();
  const auto& last = state.last();
  std::string labels;
  for (const auto& [key, value] : spec.labels) {
    labels += fmt::format(" {}={}", escapeHtml(key), escapeHtml(value));
  }
  html += fmt::format(
      "<tr id=\"check-{0}\" data-state=\"{1}\"><td data-label=\"Check\"><strong><a "
      "href=\"/checks/{0}\">{0}</a></strong><br><span class=\"small muted mono\">{2}</span>"
      "{3}</td><td data-label=\"State\">{4}</td><td class=\"uptime\" data-label=\"Uptime\">{5}"
      "</td><td data-label=\"Recent runs\">{6}</td><td data-label=\"Last run\">{7}</td>"
      "<td data-label=\"Last failure\">{8}</td><td data-label=\"Alert\" class=\"small\">{9}</td>"
      "</tr>\n",
      escapeHtml(spec.name), stateWord(row.state), escapeHtml(spec.displayUrl()),
      labels.empty() ? "" : "<br><span class=\"small muted\">" + labels + "</span>",
      stateBadge(row.state),
      uptimeCells(view.uptime ? view.uptime->find(spec.name) : nullptr, view.uptime),
      recentRunsChart(state.history(), view.nowMs),
      last ? fmt::format("{}<br><span class=\"small muted\">{}{}</span>",
                         timeTag(toMillis(last->startedAt), view.nowMs),
                         formatSeconds(last->durationSeconds),
                         last->lastProbe() && last->lastProbe()->status != 0
                             ? fmt::format(", status {}", last->lastProbe()->status)
                             : std::string())
           : std::string("<span class=\"muted\">not yet</span>"),
      lastFailureCell(state, view.nowMs), escapeHtml(alertText(state)));
}

// Whether `a` goes before `b`: groups in name order (checks without the label last); in a group,
// the worst first; then by name.
bool goesBefore(const DashboardPage::Row& a, const DashboardPage::Row& b) {
  if (a.group != b.group) {
    return a.group.empty() != b.group.empty() ? !a.group.empty() : a.group < b.group;
  }
  if (severity(a.state) != severity(b.state)) {
    return severity(a.state) > severity(b.state);
  }
  return a.check->spec()->name < b.check->spec()->name;
}

}  // namespace

DashboardPage::DashboardPage(const DashboardView& view)
    : view_{{}, view.uptime, view.nowMs, view.location, view.groupBy, view.query, view.page},
      filter_(view.query),
      // A page past the end shows the last: every row is kept then. The cap keeps a page
      // number near 2^64 from wrapping the product to a few rows.
      kept_(std::min<std::size_t>(std::max<std::size_t>(view.page, 1),
                                  std::numeric_limits<std::size_t>::max() / kChecksPerPage) *
            kChecksPerPage) {}

void DashboardPage::add(const CheckState& check) {
  const ShownState state = shownState(check);
  ++checks_;
  ++counts_[state];
  if (!filter_.matches(*check.spec(), state)) {
    return;
  }
  ++matching_;
  Row row{&check, state, groupOf(*check.spec(), view_.groupBy)};
  auto group = groups_.find(row.group);
  if (group == groups_.end()) {
    group = groups_.emplace(row.group, std::pair<std::size_t, std::size_t>{}).first;
  }
  ++group->second.first;
  group->second.second += state != ShownState::Passing && state != ShownState::Pending ? 1 : 0;
  // best_ is a heap whose top is the last of the rows kept: a row that goes before it takes
  // its place.
  if (best_.size() < kept_) {
    best_.push_back(std::move(row));
    std::push_heap(best_.begin(), best_.end(), goesBefore);
  } else if (goesBefore(row, best_.front())) {
    std::pop_heap(best_.begin(), best_.end(), goesBefore);
    best_.back() = std::move(row);
    std::push_heap(best_.begin(), best_.end(), goesBefore);
  }
}

std::string renderStatusPage(const DashboardView& view) {
  DashboardPage page(view);
  for (const CheckState* check : view.checks) {
    page.add(*check);
  }
  return page.render();
}

std::string DashboardPage::render() {
  const DashboardView& view = view_;
  const CheckFilter& filter = filter_;
  auto& counts = counts_;
  auto& groupCounts = groups_;
  const std::size_t pages =
      std::max<std::size_t>(1, (matching_ + kChecksPerPage - 1) / kChecksPerPage);
  const std::size_t page = std::clamp<std::size_t>(view.page, 1, pages);
  const std::size_t notPassing =
      checks_ - counts[ShownState::Passing] - counts[ShownState::Pending];

  std::string html = pageHead(
      fmt::format("prober{}: {} checks, {} not passing",
                  view.location.empty() ? "" : " from " + view.location, checks_, notPassing),
      30);
  html += fmt::format(
      "<header><h1>prober{}</h1><p>{} checks, {} not passing. <a href=\"/status\">public status "
      "page</a> · <a href=\"/metrics\">metrics</a> · <a href=\"/api/v1/checks\">API</a></p>",
      view.location.empty() ? "" : " from " + escapeHtml(view.location), checks_, notPassing);
  html += "<p class=\"counts\">";
  for (ShownState state : {ShownState::Failing, ShownState::Suppressed, ShownState::Silenced,
                           ShownState::Degraded, ShownState::Pending, ShownState::Passing}) {
    if (counts[state] > 0) {
      html += fmt::format("<a href=\"{}\">{} {}</a>",
                          link(fmt::format("state:{}", stateWord(state)), 1), stateBadge(state),
                          counts[state]);
    }
  }
  html += fmt::format(
      "</p><form class=\"filter\" method=\"get\" action=\"/\" role=\"search\"><label "
      "for=\"q\" class=\"sr-only\">Filter checks</label><input type=\"search\" id=\"q\" name=\"q\" "
      "value=\"{}\" placeholder=\"name, URL, label, team:payments, state:failing\"> <button "
      "type=\"submit\">Filter</button>{}</form></header>\n",
      escapeHtml(view.query), filter.empty() ? "" : " <a href=\"/\">clear</a>");
  if (!filter.empty()) {
    html += fmt::format("<p id=\"matching\">{} of {} checks match <b>{}</b>.</p>\n", matching_,
                        checks_, escapeHtml(view.query));
  }
  if (view.uptime == nullptr || view.uptime->computedAtMs == 0) {
    html += "<p class=\"muted small\">Uptime is being worked out from the history.</p>\n";
  }
  // The page's rows are the last of those kept (at most a hundred): popped off the heap, each
  // lands in its place at the end, so best_[first, last) is the page in order without sorting
  // every row kept (all of them, for the last page of a million).
  const std::size_t first = (page - 1) * kChecksPerPage;
  const std::size_t last = best_.size();
  for (std::size_t popped = 0; popped < last - first; ++popped) {
    std::pop_heap(best_.begin(), best_.end() - static_cast<std::ptrdiff_t>(popped), goesBefore);
  }
  std::optional<std::string> openGroup;
  for (std::size_t i = first; i < last; ++i) {
    const Row& row = best_[i];
    if (!openGroup || *openGroup != row.group) {
      if (openGroup) {
        html += "</tbody></table></details>\n";
      }
      openGroup = row.group;
      const auto [inGroup, troubled] = groupCounts.find(row.group)->second;
      html += fmt::format(
          "<details class=\"group\" open><summary><span class=\"group-name\">{}</span> <span "
          "class=\"muted small\">{} check{}, {} not passing</span></summary>\n<table "
          "class=\"checks\"><thead><tr><th style=\"width:21%\">Check</th><th style=\"width:9em\">"
          "State</th><th style=\"width:9em\">Uptime</th><th style=\"width:276px\">Recent "
          "runs</th><th style=\"width:10%\">Last run</th><th>Last failure</th><th "
          "style=\"width:10%\">Alert</th></tr></thead><tbody>\n",
          escapeHtml(groupTitle(row.group, view.groupBy)), inGroup, inGroup == 1 ? "" : "s",
          troubled);
    }
    renderRow(html, row, view);
  }
  if (openGroup) {
    html += "</tbody></table></details>\n";
  } else {
    html += "<p>No check matches.</p>\n";
  }
  if (pages > 1) {
    html += fmt::format("<nav class=\"pager\">Page {} of {} ({} checks, {} a page).", page, pages,
                        matching_, kChecksPerPage);
    if (page > 1) {
      html +=
          fmt::format(" <a href=\"{}\" rel=\"prev\">← previous</a>", link(view.query, page - 1));
    }
    if (page < pages) {
      html += fmt::format(" <a href=\"{}\" rel=\"next\">next →</a>", link(view.query, page + 1));
    }
    html += "</nav>\n";
  }
  return html + "</body></html>\n";
}

}  // namespace prober
