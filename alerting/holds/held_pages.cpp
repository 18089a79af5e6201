// The alerter's held pages: a trigger a maintenance window, a silence or a firing dependency
// holds is stored as fired but not paged, and goes out when the hold is found over (Alerter in
// alerter.h; transition() decides what to hold).
#include <spdlog/spdlog.h>

#include "alerting/alerter.h"

namespace prober {

void Alerter::hold(const CheckSpec& spec, const AlertEvent& event, PageHold why) {
  const std::string key = alertKey(spec.name, event.kind);
  spdlog::info("{}: page held ({})", key, why.reason);
  observer_.pageHeld(key, event, why);
  SavedAlert saved = firingState(event, destinationsOf(spec));
  saved.paged = false;
  held_.insert_or_assign(key, HeldPage{spec, event, std::move(why)});
  enqueue(key, saved, {}, "held trigger");
  armHeldWake();
}

void Alerter::releaseHeld() {
  std::vector<std::string> released;
  for (auto& [key, page] : held_) {
    if (auto why = hooks_.holdFor ? hooks_.holdFor(page.spec, page.trigger.kind) : std::nullopt) {
      page.why = std::move(*why);
    } else {
      released.push_back(key);
    }
  }
  for (const std::string& key : released) {
    auto node = held_.extract(key);
    HeldPage& page = node.mapped();
    page.trigger.at = wallNow();  // the page goes out now
    spdlog::info("{}: hold ended ({}), still firing: paging now", key, page.why.reason);
    observer_.holdEnded(key, page.trigger, "still firing: paged now");
    deliver(page.spec, page.trigger, true);
  }
  armHeldWake();
}

void Alerter::refreshHeld(const std::function<const CheckSpec*(const std::string&)>& running) {
  for (auto it = held_.begin(); it != held_.end();) {
    const CheckSpec* now = running(it->second.spec.name);
    if (now != nullptr && now->pageByQuorum) {
      // Paged by the quorum rules now: nothing of this instance's is owed; the state is kept.
      const std::string key = it->first;
      const SavedAlert state = firingState(it->second.trigger, {});
      it = held_.erase(it);
      enqueue(key, state, {}, "quorum");
      continue;
    }
    if (now != nullptr) {
      it->second.spec = *now;
    }
    ++it;
  }
}

const PageHold* Alerter::heldPage(const std::string& key) const {
  const auto it = held_.find(key);
  return it == held_.end() ? nullptr : &it->second.why;
}

void Alerter::armHeldWake() {
  std::optional<std::chrono::system_clock::time_point> first;
  for (const auto& [key, page] : held_) {
    if (page.why.until && (!first || *page.why.until < *first)) {
      first = page.why.until;
    }
  }
  if (first) {
    heldTimer_.armAtWall(toMillis(*first), [this] { releaseHeld(); });
  }
}

}  // namespace prober
