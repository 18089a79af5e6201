#include "prober/web/pages/public_status.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "prober/web/pages/charts.h"
#include "prober/web/pages/page_parts.h"

namespace prober {

namespace {

constexpr std::size_t kPastShown = 30;
constexpr std::size_t kListedPerGroup = 25;
constexpr std::size_t kCurrentShown = 50;

// How a state shows: its words, the class that colours it, and its mark.
struct Look {
  std::string_view words, css, mark;
};

Look lookOf(PublicState state) {
  switch (state) {
    case PublicState::Operational: return {"Operational", "passing", "✓"};
    case PublicState::Slow: return {"Slow", "degraded", "▲"};
    case PublicState::Down: return {"Down", "failing", "✕"};
    case PublicState::Maintenance: return {"Under maintenance", "silenced", "⚒"};
  }
  return {"Operational", "passing", "✓"};
}

std::string stateLabel(PublicState state) {
  const Look look = lookOf(state);
  return fmt::format("<span class=\"state {}\"><span aria-hidden=\"true\">{}</span> {}</span>",
                     look.css, look.mark, look.words);
}

using Group = PublicStatusPage::Group;

std::size_t countOf(const Group& group, PublicState state) {
  const auto count = group.counts.find(state);
  return count == group.counts.end() ? 0 : count->second;
}

// The group's state: everything up; some or all of it down; slow; or in maintenance.
std::string groupState(const Group& group) {
  const std::size_t down = countOf(group, PublicState::Down);
  const std::size_t maintenance = countOf(group, PublicState::Maintenance);
  const std::size_t total = group.checks;
  if (down > 0) {
    return down >= total - maintenance
               ? "<span class=\"state failing\"><span aria-hidden=\"true\">✕</span> Major "
                 "outage</span>"
               : "<span class=\"state failing\"><span aria-hidden=\"true\">✕</span> Partial "
                 "outage</span>";
  }
  if (group.counts.count(PublicState::Slow)) {
    return "<span class=\"state degraded\"><span aria-hidden=\"true\">▲</span> Degraded "
           "performance</span>";
  }
  if (maintenance > 0) {
    return stateLabel(PublicState::Maintenance);
  }
  return stateLabel(PublicState::Operational);
}

std::string banner(const PublicStatusView& view, std::size_t down, std::size_t slow,
                   std::size_t counted) {
  const bool outageNotice =
      std::any_of(view.announcements.begin(), view.announcements.end(),
                  [](const Announcement& a) { return a.level == AnnouncementSpec::Level::Outage; });
  const bool warningNotice = std::any_of(
      view.announcements.begin(), view.announcements.end(),
      [](const Announcement& a) { return a.level == AnnouncementSpec::Level::Warning; });
  if (outageNotice || (down > 0 && down * 2 >= counted)) {
    return "<div class=\"banner failing\" role=\"status\"><span aria-hidden=\"true\">✕</span> "
           "Major outage</div>";
  }
  if (down > 0 || slow > 0 || warningNotice) {
    return "<div class=\"banner degraded\" role=\"status\"><span aria-hidden=\"true\">▲</span> "
           "Some systems have problems</div>";
  }
  return "<div class=\"banner passing\" role=\"status\"><span aria-hidden=\"true\">✓</span> All "
         "systems operational</div>";
}

std::string announcementHtml(const Announcement& a, std::int64_t nowMs) {
  static constexpr std::string_view kTitles[] = {"Notice", "Warning", "Outage"};
  std::string meta;
  if (!a.postedBy.empty()) {
    meta = fmt::format("posted by {} {}", escapeHtml(a.postedBy), timeTag(a.postedAtMs, nowMs));
  }
  if (a.endsAtMs) {
    meta += fmt::format("{}until {}", meta.empty() ? "" : ", ", fullTime(*a.endsAtMs));
  }
  return fmt::format("<section class=\"announcement {}\"><b>{}:</b> {}{}</section>\n",
                     levelName(a.level), kTitles[static_cast<int>(a.level)], escapeHtml(a.text),
                     meta.empty() ? "" : " <span class=\"small muted\">(" + meta + ")</span>");
}

constexpr std::string_view kExtraStyle = R"(<style>
.banner{font-size:1.4em;font-weight:700;color:#fff;padding:.8em 1em;border-radius:6px;margin:1em 0}
.announcement{border-left:6px solid #1565c0;background:#f3f6fb;padding:.6em .9em;margin:.6em 0}
.announcement.warning{border-color:#8a5300;background:#fbf6ee} .announcement.outage{border-color:#c62828;background:#fdf0f0}
.groups section{border:1px solid var(--line);border-radius:6px;padding:.6em .9em;margin:.8em 0}
.groups h3{margin:.2em 0;display:flex;justify-content:space-between;gap:1em;flex-wrap:wrap}
.groups ul{list-style:none;padding:0;margin:.4em 0} .groups li{padding:.15em 0}
</style>
)";

// "the last 30 days", or less when the history keeps less: the page says what it covers.
std::string lastPeriod(const UptimeSnapshot* uptime) {
  const Millis covered = uptime ? uptime->covered(kMonthWindow) : kMonthWindow.span;
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(covered).count();
  if (hours % 24 != 0 || hours < 48) {
    return fmt::format("the last {} hours", hours);
  }
  return fmt::format("the last {} days", hours / 24);
}

}  // namespace

PublicState publicState(const CheckState& state) {
  const CheckState::HoldMarks* marks = state.holdMarks();
  if (marks != nullptr && marks->maintenance) {
    return PublicState::Maintenance;
  }
  if (state.alert().firing()) {
    return PublicState::Down;
  }
  return state.degradedAlert().firing() ? PublicState::Slow : PublicState::Operational;
}

PublicStatusPage::PublicStatusPage(const PublicStatusView& view)
    : view_{{}, view.uptime, view.nowMs, view.groupBy, view.announcements} {}

void PublicStatusPage::add(const CheckState& check) {
  const std::string name = statusGroupOf(*check.spec(), view_.groupBy);
  auto found = groups_.find(name);
  if (found == groups_.end()) {
    found = groups_.emplace(name, Group{}).first;
    Group& group = found->second;
    const std::int64_t firstDay = view_.nowMs - view_.nowMs % kDayMs - 29 * kDayMs;
    for (int d = 0; d < 30; ++d) {
      group.days.push_back(RunCount{firstDay + d * kDayMs, 0, 0});
    }
    const std::vector<RunCount>* counted = view_.uptime ? view_.uptime->findDays(name) : nullptr;
    if (counted != nullptr) {
      for (const RunCount& day : *counted) {
        const std::int64_t index = (day.startMs - firstDay) / kDayMs;
        if (index >= 0 && index < 30) {
          group.days[static_cast<std::size_t>(index)] = day;
        }
      }
    }
  }
  Group& group = found->second;
  const PublicState state = publicState(check);
  ++group.checks;
  ++group.counts[state];
  if (group.first.size() < kListedPerGroup) {
    group.first.emplace_back(&check, state);
  }
  if (state != PublicState::Operational) {
    if (group.troubled.size() < kListedPerGroup) {
      group.troubled.emplace_back(&check, state);
    }
    if (current_.size() < kCurrentShown) {
      current_.emplace_back(&check, state);
    }
  }
  ++checks_;
  down_ += state == PublicState::Down ? 1 : 0;
  slow_ += state == PublicState::Slow ? 1 : 0;
  counted_ += state == PublicState::Maintenance ? 0 : 1;
}

std::string renderPublicStatus(const PublicStatusView& view) {
  PublicStatusPage page(view);
  for (const CheckState* check : view.checks) {
    page.add(*check);
  }
  return page.render();
}

std::string PublicStatusPage::render() const {
  const PublicStatusView& view = view_;
  const auto& groups = groups_;
  std::string html = pageHead("Service status", 60);
  html += kExtraStyle;
  html += "<h1>Service status</h1>\n" + banner(view, down_, slow_, counted_);
  for (const Announcement& announcement : view.announcements) {
    html += announcementHtml(announcement, view.nowMs);
  }

  html += "<h2>Happening now</h2>\n<ul id=\"current\">\n";
  for (const auto& [check, state] : current_) {
    const std::string name = escapeHtml(check->spec()->name);
    if (state == PublicState::Down) {
      const std::int64_t since = toMillis(check->failingSince());
      html +=
          fmt::format("<li><b>{}</b> is down. It has not been working since {} UTC ({}).</li>\n",
                      name, clockText(since, view.nowMs), spanText(view.nowMs - since));
    } else if (state == PublicState::Slow) {
      const std::int64_t since = toMillis(check->degradedSince());
      html += fmt::format("<li><b>{}</b> is slower than usual since {} UTC ({}).</li>\n", name,
                          clockText(since, view.nowMs), spanText(view.nowMs - since));
    } else {
      html += fmt::format("<li><b>{}</b> is under planned maintenance.</li>\n", name);
    }
  }
  if (current_.empty()) {
    html += "<li>Everything is working.</li>\n";
  } else if (const std::size_t troubled = checks_ - counted_ + down_ + slow_;
             troubled > current_.size()) {
    html += fmt::format("<li>{} more services have problems; the groups below show them.</li>\n",
                        troubled - current_.size());
  }
  html += "</ul>\n<h2>Services</h2>\n<div class=\"groups\">\n";
  for (const auto& [name, group] : groups) {
    RunCount month;
    for (const RunCount& day : group.days) {
      month.runs += day.runs;
      month.passed += day.passed;
    }
    std::vector<AvailabilityCell> cells;
    for (const RunCount& day : group.days) {
      cells.push_back({day.startMs, day});
    }
    html += fmt::format(
        "<section class=\"group\"><h3><span class=\"group-name\">{}</span> {}</h3>"
        "<p class=\"small\">{}</p>\n<div class=\"scroll\">{}</div>\n<ul>\n",
        escapeHtml(name), groupState(group),
        month.runs == 0 ? std::string("Not measured yet.")
                        : uptimeText(month) + " available over " + lastPeriod(view.uptime),
        availabilityStrip(cells, "%d", 5,
                          fmt::format("{}, each day of {}", name, lastPeriod(view.uptime))));
    // A big group lists what is not operational, and counts the rest.
    const std::vector<Shown>& listed =
        group.checks <= kListedPerGroup ? group.first : group.troubled;
    for (const auto& [check, state] : listed) {
      html += fmt::format("<li>{} {}</li>\n", stateLabel(state), escapeHtml(check->spec()->name));
    }
    if (const std::size_t unlisted = group.checks - listed.size(); unlisted > 0) {
      const bool allOperational = countOf(group, PublicState::Operational) == unlisted;
      html += fmt::format("<li class=\"muted\">{} {}{}</li>\n", unlisted,
                          listed.empty() ? "services" : "more",
                          allOperational ? ", all operational" : "");
    }
    html += "</ul></section>\n";
  }
  // "Past 30 days": lastPeriod without its "the last ".
  html += "</div>\n<h2>Past " + lastPeriod(view.uptime).substr(9) + "</h2>\n<ul id=\"past\">\n";
  std::size_t shown = 0, past = 0;
  for (const PastAlert& alert : view.uptime ? view.uptime->alerts : std::vector<PastAlert>{}) {
    if (alert.resolvedMs == 0) {
      continue;  // still happening: above
    }
    ++past;
    if (shown >= kPastShown) {
      continue;
    }
    ++shown;
    html += fmt::format("<li>{}–{} UTC: <b>{}</b> was {} for {}.</li>\n",
                        clockText(alert.firedMs, view.nowMs + 2 * kDayMs),  // always dated
                        clockText(alert.resolvedMs, alert.firedMs), escapeHtml(alert.check),
                        alert.kind == AlertKind::Degraded ? "slow" : "down",
                        spanText(alert.resolvedMs - alert.firedMs));
  }
  if (past == 0) {
    html += "<li>No problems in " + lastPeriod(view.uptime) + ".</li>\n";
  } else if (past > shown) {
    html += fmt::format("<li class=\"muted\">and {} earlier</li>\n", past - shown);
  }
  html += fmt::format("</ul>\n<p class=\"small muted\">Updated {}.</p>\n", fullTime(view.nowMs));
  return html + "</body></html>\n";
}

}  // namespace prober
