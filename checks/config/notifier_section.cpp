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
    auto values = reader_.stringArray(*list, fmt::format("slack_command {}", key));
    if (!values) {
      return;
    }
    for (const std::string& id : *values) {
      const bool looksLikeId =
          id.size() >= 2 && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
          });
      if (!looksLikeId) {
        reader_.error(*list, fmt::format("slack_command {}: \"{}\" is not a Slack ID (IDs, "
                                         "not names, decide: like \"{}0123456\")",
                                         key, id, prefix));
      }
    }
    out = std::move(*values);
  };
  ids("allowed_teams", "T", spec.allowedTeams, false);
  ids("allowed_channels", "C", spec.allowedChannels, true);
  ids("allowed_users", "U", spec.allowedUsers, true);
}

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
    const toml::node* type = settings->get("type");
    if (type == nullptr) {
      reader_.error(value,
                    fmt::format("notifier \"{}\" needs a type (\"pagerduty\" or \"slack\")", name));
      continue;
    }
    spec.type = reader_.string(*type, "type", false).value_or("");
    struct Field {
      const char* key;
      bool required;
      const char* fallback;
    };
    std::vector<Field> fields;
    if (spec.type == "pagerduty") {
      fields = {{"routing_key", true, nullptr},
                {"severity", false, "critical"},
                {"url", false, kPagerDutyUrl}};
    } else if (spec.type == "slack") {
      fields = {{"webhook_url", true, nullptr}};
    } else {
      reader_.error(*type, fmt::format("notifier \"{}\": unknown type \"{}\" (expected "
                                       "\"pagerduty\" or \"slack\")",
                                       name, spec.type));
      continue;
    }
    std::set<std::string, std::less<>> allowed = {"type", "timeout"};
    if (const toml::node* timeout = settings->get("timeout")) {
      spec.timeout = reader_.duration(*timeout, fmt::format("notifier \"{}\" timeout", name))
                         .value_or(spec.timeout);
      if (spec.timeout.count() <= 0 || spec.timeout > Millis(60'000)) {
        reader_.error(*timeout,
                      fmt::format("notifier \"{}\": timeout must be from 1ms to 1m", name));
      }
    }
    for (const Field& field : fields) {
      allowed.insert(field.key);
      const toml::node* fieldNode = settings->get(field.key);
      if (fieldNode == nullptr) {
        if (field.required) {
          reader_.error(value, fmt::format("notifier \"{}\" needs {}", name, field.key));
        } else {
          spec.settings[field.key] = field.fallback;
        }
        continue;
      }
      if (auto text =
              reader_.string(*fieldNode, fmt::format("notifier \"{}\" {}", name, field.key))) {
        spec.settings[field.key] = *text;
      }
    }
    if (spec.type == "pagerduty" && kSeverities.count(spec.settings["severity"]) == 0) {
      reader_.error(
          *settings->get("severity"),
          fmt::format("notifier \"{}\": severity must be critical, error, warning or info", name));
    }
    reader_.rejectUnknownKeys(*settings, allowed, fmt::format("notifier \"{}\"", name));
    config.notifiers[name] = std::move(spec);
  }
}

void ConfigBuilder::checkSlackCommandNotifier(const Config& config) {
  const std::string& name = config.slackCommand.notifier;
  if (!config.slackCommand.enabled || name.empty()) {
    return;
  }
  const auto notifier = config.notifiers.find(name);
  if (notifier == config.notifiers.end()) {
    reader_.error(
        slackNotifierAt_,
        fmt::format("slack_command notifier \"{}\" is not defined under [notifiers]", name));
  } else if (notifier->second.type != "pagerduty") {
    reader_.error(slackNotifierAt_,
                  fmt::format("slack_command notifier \"{}\" must be a pagerduty notifier "
                              "(it is {})",
                              name, notifier->second.type));
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
