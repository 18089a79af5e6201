#pragma once
// What a check is, validated and immutable once loaded. A check is a list of steps run in
// order on one schedule; a single-request check is a check with one step.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checks/assertion.h"
#include "checks/duration.h"

namespace prober {

// Where something was written, for messages: FILE:LINE:COL.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};
std::string toString(const SourceLocation& where);

inline constexpr std::uint64_t kDefaultBodySizeLimit = 1024 * 1024;
inline constexpr int kDefaultMaxRedirects = 10;

struct StepSpec {
  std::string name;  // the check's name for a single-request check
  std::string method = "GET";
  std::string url;         // with ${VAR} expanded: used for requests only
  std::string displayUrl;  // as written, ${VAR} left unexpanded: safe to show anywhere
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool followRedirects = true;
  int maxRedirects = kDefaultMaxRedirects;
  bool tlsVerify = true;
  std::uint64_t bodySizeLimit = kDefaultBodySizeLimit;
  std::vector<Assertion> assertions;  // empty: any 2xx passes

  bool operator==(const StepSpec&) const = default;
};

struct CheckSpec {
  std::string name;
  SourceLocation definedAt;
  Millis interval{30'000};
  Millis timeout{10'000};
  int failureThreshold = 3;
  int successThreshold = 1;
  std::vector<std::string> notify;
  std::map<std::string, std::string> labels;
  std::vector<StepSpec> steps;

  // Same behaviour (where it was written does not matter): decides whether a reload keeps
  // the check's state.
  bool sameAs(const CheckSpec& other) const;
};

std::ostream& operator<<(std::ostream& out, const CheckSpec& spec);

struct NotifierSpec {
  std::string name;
  std::string type;                             // "pagerduty" | "slack"
  std::map<std::string, std::string> settings;  // expanded values; may hold secrets
  Millis timeout{10'000};                       // for each delivery attempt
};

struct ProberSettings {
  std::string listen = "127.0.0.1:9115";
  std::string stateDir = "./state";
  int maxInFlight = 1000;
  std::string userAgent;  // default "prober/VERSION", filled by the runtime
  std::string externalUrl;
};

struct Config {
  std::string path;
  ProberSettings prober;
  std::map<std::string, NotifierSpec> notifiers;
  std::vector<std::shared_ptr<const CheckSpec>> checks;  // in file order
};

}  // namespace prober
