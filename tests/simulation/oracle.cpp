#include "tests/simulation/oracle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "tests/simulation/lost_writes.h"
#include "tests/simulation/record_reading.h"

namespace prober::simulation {

namespace {

// The promises (oracle.h, docs/simulation.md), each judged over the record as read back.
struct Judge : RecordReading {
  using RecordReading::RecordReading;
  std::vector<Violation> out;
  LostWrites lost{*this};

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
      const Chain* opening = nullptr;
      const Chain* closing = nullptr;
      // What a kill lost while the disk refused writes: the daemon restarted not knowing `by`
      // went out, so what it sends after the kill may repeat it.
      const auto forgotten = [&](const Chain* by, const Chain* now) {
        const auto span = by == nullptr ? std::nullopt : lost.decidedIn(*by);
        return span && now->firstAt >= span->to;
      };
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
              (chain->eventWallMs < 0 || decidedAt(*chain).latest + kPageSlackMs >= back);
          if (open && !resolveDropped && !handedAwayBetween && !forgotten(opening, chain)) {
            add(chain->receivedAt, check, "paged once",
                fmt::format("{} took a second trigger for {} (first at {}) with no resolve between",
                            service, check, clockText(openedAt)));
          }
          open = true;
          openedAt = chain->receivedAt;
          opening = chain;
        } else {
          if (!open && !refusedEver && !ownershipChanged(check) && !forgotten(closing, chain)) {
            add(chain->receivedAt, check, "resolve follows a trigger",
                fmt::format("{} took a resolve for {} with no trigger open", service, check));
          }
          open = false;
          closing = chain;
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
      const bool openForgotten = opening != nullptr && lost.decidedIn(*opening).has_value();
      if (open && judged && !refusedEver && !openForgotten) {
        add(openedAt, check, "resolved once",
            fmt::format("the trigger {} took for {} at {} was never resolved (the check "
                        "passes at the end)",
                        service, check, clockText(openedAt)));
      }
    }
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
              (chain.eventWallMs >= 0 && decidedAt(chain).earliest <= left) ||
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
            from = list[j].eventWallMs >= 0 ? decidedAt(list[j]).earliest : 0;
            break;
          }
        }
        // The old destination of a changed notify list or routing key gets its resolve, decided
        // then and posted then, or later behind a backlog (perhaps when it is paged again).
        if (const std::int64_t removed = notPagedFrom(check, service, from, chain.firstAt);
            removed >= 0 &&
            (chain.firstAt - removed <= kPageSlackMs ||
             (chain.eventWallMs >= 0 &&
              decidedAt(chain).earliest <= removed + kSlackStampMs + kPageSlackMs) ||
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

  // Promise 9: what the API shows of holds is what holds. A check surely inside a hold shows
  // silenced; one shown silenced is inside a hold, or near one's edge.
  void marksShown() {
    const auto every = holds();
    for (const MarkSeen& seen : record.marks) {
      const Hold* surely = nullptr;
      const Hold* near = nullptr;
      for (const Hold& h : every) {
        if (!covers(h, seen.check)) {
          continue;
        }
        for (const Span& span : h.spans) {
          if (span.from + kHoldMarginMs <= seen.at && seen.at <= span.to - kHoldMarginMs) {
            surely = &h;
          }
          if (span.from - kHoldMarginMs <= seen.at && seen.at <= span.to + kHoldMarginMs) {
            near = &h;
          }
        }
      }
      if (surely != nullptr && !seen.silenced) {
        add(seen.at, seen.check, "the pages show holds",
            fmt::format("{} was inside {}, but the API showed it not silenced", seen.check,
                        surely->what));
      } else if (near == nullptr && seen.silenced) {
        add(seen.at, seen.check, "the pages show holds",
            fmt::format("the API showed {} silenced, but no hold covered it", seen.check));
      }
    }
  }

  // Promise 4.
  void heldPages(const std::map<std::pair<std::string, std::string>, std::vector<Chain>>& all) {
    const auto every = holds();
    // The hold covering the check at steady time `at`, and since when it has without a break.
    struct Inside {
      const Hold* hold;
      std::int64_t since;
    };
    const auto inside = [&](const std::string& check, std::int64_t at) -> std::optional<Inside> {
      for (const Hold& h : every) {
        for (const Span& span : h.spans) {
          if (covers(h, check) && span.from + kHoldMarginMs <= at &&
              at <= span.to - kHoldMarginMs) {
            return Inside{&h, span.from};
          }
        }
      }
      return std::nullopt;
    };
    for (const auto& [key, list] : all) {
      const auto& [service, check] = key;
      for (const Chain& chain : list) {
        if (chain.kind != PostKind::Trigger || chain.eventWallMs < 0) {
          continue;
        }
        // Decided after the hold began (at the earliest the time it carries allows).
        const std::int64_t decided = decidedAt(chain).earliest;
        const auto in = inside(check, chain.firstAt);
        if (in && decided >= in->since + kHoldMarginMs) {
          add(chain.firstAt, check, "nothing pages in a hold",
              fmt::format("a trigger for {} went to {} inside {}", check, service, in->hold->what));
        }
        // Decided while its depends_on parent surely fired, and sent before it surely stopped.
        const std::string parent = parentOf(check, chain.firstAt);
        if (!parent.empty() && parents.surelyFiring(parent, decided, chain.firstAt)) {
          add(chain.firstAt, check, "nothing pages in a hold",
              fmt::format("a trigger for {} went to {} while its parent {} fired (decided at {})",
                          check, service, parent, clockText(decided)));
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
      if (const auto in = inside(post.check, post.at)) {
        add(post.at, post.check, "nothing pages in a hold",
            fmt::format("a reminder for {} went to {} inside {}", post.check, post.service,
                        in->hold->what));
      }
      const std::string parent = parentOf(post.check, post.at);
      if (!parent.empty() && parents.surelyFiring(parent, post.at, post.at)) {
        add(post.at, post.check, "nothing pages in a hold",
            fmt::format("a reminder for {} went to {} while its parent {} fired", post.check,
                        post.service, parent));
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
      // A hold the wall clock stepped out of ends for the daemon at its next look (every 10 s).
      const bool held = std::any_of(every.begin(), every.end(), [&](const Hold& h) {
        return covers(h, o.check) &&
               std::any_of(h.spans.begin(), h.spans.end(), [&](const Span& span) {
                 return span.from - kHoldMarginMs <= o.at &&
                        o.at <= span.to + kWallRecheckMs + kHoldMarginMs;
               });
      });
      if (held) {
        continue;
      }
      for (const std::string& id : check->notify) {
        const std::string service = version.destination(id);
        const auto found = all.find({service, o.check});
        bool open = false;
        bool refused = false;
        bool forgotten = false;
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
          // After a kill while the disk refused writes the daemon believes what it stored:
          // when the last request decided before the refusal was a trigger, it believes the
          // alert fires, whatever the receiver took since (until it decides anew).
          if (latest) {
            const auto span = lost.decidedIn(list[*latest]);
            if (span && span->to < o.at) {
              std::optional<std::size_t> stored;
              for (std::size_t i = 0; i < list.size(); ++i) {
                if (decidedBy(list[i], span->from - kPageSlackMs) && !lost.decidedIn(list[i])) {
                  stored = i;
                }
              }
              forgotten = stored && list[*stored].kind == PostKind::Trigger;
            }
          }
        }
        // A failure between the refusal and the kill: its trigger, decided then in memory,
        // died with the process if it had not gone out by the kill: decided just before it, or
        // waiting behind its check's retries, or the receiver taking nothing meanwhile.
        if (const auto span = lost.spanOf(o.at); span && !open) {
          bool queueRetrying = false;
          bool receiverTook = false;
          for (const Post& p : record.posts) {
            if (p.service != service || p.at > span->to) {
              continue;
            }
            // Retried while not answered 2xx (a receiver that took it and timed out too).
            const bool answered = p.status >= 200 && p.status < 300;
            queueRetrying =
                queueRetrying || (p.check == o.check && !answered && p.at >= o.at - kMaxRetryGapMs);
            receiverTook = receiverTook || (answered && p.at >= o.at);
          }
          forgotten = forgotten || span->to - o.at < kPromptMs || queueRetrying || !receiverTook;
        }
        if (refused || open || forgotten || droppedAtHandOff(service, o.check, o.at)) {
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
        const std::int64_t decided = decidedAt(chain).latest;
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
        // Decided while the disk refused writes and never posted after the kill: lost with
        // the process, not given up.
        if (const auto span = lost.decidedIn(chain); span && chain.lastAt <= span->to) {
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
      // Reminders are timed on the steady clock: a wall clock stepped forward hurries none.
      if (check == nullptr || check->renotifyS == 0 ||
          post.at >= since->at + check->renotifyS * 1000LL - kHoldMarginMs) {
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
  Judge j(schedule, record);
  if (record.applied.empty()) {
    return j.out;
  }

  auto all = j.chains();
  j.lost.readPastReplays(all);
  for (auto& [key, list] : all) {
    for (Chain& chain : list) {
      const auto unpaged = [&](std::int64_t at) {
        const ConfigVersion& version = j.versionAt(at);
        return std::none_of(version.names.begin(), version.names.end(), [&](const auto& n) {
          return version.destination(n.first) == key.first;
        });
      };
      // The run of answers, back from the last, that count towards giving it up.
      std::int64_t since = chain.lastAt;
      for (auto it = chain.answers.rbegin(); it != chain.answers.rend(); ++it) {
        if (!isRefusal(it->second) && !unpaged(it->first)) {
          break;
        }
        since = it->first;
      }
      chain.orphaned = unpaged(chain.lastAt) &&
                       chain.lastAt - since >= kGiveUpAfterMs - kMaxRetryGapMs;
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
  j.marksShown();
  std::sort(j.out.begin(), j.out.end(),
            [](const Violation& a, const Violation& b) { return a.at < b.at; });
  return j.out;
}

}  // namespace prober::simulation
