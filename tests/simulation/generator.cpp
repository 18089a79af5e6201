#include "tests/simulation/generator.h"

#include <algorithm>
#include <optional>

#include "checks/shard.h"
#include "tests/simulation/random.h"

namespace prober::simulation {

namespace {

constexpr std::int64_t kMainS = 2 * 3600;  // faults happen in the first two hours
constexpr std::int64_t kTailS = 40 * 60;   // then everything heals, and the oracle waits this

// Sun, 1 Mar 2026 00:00:00 UTC.
constexpr std::int64_t kWallStartS = 1772323200;

bool sameShard(const std::string& a, const std::string& b) {
  return shardOf(a, 2) == shardOf(b, 2);
}

CheckConfig makeCheck(Random& random, int index, const std::vector<Service>& services) {
  CheckConfig check;
  check.name = "c" + std::to_string(index);
  check.intervalS = static_cast<int>(random.pick(std::vector<std::int64_t>{10, 15, 30, 60}));
  check.failureThreshold = static_cast<int>(random.between(1, 4));
  if (random.chance(0.3)) {
    check.failureWindow = check.failureThreshold + static_cast<int>(random.between(1, 3));
  }
  check.successThreshold = static_cast<int>(random.between(1, 3));
  if (random.chance(0.3)) {
    check.retryIntervalS = static_cast<int>(random.between(5, check.intervalS));
  }
  for (const Service& service : services) {
    if (random.chance(0.6)) {
      check.notify.push_back(service.id);
    }
  }
  if (check.notify.empty()) {
    check.notify.push_back(random.pick(services).id);
  }
  if (random.chance(0.4)) {
    check.renotifyS = static_cast<int>(random.pick(std::vector<std::int64_t>{120, 300}));
  }
  if (index > 0 && random.chance(0.15)) {
    // depends_on across shards is a config error: the parent drawn, or the nearest check before
    // it that every shard map the runs use (unsharded, 1/2, 2/2) puts on the child's shard.
    const int drawn = static_cast<int>(random.below(static_cast<std::uint64_t>(index)));
    for (int parent = drawn; parent >= 0; --parent) {
      const std::string name = "c" + std::to_string(parent);
      if (sameShard(name, check.name)) {
        check.dependsOn = name;
        break;
      }
    }
  }
  return check;
}

// A copy of `from` the daemon must refuse: a check depending on one another shard runs.
std::optional<ConfigVersion> refusedVersion(const ConfigVersion& from) {
  ConfigVersion bad = from;
  bad.refused = true;
  if (bad.shard.empty()) {
    bad.shard = "1/2";
  }
  for (CheckConfig& child : bad.checks) {
    for (const CheckConfig& parent : from.checks) {
      if (!sameShard(child.name, parent.name)) {
        child.dependsOn = parent.name;
        return bad;
      }
    }
  }
  return std::nullopt;  // every check on one shard: no such config to write
}

// A changed copy of `from`: what an edit of the file between two reloads might do.
ConfigVersion mutate(Random& random, const ConfigVersion& from, const std::vector<Service>& services) {
  ConfigVersion next = from;
  const int edits = static_cast<int>(random.between(1, 2));
  for (int e = 0; e < edits; ++e) {
    CheckConfig& check = next.checks[random.below(next.checks.size())];
    switch (random.below(6)) {
      case 0:
        check.failureThreshold = static_cast<int>(random.between(1, 4));
        check.failureWindow =
            random.chance(0.3) ? check.failureThreshold + static_cast<int>(random.between(1, 3)) : 0;
        break;
      case 1: check.successThreshold = static_cast<int>(random.between(1, 3)); break;
      case 2: {
        check.notify.clear();
        for (const Service& service : services) {
          if (random.chance(0.6)) {
            check.notify.push_back(service.id);
          }
        }
        if (check.notify.empty()) {
          check.notify.push_back(random.pick(services).id);
        }
        break;
      }
      case 3: {  // the same service under another name
        const Service& service = random.pick(services);
        std::string& name = next.names[service.id];
        const std::string base = service.slack ? "chat" : service.id == "pd-a" ? "pd" : "oncall";
        name = name == base ? base + "-renamed" : base;
        break;
      }
      case 4:
        next.shard = random.pick(std::vector<std::string>{"", "1/2", "2/2"});
        break;
      default:
        check.renotifyS = random.chance(0.5) ? 0 : 120;
        break;
    }
  }
  return next;
}

// A proxy before the notifier (or a moved URL) refuses for a while, some of the time for longer
// than the hour the daemon retries a refused page: laid over the notifier's other faults.
void refusing(Random& more, const std::string& service, std::vector<Event>& mine) {
  const std::int64_t length =
      more.chance(0.4) ? more.between(3600 + 60, 3600 + 900) : more.between(60, 1200);
  const std::int64_t from = more.between(60, std::max<std::int64_t>(60, kMainS - length - 60));
  const std::int64_t to = std::min(kMainS, from + length);
  Event bad;
  bad.at = Seconds(from);
  bad.kind = EventKind::Notifier;
  bad.subject = service;
  bad.notifier = more.pick(std::vector<NotifierMode>{NotifierMode::Moved, NotifierMode::Forbidden,
                                                     NotifierMode::NotFound});
  Event after = bad;
  after.at = Seconds(to);
  after.notifier = NotifierMode::Ok;  // what the other faults say from then on
  for (const Event& e : mine) {
    if (e.at.count() <= to) {
      after.notifier = e.notifier;
    }
  }
  std::erase_if(mine, [&](const Event& e) { return from <= e.at.count() && e.at.count() <= to; });
  mine.push_back(bad);
  mine.push_back(after);
  std::stable_sort(mine.begin(), mine.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
}

// Generation 2: what else an edit between two reloads (or before a restart) may do. Maintenance
// windows added, moved or dropped; a check removed (none depends on it, and its windows go with
// it) or one of the first config's checks brought back.
void editMore(Random& edits, ConfigVersion& next, const ConfigVersion& first, std::int64_t atS,
              int& windowNumber) {
  if (edits.chance(0.25)) {
    const auto roll = edits.below(3);
    if (roll == 0 || next.windows.empty()) {
      next.windows.push_back(
          Window{"w" + std::to_string(windowNumber++), edits.pick(next.checks).name,
                 kWallStartS + atS + edits.between(-300, 900), edits.between(120, 1200)});
    } else if (roll == 1) {
      next.windows.erase(next.windows.begin() +
                         static_cast<std::ptrdiff_t>(edits.below(next.windows.size())));
    } else {
      Window& moved = next.windows[edits.below(next.windows.size())];
      moved.startS = kWallStartS + atS + edits.between(-600, 600);
    }
  }
  if (edits.chance(0.15) && next.checks.size() > 2) {
    const std::string gone = edits.pick(next.checks).name;
    const bool parent = std::any_of(next.checks.begin(), next.checks.end(),
                                    [&](const CheckConfig& c) { return c.dependsOn == gone; });
    if (!parent) {
      std::erase_if(next.checks, [&](const CheckConfig& c) { return c.name == gone; });
      std::erase_if(next.windows, [&](const Window& w) { return w.check == gone; });
    }
  } else if (edits.chance(0.3)) {
    for (const CheckConfig& check : first.checks) {
      if (next.check(check.name) != nullptr) {
        continue;
      }
      CheckConfig back = check;
      if (!back.dependsOn.empty() && next.check(back.dependsOn) == nullptr) {
        back.dependsOn.clear();
      }
      next.checks.push_back(back);
      break;
    }
  }
}

struct Busy {
  std::int64_t from;
  std::int64_t to;
};
bool overlaps(const std::vector<Busy>& busy, std::int64_t from, std::int64_t to) {
  return std::any_of(busy.begin(), busy.end(),
                     [&](const Busy& b) { return from <= b.to && b.from <= to; });
}

}  // namespace

Schedule generate(std::uint64_t seed, int generator) {
  Random random(seed);
  // Faults added since the first schedules draw from a stream of their own: a seed keeps the
  // schedule it had, with the new faults laid over it.
  Random more(seed ^ 0x4ef05ed0c0ffeeULL);
  Random paging(seed ^ 0x9a6e0ca1ULL);  // later still: `page` turned to quorum and back
  Random edits(seed ^ 0x3d17c0deULL);   // generation 2: windows and checks edited by reloads
  Random clocks(seed ^ 0x5e7bac4ULL);   // generation 3: the wall clock stepped back
  Random disks(seed ^ 0xd15cf011ULL);   // generation 3: a kill while the disk refuses writes
  Random drains(seed ^ 0xd4a1b5ULL);    // generation 4: or while its backlog drains after
  Schedule schedule;
  schedule.seed = seed;
  schedule.wallStartS = kWallStartS;
  schedule.services.push_back(Service{"pd-a", false});
  schedule.services.push_back(Service{"slack-a", true});
  if (random.chance(0.5)) {
    schedule.services.push_back(Service{"pd-b", false});
  }

  ConfigVersion first;
  first.names = {{"pd-a", "pd"}, {"slack-a", "chat"}, {"pd-b", "oncall"}};
  const int checks = random.chance(0.2) ? 12 : static_cast<int>(random.between(3, 7));
  for (int i = 0; i < checks; ++i) {
    first.checks.push_back(makeCheck(random, i, schedule.services));
  }
  if (random.chance(0.25)) {
    first.shard = random.pick(std::vector<std::string>{"1/2", "2/2"});
  }
  const int windows = static_cast<int>(random.between(0, 2));
  for (int w = 0; w < windows; ++w) {
    first.windows.push_back(Window{"w" + std::to_string(w),
                                   random.pick(first.checks).name,
                                   kWallStartS + random.between(300, kMainS - 1800),
                                   random.between(120, 1200)});
  }
  schedule.versions.push_back(first);

  std::vector<Event> events;
  const auto at = [](std::int64_t s) { return Seconds(s); };
  // Targets: segments of one mode each.
  for (const CheckConfig& check : first.checks) {
    std::int64_t t = random.between(0, 600);
    while (t < kMainS) {
      Event e;
      e.at = at(t);
      e.kind = EventKind::Target;
      e.subject = check.name;
      const auto roll = random.below(100);
      e.target = roll < 40   ? TargetMode::Up
                 : roll < 65 ? TargetMode::Down
                 : roll < 70 ? TargetMode::Refused
                 : roll < 77 ? TargetMode::Slow
                 : roll < 85 ? TargetMode::TimesOut
                             : TargetMode::Flapping;
      events.push_back(e);
      t += random.between(60, 900);
    }
  }
  // Notifiers: mostly answering, now and then not, for seconds to minutes.
  for (const Service& service : schedule.services) {
    std::vector<Event> mine;
    std::int64_t t = random.between(60, 1200);
    while (t < kMainS) {
      Event bad;
      bad.at = at(t);
      bad.kind = EventKind::Notifier;
      bad.subject = service.id;
      const auto roll = random.below(100);
      bad.notifier = roll < 30   ? NotifierMode::ServerError
                     : roll < 45 ? NotifierMode::TooMany
                     : roll < 60 ? NotifierMode::TimesOut
                     : roll < 75 ? NotifierMode::ReceivedTimesOut
                     : roll < 97 ? NotifierMode::Down
                                 : NotifierMode::BadRequest;
      const std::int64_t length =
          bad.notifier == NotifierMode::BadRequest ? random.between(5, 60) : random.between(30, 900);
      mine.push_back(bad);
      Event good = bad;
      good.at = at(std::min(kMainS, t + length));
      good.notifier = NotifierMode::Ok;
      mine.push_back(good);
      t += length + random.between(120, 1800);
    }
    if (more.chance(0.3)) {
      refusing(more, service.id, mine);
    }
    events.insert(events.end(), mine.begin(), mine.end());
  }
  std::vector<Busy> busy;
  if (random.chance(0.3)) {
    const std::int64_t from = random.between(300, kMainS - 900);
    const std::int64_t length = random.between(60, 600);
    Event full;
    full.at = at(from);
    full.kind = EventKind::DiskFull;
    events.push_back(full);
    Event ok;
    ok.at = at(from + length);
    ok.kind = EventKind::DiskOk;
    events.push_back(ok);
    busy.push_back(Busy{from - 5, from + length + 240});
    // A kill while the writes wait in memory: they are lost (a documented limit), and the
    // oracle excuses what was decided since the disk began refusing when /healthz says writes
    // waited at the kill. The restart comes
    // while it still refuses or after; nothing else restarts or reloads until it has settled.
    if (generator >= 3 && length >= 20 && disks.chance(0.5)) {
      Event kill;
      kill.at = at(disks.between(from + 5, from + length - 5));
      // Generation 4: or while the backlog drains, in the three minutes after it takes writes.
      if (generator >= 4 && drains.chance(0.4)) {
        kill.at = at(drains.between(from + length, from + length + 180));
      }
      kill.kind = EventKind::Kill;
      kill.length =
          disks.between(0, std::min<std::int64_t>(300, from + length + 180 - kill.at.count()));
      kill.version = 0;
      events.push_back(kill);
    }
  }
  // Restarts and reloads, one at a time; versions are numbered in time order below.
  const int kills = static_cast<int>(random.between(0, 3));
  const int reloads = static_cast<int>(random.between(0, 4));
  for (int i = 0; i < kills + reloads; ++i) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      const std::int64_t t = random.between(300, kMainS - 300);
      Event e;
      e.at = at(t);
      if (i < kills) {
        e.kind = EventKind::Kill;
        e.length = random.chance(0.3) ? 0 : random.between(1, 300);
        e.version = random.chance(0.35) ? 1 : 0;  // 1: a new version at restart
      } else {
        e.kind = EventKind::Reload;
      }
      const std::int64_t until = t + e.length + 60;
      if (!overlaps(busy, t, until)) {
        busy.push_back(Busy{t, until});
        events.push_back(e);
        break;
      }
    }
  }
  // Silences, through the API or Slack's mute; some ended early, the endless ones always.
  const int silences = static_cast<int>(random.between(0, 3));
  for (int s = 0; s < silences; ++s) {
    Event e;
    e.at = at(random.between(120, kMainS - 600));
    e.kind = EventKind::Silence;
    e.hold = s;
    e.viaSlack = random.chance(0.4);
    e.subject = e.viaSlack || random.chance(0.7) ? random.pick(first.checks).name : "*";
    e.length = random.pick(std::vector<std::int64_t>{60, 300, 900, 3600, 3650LL * 86400});
    events.push_back(e);
    if (e.length > kMainS || random.chance(0.5)) {
      Event end;
      end.kind = EventKind::Unsilence;
      end.hold = s;
      end.viaSlack = random.chance(0.5);
      end.at = at(random.between(e.at.count() + 30, kMainS - 60));
      events.push_back(end);
    }
  }
  const int jumps = static_cast<int>(random.between(0, 2));
  for (int j = 0; j < jumps; ++j) {
    Event e;
    e.at = at(random.between(60, kMainS - 60));
    e.kind = EventKind::WallJump;
    e.length = random.pick(std::vector<std::int64_t>{60, 1800, 10800, 172800});
    events.push_back(e);
  }
  // An NTP correction steps the clock back: by a second, or by up to three hours (before the
  // run began), back into holds that had ended or out of ones that had begun.
  if (generator >= 3 && clocks.chance(0.4)) {
    Event e;
    e.at = at(clocks.between(60, kMainS - 60));
    e.kind = EventKind::WallJump;
    e.length = -clocks.pick(std::vector<std::int64_t>{1, 60, 600, 3600, 10800});
    events.push_back(e);
  }
  // A reload the daemon refuses (version -1 until numbered below).
  if (more.chance(0.2)) {
    Event e;
    e.at = at(more.between(300, kMainS - 300));
    e.kind = EventKind::Reload;
    e.version = -1;
    events.push_back(e);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  std::size_t valid = 0;  // the version in force: a refused one leaves it
  int windowNumber = static_cast<int>(first.windows.size());
  for (Event& e : events) {
    if (e.kind == EventKind::Reload && e.version == -1) {
      if (auto bad = refusedVersion(schedule.versions[valid])) {
        schedule.versions.push_back(std::move(*bad));
        e.version = static_cast<int>(schedule.versions.size()) - 1;
      } else {
        e.version = static_cast<int>(valid);  // a reload that changes nothing
      }
    } else if (e.kind == EventKind::Reload || (e.kind == EventKind::Kill && e.version == 1)) {
      ConfigVersion next = mutate(random, schedule.versions[valid], schedule.services);
      // Now and then a PagerDuty notifier moves to another routing key under the same name.
      if (more.chance(0.15)) {
        const std::string id = more.chance(0.5) || schedule.service("pd-b") == nullptr ? "pd-a"
                                                                                       : "pd-b";
        next.keys[id] = 1 - next.generation(id);
      }
      // Now and then a check turns to page = "quorum" (Prometheus pages it), or back to local.
      if (paging.chance(0.2)) {
        CheckConfig& check = next.checks[paging.below(next.checks.size())];
        check.quorum = !check.quorum;
      }
      if (generator >= 2) {
        editMore(edits, next, first, e.at.count(), windowNumber);
      }
      schedule.versions.push_back(std::move(next));
      e.version = static_cast<int>(schedule.versions.size()) - 1;
      valid = schedule.versions.size() - 1;
    } else if (e.kind == EventKind::Kill) {
      e.version = static_cast<int>(valid);
    }
  }
  schedule.events = std::move(events);
  schedule.tailAt = Seconds(kMainS);
  schedule.end = Seconds(kMainS + kTailS);
  return schedule;
}

}  // namespace prober::simulation
