#pragma once
// GET /metrics: every check's series and the process's own, rendered a slice at a time with
// the loop free between slices (at 100,000 checks the text is ~170 MB and takes over a second
// to write, which would otherwise delay every probe due meanwhile by as much). OpenMetrics when
// the scraper asks for it.
#include <cstddef>
#include <functional>
#include <string>

#include "prober/runtime/check_set.h"
#include "prober/runtime/clock.h"
#include "prober/web/metrics.h"
#include "prober/web/router.h"

namespace prober {

class MetricsEndpoint final : public Endpoint {
 public:
  // `refresh` brings the process metrics read at scrape time up to date (probes in flight,
  // history drops); `version` is prober's, for prober_build_info.
  MetricsEndpoint(const CheckSet& checks, ProcessMetrics& metrics, PostToLoop post,
                  std::function<void()> refresh, std::string version);
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
  ProcessMetrics& metrics_;
  PostToLoop post_;
  std::function<void()> refresh_;
  std::string version_;
  std::size_t lastSize_ = 0;  // bytes of the last answer, to size the next one
};

}  // namespace prober
