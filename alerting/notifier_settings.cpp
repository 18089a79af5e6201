#include "alerting/notifier_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "checks/config/unknown_key.h"

namespace prober {

namespace {

using KeySet = std::set<std::string, std::less<>>;

const KeySet kSeverities = {"critical", "error", "warning", "info"};
constexpr const char* kTypes = "\"pagerduty\", \"slack\" or \"alertmanager\"";

// Reads one notifier's settings, given which it requires and which it may have.
class SettingsReader {
 public:
  SettingsReader(const NotifierSpec& spec, std::vector<ConfigError>& errors)
      : spec_(spec), errors_(errors) {}

  // The setting, or "" with an error when a required one is missing.
  std::string required(const std::string& key) {
    known_.insert(key);
    const auto it = spec_.settings.find(key);
    if (it == spec_.settings.end()) {
      error(spec_.lists.count(key) != 0 ? where(key) : spec_.at,
            fmt::format("notifier \"{}\" needs {}{}", spec_.name, key,
                        spec_.lists.count(key) != 0 ? ", a string" : ""));
      return {};
    }
    return it->second;
  }
  std::vector<std::string> requiredList(const std::string& key) {
    known_.insert(key);
    const auto it = spec_.lists.find(key);
    if (it == spec_.lists.end() || it->second.empty()) {
      error(spec_.settingsAt.count(key) != 0 ? where(key) : spec_.at,
            fmt::format("notifier \"{}\" needs {}, a list of at least one URL", spec_.name, key));
      return {};
    }
    return it->second;
  }
  std::optional<Millis> optionalDuration(const std::string& key) {
    known_.insert(key);
    const auto it = spec_.settings.find(key);
    if (it == spec_.settings.end()) {
      return std::nullopt;
    }
    const auto duration = parseDuration(it->second);
    if (!duration || duration->count() <= 0) {
      error(where(key),
            fmt::format("notifier \"{}\": {} must be a duration like \"1m\"", spec_.name, key));
      return std::nullopt;
    }
    return duration;
  }
  std::string optional(const std::string& key, std::string fallback) {
    known_.insert(key);
    const auto it = spec_.settings.find(key);
    return it == spec_.settings.end() ? fallback : it->second;
  }
  // `severity`: one PagerDuty knows (Alertmanager's label uses the same words).
  std::string severity(std::string fallback) {
    std::string value = optional("severity", std::move(fallback));
    if (kSeverities.count(value) == 0) {
      error(where("severity"), fmt::format("notifier \"{}\": severity must be critical, error, "
                                           "warning or info",
                                           spec_.name));
    }
    return value;
  }
  void error(const SourceLocation& where, std::string message) {
    errors_.push_back({where, std::move(message)});
    ++count_;
  }
  SourceLocation where(const std::string& key) const {
    const auto it = spec_.settingsAt.find(key);
    return it == spec_.settingsAt.end() ? spec_.at : it->second;
  }
  // Settings nobody asked for: a typo, or one of another type.
  void rejectUnknown() {
    for (const auto& [key, value] : spec_.settings) {
      reportIfUnknown(key);
    }
    for (const auto& [key, values] : spec_.lists) {
      reportIfUnknown(key);
    }
  }
  bool failed() const { return count_ > 0; }

 private:
  void reportIfUnknown(const std::string& key) {
    if (known_.count(key) == 0) {
      error(spec_.keysAt.count(key) != 0 ? spec_.keysAt.at(key) : spec_.at,
            unknownKeyMessage(key, known_, fmt::format("notifier \"{}\"", spec_.name)));
    }
  }

  const NotifierSpec& spec_;
  std::vector<ConfigError>& errors_;
  KeySet known_ = {"type", "timeout"};
  int count_ = 0;
};

std::optional<Notifier> readNotifier(const NotifierSpec& spec, std::vector<ConfigError>& errors) {
  SettingsReader reader(spec, errors);
  Notifier notifier{spec.name, PagerDutySettings{}, spec.timeout};
  if (spec.settingsAt.count("type") == 0) {
    reader.error(spec.at, fmt::format("notifier \"{}\" needs a type ({})", spec.name, kTypes));
    return std::nullopt;
  }
  if (spec.type == "pagerduty") {
    PagerDutySettings settings;
    settings.routingKey = reader.required("routing_key");
    settings.severity = reader.severity(settings.severity);
    settings.eventsUrl = reader.optional("url", settings.eventsUrl);
    notifier.settings = std::move(settings);
  } else if (spec.type == "slack") {
    notifier.settings = SlackSettings{reader.required("webhook_url")};
  } else if (spec.type == "alertmanager") {
    AlertmanagerSettings settings;
    settings.urls = reader.requiredList("urls");
    for (const std::string& url : settings.urls) {
      if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        reader.error(reader.where("urls"),
                     fmt::format("notifier \"{}\": urls: \"{}\" is not an http:// or https:// URL",
                                 spec.name, url));
      }
    }
    settings.resend = reader.optionalDuration("resend").value_or(settings.resend);
    settings.severity = reader.severity(settings.severity);
    notifier.settings = std::move(settings);
  } else {
    reader.error(reader.where("type"),
                 fmt::format("notifier \"{}\": unknown type \"{}\" (expected {})", spec.name,
                             spec.type, kTypes));
    return std::nullopt;
  }
  reader.rejectUnknown();
  if (reader.failed()) {
    return std::nullopt;
  }
  return notifier;
}

// Slack's IDs: a letter saying what it is (T, C, G, U, W) and upper-case letters and digits.
bool looksLikeSlackId(const std::string& id) {
  return id.size() >= 2 && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

}  // namespace

Notifiers readNotifiers(const std::map<std::string, NotifierSpec>& specs,
                        std::vector<ConfigError>& errors) {
  Notifiers out;
  for (const auto& [name, spec] : specs) {
    if (auto notifier = readNotifier(spec, errors)) {
      out.emplace(name, std::move(*notifier));
    }
  }
  return out;
}

void checkSlackCommand(const SlackCommandSpec& spec,
                       const std::map<std::string, NotifierSpec>& notifiers,
                       std::vector<ConfigError>& errors) {
  if (!spec.enabled) {
    return;
  }
  const auto at = [&spec](const std::string& key) {
    const auto it = spec.at.find(key);
    return it == spec.at.end() ? SourceLocation{} : it->second;
  };
  const auto notifier = notifiers.find(spec.notifier);
  if (notifier != notifiers.end() && notifier->second.type != "pagerduty") {
    errors.push_back({at("notifier"), fmt::format("slack_command notifier \"{}\" must be a "
                                                  "pagerduty notifier (it is {})",
                                                  spec.notifier, notifier->second.type)});
  }
  const auto ids = [&](const char* key, const char* prefix, const std::vector<std::string>& list) {
    for (const std::string& id : list) {
      if (!looksLikeSlackId(id)) {
        errors.push_back({at(key), fmt::format("slack_command {}: \"{}\" is not a Slack ID (IDs, "
                                               "not names, decide: like \"{}0123456\")",
                                               key, id, prefix)});
      }
    }
  };
  ids("allowed_teams", "T", spec.allowedTeams);
  ids("allowed_channels", "C", spec.allowedChannels);
  ids("allowed_users", "U", spec.allowedUsers);
}

void checkNotifiers(const Config& config, std::vector<ConfigError>& errors) {
  readNotifiers(config.notifiers, errors);
  checkSlackCommand(config.slackCommand, config.notifiers, errors);
}

LoadOptions withNotifierChecks(LoadOptions options) {
  options.validate = checkNotifiers;
  return options;
}

}  // namespace prober
