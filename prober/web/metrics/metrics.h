#pragma once
// /metrics: per-check series rendered straight from each check's compact state at scrape time
// (a registry child per check costs ~10 KB and a slow scrape at 10,000 checks), and the scrape's
// formats. The process's own metrics are in process_metrics.h.
#include <memory>
#include <string>
#include <vector>

#include "prober/runtime/check_set.h"
#include "prober/runtime/check_state.h"
#include "prober/web/metrics/process_metrics.h"
#include "prober/web/server/http_server.h"

namespace prober {

// A sample value as prometheus-cpp's text format writes it (16 significant digits, %g style).
std::string formatMetricValue(double value);
void appendMetricValue(std::string& out, double value);
// Escapes a label value for the text format: backslash, double quote, newline.
std::string escapeLabelValue(std::string_view value);
void appendEscapedLabelValue(std::string& out, std::string_view value);

// Writes the per-check families (probe_*, prober_check_*, prober_alert_firing) that
// `[prober] metrics` exports, a piece at a time, so a scrape of 100,000 checks is sent as it is
// written and never held whole.
class CheckMetricsWriter {
 public:
  // Checks looked at by one write() at most. A family most checks write nothing for (one-step
  // checks have no prober_step_success) would otherwise be walked to its end in one call: a
  // million checks, tens of milliseconds on the loop with nothing written.
  static constexpr std::size_t kChecksPerWrite = 4096;

  // `checks` is held, not copied: the list a scrape began with, whatever a reload does meanwhile.
  CheckMetricsWriter(std::shared_ptr<const CheckList> checks, MetricsDetail detail,
                     bool openMetrics);
  // Appends samples until `out` holds `until` bytes or more (a check's samples are never cut)
  // or kChecksPerWrite checks were looked at, so a call may append nothing; true once
  // everything is written.
  bool write(std::string& out, std::size_t until);

 private:
  std::shared_ptr<const CheckList> checks_;
  MetricsDetail detail_;
  bool openMetrics_;
  std::size_t family_ = 0;
  std::size_t check_ = 0;
  bool headerWritten_ = false;
};

// Appends every per-check family `detail` exports in one go (text format 0.0.4).
void renderCheckMetrics(std::string& out, const std::vector<const CheckState*>& checks,
                        MetricsDetail detail = MetricsDetail::Full);

// One check's own scrape (/probe?target=NAME): its probe_* and prober_check_* series without
// the `check` label, which Prometheus' target labels replace.
void renderOneCheck(std::string& out, const CheckState& state);

// Whether a scraper's Accept header asks for OpenMetrics.
bool wantsOpenMetrics(std::string_view accept);
std::string scrapeContentType(bool openMetrics);
// The 200 answer to a scrape: `text` (format 0.0.4) as it is, or rewritten as OpenMetrics.
ServerResponse scrapeResponse(std::string text, bool openMetrics);

// Rewrites a text-format 0.0.4 exposition as OpenMetrics 1.0: counter families are named
// without their _total suffix in HELP and TYPE lines, and the body ends with "# EOF".
std::string toOpenMetrics(std::string_view text);
// The same without the closing "# EOF", for a part of a body.
std::string toOpenMetricsLines(std::string_view text);

}  // namespace prober
