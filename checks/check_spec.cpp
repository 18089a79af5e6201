#include "checks/check_spec.h"

#include <fmt/format.h>
#include <algorithm>
#include <ostream>

namespace prober {

std::string toString(const SourceLocation& where) {
  return fmt::format("{}:{}:{}", where.file, where.line, where.column);
}

std::string_view checkKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::Http: return "http";
  }
  return "unknown";
}

bool CheckSpec::sameAs(const CheckSpec& other) const {
  return name == other.name && kind == other.kind && interval == other.interval &&
         timeout == other.timeout && failureThreshold == other.failureThreshold &&
         successThreshold == other.successThreshold && failureWindow == other.failureWindow &&
         retryInterval == other.retryInterval && renotify == other.renotify &&
         dependsOn == other.dependsOn && pageByQuorum == other.pageByQuorum &&
         certWarning == other.certWarning && notify == other.notify && labels == other.labels &&
         steps == other.steps;
}

const std::string& CheckSpec::displayUrl() const {
  static const std::string kNone;
  return steps.empty() ? kNone : steps.front().displayUrl();
}

bool hasDegradedAssertions(const CheckSpec& spec) {
  return std::any_of(spec.steps.begin(), spec.steps.end(),
                     [](const StepSpec& step) { return !step.degradedAssertions.empty(); });
}

bool readsHeaders(const StepSpec& step) {
  const auto readsHeader = [](const Assertion& assertion) {
    return assertion.source() == AssertionSource::Header;
  };
  return std::any_of(step.assertions.begin(), step.assertions.end(), readsHeader) ||
         std::any_of(step.degradedAssertions.begin(), step.degradedAssertions.end(), readsHeader) ||
         std::any_of(step.extractions.begin(), step.extractions.end(),
                     [](const Extraction& extraction) {
                       return extraction.source() == ExtractionSource::Header;
                     });
}

std::ostream& operator<<(std::ostream& out, const CheckSpec& spec) {
  out << "CheckSpec{" << spec.name << ", every " << formatDuration(spec.interval) << ", timeout "
      << formatDuration(spec.timeout) << ", " << spec.steps.size() << " step(s)";
  if (!spec.steps.empty()) {
    out << ", " << spec.steps.front().method << " " << spec.steps.front().displayUrl();
  }
  return out << "}";
}

std::string_view levelName(AnnouncementSpec::Level level) {
  switch (level) {
    case AnnouncementSpec::Level::Info: return "info";
    case AnnouncementSpec::Level::Warning: return "warning";
    case AnnouncementSpec::Level::Outage: return "outage";
  }
  return "info";
}

std::optional<AnnouncementSpec::Level> parseLevel(std::string_view name) {
  for (auto level : {AnnouncementSpec::Level::Info, AnnouncementSpec::Level::Warning,
                     AnnouncementSpec::Level::Outage}) {
    if (levelName(level) == name) {
      return level;
    }
  }
  return std::nullopt;
}

std::string_view metricsDetailName(MetricsDetail detail) {
  switch (detail) {
    case MetricsDetail::Minimal: return "minimal";
    case MetricsDetail::Summary: return "summary";
    case MetricsDetail::Full: return "full";
  }
  return "full";
}

std::optional<MetricsDetail> parseMetricsDetail(std::string_view name) {
  for (auto detail : {MetricsDetail::Minimal, MetricsDetail::Summary, MetricsDetail::Full}) {
    if (metricsDetailName(detail) == name) {
      return detail;
    }
  }
  return std::nullopt;
}

}  // namespace prober
