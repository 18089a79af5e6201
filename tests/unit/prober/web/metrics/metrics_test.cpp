// Per-check series are rendered by hand for speed; they must read exactly as prometheus-cpp
// would write the same values.
#include <doctest/doctest.h>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "prober/web/metrics/metrics.h"
#include "tests/fakes/recorded_run.h"

namespace {

std::shared_ptr<const prober::CheckSpec> makeSpec(const std::string& name) {
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = name;
  spec->labels = {{"team", "payments"}, {"env", "prod \"eu\"\\1"}};
  prober::StepSpec step;
  step.name = name;
  step.url = "https://api.example.com/health?token=s3cret";
  step.writtenUrl = "https://api.example.com/health?token=${TOKEN}";
  spec->steps.push_back(step);
  return spec;
}

prober::RunResultPtr makeRun(const std::string& name, bool passed, double seconds, int status) {
  auto run = std::make_shared<prober::RunResult>();
  run->check = name;
  run->passed = passed;
  run->durationSeconds = seconds;
  prober::StepOutcome step;
  step.name = name;
  step.probe.status = status;
  step.probe.totalSeconds = seconds;
  step.probe.phases = {0.000026, 0.000562, 0.0123, 0.1, 1e-7};
  step.probe.bodySize = 1234;
  step.probe.redirects = 1;
  step.probe.httpVersion = 11;
  step.probe.ipProtocol = 6;
  step.probe.tls = true;
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

// The TYPE line and the sample lines of one family in a text exposition, sorted (prometheus-cpp
// writes children in hash order).
std::string familyLines(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    const bool sampleLine =
        line.rfind(name + "{", 0) == 0 || line.rfind(name + "_bucket{", 0) == 0 ||
        line.rfind(name + "_sum{", 0) == 0 || line.rfind(name + "_count{", 0) == 0;
    if (sampleLine || line == "# TYPE " + name + " gauge" ||
        line == "# TYPE " + name + " counter" || line == "# TYPE " + name + " histogram") {
      lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& kept : lines) {
    out += kept + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("hand-rendered per-check series match prometheus-cpp's rendering of the same values") {
  prober::CheckState api(makeSpec("api"));
  prober::CheckState down(makeSpec("down\"quoted"));
  const double apiDurations[] = {0.0417, 0.2, 12.0};
  for (double seconds : apiDurations) {
    prober::testing::recordRun(api, makeRun("api", true, seconds, 200));
  }
  prober::testing::recordRun(down, makeRun("down", false, 0.003, 503));
  prober::testing::recordRun(down, makeRun("down", false, 1.0 / 3.0, 503));
  const std::string ours = [&] {
    std::string out;
    prober::renderCheckMetrics(out, {&api, &down});
    return out;
  }();

  prometheus::Registry registry;
  auto& success = prometheus::BuildGauge().Name("probe_success").Help("h").Register(registry);
  auto& phases =
      prometheus::BuildGauge().Name("probe_http_duration_seconds").Help("h").Register(registry);
  auto& status =
      prometheus::BuildGauge().Name("probe_http_status_code").Help("h").Register(registry);
  auto& expiry =
      prometheus::BuildGauge().Name("probe_ssl_earliest_cert_expiry").Help("h").Register(registry);
  auto& runs =
      prometheus::BuildCounter().Name("prober_check_runs_total").Help("h").Register(registry);
  auto& duration = prometheus::BuildHistogram()
                       .Name("prober_check_duration_seconds")
                       .Help("h")
                       .Register(registry);
  auto& info = prometheus::BuildGauge().Name("prober_check_info").Help("h").Register(registry);
  auto& httpVersion =
      prometheus::BuildGauge().Name("probe_http_version").Help("h").Register(registry);
  auto& dnsLookup =
      prometheus::BuildGauge().Name("probe_dns_lookup_time_seconds").Help("h").Register(registry);
  auto& ipProtocol =
      prometheus::BuildGauge().Name("probe_ip_protocol").Help("h").Register(registry);
  auto& failures = prometheus::BuildGauge()
                       .Name("prober_check_consecutive_failures")
                       .Help("h")
                       .Register(registry);
  const prometheus::Histogram::BucketBoundaries bounds(prober::kDurationBuckets.begin(),
                                                       prober::kDurationBuckets.end());
  for (const prober::CheckState* check : {&api, &down}) {
    const std::string name = check->spec()->name;
    const auto& probe = *check->last()->lastProbe();
    success.Add({{"check", name}}).Set(check->last()->passed ? 1 : 0);
    status.Add({{"check", name}}).Set(probe.status);
    httpVersion.Add({{"check", name}}).Set(1.1);
    dnsLookup.Add({{"check", name}}).Set(0.000026);
    ipProtocol.Add({{"check", name}}).Set(6);
    expiry.Add({{"check", name}}).Set(1'900'000'000);
    const std::pair<const char*, double> phaseValues[] = {{"resolve", probe.phases.resolve},
                                                          {"connect", probe.phases.connect},
                                                          {"tls", probe.phases.tls},
                                                          {"processing", probe.phases.processing},
                                                          {"transfer", probe.phases.transfer}};
    for (const auto& [phase, value] : phaseValues) {
      phases.Add({{"check", name}, {"phase", phase}}).Set(value);
    }
    runs.Add({{"check", name}, {"result", "success"}})
        .Increment(static_cast<double>(check->successes()));
    runs.Add({{"check", name}, {"result", "failure"}})
        .Increment(static_cast<double>(check->failures()));
    failures.Add({{"check", name}}).Set(check->alert().consecutiveFailures());
    std::map<std::string, std::string> labels(check->spec()->labels.begin(),
                                              check->spec()->labels.end());
    labels["check"] = name;
    labels["url"] = check->spec()->steps[0].displayUrl();
    info.Add(labels).Set(1);
  }
  auto& apiHistogram = duration.Add({{"check", "api"}}, bounds);
  for (double seconds : apiDurations) {
    apiHistogram.Observe(seconds);
  }
  auto& downHistogram = duration.Add({{"check", "down\"quoted"}}, bounds);
  downHistogram.Observe(0.003);
  downHistogram.Observe(1.0 / 3.0);

  std::ostringstream theirs;
  prometheus::TextSerializer().Serialize(theirs, registry.Collect());

  for (const char* family :
       {"probe_success", "probe_http_duration_seconds", "probe_http_status_code",
        "probe_ssl_earliest_cert_expiry", "prober_check_runs_total",
        "prober_check_duration_seconds", "prober_check_info", "prober_check_consecutive_failures",
        "probe_http_version", "probe_dns_lookup_time_seconds", "probe_ip_protocol"}) {
    CAPTURE(family);
    const std::string expected = familyLines(theirs.str(), family);
    CHECK_FALSE(expected.empty());
    CHECK(familyLines(ours, family) == expected);
  }
  // Secrets expanded into the URL never reach the metrics.
  CHECK(ours.find("s3cret") == std::string::npos);
}

TEST_CASE("checks that have not run yet expose no probe_* series but do expose their info") {
  prober::CheckState fresh(makeSpec("fresh"));
  std::string out;
  prober::renderCheckMetrics(out, {&fresh});
  CHECK(out.find("probe_success") == std::string::npos);
  CHECK(out.find("prober_check_info{check=\"fresh\"") != std::string::npos);
  CHECK(out.find("prober_check_runs_total{check=\"fresh\",result=\"success\"} 0") !=
        std::string::npos);
}

TEST_CASE("a multi-step check has per-step status and phase series; unreached steps read 0") {
  auto spec = std::make_shared<prober::CheckSpec>(*makeSpec("flow"));
  spec->steps.front().name = "login";
  prober::StepSpec me = spec->steps.front();
  me.name = "me";
  spec->steps.push_back(me);
  prober::CheckState flow(spec);
  auto run = std::make_shared<prober::RunResult>(*makeRun("flow", false, 0.25, 401));
  run->steps.front().name = "login";
  prober::testing::recordRun(flow, run);
  std::string out;
  prober::renderCheckMetrics(out, {&flow});
  for (const char* line : {
           "probe_success{check=\"flow\"} 0\n",
           "probe_http_status_code{check=\"flow\",step=\"login\"} 401\n",
           "probe_http_status_code{check=\"flow\",step=\"me\"} 0\n",
           "probe_http_duration_seconds{check=\"flow\",step=\"login\",phase=\"tls\"} 0.0123\n",
           "probe_http_duration_seconds{check=\"flow\",step=\"me\",phase=\"tls\"} 0\n",
           "prober_step_success{check=\"flow\",step=\"login\"} 0\n",
           "prober_step_success{check=\"flow\",step=\"me\"} 0\n",
       }) {
    CAPTURE(line);
    CHECK(out.find(line) != std::string::npos);
  }
  CHECK(out.find("probe_http_status_code{check=\"flow\"}") == std::string::npos);

  // A single-request check keeps blackbox_exporter's label set: no step label.
  prober::CheckState single(makeSpec("api"));
  prober::testing::recordRun(single, makeRun("api", true, 0.1, 200));
  std::string plain;
  prober::renderCheckMetrics(plain, {&single});
  CHECK(plain.find("probe_http_status_code{check=\"api\"} 200\n") != std::string::npos);
  CHECK(plain.find("step=") == std::string::npos);
  CHECK(plain.find("prober_step_success") == std::string::npos);
}

TEST_CASE("failed runs are counted by reason; a reason's series appears with its first failure") {
  prober::CheckState check(makeSpec("api"));
  prober::testing::recordRun(check, makeRun("api", true, 0.1, 200));
  std::string before;
  prober::renderCheckMetrics(before, {&check});
  CHECK(before.find("prober_check_failures_total") == std::string::npos);

  prober::testing::recordRun(check, makeRun("api", false, 0.1, 503));
  prober::testing::recordRun(check, makeRun("api", false, 0.1, 503));
  auto timeout = std::make_shared<prober::RunResult>(*makeRun("api", false, 5, 0));
  timeout->steps.front().verdict.reason = prober::FailureReason::Timeout;
  prober::testing::recordRun(check, timeout);
  std::string out;
  prober::renderCheckMetrics(out, {&check});
  CHECK(out.find("prober_check_failures_total{check=\"api\",reason=\"http_status\"} 2\n") !=
        std::string::npos);
  CHECK(out.find("prober_check_failures_total{check=\"api\",reason=\"timeout\"} 1\n") !=
        std::string::npos);
  CHECK(out.find("reason=\"dns\"") == std::string::npos);
}

TEST_CASE("metric values are written like prometheus-cpp writes them") {
  CHECK(prober::formatMetricValue(1) == "1");
  CHECK(prober::formatMetricValue(0.1) == "0.1");
  CHECK(prober::formatMetricValue(1.9e9) == "1900000000");
  CHECK(prober::formatMetricValue(2.6e-5) == "2.6e-05");
  CHECK(prober::formatMetricValue(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(prober::escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("OpenMetrics names counter families without _total and ends with # EOF") {
  const std::string text =
      "# HELP prober_check_runs_total Finished runs.\n"
      "# TYPE prober_check_runs_total counter\n"
      "prober_check_runs_total{check=\"a\",result=\"success\"} 3\n"
      "# HELP probe_success Whether it passed.\n"
      "# TYPE probe_success gauge\n"
      "probe_success{check=\"a\"} 1\n";
  CHECK(prober::toOpenMetrics(text) ==
        "# HELP prober_check_runs Finished runs.\n"
        "# TYPE prober_check_runs counter\n"
        "prober_check_runs_total{check=\"a\",result=\"success\"} 3\n"
        "# HELP probe_success Whether it passed.\n"
        "# TYPE probe_success gauge\n"
        "probe_success{check=\"a\"} 1\n"
        "# EOF\n");
}

TEST_CASE("prober_history_records_dropped_total follows the history's running count") {
  prober::ProcessMetrics metrics;
  const auto dropped = [&metrics] {
    const std::string text = prober::renderProcessMetrics(metrics);
    const std::string name = "\nprober_history_records_dropped_total ";
    const auto at = text.find(name);
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + name.size()));
  };
  CHECK(dropped() == 0);  // present before anything is dropped
  metrics.setHistoryDropped(5);
  CHECK(dropped() == 5);
  metrics.setHistoryDropped(5);  // the same total again adds nothing
  metrics.setHistoryDropped(8);
  CHECK(dropped() == 8);
}

TEST_CASE("a check's own scrape (/probe) is its /metrics series without the check label") {
  prober::CheckState api(makeSpec("api"));
  prober::testing::recordRun(api, makeRun("api", false, 0.25, 503));
  std::string named;
  prober::renderCheckMetrics(named, {&api});
  std::string own;
  prober::renderOneCheck(own, api);

  // Remove `check="api"` (and the comma after it, or the braces it was alone in) from every
  // line of /metrics, and drop prober_check_info, whose labels are the target's on /probe.
  std::string expected;
  std::istringstream in(named);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("prober_check_info") != std::string::npos) {
      continue;
    }
    for (const std::string& form :
         {std::string("{check=\"api\"}"), std::string("check=\"api\",")}) {
      if (const auto at = line.find(form); at != std::string::npos) {
        line.erase(at, form.size());
      }
    }
    expected += line + "\n";
  }
  CHECK(own == expected);
  CHECK(own.find("probe_success 0\n") != std::string::npos);
  CHECK(own.find("probe_http_version 1.1\n") != std::string::npos);
  CHECK(own.find("probe_ip_protocol 6\n") != std::string::npos);
  CHECK(own.find("prober_check_duration_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(own.find("check=") == std::string::npos);
}
