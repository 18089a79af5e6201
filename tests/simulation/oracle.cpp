#include "tests/simulation/oracle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <map>
#include <optional>
#include <set>

#include "checks/shard.h"
#include "tests/simulation/parent_alerts.h"

namespace prober::simulation {

namespace {

constexpr std::int64_t kHoldMarginMs = 2'000;  // timers and the once-a-second window cache
constexpr std::int64_t kPageSlackMs = 3'000;   // pacing, a release at the hold's end
constexpr std::int64_t kGiveUpAfterMs = 3'600'000;  // refusals are retried this long
constexpr std::int64_t kMaxBackoffMs = 300'000;     // the longest wait between two attempts
// The longest time between two posts of one request: an attempt that waits out the notifier's
// timeout (10 s by default), then the longest backoff.
constexpr std::int64_t kMaxRetryGapMs = kMaxBackoffMs + 15'000;
constexpr std::int64_t kWallRecheckMs = 10'000;     // wall-time timers are re-checked this often
constexpr std::int64_t kSlackStampMs = 1'000;       // Slack stamps a message to the second
constexpr std::int64_t kPromptMs = 30'000;  // pacing: a burst of pages to one receiver waits

// An answer that refuses but may pass once someone fixes it (a proxy's 403, a moved URL): the
// daemon retries it for an hour, then gives the notification up.
bool isRefusal(int status) {
  return status >= 300 && status <= 499 && status != 400 && status != 408 && status != 429;
}

// One logical notification as a receiver sees it: consecutive posts of the same body to one
// destination about one check are one request retried.
struct Chain {
  PostKind kind;
  std::int64_t firstAt;
  bool received = false;
  std::int64_t receivedAt = -1;
  std::int64_t eventWallMs = -1;  // when it was decided (wall): a trigger's; Slack's resolve's
  bool refused = false;  // a 400: dropped for good
  // When the daemon was told it was done (2xx or 400); rows queued behind it for the same check
  // and notifier wait until then, so their first post is not when they were decided.
  std::int64_t finishedAt = INT64_MAX;
  std::int64_t lastAt = -1;
  int lastStatus = 0;
  // Since when the answers have been refusals (-1: the last answer was not one).
  std::int64_t refusingSince = -1;
  bool inProgressAt(std::int64_t at) const { return firstAt <= at && at < finishedAt; }
  // Never taken, and its last answer a refusal: the daemon gave it up (promise 6 judges when).
  bool givenUp() const { return !received && finishedAt == INT64_MAX && isRefusal(lastStatus); }
  // Never acknowledged, last posted when no notifier paged its destination any more: the daemon
  // gives such a row up after an hour of failures of any kind.
  bool orphaned = false;
  bool dropped() const { return refused || givenUp() || (orphaned && finishedAt == INT64_MAX); }
};

struct Judge {
  const Schedule& schedule;
  const Record& record;
  std::vector<Violation> out;
  ParentAlerts parents{schedule, record};

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
  // Whether the check pages `destination` in this version (a service at its routing key); a
  // check with page = "quorum" pages nothing from this instance.
  static bool notifies(const ConfigVersion& version, const std::string& check,
                       const std::string& destination) {
    const CheckConfig* config = version.check(check);
    return config != nullptr && !config->quorum &&
           std::any_of(config->notify.begin(), config->notify.end(), [&](const std::string& id) {
             return version.destination(id) == destination;
           });
  }
  // When the check last became this instance's again (from another shard), at or before `at`;
  // 0 when it never left.
  std::int64_t returnedAt(const std::string& check, std::int64_t at) const {
    std::int64_t back = 0;
    bool owned = false;
    bool everOwned = false;
    for (const Applied& applied : record.applied) {
      if (applied.at > at) {
        break;
      }
      const bool now = owns(schedule.versions.at(applied.version), check);
      if (now && !owned && everOwned) {
        back = applied.at;
      }
      everOwned = everOwned || now;
      owned = now;
    }
    return back;
  }
  // Whether requests of this check to this destination went out without a break from `from`
  // to `to`: posts no further apart than the longest backoff (a restart between two excused),
  // the first and the last as near the ends. What waits behind such a queue waits all along.
  bool busyBetween(const std::string& destination, const std::string& check, std::int64_t from,
                   std::int64_t to) const {
    constexpr std::int64_t kGap = kMaxRetryGapMs;
    std::int64_t previous = -1;
    for (const Post& post : record.posts) {
      if (post.service != destination || post.check != check || post.at < from - kGap) {
        continue;
      }
      if (post.at >= to) {
        break;
      }
      const std::int64_t since = previous < 0 ? from : previous;
      const bool restartBetween =
          std::any_of(record.kills.begin(), record.kills.end(),
                      [&](std::int64_t k) { return since <= k && k <= post.at; });
      if (post.at - since > kGap && !restartBetween) {
        return false;
      }
      previous = post.at;
    }
    return previous >= 0 && to - previous <= kGap;
  }
  // Whether the check runs the same definition in both versions (the daemon keeps a probe's
  // answer across a reload only then).
  static bool sameCheck(const ConfigVersion& a, const ConfigVersion& b, const std::string& name) {
    const CheckConfig* x = a.check(name);
    const CheckConfig* y = b.check(name);
    if (x == nullptr || y == nullptr) {
      return x == y;
    }
    const auto notifierNames = [](const ConfigVersion& v, const CheckConfig& c) {
      std::vector<std::string> names;
      for (const std::string& id : c.notify) {
        const auto named = v.names.find(id);
        names.push_back(named == v.names.end() ? id : named->second);
      }
      return names;
    };
    return x->intervalS == y->intervalS && x->failureThreshold == y->failureThreshold &&
           x->failureWindow == y->failureWindow && x->successThreshold == y->successThreshold &&
           x->retryIntervalS == y->retryIntervalS && x->renotifyS == y->renotifyS &&
           x->dependsOn == y->dependsOn && notifierNames(a, *x) == notifierNames(b, *y);
  }
  // The first moment from `from` to `to` when the config in force did not page `destination`
  // for the check; -1 when every one did.
  std::int64_t notPagedFrom(const std::string& check, const std::string& destination,
                            std::int64_t from, std::int64_t to) const {
    if (!notifies(versionAt(from), check, destination)) {
      return from;
    }
    for (const Applied& applied : record.applied) {
      if (applied.at >= from && applied.at <= to &&
          !notifies(schedule.versions.at(applied.version), check, destination)) {
        return applied.at;
      }
    }
    return -1;
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
    // A window holds only while a config that has it is in force: from the reload (or restart)
    // that brought it to the one that dropped or moved it.
    for (std::size_t i = 0; i < record.applied.size(); ++i) {
      const Applied& applied = record.applied[i];
      const bool last = i + 1 == record.applied.size();
      const std::int64_t from = record.wallAt(applied.at);
      const std::int64_t until = last ? INT64_MAX : record.wallAt(record.applied[i + 1].at);
      for (const Window& w : schedule.versions.at(applied.version).windows) {
        const std::int64_t start = std::max(w.startS * 1000, from);
        const std::int64_t end = std::min((w.startS + w.lengthS) * 1000, until);
        if (start < end) {
          all.push_back(Hold{w.check, start, end,
                             fmt::format("maintenance window {} on {}", w.name, w.check)});
        }
      }
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
      chain.lastAt = post.at;
      chain.lastStatus = post.status;
      if (!isRefusal(post.status)) {
        chain.refusingSince = -1;
      } else if (chain.refusingSince < 0) {
        chain.refusingSince = post.at;
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
          std::any_of(list.begin(), list.end(), [](const Chain& c) { return c.dropped(); });
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
          // A resolve the daemon dropped (a 400, or given up after an hour of refusals) left
          // the incident open: the next trigger is not a second page of one outage.
          const bool resolveDropped = std::any_of(list.begin(), list.end(), [&](const Chain& c) {
            return c.kind == PostKind::Resolve && c.dropped() && openedAt <= c.firstAt &&
                   c.firstAt <= chain->firstAt;
          });
          // A check that left this shard and came back was another owner's in between: that
          // owner decided its pages (SPEC §12), and this instance pages it afresh.
          // Decided after it came back: one decided before would be a stale trigger the
          // hand-off should have dropped.
          const std::int64_t back = returnedAt(check, chain->firstAt);
          const bool handedAwayBetween =
              open && leftAt(check, chain->firstAt) > openedAt && back > 0 &&
              (chain->eventWallMs < 0 || steadyOf(chain->eventWallMs) + kPageSlackMs >= back);
          if (open && !resolveDropped && !handedAwayBetween) {
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
      // A check handed to another shard after its trigger was taken is its new owner's to
      // resolve (SPEC §12). Back here, it sends one resolve to the destinations it pages then
      // (adopted), so only a destination it no longer pages is excused.
      const bool handedAwaySince = open && handedAwayFrom(check, service, openedAt);
      // A check removed from the config while it fired is resolved where it paged, unless it
      // had been handed to another shard before.
      const bool removedHere = last.check(check) == nullptr && !handedAwayAfter(check, openedAt);
      const bool judged = owns(last, check) ? !handedAwaySince : removedHere;
      if (open && judged && !refusedEver) {
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
  // Whether the check left this shard after `at` and did not come back adopted paging
  // `destination`: its new owner resolves what it paged there (SPEC §12). Back here by a shard
  // change, the one resolve of an adopted check goes to the destinations it pages then; back
  // by being added to the config again, it is a new check, which owes nothing.
  bool handedAwayFrom(const std::string& check, const std::string& destination,
                      std::int64_t at) const {
    const ConfigVersion* previous = nullptr;
    bool left = false;
    for (const Applied& applied : record.applied) {
      const ConfigVersion& version = schedule.versions.at(applied.version);
      const bool now = owns(version, check);
      const bool before = previous != nullptr && owns(*previous, check);
      if (applied.at > at && before && !now && version.check(check) != nullptr) {
        left = true;
      } else if (left && now && !before) {
        // Adopted back paging it: it owes the resolve again (unless it leaves once more).
        const bool adopted = previous != nullptr && previous->check(check) != nullptr;
        left = !adopted || !notifies(version, check, destination);
      }
      previous = &version;
    }
    return left;
  }
  // The check's depends_on parent in the config in force at `at`; "" when it has none.
  std::string parentOf(const std::string& check, std::int64_t at) const {
    const CheckConfig* config = versionAt(at).check(check);
    return config == nullptr ? std::string() : config->dependsOn;
  }
  // Whether a reload or restart after `at` moved the check, still configured, to another shard
  // (a removal from the config is not a hand-off: it resolves).
  bool handedAwayAfter(const std::string& check, std::int64_t at) const {
    for (std::size_t i = 1; i < record.applied.size(); ++i) {
      const ConfigVersion& before = schedule.versions.at(record.applied[i - 1].version);
      const ConfigVersion& after = schedule.versions.at(record.applied[i].version);
      if (record.applied[i].at > at && owns(before, check) && after.check(check) != nullptr &&
          !owns(after, check)) {
        return true;
      }
    }
    return false;
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
          // Resolves queued before the hand-off still go out: one behind an earlier request
          // (a reminder too) still being retried then, or stamped before it.
          const bool queuedBefore =
              std::any_of(list.begin(), list.begin() + i,
                          [&](const Chain& c) { return c.inProgressAt(left); }) ||
              (chain.eventWallMs >= 0 && steadyOf(chain.eventWallMs) <= left) ||
              std::any_of(record.posts.begin(), record.posts.end(), [&](const Post& p) {
                return p.service == service && p.check == check && p.at <= left &&
                       left - p.at <= kMaxRetryGapMs && (p.status < 200 || p.status > 299);
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
        std::int64_t from = 0;
        for (std::size_t j = i; j-- > 0;) {
          if (list[j].kind == PostKind::Trigger) {
            from = list[j].eventWallMs >= 0 ? steadyOf(list[j].eventWallMs) : 0;
            break;
          }
        }
        // The old destination of a changed notify list or routing key gets its resolve, decided
        // then and posted then, or later behind a backlog (perhaps when it is paged again).
        if (const std::int64_t removed = notPagedFrom(check, service, from, chain.firstAt);
            removed >= 0 &&
            (chain.firstAt - removed <= kPageSlackMs ||
             (chain.eventWallMs >= 0 &&
              steadyOf(chain.eventWallMs) <= removed + kSlackStampMs + kPageSlackMs) ||
             busyBetween(service, check, removed, chain.firstAt))) {
          continue;
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
        // Decided while its depends_on parent surely fired, and sent before it surely stopped.
        const std::string parent = parentOf(check, chain.firstAt);
        if (!parent.empty() &&
            parents.surelyFiring(parent, steadyOf(chain.eventWallMs), chain.firstAt)) {
          add(chain.firstAt, check, "nothing pages in a hold",
              fmt::format("a trigger for {} went to {} while its parent {} fired (decided at {})",
                          check, service, parent, clockText(steadyOf(chain.eventWallMs))));
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
      const std::string parent = parentOf(post.check, post.at);
      if (!parent.empty() && parents.surelyFiring(parent, post.at, post.at)) {
        add(post.at, post.check, "nothing pages in a hold",
            fmt::format("a reminder for {} went to {} while its parent {} fired", post.check,
                        post.service, parent));
      }
    }
  }

  // Whether the daemon had decided this request by steady time `at`. Its first post says so
  // only when nothing was queued before it: behind earlier requests of its check and
  // destination being retried (down, 429, refusals for up to an hour) it waits, so the time it
  // was decided is read from what it carries: a trigger's event time (and Slack's resolve's, to
  // the second). A PagerDuty resolve carries none: decided no later than its first post.
  bool decidedBy(const Chain& chain, std::int64_t at) const {
    if (chain.kind == PostKind::Trigger) {
      return chain.firstAt <= at + kPageSlackMs ||
             (chain.eventWallMs >= 0 && steadyOf(chain.eventWallMs) <= at + kPageSlackMs);
    }
    // A resolve counts only when it surely was: asking for less, never more.
    return chain.firstAt <= at ||
           (chain.eventWallMs >= 0 && steadyOf(chain.eventWallMs) + kSlackStampMs <= at);
  }

  // Whether a trigger decided at `at` for this destination may have been dropped by a hand-off:
  // the check leaves this shard later, and the destination's queue was still busy then (its
  // last post before the hand-off was not taken, and a retry was due): the daemon drops the
  // triggers waiting, which their new owner pages instead.
  bool droppedAtHandOff(const std::string& destination, const std::string& check,
                        std::int64_t at) const {
    std::int64_t left = -1;
    bool owned = false;
    for (const Applied& applied : record.applied) {
      const bool now = owns(schedule.versions.at(applied.version), check);
      if (owned && !now && applied.at > at) {
        left = applied.at;
        break;
      }
      owned = now;
    }
    if (left < 0) {
      return false;
    }
    const auto taken = [](const Post& post) { return post.status >= 200 && post.status < 300; };
    const Post* last = nullptr;
    bool busyThen = false;  // something was being retried around `at`
    for (const Post& post : record.posts) {
      if (post.service != destination || post.check != check || post.at >= left) {
        continue;
      }
      last = &post;
      busyThen = busyThen || (!taken(post) && at - kMaxRetryGapMs <= post.at && post.at <= at);
    }
    if (last == nullptr) {
      return false;
    }
    // Earlier requests still going out after it was decided (paced, a backlog): it waited
    // behind them, unposted, until the hand-off.
    const bool servedUntilHandOff = last->at >= at && busyBetween(destination, check, at, left);
    if (servedUntilHandOff) {
      return true;
    }
    if (taken(*last) || !(busyThen || last->at >= at - kPageSlackMs)) {
      return false;
    }
    const bool killed = std::any_of(record.kills.begin(), record.kills.end(), [&](std::int64_t k) {
      return last->at <= k && k <= left;
    });
    return killed || left - last->at <= kMaxRetryGapMs;
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
      // A probe sent before a reload and answered after it ran the old definition: a check the
      // reload changed drops its answer (it is judged by the new one from its next run).
      const bool straddles =
          std::upper_bound(epochs.begin(), epochs.end(), o.startedAt) - epochs.begin() !=
          static_cast<std::ptrdiff_t>(epoch);
      if (straddles && !sameCheck(versionAt(o.startedAt), versionAt(o.at), o.check)) {
        continue;
      }
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
      // A child pages only when its parent surely does not fire (it may have just resolved,
      // releasing the child's held page).
      if (check == nullptr || !owns(version, o.check) || failures < check->failureThreshold ||
          (!check->dependsOn.empty() && !parents.surelyQuiet(check->dependsOn, o.at)) ||
          check->quorum) {
        continue;
      }
      const std::int64_t wall = record.wallAt(o.at);
      // A hold the wall clock stepped past ends for the daemon at its next look (every 10 s).
      const bool held = std::any_of(every.begin(), every.end(), [&](const Hold& h) {
        return covers(h, o.check) && h.startMs - kHoldMarginMs <= wall &&
               (wall <= h.endMs + kHoldMarginMs ||
                o.at <= steadyOf(h.endMs) + kWallRecheckMs + kHoldMarginMs);
      });
      if (held) {
        continue;
      }
      for (const std::string& id : check->notify) {
        const std::string service = version.destination(id);
        const auto found = all.find({service, o.check});
        bool open = false;
        bool refused = false;
        if (found != all.end()) {
          const auto& list = found->second;
          refused =
              std::any_of(list.begin(), list.end(), [](const Chain& c) { return c.dropped(); });
          // The requests of one check and destination are decided in order: the last decided by
          // now is the last one that was.
          std::optional<std::size_t> latest;
          for (std::size_t i = 0; i < list.size(); ++i) {
            if (decidedBy(list[i], o.at)) {
              latest = i;
            }
          }
          open = latest && list[*latest].kind == PostKind::Trigger && list[*latest].received;
        }
        if (refused || open || droppedAtHandOff(service, o.check, o.at)) {
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
  // Promise 5b: the time a trigger carries is when it was decided (what promise 5 reads), so it
  // must go out then, unless it waited behind another request of its check and destination
  // (whose last post came just before it), pacing, or a restart.
  void promptly(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> postsOf;
    for (const Post& post : record.posts) {
      postsOf[{post.service, post.check}].push_back(post.at);
    }
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      const auto& times = postsOf[key];
      for (const Chain& chain : list) {
        if (chain.kind != PostKind::Trigger || chain.eventWallMs < 0) {
          continue;
        }
        const std::int64_t decided = steadyOf(chain.eventWallMs);
        if (chain.firstAt <= decided + kPromptMs) {
          continue;
        }
        const bool waited = std::any_of(times.begin(), times.end(), [&](std::int64_t at) {
          return chain.firstAt - kPromptMs <= at && at < chain.firstAt;
        });
        const bool restarted =
            std::any_of(record.kills.begin(), record.kills.end(),
                        [&](std::int64_t at) { return decided <= at && at <= chain.firstAt; });
        if (!waited && !restarted) {
          add(chain.firstAt, check, "pages promptly",
              fmt::format("a trigger for {} decided at {} first went to {} at {}, with nothing "
                          "queued before it",
                          check, clockText(decided), service, clockText(chain.firstAt)));
        }
      }
    }
  }

  // Promise 6: a refused request (3xx, a 4xx that may pass once fixed) is retried for an hour
  // before it is given up, never less; a check that left this shard may drop its triggers.
  void refusals(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      for (const Chain& chain : list) {
        if (!chain.givenUp() || chain.lastAt - chain.refusingSince >= kGiveUpAfterMs ||
            ownershipChanged(check)) {
          continue;
        }
        const bool stepped = std::any_of(
            record.wallSteps.begin(), record.wallSteps.end(), [&](const WallStep& step) {
              return chain.refusingSince <= step.at && step.at <= chain.lastAt;
            });
        add(chain.lastAt, check, "refusals retried for an hour",
            fmt::format("the {} for {} to {} was given up after {} of refusals (from {}){}",
                        chain.kind == PostKind::Trigger ? "trigger" : "resolve", check, service,
                        clockText(chain.lastAt - chain.refusingSince),
                        clockText(chain.refusingSince),
                        stepped ? ", the wall clock stepped meanwhile" : ""));
      }
    }
  }

  // Promise 7: a config with an error is refused; the one in force stays.
  void refusedConfigs() {
    for (const std::int64_t at : record.acceptedRefused) {
      add(at, "", "a bad config is refused",
          "a reload to a config with a depends_on across shards was taken");
    }
  }

  // Promise 8: a restart does not send every reminder at once: a reminder for an alert goes out
  // one `renotify` after the restart at the earliest (the reminders before it died in memory).
  void remindersAfterRestart() {
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
      const Applied* since = nullptr;
      for (const Applied& applied : record.applied) {
        if (applied.at <= post.at) {
          since = &applied;
        }
      }
      // Only while the config the daemon restarted with is in force: a reload turning
      // `renotify` on may remind at once.
      if (since == nullptr || !since->restart) {
        continue;
      }
      const CheckConfig* check = schedule.versions.at(since->version).check(post.check);
      // Reminders are due on the wall clock: a step forward since the restart brings them
      // nearer by as much.
      const std::int64_t stepped = record.wallAt(post.at) - record.wallAt(since->at) -
                                   (post.at - since->at);
      if (check == nullptr || check->renotifyS == 0 ||
          post.at >= since->at + check->renotifyS * 1000LL - std::max<std::int64_t>(0, stepped) -
                         kHoldMarginMs) {
        continue;
      }
      add(post.at, post.check, "no reminder burst at restart",
          fmt::format("a reminder for {} went to {} {} after the restart at {} (renotify {}s)",
                      post.check, post.service, clockText(post.at - since->at),
                      clockText(since->at), check->renotifyS));
    }
  }
};

}  // namespace

std::vector<Violation> judge(const Schedule& schedule, const Record& record) {
  Judge j{schedule, record, {}};
  if (record.applied.empty()) {
    return j.out;
  }
  auto all = j.chains();
  for (auto& [key, list] : all) {
    for (Chain& chain : list) {
      const ConfigVersion& version = j.versionAt(chain.lastAt);
      chain.orphaned = std::none_of(version.names.begin(), version.names.end(), [&](const auto& n) {
        return version.destination(n.first) == key.first;
      });
    }
  }
  j.receivers(all);
  j.resolves(all);
  j.heldPages(all);
  j.mustPage(all);
  j.promptly(all);
  j.refusals(all);
  j.refusedConfigs();
  j.remindersAfterRestart();
  std::sort(j.out.begin(), j.out.end(),
            [](const Violation& a, const Violation& b) { return a.at < b.at; });
  return j.out;
}

}  // namespace prober::simulation
