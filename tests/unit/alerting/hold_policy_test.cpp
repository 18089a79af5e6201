// The hold policy on its own: a window or silence holds every page of a check it covers; a
// firing check in its depends_on holds its failure and degraded pages but not its certificate
// warning; the reason names what holds it. Dependencies are judged through a function, so no
// running checks are needed.
#include <doctest/doctest.h>

#include <memory>
#include <set>

#include "alerting/holds/hold_policy.h"
#include "tests/fakes/page_holds_on_disk.h"
#include "tests/fakes/set_clock.h"

namespace {

struct Harness {
  Harness() {
    api.name = "api";
    api.dependsOn = {"db", "cache", "dns"};
  }
  void silence(const std::string& checks, const std::string& duration) {
    onDisk.silence(clock, checks, duration);
  }

  prober::testing::SetClock clock{1'800'000'000'000};
  prober::testing::PageHoldsOnDisk onDisk{"hold-policy"};
  prober::PageHolds* holds = &onDisk.holds();
  std::set<std::string> firing;
  std::unique_ptr<prober::HoldPolicy> policy = std::make_unique<prober::HoldPolicy>(
      *holds, clock, [this](const std::string& name) { return firing.count(name) != 0; });
  prober::CheckSpec api;
};

}  // namespace

TEST_CASE("hold policy: nothing holds a check with no window, silence or firing parent") {
  Harness h;
  for (const auto kind :
       {prober::AlertKind::Check, prober::AlertKind::Certificate, prober::AlertKind::Degraded}) {
    CHECK_FALSE(h.policy->holdFor(h.api, kind));
  }
  CHECK(h.policy->firingParents(h.api).empty());
}

TEST_CASE("hold policy: firing parents hold failure and degraded pages, not the certificate") {
  Harness h;
  h.firing = {"dns", "db", "elsewhere"};
  CHECK(h.policy->firingParents(h.api) == std::vector<std::string>{"db", "dns"});  // as written
  const auto held = h.policy->holdFor(h.api, prober::AlertKind::Check);
  REQUIRE(held);
  CHECK(held->cause == prober::PageHold::Cause::Dependency);
  CHECK(held->reason == "depends on db, dns, which are firing");
  CHECK_FALSE(held->until);  // until the parent recovers, whenever that is
  CHECK(h.policy->holdFor(h.api, prober::AlertKind::Degraded));
  CHECK_FALSE(h.policy->holdFor(h.api, prober::AlertKind::Certificate));
  h.firing = {"cache"};
  CHECK(h.policy->holdFor(h.api, prober::AlertKind::Check)->reason ==
        "depends on cache, which is firing");
}

TEST_CASE("hold policy: a silence holds every kind, before any dependency, until it ends") {
  Harness h;
  h.firing = {"db"};
  h.silence("ap*", "1h");
  for (const auto kind :
       {prober::AlertKind::Check, prober::AlertKind::Certificate, prober::AlertKind::Degraded}) {
    const auto held = h.policy->holdFor(h.api, kind);
    REQUIRE(held);
    CHECK(held->cause == prober::PageHold::Cause::Silence);
    REQUIRE(held->until);
    CHECK(prober::toMillis(*held->until) == h.clock.wallMs + 3'600'000);
  }
  h.clock.wallMs += 3'600'000;  // the silence is over: the dependency holds again
  CHECK(h.policy->holdFor(h.api, prober::AlertKind::Check)->cause ==
        prober::PageHold::Cause::Dependency);
  CHECK_FALSE(h.policy->holdFor(h.api, prober::AlertKind::Certificate));
}

TEST_CASE("hold policy: only a check a window, a silence or a depends_on covers may be held") {
  Harness h;
  prober::CheckSpec web;
  web.name = "web";
  CHECK(h.policy->mayHold(h.api));  // its depends_on, firing or not
  CHECK_FALSE(h.policy->mayHold(web));
  h.silence("we*", "1h");
  CHECK(h.policy->mayHold(web));
  h.clock.wallMs += 2 * 3'600'000;  // the silence ended
  CHECK_FALSE(h.policy->mayHold(web));
  prober::MaintenanceSpec window;  // not open yet: it will be
  window.name = "upgrade";
  window.checks = {"web"};
  window.start = h.clock.wallNow() + std::chrono::hours(5);
  window.duration = std::chrono::hours(1);
  h.holds->setWindows({window});
  CHECK(h.policy->mayHold(web));
}
