#include "tests/simulation/oracle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <map>
#include <set>

#include "checks/shard.h"

namespace prober::simulation {

namespace {

constexpr std::int64_t kHoldMarginMs = 2'000;  // timers and the once-a-second window cache
constexpr std::int64_t kPageSlackMs = 3'000;   // pacing, a release at the hold's end

// One logical notification as a receiver sees it: consecutive posts of the same body to one
// service about one check are one request retried.
struct Chain {
  PostKind kind;
  std::int64_t firstAt;
  bool received = false;
  std::int64_t receivedAt = -1;
  std::int64_t eventWallMs = -1;
  bool refused = false;  // a 400: dropped for good
  // When the daemon was told it was done (2xx or 400); rows queued behind it for the same check
  // and notifier wait until then, so their first post is not when they were decided.
  std::int64_t finishedAt = INT64_MAX;
  bool inProgressAt(std::int64_t at) const { return firstAt <= at && at < finishedAt; }
};

struct Judge {
  const Schedule& schedule;
  const Record& record;
  std::vector<Violation> out;

  const ConfigVersion& versionAt(std::int64_t at) const {
    int version = 0;
    for (const Applied& applied : record.applied) {
      if (applied.at <= at) {
        version = applied.version;
      }
    }
    return schedule.versions.at(version);
  }
  static bool owns(const ConfigVersion& version, const std::string& check) {
    if (version.check(check) == nullptr) {
      return false;
    }
    if (version.shard.empty()) {
      return true;
    }
    std::string error;
    const auto shard = parseShard(version.shard, error);
    return shard && shard->owns(check);
  }
  static bool notifies(const CheckConfig* check, const std::string& service) {
    return check != nullptr &&
           std::find(check->notify.begin(), check->notify.end(), service) != check->notify.end();
  }
  // Whether the check was ever run by this instance, then not (or the other way round).
  bool ownershipChanged(const std::string& check) const {
    std::set<bool> seen;
    for (const Applied& applied : record.applied) {
      seen.insert(owns(schedule.versions.at(applied.version), check));
    }
    return seen.size() > 1;
  }

  struct Hold {
    std::string glob;
    std::int64_t startMs;
    std::int64_t endMs;
    std::string what;
  };
  std::vector<Hold> holds() const {
    std::vector<Hold> all;
    for (const HoldRecord& h : record.holds) {
      all.push_back(Hold{h.glob, h.wallStartMs, h.wallEndMs,
                         fmt::format("{} #{} on {}", h.how, h.number, h.glob)});
    }
    for (const Window& w : schedule.versions.front().windows) {
      all.push_back(Hold{w.check, w.startS * 1000, (w.startS + w.lengthS) * 1000,
                         fmt::format("maintenance window {} on {}", w.name, w.check)});
    }
    return all;
  }
  static bool covers(const Hold& hold, const std::string& check) {
    return hold.glob == "*" || hold.glob == check;
  }

  std::map<std::pair<std::string, std::string>, std::vector<Chain>> chains() const {
    std::map<std::pair<std::string, std::string>, std::vector<Chain>> out;
    std::map<std::pair<std::string, std::string>, std::string> lastBody;
    for (const Post& post : record.posts) {
      if (post.kind != PostKind::Trigger && post.kind != PostKind::Resolve) {
        continue;
      }
      const auto key = std::make_pair(post.service, post.check);
      auto& list = out[key];
      auto& body = lastBody[key];
      if (list.empty() || body != post.body) {
        list.push_back(Chain{post.kind, post.at, false, -1, post.eventWallMs, false});
        body = post.body;
      }
      Chain& chain = list.back();
      if (post.received && !chain.received) {
        chain.received = true;
        chain.receivedAt = post.at;
      }
      chain.refused = chain.refused || post.status == 400;
      if (chain.finishedAt == INT64_MAX &&
          ((post.status >= 200 && post.status < 300) || post.status == 400)) {
        chain.finishedAt = post.at;
      }
    }
    return out;
  }

  void add(std::int64_t at, const std::string& check, const std::string& promise,
           std::string text) {
    out.push_back(Violation{at, check, promise, std::move(text)});
  }

