// How long /metrics takes to write, apart from the loop and the socket: CHECKS checks with one
// recorded run each (HTTPS, passed) rendered at each `[prober] metrics` detail, piece by piece
// as the endpoint does, plain and gzipped. Prints a table and a `figures` line (for bench.sh).
//   bench_scrape CHECKS
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "prober/runtime/check_state.h"
#include "prober/web/server/gzip.h"
#include "prober/web/metrics/metrics.h"
#include "typical_run.h"

namespace {

std::shared_ptr<const prober::CheckSpec> typicalSpec(int i) {
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = "service-" + std::to_string(i) + "-health";
  prober::StepSpec step;
  step.name = spec->name;
  step.url = "https://api.example.com/v1/services/" + std::to_string(i) + "/health";
  spec->steps.push_back(step);
  spec->labels = {{"team", "team-" + std::to_string(i % 50)}, {"tier", std::to_string(1 + i % 3)}};
  return spec;
}

struct Figures {
  double ms = 0;
  std::size_t bytes = 0;
};

// One scrape as the endpoint writes it: 64 KiB pieces, each gzipped when `gzip`.
Figures scrape(const std::shared_ptr<const prober::CheckList>& checks, prober::MetricsDetail detail,
               bool gzip) {
  const auto start = std::chrono::steady_clock::now();
  prober::CheckMetricsWriter writer(checks, detail, false);
  prober::GzipStream zipper;
  std::string piece;
  std::string zipped;
  Figures figures;
  bool done = false;
  while (!done) {
    piece.clear();
    done = writer.write(piece, 64 * 1024);
    if (gzip) {
      zipped.clear();
      zipper.compress(piece, zipped, done);
      figures.bytes += zipped.size();
    } else {
      figures.bytes += piece.size();
    }
  }
  figures.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_scrape CHECKS\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  auto checks = std::make_shared<prober::CheckList>();
  checks->reserve(count);
  for (int i = 0; i < count; ++i) {
    auto state = std::make_shared<prober::CheckState>(typicalSpec(i));
    state->record(bench::typicalRun(*state->spec(), std::chrono::system_clock::now()));
    state->alerts().judge(*state->spec(), *state->last(),
                          state->last()->startedAt);  // as the alerter does
    checks->push_back(std::move(state));
  }
  std::printf("detail | plain ms | plain bytes | gzip ms | gzip bytes\n---|---|---|---|---\n");
  std::string figures = "figures";
  for (const auto detail : {prober::MetricsDetail::Full, prober::MetricsDetail::Summary,
                            prober::MetricsDetail::Minimal}) {
    const Figures plain = scrape(checks, detail, false);
    const Figures gzipped = scrape(checks, detail, true);
    const std::string name(prober::metricsDetailName(detail));
    std::printf("%s | %.0f | %zu | %.0f | %zu\n", name.c_str(), plain.ms, plain.bytes, gzipped.ms,
                gzipped.bytes);
    figures += " " + name + "_ms=" + std::to_string(std::lround(plain.ms)) + " " + name +
               "_bytes_per_check=" + std::to_string(plain.bytes / count) + " " + name +
               "_gzip_ms=" + std::to_string(std::lround(gzipped.ms));
  }
  std::printf("\n%s\n", figures.c_str());
  return 0;
}
