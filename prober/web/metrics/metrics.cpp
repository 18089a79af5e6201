#include "prober/web/metrics/metrics.h"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>

#include "checks/text.h"

namespace prober {

void appendMetricValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15 && !std::signbit(value)) {
    // Counts, codes and flags: whole numbers print the same either way, and faster as integers.
    out += fmt::format_int(static_cast<std::int64_t>(value)).c_str();
  } else {
    // prometheus-cpp writes max_digits10 - 1 significant digits in %g style; match it exactly.
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, value, std::chars_format::general, 16);
    out.append(text, end.ptr);
  }
}

std::string formatMetricValue(double value) {
  std::string out;
  appendMetricValue(out, value);
  return out;
}

void appendEscapedLabelValue(std::string& out, std::string_view value) {
  // One pass over the bytes (find_first_of looks each byte up in the set with a call).
  const bool plain = std::none_of(value.begin(), value.end(),
                                  [](char c) { return c == '\\' || c == '"' || c == '\n'; });
  if (plain) {
    out += value;  // check names and most values: nothing to escape
    return;
  }
  out += escapeCharacters(value, {{'\\', "\\\\"}, {'"', "\\\""}, {'\n', "\\n"}});
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  appendEscapedLabelValue(out, value);
  return out;
}

namespace {

// HELP and TYPE. OpenMetrics names a counter family without the _total its samples carry.
void header(std::string& out, std::string_view name, std::string_view help, std::string_view type,
            bool openMetrics) {
  constexpr std::string_view kTotal = "_total";
  if (openMetrics && type == "counter" && name.size() > kTotal.size() &&
      name.substr(name.size() - kTotal.size()) == kTotal) {
    name.remove_suffix(kTotal.size());
  }
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// The labels of one sample: `check="NAME"` then `extra` (",key=\"value\"..."), or, for a
// check's own scrape (/probe, where Prometheus' target labels name the check), `extra` alone.
// Writes nothing when there are no labels at all.
void labels(std::string& out, const CheckState& state, bool named, std::string_view extra) {
  if (named) {
    out += "{check=\"";
    appendEscapedLabelValue(out, state.spec()->name);
    out += '"';
    out += extra;
    out += '}';
  } else if (!extra.empty()) {
    out += '{';
    out += extra.substr(1);  // without its leading comma
    out += '}';
  }
}

// `name{check="x"<extra>} value`
void sample(std::string& out, std::string_view name, const CheckState& state, bool named,
            std::string_view extraLabels, double value) {
  out += name;
  labels(out, state, named, extraLabels);
  out += ' ';
  appendMetricValue(out, value);
  out += '\n';
}

const ProbeOutcome* lastProbe(const CheckState& state) {
  return state.last() ? state.last()->lastProbe() : nullptr;
}

// Calls `write(stepLabel, probe)` for each step whose series a check has: its one request
// (no step label) for a single-request state; every step of a multi-step state, each labelled
// with its name, and a step the last run did not reach with nullptr (its series stay, as
// zeros, so alert rules never see them vanish).
template <typename Write>
void forEachStep(const CheckState& state, Write&& write) {
  const RunResultPtr& last = state.last();
  if (!last) {
    return;
  }
  const CheckSpec& spec = *state.spec();
  if (spec.steps.size() <= 1) {
    if (const ProbeOutcome* probe = last->lastProbe()) {
      write(std::string(), probe, last->steps.back().verdict.passed);
    }
    return;
  }
  for (const StepSpec& step : spec.steps) {
    const std::string label = fmt::format(",step=\"{}\"", escapeLabelValue(step.name));
    const StepOutcome* ran = nullptr;
    for (const StepOutcome& outcome : last->steps) {
      if (outcome.name == step.name) {
        ran = &outcome;
      }
    }
    write(label, ran != nullptr ? &ran->probe : nullptr, ran != nullptr && ran->verdict.passed);
  }
}

// One per-check family: how to write one check's samples (nothing when it has no value yet;
// the family's HELP and TYPE come before its first sample).
struct CheckFamily {
  const char* name;
  const char* help;
  const char* type;
  void (*samples)(std::string& out, const CheckState& state, bool named);
  bool onProbe = true;  // also in a check's own scrape (/probe)
};

constexpr CheckFamily kFamilies[] = {
    {"probe_success", "Whether the last run of the check passed.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (state.last()) {
         sample(out, "probe_success", state, named, "", state.last()->passed ? 1 : 0);
       }
     }},
    {"probe_duration_seconds", "How long the last run took.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (state.last()) {
         sample(out, "probe_duration_seconds", state, named, "", state.last()->durationSeconds);
       }
     }},
    {"probe_http_status_code", "HTTP status of the last response (0: none), per step.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       forEachStep(state, [&](const std::string& step, const ProbeOutcome* probe, bool) {
         sample(out, "probe_http_status_code", state, named, step,
                probe != nullptr ? probe->status : 0);
       });
     }},
    {"probe_http_version", "HTTP version of the last response (1.1, 2; 0: none).", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_http_version", state, named, "", probe->httpVersion / 10.0);
       }
     }},
    {"probe_dns_lookup_time_seconds", "How long the last request's DNS lookup took.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_dns_lookup_time_seconds", state, named, "", probe->phases.resolve);
       }
     }},
    {"probe_ip_protocol",
     "IP version of the address the last request connected to (4, 6; 0: none).", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_ip_protocol", state, named, "", probe->ipProtocol);
       }
     }},
    {"probe_http_duration_seconds", "Duration of each phase of the last request, per step.",
     "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       forEachStep(state, [&](const std::string& step, const ProbeOutcome* probe, bool) {
         const PhaseTimings p = probe != nullptr ? probe->phases : PhaseTimings{};
         const std::pair<const char*, double> phases[] = {{",phase=\"resolve\"", p.resolve},
                                                          {",phase=\"connect\"", p.connect},
                                                          {",phase=\"tls\"", p.tls},
                                                          {",phase=\"processing\"", p.processing},
                                                          {",phase=\"transfer\"", p.transfer}};
         for (const auto& [phase, seconds] : phases) {
           // Single-request checks (nearly all of them) write constant labels: no allocation.
           sample(out, "probe_http_duration_seconds", state, named,
                  step.empty() ? std::string_view(phase) : std::string_view(step + phase), seconds);
         }
       });
     }},
    {"prober_step_success", "Whether each step of a multi-step check passed in the last run.",
     "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (state.spec()->steps.size() <= 1) {
         return;
       }
       forEachStep(state, [&](const std::string& step, const ProbeOutcome*, bool passed) {
         sample(out, "prober_step_success", state, named, step, passed ? 1 : 0);
       });
     }},
    {"probe_http_content_length", "Body size of the last response in bytes.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_http_content_length", state, named, "",
                probe->contentLength >= 0 ? static_cast<double>(probe->contentLength)
                                          : static_cast<double>(probe->bodySize));
       }
     }},
    {"probe_http_redirects", "Redirects followed by the last request.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_http_redirects", state, named, "", probe->redirects);
       }
     }},
    {"probe_http_ssl", "Whether the last response came over TLS.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const ProbeOutcome* probe = lastProbe(state)) {
         sample(out, "probe_http_ssl", state, named, "", probe->tls ? 1 : 0);
       }
     }},
    {"probe_ssl_earliest_cert_expiry",
     "When the earliest certificate of the chain expires, in unix seconds.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       if (const auto expiry = state.certExpiry()) {
         sample(out, "probe_ssl_earliest_cert_expiry", state, named, "",
                static_cast<double>(
                    std::chrono::duration_cast<std::chrono::seconds>(expiry->time_since_epoch())
                        .count()));
       }
     }},
    {"probe_tls_version_info", "The TLS version the last handshake negotiated; always 1.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       const ProbeOutcome* probe = lastProbe(state);
       if (probe != nullptr && !probe->tlsVersion.empty()) {
         sample(out, "probe_tls_version_info", state, named,
                fmt::format(",version=\"{}\"", escapeLabelValue(probe->tlsVersion)), 1);
       }
     }},
    {"prober_check_duration_seconds", "Run durations of each check.", "histogram",
     [](std::string& out, const CheckState& state, bool named) {
       // Each bucket's `le` label, worked out once.
       static const std::array<std::string, kDurationBuckets.size()> kBounds = [] {
         std::array<std::string, kDurationBuckets.size()> bounds;
         for (std::size_t i = 0; i < bounds.size(); ++i) {
           bounds[i] = ",le=\"" + formatMetricValue(kDurationBuckets[i]) + "\"";
         }
         return bounds;
       }();
       constexpr std::string_view kBucket = "prober_check_duration_seconds_bucket";
       std::uint64_t cumulative = 0;
       for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
         cumulative += state.durationBuckets()[i];
         sample(out, kBucket, state, named, kBounds[i], static_cast<double>(cumulative));
       }
       const auto count = static_cast<double>(state.successes() + state.failures());
       sample(out, kBucket, state, named, ",le=\"+Inf\"", count);
       sample(out, "prober_check_duration_seconds_sum", state, named, "", state.durationSum());
       sample(out, "prober_check_duration_seconds_count", state, named, "", count);
     }},
    {"prober_check_runs_total", "Finished runs of each check by result.", "counter",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_runs_total", state, named, ",result=\"success\"",
              static_cast<double>(state.successes()));
       sample(out, "prober_check_runs_total", state, named, ",result=\"failure\"",
              static_cast<double>(state.failures()));
     }},
    {"prober_check_failures_total",
     "Failed runs of each check by reason (a reason's series appears at its first failure).",
     "counter",
     [](std::string& out, const CheckState& state, bool named) {
       const CheckState::FailureCounts* counts = state.failuresByReason();
       if (counts == nullptr) {
         return;
       }
       for (std::size_t i = 0; i < counts->size(); ++i) {
         if ((*counts)[i] != 0) {
           const auto reason = static_cast<FailureReason>(i);
           sample(out, "prober_check_failures_total", state, named,
                  fmt::format(",reason=\"{}\"", failureReasonName(reason)),
                  static_cast<double>((*counts)[i]));
         }
       }
     }},
    {"prober_check_runs_skipped_total",
     "Runs not started because the previous run was still going.", "counter",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_runs_skipped_total", state, named, "",
              static_cast<double>(state.skipped()));
     }},
    {"prober_check_consecutive_failures", "Failed runs in a row.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_consecutive_failures", state, named, "",
              state.alert().consecutiveFailures());
     }},
    {"prober_alert_firing", "1 while the check's alert is firing.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_alert_firing", state, named, "", state.alert().firing() ? 1 : 0);
     }},
    {"prober_check_degraded",
     "1 while the check's last run passed with a degraded assertion failing.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_degraded", state, named, "", state.degraded() ? 1 : 0);
     }},
    {"prober_check_suppressed",
     "1 while a check in the check's depends_on fires: its pages are held.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_suppressed", state, named, "", state.suppressed() ? 1 : 0);
     }},
    {"prober_check_silenced",
     "1 while a maintenance window or a silence covers the check: its pages are held.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       sample(out, "prober_check_silenced", state, named, "", state.silenced() ? 1 : 0);
     }},
    {"prober_check_info", "The check's URL and labels; always 1.", "gauge",
     [](std::string& out, const CheckState& state, bool named) {
       const CheckSpec& spec = *state.spec();
       // Sorted by name, as Prometheus' own clients write them.
       std::map<std::string_view, std::string_view> sorted(spec.labels.begin(), spec.labels.end());
       sorted.emplace("url", spec.displayUrl());
       std::string infoLabels;
       for (const auto& [key, value] : sorted) {
         fmt::format_to(std::back_inserter(infoLabels), ",{}=\"{}\"", key, escapeLabelValue(value));
       }
       sample(out, "prober_check_info", state, named, infoLabels, 1);
     },
     // On /probe the target labels carry the URL and the config labels already.
     false},
};

