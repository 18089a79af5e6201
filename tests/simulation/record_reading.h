#pragma once
// The record of one run read back for the oracle: which config was in force when, which checks
// this instance ran, the requests each receiver saw (Chain), the holds, and wall time mapped to
// steady time. oracle.cpp judges the promises with these; it asks, this file only reads.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checks/shard.h"
#include "tests/simulation/parent_alerts.h"
#include "tests/simulation/record.h"
#include "tests/simulation/schedule.h"
#include "tests/simulation/wall_time_reading.h"

namespace prober::simulation {

inline constexpr std::int64_t kHoldMarginMs = 2'000;  // timers and the once-a-second window cache
inline constexpr std::int64_t kPageSlackMs = 3'000;   // pacing, a release at the hold's end
inline constexpr std::int64_t kGiveUpAfterMs = 3'600'000;  // refusals are retried this long
inline constexpr std::int64_t kMaxBackoffMs = 300'000;     // the longest wait between two attempts
// The longest time between two posts of one request: an attempt that waits out the notifier's
// timeout (10 s by default), then the longest backoff.
inline constexpr std::int64_t kMaxRetryGapMs = kMaxBackoffMs + 15'000;
inline constexpr std::int64_t kWallRecheckMs =
    10'000;                                           // wall-time timers are re-checked this often
inline constexpr std::int64_t kSlackStampMs = 1'000;  // Slack stamps a message to the second
inline constexpr std::int64_t kAnswerMs = 1'000;   // a receiver answers what it takes within this
inline constexpr std::int64_t kPromptMs = 30'000;  // pacing: a burst of pages to one receiver waits

// An answer that refuses but may pass once someone fixes it (a proxy's 403, a moved URL): the
// daemon retries it for an hour, then gives the notification up.
inline bool isRefusal(int status) {
  return status >= 300 && status <= 499 && status != 400 && status != 408 && status != 429;
}

// One logical notification as a receiver sees it: consecutive posts of the same body to one
// destination about one check are one request retried.
struct Chain {
  PostKind kind = PostKind::Other;
  std::int64_t firstAt = 0;
  std::string body;
  bool received = false;
  std::int64_t receivedAt = -1;
  std::int64_t eventWallMs = -1;  // when it was decided (wall): a trigger's; Slack's resolve's
  bool refused = false;           // a 400: dropped for good
  // When the daemon was told it was done (2xx or 400); rows queued behind it for the same check
  // and notifier wait until then, so their first post is not when they were decided.
  std::int64_t finishedAt = INT64_MAX;
  std::int64_t lastAt = -1;
  int lastStatus = 0;
  // Since when the answers have been refusals (-1: the last answer was not one).
  std::int64_t refusingSince = -1;
  // Every post's time and answer, in order.
  std::vector<std::pair<std::int64_t, int>> answers;
  bool inProgressAt(std::int64_t at) const { return firstAt <= at && at < finishedAt; }
  // Never taken, and its last answer a refusal: the daemon gave it up (promise 6 judges when).
  bool givenUp() const { return !received && finishedAt == INT64_MAX && isRefusal(lastStatus); }
  // A trigger never acknowledged whose last hour of answers (less the longest retry gap) were
  // refusals or came while no notifier paged its destination, as at its end: the daemon gives
  // such a trigger up (a resolve is retried until delivered).
  bool orphaned = false;
  bool dropped() const {
    return refused || givenUp() ||
           (orphaned && kind == PostKind::Trigger && finishedAt == INT64_MAX);
  }
};

struct RecordReading : WallTimeReading {
  RecordReading(const Schedule& schedule, const Record& record)
      : WallTimeReading(record), schedule(schedule), parents(schedule, record) {}

  const Schedule& schedule;
  ParentAlerts parents;

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

