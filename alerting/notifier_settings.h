#pragma once
// What each kind of notifier needs, typed: read from the config's [notifiers.NAME] tables, and
// [slack_command] checked against them, every problem a located config error. checks/ reads
// those tables as strings; the meaning of each setting lives here, next to what sends.
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "checks/check_spec.h"
#include "checks/config/config_loader.h"

namespace prober {

// Events API v2: where events go, the integration's routing key, the severity of its pages.
struct PagerDutySettings {
  static constexpr const char* kEventsUrl = "https://events.pagerduty.com/v2/enqueue";
  std::string routingKey;
  std::string eventsUrl = kEventsUrl;
  std::string severity = "critical";  // critical, error, warning or info
};

// An incoming webhook of a Slack app.
struct SlackSettings {
  std::string webhookUrl;
};

// Alertmanager's API v2, on every member of its cluster (each gets every alert, as Prometheus
// sends them; the members deduplicate among themselves).
struct AlertmanagerSettings {
  std::vector<std::string> urls;      // base URLs: "http://127.0.0.1:9093"
  Millis resend{60'000};              // while firing, the alert is posted again this often
  std::string severity = "critical";  // the label on check alerts (certificates: "warning")
};

struct Notifier {
  std::string name;
  std::variant<PagerDutySettings, SlackSettings, AlertmanagerSettings> settings;
  Millis timeout{10'000};  // for each delivery attempt

  const PagerDutySettings* pagerDuty() const { return std::get_if<PagerDutySettings>(&settings); }
  const SlackSettings* slack() const { return std::get_if<SlackSettings>(&settings); }
  const AlertmanagerSettings* alertmanager() const {
    return std::get_if<AlertmanagerSettings>(&settings);
  }
};
using Notifiers = std::map<std::string, Notifier>;

// Typed notifiers from the config's tables. What is wrong (an unknown type, a missing or unknown
// setting, a severity PagerDuty does not know) goes to `errors`, and that notifier is left out.
Notifiers readNotifiers(const std::map<std::string, NotifierSpec>& specs,
                        std::vector<ConfigError>& errors);

// [slack_command]: its notifier is a pagerduty one and its allow-lists hold Slack IDs.
void checkSlackCommand(const SlackCommandSpec& spec,
                       const std::map<std::string, NotifierSpec>& notifiers,
                       std::vector<ConfigError>& errors);

// Both, on what the loader read: passed as LoadOptions::validate by every entry point that loads
// a config for the daemon (run, reload, validate, once), so its errors come with the others.
void checkNotifiers(const Config& config, std::vector<ConfigError>& errors);

// LoadOptions with checkNotifiers as their validate step.
LoadOptions withNotifierChecks(LoadOptions options);

}  // namespace prober