// Whether `[prober] metrics = detail` exports a family: minimal keeps what says whether a check
// works and how long it takes; summary adds what examples/alerts.yml and the dashboard's
// overview read; full is everything.
bool exported(std::string_view family, MetricsDetail detail) {
  static constexpr std::string_view kMinimal[] = {"probe_success", "probe_duration_seconds",
                                                  "prober_check_runs_total"};
  static constexpr std::string_view kSummary[] = {
      "probe_http_status_code", "probe_ssl_earliest_cert_expiry", "prober_alert_firing",
      "prober_check_runs_skipped_total", "prober_check_info"};
  const auto named = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), family) != std::end(list);
  };
  switch (detail) {
    case MetricsDetail::Minimal: return named(kMinimal);
    case MetricsDetail::Summary: return named(kMinimal) || named(kSummary);
    case MetricsDetail::Full: return true;
  }
  return true;
}

}  // namespace

CheckMetricsWriter::CheckMetricsWriter(std::shared_ptr<const CheckList> checks,
                                       MetricsDetail detail, bool openMetrics)
    : checks_(std::move(checks)), detail_(detail), openMetrics_(openMetrics) {}

void renderOneCheck(std::string& out, const CheckState& state) {
  for (const CheckFamily& family : kFamilies) {
    if (!family.onProbe) {
      continue;
    }
    std::string samples;
    family.samples(samples, state, false);
    if (!samples.empty()) {
      header(out, family.name, family.help, family.type, false);
      out += samples;
    }
  }
}