  // The last moment from `from` to `to` when the config in force stopped paging `destination`
  // for the check (`from` itself when it did not page there then); -1 when every one did. A
  // trigger to a destination added later carries the time the alert fired, from before.
  std::int64_t notPagedFrom(const std::string& check, const std::string& destination,
                            std::int64_t from, std::int64_t to) const {
    bool paging = notifies(versionAt(from), check, destination);
    std::int64_t stopped = paging ? -1 : from;
    for (const Applied& applied : record.applied) {
      if (applied.at < from || applied.at > to) {
        continue;
      }
      const bool now = notifies(schedule.versions.at(applied.version), check, destination);
      if (paging && !now) {
        stopped = applied.at;
      }
      paging = now;
    }
    return stopped;
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
    std::vector<Span> spans;  // steady time it holds: in force, and the wall clock inside it
    std::string what;
  };
  std::vector<Hold> holds() const {
    std::vector<Hold> all;
    for (const HoldRecord& h : record.holds) {
      // A restart forgets a silence that has ended by then (the store prunes it), whatever the
      // clock reads later.
      std::int64_t gone = h.deletedAt;
      for (const Applied& applied : record.applied) {
        if (applied.restart && applied.at > h.madeAt && record.wallAt(applied.at) >= h.wallEndMs) {
          gone = std::min(gone, applied.at);
          break;
        }
      }
      // It holds from when it was made, whatever the clock reads, until the clock reads its end.
      all.push_back(Hold{h.glob, whileWallIn(INT64_MIN / 4, h.wallEndMs, h.madeAt, gone),
                         fmt::format("{} #{} on {}", h.how, h.number, h.glob)});
    }
    // A window holds only while a config that has it is in force: from the reload (or restart)
    // that brought it to the one that dropped or moved it.
    for (std::size_t i = 0; i < record.applied.size(); ++i) {
      const Applied& applied = record.applied[i];
      const bool last = i + 1 == record.applied.size();
      const std::int64_t until = last ? INT64_MAX : record.applied[i + 1].at;
      for (const Window& w : schedule.versions.at(applied.version).windows) {
        auto spans = whileWallIn(w.startS * 1000, (w.startS + w.lengthS) * 1000, applied.at, until);
        if (!spans.empty()) {
          all.push_back(Hold{w.check, std::move(spans),
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
        Chain chain;
        chain.kind = post.kind;
        chain.firstAt = post.at;
        chain.eventWallMs = post.eventWallMs;
        chain.body = post.body;
        list.push_back(std::move(chain));
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
      chain.answers.emplace_back(post.at, post.status);
      if (!isRefusal(post.status)) {
        chain.refusingSince = -1;
      } else if (chain.refusingSince < 0) {
        chain.refusingSince = post.at;
      }
    }
    return out;
  }

  // When a request was decided, read from the wall time it carries: before its first post.
  Between decidedAt(const Chain& chain) const { return steadyOf(chain.eventWallMs, chain.firstAt); }

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

  // Whether the daemon had decided this request by steady time `at`. Its first post says so
  // only when nothing was queued before it: behind earlier requests of its check and
  // destination being retried (down, 429, refusals for up to an hour) it waits, so the time it
  // was decided is read from what it carries: a trigger's event time (and Slack's resolve's, to
  // the second). A PagerDuty resolve carries none: decided no later than its first post.
  bool decidedBy(const Chain& chain, std::int64_t at) const {
    if (chain.kind == PostKind::Trigger) {
      // A clock stepped back may make the time it carries read earlier: a trigger taken counts
      // from the earliest, one never taken (it may hide one taken before) from the latest.
      const auto decided = decidedAt(chain);
      return chain.firstAt <= at + kPageSlackMs ||
             (chain.eventWallMs >= 0 &&
              (chain.received ? decided.earliest : decided.latest) <= at + kPageSlackMs);
    }
    // A resolve counts only when it surely was: asking for less, never more.
    return chain.firstAt <= at ||
           (chain.eventWallMs >= 0 && decidedAt(chain).latest + kSlackStampMs <= at);
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
    const bool killed = std::any_of(record.kills.begin(), record.kills.end(),
                                    [&](std::int64_t k) { return last->at <= k && k <= left; });
    return killed || left - last->at <= kMaxRetryGapMs;
  }
};

}  // namespace prober::simulation
