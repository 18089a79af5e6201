#include "tests/simulation/world.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <ctime>

namespace prober::simulation {

namespace {

using std::chrono::milliseconds;

// "c3" from "http://c3.test/".
std::string checkOfUrl(const std::string& url) {
  const auto from = url.find("//");
  const auto to = url.find(".test");
  return from == std::string::npos || to == std::string::npos ? url
                                                              : url.substr(from + 2, to - from - 2);
}
// "pd-a" from "http://127.0.0.1:9/pd-a".
std::string serviceOfUrl(const std::string& url) {
  return url.substr(url.rfind('/') + 1);
}

ProbeResult answer(int status, double seconds) {
  ProbeResult result;
  result.status = status;
  result.totalSeconds = seconds;
  return result;
}

// "2026-03-01T00:10:00.250Z" (milliseconds optional) as Unix ms; -1 when it is not one.
std::int64_t parseIsoMs(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  if (text.size() > 20 && text[19] == '.') {
    millis = std::atoi(text.substr(20, 3).c_str());
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
}

}  // namespace

ReadPage readPage(const std::string& body, bool slack) {
  ReadPage page;
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) {
    return page;
  }
  const auto& object = json.get_object();
  if (!slack) {
    const auto* action = object.if_contains("event_action");
    const auto* key = object.if_contains("dedup_key");
    if (action == nullptr || key == nullptr || !key->is_string()) {
      return page;
    }
    const std::string dedup(key->get_string());
    if (dedup.rfind("prober:", 0) != 0 || dedup.find(':', 7) != std::string::npos) {
      return page;  // a certificate or degraded warning, or a person's page: not simulated
    }
    page.check = dedup.substr(7);
    if (const auto* routing = object.if_contains("routing_key"); routing && routing->is_string()) {
      page.routingKey = std::string(routing->get_string());
    }
    page.kind = *action == "trigger" ? PostKind::Trigger : PostKind::Resolve;
    if (const auto* stamp = object.if_contains("payload")) {
      if (const auto* at = stamp->as_object().if_contains("timestamp")) {
        page.eventWallMs = parseIsoMs(std::string(at->as_string()));
      }
    }
    return page;
  }
  const auto* text = object.if_contains("text");
  if (text == nullptr || !text->is_string()) {
    return page;
  }
  const std::string said(text->get_string());
  const auto open = said.find('*');
  const auto close = said.find('*', open + 1);
  if (open == std::string::npos || close == std::string::npos) {
    return page;
  }
  page.check = said.substr(open + 1, close - open - 1);
  if (said.find("is still down (reminder)") != std::string::npos) {
    page.kind = PostKind::Reminder;
  } else if (said.find("* is down") != std::string::npos) {
    page.kind = PostKind::Trigger;
  } else if (said.find("* is back up") != std::string::npos) {
    page.kind = PostKind::Resolve;
  }
  if (const auto* attachments = object.if_contains("attachments")) {
    const auto& first = attachments->as_array().at(0).as_object();
    if (const auto* ts = first.if_contains("ts"); ts != nullptr && ts->is_number()) {
      page.eventWallMs = ts->to_number<std::int64_t>() * 1000;
    }
  }
  return page;
}

World::World(const Schedule& schedule, Record& record)
    : schedule_(schedule), record_(record), random_(schedule.seed ^ 0x5eed5eedULL) {
  heal();
}

void World::heal() {
  for (const CheckConfig& check : schedule_.versions.front().checks) {
    targets_[check.name] = TargetMode::Up;
  }
  for (const Service& service : schedule_.services) {
    notifiers_[service.id] = NotifierMode::Ok;
  }
}

testing::ScriptedHttpEngine::Outcome World::probe(const HttpRequest& request) {
  const std::string check = checkOfUrl(request.url);
  TargetMode mode = targets_.count(check) ? targets_[check] : TargetMode::Up;
  if (mode == TargetMode::Flapping) {
    mode = random_.chance(0.5) ? TargetMode::Up : TargetMode::Down;
  }
  switch (mode) {
    case TargetMode::Up: return {answer(200, 0.05), milliseconds(50)};
    case TargetMode::Down: return {answer(500, 0.05), milliseconds(50)};
    case TargetMode::Refused: {
      ProbeResult refused = answer(0, 0.001);
      refused.failure = FailureKind::ConnectionRefused;
      refused.failureMessage = "connection refused";
      return {refused, milliseconds(1)};
    }
    case TargetMode::Slow: {
      const auto took = milliseconds(random_.between(2000, 4500));
      return {answer(200, static_cast<double>(took.count()) / 1000), took};
    }
    default: {
      ProbeResult late = answer(0, static_cast<double>(request.timeout.count()) / 1000);
      late.failure = FailureKind::Timeout;
      late.failureMessage = "timed out";
      return {late, request.timeout};
    }
  }
}

void World::probeAnswered(const std::string& url, const ProbeResult& result, std::int64_t nowMs,
                          std::int64_t sentAtMs) {
  const bool pass = result.status == 200;
  const std::string check = checkOfUrl(url);
  record_.observations.push_back(Observation{nowMs, check, pass, sentAtMs});
}

testing::ScriptedTransport::Outcome World::deliver(const OutgoingRequest& request,
                                                    std::int64_t nowMs) {
  const std::string id = serviceOfUrl(request.url);
  const Service* service = schedule_.service(id);
  const NotifierMode mode = notifiers_.count(id) ? notifiers_[id] : NotifierMode::Down;
  testing::ScriptedTransport::Outcome outcome;
  bool received = false;
  switch (mode) {
    case NotifierMode::Ok:
      outcome.answer.status = 202;
      outcome.after = milliseconds(random_.between(20, 800));
      received = true;
      break;
    case NotifierMode::ServerError:
      outcome.answer.status = 503;
      outcome.after = milliseconds(30);
      break;
    case NotifierMode::TooMany:
      outcome.answer.status = 429;
      outcome.after = milliseconds(30);
      break;
    case NotifierMode::BadRequest:
      outcome.answer.status = 400;
      outcome.answer.body = "bad request";
      outcome.after = milliseconds(30);
      break;
    case NotifierMode::TimesOut:
    case NotifierMode::ReceivedTimesOut:
      outcome.answer.error = "timed out";
      outcome.after = request.timeout;
      received = mode == NotifierMode::ReceivedTimesOut;
      break;
    case NotifierMode::Down:
      outcome.answer.error = "connection refused";
      outcome.after = milliseconds(2);
      break;
    // A proxy before the receiver, or a URL that moved: its own page, none of the receiver's
    // documented errors (Slack's final ones are named in the body).
    case NotifierMode::Moved:
      outcome.answer.status = 301;
      outcome.answer.body = "<html><body>Moved Permanently</body></html>";
      outcome.after = milliseconds(30);
      break;
    case NotifierMode::Forbidden:
      outcome.answer.status = 403;
      outcome.answer.body = "<html><body>403 Forbidden</body></html>";
      outcome.after = milliseconds(30);
      break;
    case NotifierMode::NotFound:
      outcome.answer.status = 404;
      outcome.answer.body = "<html><body>404 Not Found</body></html>";
      outcome.after = milliseconds(30);
      break;
  }
  const ReadPage page = readPage(request.body, service != nullptr && service->slack);
  // PagerDuty keeps incidents per routing key: each key the daemon posts with is a destination.
  std::string destination = id;
  if (service != nullptr && !service->slack) {
    for (int generation = 1; generation < 8; ++generation) {
      if (page.routingKey == service->routingKey(generation)) {
        destination = destinationName(id, generation);
      }
    }
  }
  record_.posts.push_back(Post{nowMs, destination, page.check, page.kind, request.body, received,
                               outcome.answer.status, page.eventWallMs});
  static constexpr const char* kKinds[] = {"trigger", "resolve", "reminder", "other"};
  record_.note(nowMs, fmt::format("post {} {} {} -> {}{}", destination,
                                  kKinds[static_cast<int>(page.kind)], page.check, name(mode),
                                  received ? " (received)" : ""));
  return outcome;
}

std::string clockText(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  return fmt::format("+{:02}:{:02}:{:02}.{:03}", s / 3600, s / 60 % 60, s % 60, ms % 1000);
}

}  // namespace prober::simulation
