// Reads [prober]: where the daemon listens and keeps its state, how many probes run at once, its
// user agent, external URL, shard, location, history limits, status grouping and metrics detail,
// and which files it includes (read by the caller).
#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>

#include "checks/config/sections.h"
#include "checks/config/shared_reads.h"

namespace prober {

namespace {

const KeySet kProberKeys = {"listen",       "state_dir", "max_in_flight",     "user_agent",
                            "external_url", "include",   "history_retention", "history_max_size",
                            "shard",        "location",  "status_group_by",   "metrics"};

}  // namespace

ProberSettings readProberSection(ConfigReader& reader, const toml::node& node,
                                 std::vector<std::string>& includes) {
  ProberSettings settings;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, "[prober] must be a table");
    return settings;
  }
  reader.rejectUnknownKeys(*table, kProberKeys, "[prober]");
  if (const toml::node* listen = table->get("listen")) {
    if (auto text = reader.string(*listen, "listen")) {
      const auto colon = text->rfind(':');
      int port = -1;
      if (colon != std::string::npos && colon > 0) {
        std::from_chars(text->data() + colon + 1, text->data() + text->size(), port);
      }
      if (port < 0 || port > 65535) {
        reader.error(
            *listen,
            fmt::format("listen \"{}\" must be HOST:PORT, like \"127.0.0.1:9115\"", *text));
      } else {
        settings.listen = *text;
      }
    }
  }
  if (const toml::node* stateDir = table->get("state_dir")) {
    if (auto text = reader.string(*stateDir, "state_dir")) {
      settings.stateDir = *text;
    }
  }
  if (const toml::node* maxInFlight = table->get("max_in_flight")) {
    if (auto value = reader.integer(*maxInFlight, "max_in_flight", 1, 100000)) {
      settings.maxInFlight = static_cast<int>(*value);
    }
  }
  if (const toml::node* userAgent = table->get("user_agent")) {
    if (auto text = reader.string(*userAgent, "user_agent")) {
      settings.userAgent = *text;
    }
  }
  if (const toml::node* externalUrl = table->get("external_url")) {
    if (auto text = reader.string(*externalUrl, "external_url")) {
      settings.externalUrl = *text;
    }
  }
  if (const toml::node* include = table->get("include")) {
    if (auto patterns = reader.stringArray(*include, "include")) {
      includes = std::move(*patterns);
    }
  }
  if (const toml::node* retention = table->get("history_retention")) {
    if (auto value = reader.duration(*retention, "history_retention")) {
      if (*value < Millis(3600 * 1000) || *value > Millis(3660LL * 24 * 3600 * 1000)) {
        reader.error(*retention, "history_retention must be from 1h to 3660d");
      } else {
        settings.historyRetention = *value;
      }
    }
  }
  if (const toml::node* shard = table->get("shard")) {
    if (auto text = reader.string(*shard, "shard", false)) {
      std::string error;
      settings.shard = parseShard(*text, error);
      if (!settings.shard) {
        reader.error(*shard, error);
      }
    }
  }
  if (const toml::node* location = table->get("location")) {
    if (auto text = reader.string(*location, "location", false)) {
      if (!isValidCheckName(*text) || text->size() > 64) {
        reader.error(*location, "location may use only letters, digits and _ . : - (at most 64)");
      } else {
        settings.location = *text;
      }
    }
  }
  if (const toml::node* groupBy = table->get("status_group_by")) {
    if (auto text = reader.string(*groupBy, "status_group_by", false)) {
      if (!isValidLabelName(*text)) {
        reader.error(*groupBy,
                     "status_group_by must name a label: letters, digits and _, not starting "
                     "with a digit");
      } else {
        settings.statusGroupBy = *text;
      }
    }
  }
  if (const toml::node* metrics = table->get("metrics")) {
    if (auto text = reader.string(*metrics, "metrics", false)) {
      if (auto detail = parseMetricsDetail(*text)) {
        settings.metrics = *detail;
      } else {
        reader.error(
            *metrics,
            fmt::format("metrics \"{}\" must be \"full\", \"summary\" or \"minimal\"", *text));
      }
    }
  }
  if (const toml::node* maxSize = table->get("history_max_size")) {
    if (auto bytes = reader.byteSize(*maxSize, "history_max_size")) {
      if (*bytes < 1024 * 1024) {
        reader.error(*maxSize, "history_max_size must be at least 1MiB");
      } else {
        settings.historyMaxSize = *bytes;
      }
    }
  }
  return settings;
}

}  // namespace prober