bool CheckMetricsWriter::write(std::string& out, std::size_t until) {
  constexpr std::size_t kFamilyCount = std::size(kFamilies);
  const CheckList& checks = *checks_;
  std::string samples;  // a family's first samples, until they show it has any
  std::size_t looked = 0;
  for (; family_ < kFamilyCount; ++family_, check_ = 0, headerWritten_ = false) {
    const CheckFamily& family = kFamilies[family_];
    if (!exported(family.name, detail_)) {
      continue;
    }
    for (; check_ < checks.size(); ++check_, ++looked) {
      if (out.size() >= until || looked >= kChecksPerWrite) {
        return false;
      }
      if (headerWritten_) {
        family.samples(out, *checks[check_], true);
        continue;
      }
      samples.clear();
      family.samples(samples, *checks[check_], true);
      if (!samples.empty()) {
        header(out, family.name, family.help, family.type, openMetrics_);
        out += samples;
        headerWritten_ = true;
      }
    }
  }
  return true;
}

void renderCheckMetrics(std::string& out, const std::vector<const CheckState*>& checks,
                        MetricsDetail detail) {
  auto borrowed = std::make_shared<CheckList>();
  borrowed->reserve(checks.size());
  for (const CheckState* state : checks) {
    // Not owned, and only read: the writer takes the list the CheckSet shares.
    borrowed->emplace_back(std::shared_ptr<CheckState>(), const_cast<CheckState*>(state));
  }
  CheckMetricsWriter writer(std::move(borrowed), detail, false);
  for (bool done = false; !done;) {
    done = writer.write(out, std::numeric_limits<std::size_t>::max());
  }
}

