#include "prober/web/metrics/metrics_endpoint.h"

#include <memory>
#include <string>

#include "prober/web/metrics/process_self.h"
#include "prober/web/server/gzip.h"

namespace prober {

MetricsEndpoint::MetricsEndpoint(const CheckSet& checks, ProcessMetrics& metrics,
                                 std::function<void()> refresh,
                                 std::function<MetricsDetail()> detail, std::string version)
    : checks_(checks),
      metrics_(metrics),
      refresh_(std::move(refresh)),
      detail_(std::move(detail)),
      version_(std::move(version)) {}

void MetricsEndpoint::serve(const ServerRequest& request, Responder respond) {
  // One scrape in progress: the checks as they were when it began (a reload meanwhile does not
  // pull them from under it), the text of the piece being written, the compressor.
  struct Scrape {
    CheckMetricsWriter writer;
    bool openMetrics;
    std::unique_ptr<GzipStream> gzip;  // when the scraper accepts gzip
    std::string text;
  };
  refresh_();
  const bool openMetrics = wantsOpenMetrics(request.accept);
  auto scrape = std::shared_ptr<Scrape>(
      new Scrape{CheckMetricsWriter(checks_.sharedInOrder(), detail_(), openMetrics),
                 openMetrics,
                 nullptr,
                 {}});
  ServerResponse response;
  response.contentType = scrapeContentType(openMetrics);
  if (acceptsGzip(request.header("accept-encoding"))) {
    scrape->gzip = std::make_unique<GzipStream>();
    response.headers.emplace_back("Content-Encoding", "gzip");
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  scrape->text.reserve(kPieceBytes + 16 * 1024);
  response.stream = [this, scrape](std::string& out) {
    std::string& text = scrape->text;
    text.clear();
    const bool last = scrape->writer.write(text, kPieceBytes);
    if (last) {
      // The process's own metrics close the body: small, and read at the end of the scrape.
      std::string process = renderProcessMetrics(metrics_);
      renderProcessSelf(process, version_);
      text += scrape->openMetrics ? toOpenMetrics(process) : process;
    }
    if (scrape->gzip) {
      scrape->gzip->compress(text, out, last);
    } else {
      out += text;
    }
    return !last;
  };
  respond(std::move(response));
}

}  // namespace prober
