// /metrics as a scrape sees it: which families each `[prober] metrics` setting exports, the
// body streamed in bounded pieces, gzip that decodes to the same text, OpenMetrics' end.
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "prober/runtime/check_set.h"
#include "prober/web/metrics/metrics_endpoint.h"
#include "prober/web/server/gzip.h"
#include "tests/fakes/recorded_run.h"

namespace {

std::shared_ptr<const prober::CheckSpec> makeSpec(const std::string& name) {
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = name;
  spec->labels = {{"team", "payments"}};
  prober::StepSpec step;
  step.name = name;
  step.url = "https://api.example.com/" + name;
  spec->steps.push_back(step);
  return spec;
}

prober::RunResultPtr makeRun(const std::string& name, bool passed) {
  auto run = std::make_shared<prober::RunResult>();
  run->check = name;
  run->passed = passed;
  run->durationSeconds = 0.25;
  prober::StepOutcome step;
  step.name = name;
  step.probe.status = passed ? 200 : 503;
  step.probe.tls = true;
  step.probe.tlsVersion = "TLS 1.3";
  step.probe.certExpiry =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));
  step.verdict.passed = passed;
  if (!passed) {
    step.verdict.reason = prober::FailureReason::HttpStatus;
    step.verdict.failures.push_back("status == 200 (got 503)");
  }
  run->steps.push_back(step);
  return run;
}

// The sample names of a text exposition (`name` of each `name{...} value` line), once each.
std::set<std::string> sampleNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int status = Z_OK;
  for (int turn = 0; turn < 100000 && status == Z_OK; ++turn) {
    char buffer[65536];
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  CHECK(status == Z_STREAM_END);
  return out;
}

// A running set of `count` checks, every third one failing, each with one run.
struct Running {
  prober::CheckSet checks;
  explicit Running(int count) {
    std::vector<std::shared_ptr<const prober::CheckSpec>> specs;
    for (int i = 0; i < count; ++i) {
      specs.push_back(makeSpec("check-" + std::to_string(i)));
    }
    checks.apply(specs);
    for (const auto& state : checks.inOrder()) {
      prober::testing::recordRun(
          *state, makeRun(state->spec()->name, std::stoi(state->spec()->name.substr(6)) % 3));
    }
  }
  // Every check's series in one go, as /metrics begins.
  std::string checksText() const {
    std::vector<const prober::CheckState*> all;
    for (const auto& state : checks.inOrder()) {
      all.push_back(state.get());
    }
    std::string whole;
    prober::renderCheckMetrics(whole, all);
    return whole;
  }
};

// Serves one scrape and pulls it piece by piece, as the server does.
struct Scrape {
  prober::ServerResponse response;
  std::vector<std::size_t> pieces;  // the size of each
  std::string body;
};