  // Promises 1 and 2.
  void receivers(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    const ConfigVersion& last = schedule.versions.at(record.applied.back().version);
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      const bool refusedEver =
          std::any_of(list.begin(), list.end(), [](const Chain& c) { return c.refused; });
      std::vector<const Chain*> taken;
      for (const Chain& chain : list) {
        if (chain.received) {
          taken.push_back(&chain);
        }
      }
      std::stable_sort(taken.begin(), taken.end(), [](const Chain* a, const Chain* b) {
        return a->receivedAt < b->receivedAt;
      });
      bool open = false;
      std::int64_t openedAt = 0;
      for (const Chain* chain : taken) {
        if (chain->kind == PostKind::Trigger) {
          if (open) {
            add(chain->receivedAt, check, "paged once",
                fmt::format("{} took a second trigger for {} (first at {}) with no resolve between",
                            service, check, clockText(openedAt)));
          }
          open = true;
          openedAt = chain->receivedAt;
        } else {
          if (!open && !refusedEver && !ownershipChanged(check)) {
            add(chain->receivedAt, check, "resolve follows a trigger",
                fmt::format("{} took a resolve for {} with no trigger open", service, check));
          }
          open = false;
        }
      }
      if (open && owns(last, check) && !refusedEver) {
        add(openedAt, check, "resolved once",
            fmt::format("the trigger {} took for {} at {} was never resolved (the check "
                        "passes at the end)",
                        service, check, clockText(openedAt)));
      }
    }
  }

  // The steady time at which the wall clock first read `wall` (the wall clock only steps
  // forward in a run).
  std::int64_t steadyOf(std::int64_t wall) const {
    std::int64_t at = wall - record.wallStartMs;
    for (const WallStep& step : record.wallSteps) {
      if (wall >= record.wallStartMs + step.at + step.offsetMs) {
        at = std::max(step.at, wall - record.wallStartMs - step.offsetMs);
      }
    }
    return at;
  }
  // When the check last went from run by this instance to not, at or before `at`.
  std::int64_t leftAt(const std::string& check, std::int64_t at) const {
    std::int64_t left = 0;
    bool owned = false;
    for (const Applied& applied : record.applied) {
      if (applied.at > at) {
        break;
      }
      const bool now = owns(schedule.versions.at(applied.version), check);
      if (owned && !now) {
        left = applied.at;
      }
      owned = now;
    }
    return left;
  }

