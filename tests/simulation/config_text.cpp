#include "tests/simulation/config_text.h"

#include <fmt/format.h>

#include "checks/utc_time.h"

namespace prober::simulation {

namespace {

std::string isoUtc(std::int64_t unixSeconds) {
  return formatUtc(unixSeconds * 1000, "%Y-%m-%dT%H:%M:%SZ");
}

std::string quotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "\"" : ", \"") + items[i] + "\"";
  }
  return out + "]";
}

}  // namespace

std::string configText(const Schedule& schedule, const ConfigVersion& version) {
  std::string out = "[prober]\nlisten = \"127.0.0.1:0\"\n";
  if (!version.shard.empty()) {
    out += fmt::format("shard = \"{}\"\n", version.shard);
  }
  std::string pagerDutyName;
  for (const Service& service : schedule.services) {
    const std::string& notifier = version.names.at(service.id);
    if (service.slack) {
      out += fmt::format("\n[notifiers.{}]\ntype = \"slack\"\nwebhook_url = \"{}\"\n", notifier,
                         service.url());
    } else {
      out += fmt::format(
          "\n[notifiers.{}]\ntype = \"pagerduty\"\nrouting_key = \"{}\"\nurl = \"{}\"\n", notifier,
          service.routingKey(version.generation(service.id)), service.url());
      if (pagerDutyName.empty()) {
        pagerDutyName = notifier;
      }
    }
  }
  out += fmt::format(
      "\n[slack_command]\nsigning_secret = \"{}\"\nnotifier = \"{}\"\nallowed_channels = "
      "[\"C1\"]\nallowed_users = [\"U1\"]\n",
      kSigningSecret, pagerDutyName);
  for (const Window& window : version.windows) {
    out += fmt::format(
        "\n[[maintenance]]\nname = \"{}\"\nchecks = [\"{}\"]\nstart = {}\nduration = \"{}s\"\n",
        window.name, window.check, isoUtc(window.startS), window.lengthS);
  }
  for (const CheckConfig& check : version.checks) {
    out += fmt::format(
        "\n[[check]]\nname = \"{}\"\nurl = \"http://{}.test/\"\ninterval = \"{}s\"\ntimeout = "
        "\"5s\"\nfailure_threshold = {}\nsuccess_threshold = {}\nassert = [\"status == 200\"]\n",
        check.name, check.name, check.intervalS, check.failureThreshold, check.successThreshold);
    if (check.failureWindow > 0) {
      out += fmt::format("failure_window = {}\n", check.failureWindow);
    }
    if (check.retryIntervalS > 0) {
      out += fmt::format("retry_interval = \"{}s\"\n", check.retryIntervalS);
    }
    if (check.renotifyS > 0) {
      out += fmt::format("renotify = \"{}s\"\n", check.renotifyS);
    }
    if (!check.dependsOn.empty()) {
      out += fmt::format("depends_on = [\"{}\"]\n", check.dependsOn);
    }
    if (check.quorum) {
      out += "page = \"quorum\"\n";
    }
    std::vector<std::string> names;
    for (const std::string& id : check.notify) {
      names.push_back(version.names.at(id));
    }
    out += "notify = " + quotedList(names) + "\n";
  }
  return out;
}

}  // namespace prober::simulation
