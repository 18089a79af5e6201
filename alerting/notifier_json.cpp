#include "alerting/notifier_json.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <boost/json.hpp>
#include <vector>

#include "checks/json_text.h"

namespace prober {

namespace {

boost::json::array stringArray(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const auto& value : values) {
    out.emplace_back(value);
  }
  return out;
}

std::optional<std::string> stringAt(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<std::int64_t> integerAt(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) {
    return std::nullopt;
  }
  return value->get_int64();
}

}  // namespace

std::string notifierJson(const Notifier& notifier) {
  boost::json::object out;
  out["timeout_ms"] = notifier.timeout.count();
  if (const auto* pagerDuty = notifier.pagerDuty()) {
    out["type"] = "pagerduty";
    out["routing_key"] = pagerDuty->routingKey;
    out["url"] = pagerDuty->eventsUrl;
    out["severity"] = pagerDuty->severity;
  } else if (const auto* slack = notifier.slack()) {
    out["type"] = "slack";
    out["webhook_url"] = slack->webhookUrl;
  } else if (const auto* alertmanager = notifier.alertmanager()) {
    out["type"] = "alertmanager";
    out["urls"] = stringArray(alertmanager->urls);
    out["resend_ms"] = alertmanager->resend.count();
    out["severity"] = alertmanager->severity;
  }
  return toJsonText(out);
}

std::string notifierDestination(const Notifier& notifier) {
  if (const auto* pagerDuty = notifier.pagerDuty()) {
    return "pagerduty " + pagerDuty->eventsUrl + " " + pagerDuty->routingKey;
  }
  if (const auto* slack = notifier.slack()) {
    return "slack " + slack->webhookUrl;
  }
  std::vector<std::string> urls;
  if (const auto* alertmanager = notifier.alertmanager()) {
    urls = alertmanager->urls;
  }
  std::sort(urls.begin(), urls.end());
  std::string out = "alertmanager";
  for (const auto& url : urls) {
    out += " " + url;
  }
  return out;
}

std::string storedDestination(const Notifier& notifier) {
  // FNV-1a, 64 bits: an identity, not a protection; the text it hashes never leaves memory.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : notifierDestination(notifier)) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(kStoredDestinationPrefix) + hex;
}

std::optional<Notifier> notifierFromJson(std::string_view json, const std::string& name) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_object()) {
    return std::nullopt;
  }
  const auto& object = parsed.get_object();
  const auto type = stringAt(object, "type");
  const auto timeout = integerAt(object, "timeout_ms");
  if (!type || !timeout) {
    return std::nullopt;
  }
  Notifier out;
  out.name = name;
  out.timeout = Millis(*timeout);
  if (*type == "pagerduty") {
    const auto key = stringAt(object, "routing_key");
    const auto url = stringAt(object, "url");
    const auto severity = stringAt(object, "severity");
    if (!key || !url || !severity) {
      return std::nullopt;
    }
    out.settings = PagerDutySettings{*key, *url, *severity};
  } else if (*type == "slack") {
    const auto url = stringAt(object, "webhook_url");
    if (!url) {
      return std::nullopt;
    }
    out.settings = SlackSettings{*url};
  } else if (*type == "alertmanager") {
    const auto* urls = object.if_contains("urls");
    const auto resend = integerAt(object, "resend_ms");
    const auto severity = stringAt(object, "severity");
    if (urls == nullptr || !urls->is_array() || !resend || !severity) {
      return std::nullopt;
    }
    AlertmanagerSettings settings;
    for (const auto& url : urls->get_array()) {
      if (!url.is_string()) {
        return std::nullopt;
      }
      settings.urls.emplace_back(url.get_string());
    }
    settings.resend = Millis(*resend);
    settings.severity = *severity;
    out.settings = std::move(settings);
  } else {
    return std::nullopt;
  }
  return out;
}

}  // namespace prober