Scrape scrape(const prober::CheckSet& checks, prober::MetricsDetail detail,
              std::vector<std::pair<std::string, std::string>> headers = {},
              std::string accept = "") {
  prober::ProcessMetrics metrics;
  prober::MetricsEndpoint endpoint(
      checks, metrics, [] {}, [detail] { return detail; }, "test");
  prober::ServerRequest request;
  request.method = "GET";
  request.target = "/metrics";
  request.accept = std::move(accept);
  request.headers = std::move(headers);
  Scrape out;
  endpoint.serve(request, [&](prober::ServerResponse response) { out.response = response; });
  REQUIRE(out.response.stream);
  for (int piece = 0; piece < 100000; ++piece) {
    std::string next;
    const bool more = out.response.stream(next);
    out.pieces.push_back(next.size());
    out.body += next;
    if (!more) {
      break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("[prober] metrics chooses the per-check families /metrics writes") {
  prober::CheckState api(makeSpec("api"));
  prober::testing::recordRun(api, makeRun("api", false));
  const auto render = [&](prober::MetricsDetail detail) {
    std::string out;
    prober::renderCheckMetrics(out, {&api}, detail);
    return sampleNames(out);
  };
  CHECK(render(prober::MetricsDetail::Minimal) == std::set<std::string>{"probe_success",
                                                                        "probe_duration_seconds",
                                                                        "prober_check_runs_total"});
  CHECK(render(prober::MetricsDetail::Summary) ==
        std::set<std::string>{"probe_success", "probe_duration_seconds", "prober_check_runs_total",
                              "probe_http_status_code", "probe_ssl_earliest_cert_expiry",
                              "prober_alert_firing", "prober_check_runs_skipped_total",
                              "prober_check_info"});
  const std::set<std::string> full = render(prober::MetricsDetail::Full);
  CHECK(full.size() > 20);
  CHECK(full.count("probe_http_duration_seconds") == 1);
  CHECK(full.count("prober_check_failures_total") == 1);

  // Series a check costs (README, "Metrics"): a one-step HTTPS check that failed once.
  const auto series = [&](prober::MetricsDetail detail) {
    std::string out;
    prober::renderCheckMetrics(out, {&api}, detail);
    std::istringstream in(out);
    int samples = 0;
    for (std::string line; std::getline(in, line);) {
      samples += line.empty() || line[0] == '#' ? 0 : 1;
    }
    return samples;
  };
  CHECK(series(prober::MetricsDetail::Minimal) == 4);
  CHECK(series(prober::MetricsDetail::Summary) == 9);
  CHECK(series(prober::MetricsDetail::Full) == 40);

  std::string minimal;
  prober::renderCheckMetrics(minimal, {&api}, prober::MetricsDetail::Minimal);
  CHECK(minimal ==
        "# HELP probe_success Whether the last run of the check passed.\n"
        "# TYPE probe_success gauge\n"
        "probe_success{check=\"api\"} 0\n"
        "# HELP probe_duration_seconds How long the last run took.\n"
        "# TYPE probe_duration_seconds gauge\n"
        "probe_duration_seconds{check=\"api\"} 0.25\n"
        "# HELP prober_check_runs_total Finished runs of each check by result.\n"
        "# TYPE prober_check_runs_total counter\n"
        "prober_check_runs_total{check=\"api\",result=\"success\"} 0\n"
        "prober_check_runs_total{check=\"api\",result=\"failure\"} 1\n");
}

TEST_CASE("a scrape is streamed in bounded pieces that add up to the whole text") {
  Running running(3000);
  const Scrape scraped = scrape(running.checks, prober::MetricsDetail::Full);
  CHECK(scraped.response.contentType == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(scraped.pieces.size() > 20);
  for (std::size_t size : scraped.pieces) {
    // A piece stops at the first check past the limit: one check's samples at most over it.
    CHECK(size <= prober::MetricsEndpoint::kPieceBytes + 4096);
  }
  const std::string whole = running.checksText();
  REQUIRE(scraped.body.size() > whole.size());
  CHECK(scraped.body.compare(0, whole.size(), whole) == 0);  // then the process's own
  CHECK(scraped.body.find("\nprober_checks ") != std::string::npos);
  CHECK(scraped.body.find("prober_build_info{") != std::string::npos);

  const Scrape minimal = scrape(running.checks, prober::MetricsDetail::Minimal);
  CHECK(minimal.body.size() * 5 < scraped.body.size());
  CHECK(minimal.body.find("probe_http_duration_seconds") == std::string::npos);
}

TEST_CASE("a scrape is gzipped when the scraper accepts it, and decodes to the same text") {
  Running running(2000);
  const Scrape plain = scrape(running.checks, prober::MetricsDetail::Full);
  const Scrape zipped =
      scrape(running.checks, prober::MetricsDetail::Full, {{"accept-encoding", "gzip"}});
  const auto& headers = zipped.response.headers;
  CHECK(std::find(headers.begin(), headers.end(),
                  std::pair<std::string, std::string>{"Content-Encoding", "gzip"}) !=
        headers.end());
  CHECK(zipped.body.size() * 10 < plain.body.size());
  const std::string text = gunzip(zipped.body);
  // The checks' part is the same byte for byte (the process's own values move on).
  const std::string checksPart = running.checksText();
  CHECK(text.compare(0, checksPart.size(), checksPart) == 0);
  CHECK(text.find("prober_build_info{") != std::string::npos);

  const Scrape refused = scrape(running.checks, prober::MetricsDetail::Full,
                                {{"accept-encoding", "gzip;q=0, identity"}});
  CHECK(refused.body.compare(0, checksPart.size(), checksPart) == 0);
}

TEST_CASE("an OpenMetrics scrape names counters without _total and ends with # EOF once") {
  Running running(10);
  const Scrape scraped = scrape(running.checks, prober::MetricsDetail::Summary, {},
                                "application/openmetrics-text; version=1.0.0");
  CHECK(scraped.response.contentType.rfind("application/openmetrics-text", 0) == 0);
  CHECK(scraped.body.find("# TYPE prober_check_runs counter\n") != std::string::npos);
  CHECK(scraped.body.find("prober_check_runs_total{check=\"check-1\",result=\"success\"} 1") !=
        std::string::npos);
  CHECK(scraped.body.size() > 6);
  CHECK(scraped.body.substr(scraped.body.size() - 6) == "# EOF\n");
  CHECK(scraped.body.find("# EOF") == scraped.body.size() - 6);
}

TEST_CASE("Accept-Encoding takes gzip unless it is refused") {
  CHECK(prober::acceptsGzip("gzip"));
  CHECK(prober::acceptsGzip("deflate, GZIP;q=0.5"));
  CHECK(prober::acceptsGzip("*"));
  CHECK(prober::acceptsGzip("identity, gzip ; q=1.0"));
  CHECK_FALSE(prober::acceptsGzip(""));
  CHECK_FALSE(prober::acceptsGzip("identity"));
  CHECK_FALSE(prober::acceptsGzip("gzip;q=0"));
  CHECK_FALSE(prober::acceptsGzip("gzip;q=0.000, *"));
  CHECK_FALSE(prober::acceptsGzip("*;q=0"));
  CHECK_FALSE(prober::acceptsGzip("br"));
}

TEST_CASE("gzip pieces of any size make one stream") {
  prober::GzipStream gzip;
  std::string text;
  for (int i = 0; i < 50000; ++i) {
    text += "probe_success{check=\"c" + std::to_string(i) + "\"} 1\n";
  }
  std::string compressed;
  for (std::size_t at = 0; at < text.size(); at += 7777) {
    gzip.compress(std::string_view(text).substr(at, 7777), compressed, false);
  }
  gzip.compress("", compressed, true);
  CHECK(gunzip(compressed) == text);
}
