// [notifiers.NAME] and [slack_command], and the checks' notify lists that name them.
#include <fmt/format.h>
#include <toml++/toml.h>

#include "checks/config/config_builder.h"
#include "checks/text.h"

namespace prober {

// [slack_command]: read here; that its notifier exists is checked once all are read.
void ConfigBuilder::readSlackCommand(const toml::node& node, SlackCommandSpec& spec) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader_.error(node, "[slack_command] must be a table");
    return;
  }
  spec.enabled = true;
  reader_.rejectUnknownKeys(*table, kSlackCommandKeys, "[slack_command]");
  if (const toml::node* secret = table->get("signing_secret")) {
    const auto text = reader_.string(*secret, "slack_command signing_secret");
    spec.signingSecret = text.value_or("");
    if (text && text->empty()) {
      reader_.error(*secret, "slack_command signing_secret must not be empty");
    }
  } else {
    reader_.error(node,
                  "[slack_command] needs signing_secret (Slack app, Basic Information, "
                  "Signing Secret), usually \"${SLACK_SIGNING_SECRET}\"");
  }
  if (const toml::node* notifier = table->get("notifier")) {
    spec.notifier = reader_.string(*notifier, "slack_command notifier", false).value_or("");
    slackNotifierAt_ = reader_.where(*notifier);
    spec.at["notifier"] = slackNotifierAt_;
  } else {
    reader_.error(node, "[slack_command] needs notifier: the pagerduty notifier to page");
  }
  const auto ids = [&](const char* key, const char* prefix, std::vector<std::string>& out,
                       bool required) {
    const toml::node* list = table->get(key);
    if (list == nullptr) {
      if (required) {
        reader_.error(node, fmt::format("[slack_command] needs {} (Slack IDs like \"{}0123456\")",
                                        key, prefix));
      }
      return;
    }
    spec.at[key] = reader_.where(*list);
    if (auto values = reader_.stringArray(*list, fmt::format("slack_command {}", key))) {
      out = std::move(*values);
    }
  };
  ids("allowed_teams", "T", spec.allowedTeams, false);
  ids("allowed_channels", "C", spec.allowedChannels, true);
  ids("allowed_users", "U", spec.allowedUsers, true);
}

// Each table's type and settings are read as strings (or arrays of strings), whatever the
// type: alerting knows the types and their settings and checks them once the whole config is read.
void ConfigBuilder::readNotifiers(const toml::node& node, Config& config) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader_.error(node, "[notifiers] must hold tables like [notifiers.pagerduty]");
    return;
  }
  for (auto&& [key, value] : *table) {
    const std::string name(key.str());
    const toml::table* settings = value.as_table();
    if (settings == nullptr) {
      reader_.error(value, fmt::format("notifier \"{}\" must be a table", name));
      continue;
    }
    NotifierSpec spec;
    spec.name = name;
    spec.at = reader_.where(value);
    for (auto&& [settingKey, setting] : *settings) {
      const std::string field(settingKey.str());
      spec.settingsAt[field] = reader_.where(setting);
      spec.keysAt[field] = reader_.where(settingKey.source());
      if (field == "timeout") {
        spec.timeout = reader_.duration(setting, fmt::format("notifier \"{}\" timeout", name))
                           .value_or(spec.timeout);
        if (spec.timeout.count() <= 0 || spec.timeout > Millis(60'000)) {
          reader_.error(setting,
                        fmt::format("notifier \"{}\": timeout must be from 1ms to 1m", name));
        }
      } else if (field == "type") {
        spec.type = reader_.string(setting, "type", false).value_or("");
      } else if (setting.is_array()) {
        if (auto values =
                reader_.stringArray(setting, fmt::format("notifier \"{}\" {}", name, field))) {
          spec.lists[field] = std::move(*values);
        }
      } else if (auto text =
                     reader_.string(setting, fmt::format("notifier \"{}\" {}", name, field))) {
        spec.settings[field] = *text;
      }
    }
    config.notifiers[name] = std::move(spec);
  }
}

// That the Slack command's notifier is defined; that it is a pagerduty one, and that the IDs
// look like Slack's, alerting checks (alerting/notifier_settings.h).
void ConfigBuilder::checkSlackCommandNotifier(const Config& config) {
  const std::string& name = config.slackCommand.notifier;
  if (config.slackCommand.enabled && !name.empty() && config.notifiers.count(name) == 0) {
    reader_.error(
        slackNotifierAt_,
        fmt::format("slack_command notifier \"{}\" is not defined under [notifiers]", name));
  }
}

void ConfigBuilder::checkNotifyNames(const Config& config) {
  for (const auto& use : notifyUses_) {
    for (const std::string& name : use.names) {
      if (config.notifiers.count(name) == 0) {
        reader_.error(use.where, fmt::format("check \"{}\": notify names \"{}\", which is not "
                                             "defined under [notifiers]",
                                             use.check, name));
      }
    }
  }
}

}  // namespace prober
