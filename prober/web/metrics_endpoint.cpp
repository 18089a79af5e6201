#include "prober/web/metrics_endpoint.h"

#include "prober/web/process_self.h"

#include <memory>
#include <string>

namespace prober {

MetricsEndpoint::MetricsEndpoint(const CheckSet& checks, ProcessMetrics& metrics, PostToLoop post,
                                 std::function<void()> refresh, std::string version)
    : checks_(checks),
      metrics_(metrics),
      post_(std::move(post)),
      refresh_(std::move(refresh)),
      version_(std::move(version)) {}

void MetricsEndpoint::serve(const ServerRequest& request, Responder respond) {
  static constexpr std::size_t kSlice = 4096;  // (family, check) pairs per turn of the loop
  struct Job {
    CheckMetricsWriter writer;
    std::string body;
    bool openMetrics;
    Responder respond;
  };
  refresh_();
  const auto& running = checks_.inOrder();
  std::vector<std::shared_ptr<const CheckState>> snapshot(running.begin(), running.end());
  const bool openMetrics = wantsOpenMetrics(request.accept);
  auto job = std::make_shared<Job>(
      Job{CheckMetricsWriter(std::move(snapshot)), {}, openMetrics, std::move(respond)});
  // Sized from the last scrape (or ~1.8 KB a check before the first): growing by doubling
  // would hold up to twice the body at once.
  job->body.reserve(lastSize_ > 0 ? lastSize_ + lastSize_ / 16 : checks_.size() * 1800 + 16384);
  auto step = std::make_shared<std::function<void()>>();
  *step = [this, job, weakStep = std::weak_ptr<std::function<void()>>(step)] {
    if (!job->writer.write(job->body, kSlice)) {
      if (auto next = weakStep.lock()) {
        post_([next] { (*next)(); });
      }
      return;
    }
    job->body += renderProcessMetrics(metrics_);
    renderProcessSelf(job->body, version_);
    lastSize_ = job->body.size();
    job->respond(scrapeResponse(std::move(job->body), job->openMetrics));
  };
  (*step)();
}

}  // namespace prober
