#include "tests/simulation/schedule.h"

#include <fmt/format.h>

#include <set>

namespace prober::simulation {

std::string Service::routingKey(int generation) const {
  std::string key = "r" + id + (generation == 0 ? "" : "k" + std::to_string(generation));
  key.resize(32, '0');
  return key;
}

std::string destinationName(const std::string& service, int generation) {
  return generation == 0 ? service : service + "~k" + std::to_string(generation);
}

namespace {

std::string listText(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ",") + item;
  }
  return "[" + out + "]";
}

}  // namespace

std::string describeChange(const ConfigVersion& from, const ConfigVersion& to) {
  std::vector<std::string> said;
  if (from.shard != to.shard) {
    said.push_back(fmt::format("shard '{}' -> '{}'", from.shard, to.shard));
  }
  for (const auto& [id, name] : to.names) {
    const auto before = from.names.find(id);
    if (before != from.names.end() && before->second != name) {
      said.push_back(fmt::format("{} named {} -> {}", id, before->second, name));
    }
    if (from.generation(id) != to.generation(id)) {
      said.push_back(fmt::format("{} routing key {} -> {}", id, from.generation(id),
                                 to.generation(id)));
    }
  }
  for (const CheckConfig& check : from.checks) {
    if (to.check(check.name) == nullptr) {
      said.push_back(fmt::format("{} removed", check.name));
    }
  }
  const auto windowText = [](const Window& w) {
    return fmt::format("window {} on {} from {} (Unix s) for {}s", w.name, w.check, w.startS,
                       w.lengthS);
  };
  std::set<std::string> before;
  std::set<std::string> after;
  for (const Window& w : from.windows) {
    before.insert(windowText(w));
  }
  for (const Window& w : to.windows) {
    after.insert(windowText(w));
  }
  for (const std::string& w : before) {
    if (after.count(w) == 0) {
      said.push_back("no more " + w);
    }
  }
  for (const std::string& w : after) {
    if (before.count(w) == 0) {
      said.push_back(w);
    }
  }
  for (const CheckConfig& check : to.checks) {
    const CheckConfig* was = from.check(check.name);
    if (was == nullptr) {
      said.push_back(fmt::format("{} added", check.name));
      continue;
    }
    const auto changed = [&](std::string_view what, auto a, auto b) {
      if (a != b) {
        said.push_back(fmt::format("{} {} {} -> {}", check.name, what, a, b));
      }
    };
    changed("failure_threshold", was->failureThreshold, check.failureThreshold);
    changed("failure_window", was->failureWindow, check.failureWindow);
    changed("success_threshold", was->successThreshold, check.successThreshold);
    changed("renotify", was->renotifyS, check.renotifyS);
    changed("depends_on", was->dependsOn, check.dependsOn);
    changed("notify", listText(was->notify), listText(check.notify));
    changed("page", was->quorum ? "quorum" : "local", check.quorum ? "quorum" : "local");
  }
  std::string out;
  for (const std::string& each : said) {
    out += (out.empty() ? "" : "; ") + each;
  }
  return out.empty() ? "no change" : out;
}

int ConfigVersion::generation(const std::string& service) const {
  const auto it = keys.find(service);
  return it == keys.end() ? 0 : it->second;
}

std::string ConfigVersion::destination(const std::string& service) const {
  return destinationName(service, generation(service));
}

const CheckConfig* ConfigVersion::check(const std::string& name) const {
  for (const auto& each : checks) {
    if (each.name == name) {
      return &each;
    }
  }
  return nullptr;
}

const Service* Schedule::service(const std::string& id) const {
  for (const auto& each : services) {
    if (each.id == id) {
      return &each;
    }
  }
  return nullptr;
}

std::string_view name(TargetMode mode) {
  switch (mode) {
    case TargetMode::Up: return "up";
    case TargetMode::Down: return "500";
    case TargetMode::Refused: return "refused";
    case TargetMode::Slow: return "slow";
    case TargetMode::TimesOut: return "times-out";
    case TargetMode::Flapping: return "flapping";
  }
  return "?";
}

std::string_view name(NotifierMode mode) {
  switch (mode) {
    case NotifierMode::Ok: return "ok";
    case NotifierMode::ServerError: return "503";
    case NotifierMode::TooMany: return "429";
    case NotifierMode::BadRequest: return "400";
    case NotifierMode::TimesOut: return "times-out";
    case NotifierMode::ReceivedTimesOut: return "receives-then-times-out";
    case NotifierMode::Down: return "down";
    case NotifierMode::Moved: return "301";
    case NotifierMode::Forbidden: return "403";
    case NotifierMode::NotFound: return "404";
  }
  return "?";
}

std::string Event::describe() const {
  switch (kind) {
    case EventKind::Target: return fmt::format("target {} {}", subject, name(target));
    case EventKind::Notifier: return fmt::format("notifier {} {}", subject, name(notifier));
    case EventKind::Kill:
      return fmt::format("kill -9; restart in {}s with config v{}", length, version);
    case EventKind::Reload: return fmt::format("reload to config v{}", version);
    case EventKind::Silence:
      return fmt::format("silence #{} {} for {}s{}", hold, subject, length,
                         viaSlack ? " (slack mute)" : "");
    case EventKind::Unsilence:
      return fmt::format("end silence #{}{}", hold, viaSlack ? " (slack unmute)" : "");
    case EventKind::DiskFull: return "disk refuses writes";
    case EventKind::DiskOk: return "disk takes writes again";
    case EventKind::WallJump: return fmt::format("wall clock jumps {}s", length);
    case EventKind::Tail: return "tail: everything heals";
  }
  return "?";
}

}  // namespace prober::simulation
