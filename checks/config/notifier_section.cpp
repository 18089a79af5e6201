// Reads [notifiers.NAME] tables and [slack_command]: who is told, and who may page from Slack.
// What each notifier type needs is alerting's to check; that the checks' notify lists and the
// Slack command name notifiers that exist is a rule over the whole config (config_rules.cpp).
#include <fmt/format.h>
#include <toml++/toml.h>

#include "checks/config/sections.h"

namespace prober {

namespace {

const KeySet kSlackCommandKeys = {"signing_secret", "notifier", "allowed_teams", "allowed_channels",
                                  "allowed_users"};

}  // namespace

SlackCommandSpec readSlackCommandSection(ConfigReader& reader, const toml::node& node) {
  SlackCommandSpec spec;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, "[slack_command] must be a table");
    return spec;
  }
  spec.enabled = true;
  reader.rejectUnknownKeys(*table, kSlackCommandKeys, "[slack_command]");
  if (const toml::node* secret = table->get("signing_secret")) {
    const auto text = reader.string(*secret, "slack_command signing_secret");
    spec.signingSecret = text.value_or("");
    if (text && text->empty()) {
      reader.error(*secret, "slack_command signing_secret must not be empty");
    }
  } else {
    reader.error(node,
                 "[slack_command] needs signing_secret (Slack app, Basic Information, "
                 "Signing Secret), usually \"${SLACK_SIGNING_SECRET}\"");
  }
  if (const toml::node* notifier = table->get("notifier")) {
    spec.notifier = reader.string(*notifier, "slack_command notifier", false).value_or("");
    spec.at["notifier"] = reader.where(*notifier);
  } else {
    reader.error(node, "[slack_command] needs notifier: the pagerduty notifier to page");
  }
  const auto ids = [&](const char* key, const char* prefix, std::vector<std::string>& out,
                       bool required) {
    const toml::node* list = table->get(key);
    if (list == nullptr) {
      if (required) {
        reader.error(node, fmt::format("[slack_command] needs {} (Slack IDs like \"{}0123456\")",
                                       key, prefix));
      }
      return;
    }
    spec.at[key] = reader.where(*list);
    if (auto values = reader.stringArray(*list, fmt::format("slack_command {}", key))) {
      out = std::move(*values);
    }
  };
  ids("allowed_teams", "T", spec.allowedTeams, false);
  ids("allowed_channels", "C", spec.allowedChannels, true);
  ids("allowed_users", "U", spec.allowedUsers, true);
  return spec;
}

// Each table's type and settings are read as strings (or arrays of strings), whatever the
// type: alerting knows the types and their settings and checks them once the whole config is read.
std::map<std::string, NotifierSpec> readNotifierSection(ConfigReader& reader,
                                                        const toml::node& node) {
  std::map<std::string, NotifierSpec> notifiers;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, "[notifiers] must hold tables like [notifiers.pagerduty]");
    return notifiers;
  }
  for (auto&& [key, value] : *table) {
    const std::string name(key.str());
    const toml::table* settings = value.as_table();
    if (settings == nullptr) {
      reader.error(value, fmt::format("notifier \"{}\" must be a table", name));
      continue;
    }
    NotifierSpec spec;
    spec.name = name;
    spec.at = reader.where(value);
    for (auto&& [settingKey, setting] : *settings) {
      const std::string field(settingKey.str());
      spec.settingsAt[field] = reader.where(setting);
      spec.keysAt[field] = reader.where(settingKey.source());
      if (field == "timeout") {
        spec.timeout = reader.duration(setting, fmt::format("notifier \"{}\" timeout", name))
                           .value_or(spec.timeout);
        if (spec.timeout.count() <= 0 || spec.timeout > Millis(60'000)) {
          reader.error(setting,
                       fmt::format("notifier \"{}\": timeout must be from 1ms to 1m", name));
        }
      } else if (field == "type") {
        spec.type = reader.string(setting, "type", false).value_or("");
      } else if (setting.is_array()) {
        if (auto values =
                reader.stringArray(setting, fmt::format("notifier \"{}\" {}", name, field))) {
          spec.lists[field] = std::move(*values);
        }
      } else if (auto text =
                     reader.string(setting, fmt::format("notifier \"{}\" {}", name, field))) {
        spec.settings[field] = *text;
      }
    }
    notifiers[name] = std::move(spec);
  }
  return notifiers;
}

}  // namespace prober
