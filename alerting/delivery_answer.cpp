// How the outbox reads a receiver's answer, and the post to every member of an Alertmanager
// cluster that turns their answers into one.
#include "alerting/delivery_answer.h"

#include <fmt/format.h>
#include <algorithm>
#include <iterator>
#include <memory>

#include "alerting/notifiers/alertmanager.h"
#include "checks/redaction.h"

namespace prober {

namespace {

constexpr std::size_t kLoggedBodyLimit = 500;

// Slack's documented answers that no retry changes (a revoked webhook, an archived channel),
// each named in the answer's body; the same status from a proxy names none of them.
constexpr std::string_view kSlackFinalErrors[] = {
    "invalid_payload",   "invalid_token",
    "no_service",        "no_service_id",
    "no_team",           "team_disabled",
    "channel_not_found", "channel_is_archived",
    "action_prohibited", "posting_to_general_channel_denied",
    "user_not_found"};

}  // namespace

bool isSuccess(int status) {
  return status >= 200 && status <= 299;
}

bool refusedForGood(const TransportAnswer& answer, bool slack) {
  if (!slack) {
    return answer.status == 400;
  }
  if (answer.status < 400 || answer.status > 499) {
    return false;
  }
  return std::any_of(std::begin(kSlackFinalErrors), std::end(kSlackFinalErrors),
                     [&](std::string_view error) { return answer.body.find(error) == 0; });
}

bool isRefusal(int status) {
  return status >= 300 && status <= 499 && status != 408 && status != 429;
}

std::string describeAnswer(const TransportAnswer& answer) {
  if (answer.status == 0) {
    return redactUrlCredentials(answer.error);
  }
  std::string body = answer.body.substr(0, kLoggedBodyLimit);
  return redactUrlCredentials(body.empty() ? fmt::format("HTTP {}", answer.status)
                                           : fmt::format("HTTP {}: {}", answer.status, body));
}

void postToEveryMember(Transport& transport, const OutgoingRequest& request,
                       const std::vector<std::string>& baseUrls,
                       std::function<void(TransportAnswer)> done) {
  struct Gathered {
    std::size_t waiting;
    std::vector<std::string> urls;
    std::vector<TransportAnswer> answers;
    std::function<void(TransportAnswer)> done;
  };
  auto gathered = std::make_shared<Gathered>(Gathered{
      baseUrls.size(), baseUrls, std::vector<TransportAnswer>(baseUrls.size()), std::move(done)});
  for (std::size_t i = 0; i < baseUrls.size(); ++i) {
    OutgoingRequest toMember = request;
    toMember.url = alertmanagerAlertsUrl(baseUrls[i]);
    transport.post(toMember, [gathered, i](TransportAnswer answer) {
      gathered->answers[i] = std::move(answer);
      if (--gathered->waiting > 0) {
        return;
      }
      bool allRefused = true;
      std::string said;
      for (std::size_t m = 0; m < gathered->answers.size(); ++m) {
        const TransportAnswer& each = gathered->answers[m];
        if (isSuccess(each.status)) {
          return gathered->done(each);
        }
        allRefused = allRefused && refusedForGood(each, false);
        said += fmt::format("{}{}: {}", said.empty() ? "" : "; ",
                            redactUrlCredentials(gathered->urls[m]), describeAnswer(each));
      }
      // A refusal for good from every member keeps its status (never retried); anything else
      // is retried, its status kept when every member refused (a proxy before them all).
      const bool allRefusing =
          std::all_of(gathered->answers.begin(), gathered->answers.end(),
                      [](const TransportAnswer& each) { return isRefusal(each.status); });
      // The status says how it ends: 400 only when every member refused for good.
      TransportAnswer combined;
      combined.status = allRefused ? 400 : allRefusing ? gathered->answers.front().status : 0;
      if (allRefusing && !allRefused && combined.status == 400) {
        combined.status = 403;  // some members refused for good, some not: retried, as refused
      }
      if (allRefused || allRefusing) {
        combined.body = said;
      } else {
        combined.error = said;
      }
      gathered->done(std::move(combined));
    });
  }
}

}  // namespace prober
