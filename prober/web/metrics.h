#pragma once
// /metrics: per-check series rendered straight from each check's compact state at scrape time
// (a registry child per check costs ~10 KB and a slow scrape at 10,000 checks), and the scrape's
// formats. The process's own metrics are in process_metrics.h.
#include <memory>
#include <string>
#include <vector>

#include "prober/runtime/check_state.h"
#include "prober/web/http_server.h"
#include "prober/web/process_metrics.h"

namespace prober {

// A sample value as prometheus-cpp's text format writes it (16 significant digits, %g style).
std::string formatMetricValue(double value);
// Escapes a label value for the text format: backslash, double quote, newline.
std::string escapeLabelValue(std::string_view value);

// Writes every per-check family (probe_*, prober_check_*, prober_alert_firing) a slice at a
// time, so a scrape of 100,000 checks can yield to the event loop between slices instead of
// stalling every probe for a second and more.
class CheckMetricsWriter {
 public:
  explicit CheckMetricsWriter(std::vector<std::shared_ptr<const CheckState>> checks);
  // Writes up to `budget` (family, check) pairs; true once everything is written.
  bool write(std::string& out, std::size_t budget);

 private:
  std::vector<std::shared_ptr<const CheckState>> checks_;
  std::size_t family_ = 0;
  std::size_t check_ = 0;
  bool headerWritten_ = false;
};

// Appends every per-check family in one go.
void renderCheckMetrics(std::string& out, const std::vector<const CheckState*>& checks);

// One check's own scrape (/probe?target=NAME): its probe_* and prober_check_* series without
// the `check` label, which Prometheus' target labels replace.
void renderOneCheck(std::string& out, const CheckState& state);

// Whether a scraper's Accept header asks for OpenMetrics.
bool wantsOpenMetrics(std::string_view accept);
// The 200 answer to a scrape: `text` (format 0.0.4) as it is, or rewritten as OpenMetrics.
ServerResponse scrapeResponse(std::string text, bool openMetrics);

// Rewrites a text-format 0.0.4 exposition as OpenMetrics 1.0: counter families are named
// without their _total suffix in HELP and TYPE lines, and the body ends with "# EOF".
std::string toOpenMetrics(std::string_view text);

}  // namespace prober
