#include "alerting/notifiers/slack.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "checks/duration.h"
#include "checks/json_text.h"

namespace prober {

namespace {

constexpr const char* kRed = "#d00000";
constexpr const char* kGreen = "#2eb886";
constexpr const char* kAmber = "#daa038";

}  // namespace

std::string plainWords(const std::string& failedAssertion) {
  // Assertion failures read "ASSERTION (WHAT WAS SEEN)"; transport failures are already words.
  if (failedAssertion.empty() || failedAssertion.back() != ')') {
    return failedAssertion;
  }
  const auto open = failedAssertion.rfind(" (");
  if (open == std::string::npos) {
    return failedAssertion;
  }
  const std::string seen = failedAssertion.substr(open + 2, failedAssertion.size() - open - 3);
  return fmt::format("expected {}, but {}", failedAssertion.substr(0, open), seen);
}

std::string slackMessage(const AlertEvent& event, const std::string& externalUrl, bool reminder) {
  const std::string link = checkPageUrl(externalUrl, event.check);
  boost::json::object attachment;
  boost::json::array fields;
  std::string text;
  if (event.kind == AlertKind::Certificate) {
    const bool warn = event.action == AlertAction::Trigger;
    text =
        warn ? fmt::format(":warning: *{}*: its TLS certificate expires soon", event.check)
             : fmt::format(":white_check_mark: *{}*: its TLS certificate was renewed", event.check);
    attachment["color"] = warn ? kAmber : kGreen;
    attachment["title"] = warn ? fmt::format("{} certificate expires soon", event.check)
                               : fmt::format("{} certificate renewed", event.check);
    attachment["text"] = warn ? certSummary(event)
                              : fmt::format("It now expires {}.", readableUtc(event.certExpiry));
  } else if (event.kind == AlertKind::Degraded) {
    const bool warn = event.action == AlertAction::Trigger;
    text = warn ? fmt::format(":large_yellow_circle: *{}* is {}degraded", event.check,
                              reminder ? "still " : "")
                : fmt::format(":large_green_circle: *{}* is no longer degraded", event.check);
    attachment["color"] = warn ? kAmber : kGreen;
    attachment["title"] =
        fmt::format("{} is {}", event.check, warn ? "degraded" : "back to normal");
    attachment["text"] = warn && !event.failedAssertions.empty()
                             ? plainWords(event.failedAssertions.front())
                             : std::string("Its degraded assertions pass again.");
  } else if (event.action == AlertAction::Trigger) {
    text = reminder ? fmt::format(":red_circle: *{}* is still down (reminder)", event.check)
                    : fmt::format(":red_circle: *{}* is down", event.check);
    attachment["color"] = kRed;
    attachment["title"] = fmt::format("{} is failing", event.check);
    std::string why = event.summary;
    if (why.empty() && !event.failedAssertions.empty()) {
      why = plainWords(event.failedAssertions.front());
    }
    attachment["text"] = why;
    fields.push_back(
        {{"title", "Down since"}, {"value", readableUtc(event.failingSince)}, {"short", true}});
    fields.push_back({{"title", "Failed runs in a row"},
                      {"value", std::to_string(event.consecutiveFailures)},
                      {"short", true}});
  } else {
    const double downSeconds = std::chrono::duration<double>(event.at - event.failingSince).count();
    text = fmt::format(":large_green_circle: *{}* is back up", event.check);
    attachment["color"] = kGreen;
    attachment["title"] = fmt::format("{} recovered", event.check);
    // A clock stepped back since it went down leaves no honest length to tell.
    attachment["text"] =
        downSeconds >= 0 ? fmt::format("It was down for {} (since {}).", formatSeconds(downSeconds),
                                       readableUtc(event.failingSince))
                         : fmt::format("It was down since {} (the clock was set back meanwhile).",
                                       readableUtc(event.failingSince));
  }
  if (!event.location.empty()) {
    text += " (from " + event.location + ")";
    fields.push_back({{"title", "Location"}, {"value", event.location}, {"short", true}});
  }
  if (!link.empty()) {
    attachment["title_link"] = link;
  }
  if (!event.url.empty()) {
    fields.push_back({{"title", "URL"}, {"value", event.url}, {"short", false}});
  }
  attachment["fields"] = std::move(fields);
  attachment["footer"] = "prober";
  attachment["ts"] =
      std::chrono::duration_cast<std::chrono::seconds>(event.at.time_since_epoch()).count();
  return toJsonText(boost::json::object{
      {"text", text}, {"attachments", boost::json::array{std::move(attachment)}}});
}

}  // namespace prober
