#include "prober/runtime/scheduler.h"

#include <algorithm>

namespace prober {
namespace {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

Scheduler::Scheduler(Clock& clock, Timer& timer, std::size_t maxInFlight, Hooks hooks,
                     SteadyDuration minWakeInterval)
    : clock_(clock),
      timer_(timer),
      maxInFlight_(std::max<std::size_t>(1, maxInFlight)),
      hooks_(std::move(hooks)),
      minWakeInterval_(std::max(minWakeInterval, SteadyDuration::zero())) {}

SteadyDuration Scheduler::spreadOffset(std::string_view name, Millis interval) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(interval).count();
  if (micros <= 0) {
    return SteadyDuration::zero();
  }
  return std::chrono::microseconds(
      static_cast<std::int64_t>(fnv1a(name) % static_cast<std::uint64_t>(micros)));
}

SteadyTime Scheduler::nextDue(SteadyTime due, Millis interval, SteadyTime now, int& passedOver) {
  passedOver = 0;
  const SteadyDuration step = std::max<SteadyDuration>(interval, std::chrono::milliseconds(1));
  SteadyTime next = due + step;
  if (next <= now) {
    const auto behind = (now - next) / step + 1;
    passedOver = static_cast<int>(std::min<std::int64_t>(behind, 1'000'000));
    next += step * behind;
  }
  return next;
}

void Scheduler::add(CheckId id, std::string_view name, Millis interval) {
  const std::uint64_t generation = nextGeneration_++;
  const SteadyTime first = clock_.now() + spreadOffset(name, interval);
  entries_[id] = Entry{interval, generation, first};
  heap_.push_back(Due{first, id, generation});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  rearm();
}

void Scheduler::add(const std::vector<NewCheck>& checks) {
  // The slow part first: the names hashed, the map grown. The entries are noted by address,
  // which holds while no insertion takes the map past its max_load (then it rehashes).
  entries_.reserve(entries_.size() + checks.size());
  if (entries_.max_load() < entries_.size() + checks.size()) {
    for (const NewCheck& check : checks) {
      add(check.id, check.name, check.interval);
    }
    return;
  }
  heap_.reserve(heap_.size() + checks.size());
  std::vector<std::pair<Entry*, SteadyDuration>> added;
  added.reserve(checks.size());
  for (const NewCheck& check : checks) {
    Entry& entry = entries_[check.id] = Entry{check.interval, nextGeneration_++, SteadyTime{}};
    added.emplace_back(&entry, spreadOffset(check.name, check.interval));
  }
  const SteadyTime now = clock_.now();
  for (std::size_t i = 0; i < checks.size(); ++i) {
    auto& [entry, offset] = added[i];
    entry->firstDue = now + offset;
    heap_.push_back(Due{entry->firstDue, checks[i].id, entry->generation});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }
  rearm();
}

void Scheduler::runAgainAt(CheckId id, SteadyTime at) {
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return;
  }
  it->second.retrying = true;
  reschedule(id, it->second, std::max(at, clock_.now()));
}

void Scheduler::resumeInterval(CheckId id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.retrying) {
    return;
  }
  Entry& entry = it->second;
  entry.retrying = false;
  const SteadyTime now = clock_.now();
  SteadyTime next = entry.firstDue;
  if (next <= now) {
    int passedOver = 0;  // slots that went by during the retries are not skips
    next = nextDue(entry.firstDue, entry.interval, now, passedOver);
  }
  reschedule(id, entry, next);
}

void Scheduler::reschedule(CheckId id, Entry& entry, SteadyTime at) {
  entry.generation = nextGeneration_++;
  entry.queued = false;
  heap_.push_back(Due{at, id, entry.generation});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  rearm();
}

void Scheduler::remove(CheckId id) {
  entries_.erase(id);
}

void Scheduler::finished(CheckId id) {
  running_.erase(id);
  dispatch();
}

void Scheduler::setMaxInFlight(std::size_t maxInFlight) {
  maxInFlight_ = std::max<std::size_t>(1, maxInFlight);
  dispatch();
}

void Scheduler::onTimer() {
  const SteadyTime now = clock_.now();
  // The wake counts from when it was due, unless the loop was held up longer than a wake
  // interval: under load the wakes then keep one interval apart exactly, which lets the timer
  // have the next one waiting before this one is over (expectNext, below).
  lastWake_ = armed_ && now >= armedAt_ && now - armedAt_ < minWakeInterval_ ? armedAt_ : now;
  armed_ = false;
  while (!heap_.empty() && heap_.front().at <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    const Due due = heap_.back();
    heap_.pop_back();
    auto it = entries_.find(due.id);
    if (it == entries_.end() || it->second.generation != due.generation) {
      continue;  // removed, or replaced by a newer schedule
    }
    Entry& entry = it->second;
    if (entry.queued || running_.count(due.id) != 0) {
      if (hooks_.skipped) {
        hooks_.skipped(due.id, 1);
      }
    } else {
      entry.queued = true;
      ready_.push_back(Ready{due.id, due.generation, due.at});
    }
    int passedOver = 0;
    const SteadyTime next = nextDue(due.at, entry.interval, now, passedOver);
    if (passedOver > 0 && hooks_.skipped) {
      hooks_.skipped(due.id, passedOver);
    }
    heap_.push_back(Due{next, due.id, due.generation});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }
  dispatch();
  rearm();
}

void Scheduler::dispatch() {
  if (dispatching_) {
    return;  // a launch finished synchronously; the loop below picks up the freed slot
  }
  dispatching_ = true;
  while (running_.size() < maxInFlight_ && !ready_.empty()) {
    const Ready ready = ready_.front();
    ready_.pop_front();
    auto it = entries_.find(ready.id);
    if (it == entries_.end() || it->second.generation != ready.generation) {
      continue;
    }
    it->second.queued = false;
    running_.insert(ready.id);
    if (hooks_.lag) {
      hooks_.lag(clock_.now() - ready.due);
    }
    hooks_.launch(ready.id, ready.due);
  }
  dispatching_ = false;
}

void Scheduler::rearm() {
  // Drop dead entries at the top so the timer never wakes for a removed check.
  while (!heap_.empty()) {
    auto it = entries_.find(heap_.front().id);
    if (it != entries_.end() && it->second.generation == heap_.front().generation) {
      break;
    }
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    heap_.pop_back();
  }
  if (heap_.empty()) {
    if (armed_) {
      timer_.cancel();
      armed_ = false;
    }
    return;
  }
  const SteadyTime wake = std::max(heap_.front().at, lastWake_ + minWakeInterval_);
  if (armed_ && armedAt_ == wake) {
    return;
  }
  armed_ = true;
  armedAt_ = wake;
  timer_.armAt(wake, [this] { onTimer(); });
  if (minWakeInterval_ > SteadyDuration::zero()) {
    // The earliest the wake after this one can be, and under load what it is. A wrong guess
    // costs nothing: the next armAt() or cancel() forgets it.
    timer_.expectNext(wake + minWakeInterval_);
  }
}

}  // namespace prober
