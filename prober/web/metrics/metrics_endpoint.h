#pragma once
// GET /metrics: every check's series and the process's own, streamed: the server sends each
// piece (chunked) as it is written and asks for the next once it is on its way, so memory does
// not grow with the body (at 100,000 checks the full text is ~170 MB) and the loop runs probes
// between pieces. gzip when the scraper accepts it; OpenMetrics when it asks for it.
#include <cstddef>
#include <functional>
#include <string>

#include "checks/clock.h"
#include "prober/runtime/check_set.h"
#include "prober/web/metrics/metrics.h"
#include "prober/web/server/router.h"

namespace prober {

class MetricsEndpoint final : public Endpoint {
 public:
  // Bytes of text written per piece.
  static constexpr std::size_t kPieceBytes = 64 * 1024;

  // `refresh` brings the process metrics read at scrape time up to date (probes in flight,
  // history drops); `detail` says which per-check series to write (`[prober] metrics`, read at
  // each scrape so a reload changes it); `version` is prober's, for prober_build_info.
  MetricsEndpoint(const CheckSet& checks, ProcessMetrics& metrics, std::function<void()> refresh,
                  std::function<MetricsDetail()> detail, std::string version);
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
  ProcessMetrics& metrics_;
  std::function<void()> refresh_;
  std::function<MetricsDetail()> detail_;
  std::string version_;
};

}  // namespace prober