bool wantsOpenMetrics(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos;
}

std::string scrapeContentType(bool openMetrics) {
  return openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                     : "text/plain; version=0.0.4; charset=utf-8";
}

ServerResponse scrapeResponse(std::string text, bool openMetrics) {
  return {200, scrapeContentType(openMetrics), openMetrics ? toOpenMetrics(text) : std::move(text),
          ""};
}

std::string toOpenMetrics(std::string_view text) {
  std::string out = toOpenMetricsLines(text);
  out += "# EOF\n";
  return out;
}

std::string toOpenMetricsLines(std::string_view text) {
  const auto lines = [&](auto visit) {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      visit(text.substr(start, end - start));
      start = end + 1;
    }
  };
  // Counter families first: their HELP line comes before the TYPE line that says so.
  std::set<std::string_view> counters;
  lines([&](std::string_view line) {
    constexpr std::string_view kType = "# TYPE ";
    if (line.rfind(kType, 0) == 0 && line.size() > 8 &&
        line.substr(line.size() - 8) == " counter") {
      counters.insert(line.substr(kType.size(), line.size() - kType.size() - 8));
    }
  });
  std::string out;
  out.reserve(text.size() + 8);
  lines([&](std::string_view line) {
    for (std::string_view prefix : {std::string_view("# HELP "), std::string_view("# TYPE ")}) {
      if (line.rfind(prefix, 0) != 0) {
        continue;
      }
      const std::string_view rest = line.substr(prefix.size());
      const std::string_view name = rest.substr(0, rest.find(' '));
      if (counters.count(name) != 0 && name.size() > 6 &&
          name.substr(name.size() - 6) == "_total") {
        out.append(prefix).append(name.substr(0, name.size() - 6)).append(rest.substr(name.size()));
        out.push_back('\n');
        return;
      }
    }
    out.append(line).push_back('\n');
  });
  return out;
}

}  // namespace prober
