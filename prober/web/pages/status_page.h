#pragma once
// The engineers' view at GET /: every check with its state, uptime over 24 h / 7 d / 30 d, its
// recent runs on a time axis, its last failure and alert, grouped by a label, filtered by
// `?q=` and paged (`?page=N`), so 10,000 checks stay one quick page at a time.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "prober/web/pages/check_filter.h"
#include "prober/web/pages/page_parts.h"

#include "prober/runtime/check_state.h"
#include "prober/web/uptime.h"

namespace prober {

struct DashboardView {
  std::vector<const CheckState*> checks;  // every running check
  const UptimeSnapshot* uptime = nullptr;
  std::int64_t nowMs = 0;
  std::string location;  // where this instance probes from ("" when not set)
  std::string groupBy;   // the label checks are grouped by ("" : one group)
  std::string query;     // ?q=
  std::size_t page = 1;  // ?page=, from 1
};

inline constexpr std::size_t kChecksPerPage = 100;

// The page built a check at a time, so that a million checks are gone through a slice per turn
// of the loop: add() every check, then render(). Only the rows up to the page asked for are
// kept (the best of them by group, then the worst state first, then name), not every check.
class DashboardPage {
 public:
  explicit DashboardPage(const DashboardView& view);  // view.checks is not read
  void add(const CheckState& check);
  // The time the page is written at (a page built across turns is dated when it is written).
  void setNow(std::int64_t nowMs) { view_.nowMs = nowMs; }
  std::string render();  // once, after the last add()

  struct Row {
    const CheckState* check;
    ShownState state;
    std::string group;
  };

 private:
  DashboardView view_;
  CheckFilter filter_;
  std::size_t kept_;       // rows up to the end of the page asked for
  std::vector<Row> best_;  // a heap, the row that would go first at its top
  std::size_t checks_ = 0, matching_ = 0;
  std::map<ShownState, std::size_t> counts_;
  std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>>
      groups_;  // checks, troubled
};

// The whole page over view.checks at once.
std::string renderStatusPage(const DashboardView& view);

// The check's alert, then what holds its pages, in words: "firing; silenced: maintenance
// weekly-db until ...", "ok; suppressed: core-api firing".
std::string alertText(const CheckState& state);

}  // namespace prober