  // Promise 3. A resolve may wait behind earlier requests for its check and notifier, so when it
  // was decided is bounded, not known: after the trigger it ends fired, before its first post.
  void resolves(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const Chain& chain = list[i];
        if (chain.kind != PostKind::Resolve) {
          continue;
        }
        const ConfigVersion& version = versionAt(chain.firstAt);
        if (version.check(check) == nullptr) {
          continue;
        }
        if (!owns(version, check)) {
          const std::int64_t left = leftAt(check, chain.firstAt);
          const bool queuedBefore = std::any_of(list.begin(), list.begin() + i, [&](const Chain& c) {
            return c.inProgressAt(left);
          });
          if (!queuedBefore) {
            add(chain.firstAt, check, "hand-off without resolve",
                fmt::format("a resolve for {} went to {}, but the check left this shard at {} "
                            "(now {}): its new owner decides",
                            check, service, clockText(left),
                            version.shard.empty() ? "unsharded" : version.shard));
          }
          continue;
        }
        if (!notifies(version.check(check), service)) {
          continue;  // the old notifier of a changed notify list gets its resolve
        }
        std::int64_t from = 0;
        for (std::size_t j = i; j-- > 0;) {
          if (list[j].kind == PostKind::Trigger) {
            from = list[j].eventWallMs >= 0 ? steadyOf(list[j].eventWallMs) : 0;
            break;
          }
        }
        const bool passed = std::any_of(
            record.observations.begin(), record.observations.end(), [&](const Observation& o) {
              return o.check == check && o.pass && from <= o.at && o.at <= chain.firstAt;
            });
        if (!passed) {
          add(chain.firstAt, check, "no resolve while failing",
              fmt::format("a resolve for {} went to {}, but no run of it passed between its "
                          "trigger (at {}) and then",
                          check, service, clockText(from)));
        }
      }
    }
  }

  // Promise 4.
  void heldPages(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    const auto every = holds();
    const auto inside = [&](const std::string& check, std::int64_t wall) -> const Hold* {
      for (const Hold& h : every) {
        if (covers(h, check) && h.startMs + kHoldMarginMs <= wall &&
            wall <= h.endMs - kHoldMarginMs) {
          return &h;
        }
      }
      return nullptr;
    };
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      for (const Chain& chain : list) {
        if (chain.kind != PostKind::Trigger || chain.eventWallMs < 0) {
          continue;
        }
        const Hold* hold = inside(check, record.wallAt(chain.firstAt));
        if (hold != nullptr && chain.eventWallMs >= hold->startMs + kHoldMarginMs) {
          add(chain.firstAt, check, "nothing pages in a hold",
              fmt::format("a trigger for {} went to {} inside {}", check, service, hold->what));
        }
      }
    }
    std::map<std::pair<std::string, std::string>, std::string> lastBody;
    for (const Post& post : record.posts) {
      if (post.kind != PostKind::Reminder) {
        continue;
      }
      auto& body = lastBody[{post.service, post.check}];
      if (body == post.body) {
        continue;  // a retry of a reminder sent before
      }
      body = post.body;
      if (const Hold* hold = inside(post.check, record.wallAt(post.at))) {
        add(post.at, post.check, "nothing pages in a hold",
            fmt::format("a reminder for {} went to {} inside {}", post.check, post.service,
                        hold->what));
      }
    }
  }

  // Promise 5.
  void mustPage(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    const auto every = holds();
    std::vector<std::int64_t> epochs;  // restarts and reloads start the streaks again
    for (const Applied& applied : record.applied) {
      epochs.push_back(applied.at);
    }
    for (const std::int64_t k : record.kills) {
      epochs.push_back(k);
    }
    std::sort(epochs.begin(), epochs.end());
    std::set<std::tuple<std::string, std::string, std::size_t>> reported;
    std::map<std::string, int> streak;
    std::map<std::string, std::size_t> epochOf;
    for (const Observation& o : record.observations) {
      const std::size_t epoch = static_cast<std::size_t>(
          std::upper_bound(epochs.begin(), epochs.end(), o.at) - epochs.begin());
      if (epochOf[o.check] != epoch) {
        epochOf[o.check] = epoch;
        streak[o.check] = 0;
      }
      if (o.pass) {
        streak[o.check] = 0;
        continue;
      }
      const int failures = ++streak[o.check];
      const ConfigVersion& version = versionAt(o.at);
      const CheckConfig* check = version.check(o.check);
      if (check == nullptr || !owns(version, o.check) || failures < check->failureThreshold ||
          !check->dependsOn.empty()) {
        continue;
      }
      const std::int64_t wall = record.wallAt(o.at);
      const bool held = std::any_of(every.begin(), every.end(), [&](const Hold& h) {
        return covers(h, o.check) && h.startMs - kHoldMarginMs <= wall &&
               wall <= h.endMs + kHoldMarginMs;
      });
      if (held) {
        continue;
      }
      for (const std::string& service : check->notify) {
        const auto found = all.find({service, o.check});
        bool open = false;
        bool refused = false;
        if (found != all.end()) {
          const auto& list = found->second;
          refused = std::any_of(list.begin(), list.end(), [](const Chain& c) { return c.refused; });
          std::size_t latest = list.size();
          for (std::size_t i = 0; i < list.size() && list[i].firstAt <= o.at + kPageSlackMs; ++i) {
            latest = i;
          }
          if (latest < list.size()) {
            const Chain& last = list[latest];
            // A trigger decided now may wait behind a resolve still being retried.
            open = last.kind == PostKind::Trigger
                       ? last.received
                       : last.inProgressAt(o.at) && latest + 1 < list.size() &&
                             list[latest + 1].kind == PostKind::Trigger && list[latest + 1].received;
          }
        }
        if (refused || open) {
          continue;
        }
        if (reported.insert({o.check, service, epoch}).second) {
          add(o.at, o.check, "pages when it must",
              fmt::format("{} failed {} runs in a row (threshold {}), no hold, but {} has no "
                          "trigger open for it",
                          o.check, failures, check->failureThreshold, service));
        }
      }
    }
  }
};

}  // namespace

std::vector<Violation> judge(const Schedule& schedule, const Record& record) {
  Judge j{schedule, record, {}};
  if (record.applied.empty()) {
    return j.out;
  }
  const auto all = j.chains();
  j.receivers(all);
  j.resolves(all);
  j.heldPages(all);
  j.mustPage(all);
  std::sort(j.out.begin(), j.out.end(),
            [](const Violation& a, const Violation& b) { return a.at < b.at; });
  return j.out;
}

}  // namespace prober::simulation
