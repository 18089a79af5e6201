#include "tests/simulation/schedule.h"

#include <fmt/format.h>

namespace prober::simulation {

std::string Service::routingKey() const {
  std::string key = "r" + id;
  key.resize(32, '0');
  return key;
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
