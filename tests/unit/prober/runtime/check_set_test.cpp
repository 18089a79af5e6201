// The check set on its own: what a new config keeps, changes, adds and removes, and what it
// restores from before a restart.
#include <doctest/doctest.h>

#include "alerting/alert_event.h"
#include "prober/runtime/check_set.h"

namespace {

std::shared_ptr<const prober::CheckSpec> spec(const std::string& name,
                                              const std::string& url = "http://a.test/",
                                              prober::Millis certWarning = prober::Millis(0)) {
  prober::CheckSpec check;
  check.name = name;
  check.failureThreshold = 3;
  check.certWarning = certWarning;
  prober::StepSpec step;
  step.name = name;
  step.url = url;
  check.steps.push_back(step);
  return std::make_shared<const prober::CheckSpec>(std::move(check));
}

}  // namespace

TEST_CASE("a check set keeps unchanged checks, restarts changed ones, drops removed ones") {
  prober::CheckSet checks;
  const auto first = checks.apply({spec("a"), spec("b"), spec("c")});
  CHECK(first.added == 3);
  CHECK(first.started.size() == 3);
  const prober::CheckId aId = checks.idOf("a");
  const auto a = checks.find("a");
  a->alerts().restoreAlert(false, 2, {});
  checks.find("b")->alerts().restoreAlert(true, 5, {});

  const auto second = checks.apply({spec("b", "http://changed.test/"), spec("a"), spec("d")});
  CHECK(second.unchanged == 1);
  CHECK(second.changed == 1);
  CHECK(second.added == 1);
  REQUIRE(second.removed.size() == 1);
  CHECK(second.removed[0]->spec()->name == "c");
  CHECK(checks.find("a") == a);    // the same state object...
  CHECK(checks.idOf("a") == aId);  // ...under the same id, so its schedule goes on
  CHECK(checks.find("a")->alert().consecutiveFailures() == 2);
  CHECK(checks.find("b")->alert().firing());  // a changed check keeps its alert
  CHECK(checks.find("b")->spec()->steps[0].url == "http://changed.test/");
  CHECK(checks.find("c") == nullptr);
  CHECK(second.stopped.size() == 2);  // b's old id and c
  CHECK(second.started.size() == 2);  // b's new id and d
  std::vector<std::string> order;
  for (const auto& state : checks.inOrder()) {
    order.push_back(state->spec()->name);
  }
  CHECK(order == std::vector<std::string>{"b", "a", "d"});
  CHECK(checks.find(checks.idOf("d"))->spec()->name == "d");
}

TEST_CASE("a new check takes its alert and certificate warning from before a restart") {
  prober::CheckSet checks;
  std::map<std::string, prober::SavedAlert> saved;
  saved["api"] = prober::SavedAlert{true, 4, 1'000, 0, {"pd"}};
  saved[prober::alertKey("api", prober::AlertKind::Certificate)] =
      prober::SavedAlert{true, 0, 0, 2'000, {"pd"}};
  saved[prober::alertKey("web", prober::AlertKind::Certificate)] =
      prober::SavedAlert{true, 0, 0, 2'000, {"pd"}};
  checks.apply({spec("api", "https://a.test/", prober::Millis(86'400'000)), spec("web")}, saved);
  const auto api = checks.find("api");
  CHECK(api->alert().firing());
  CHECK(api->alert().consecutiveFailures() == 4);
  CHECK(api->failingSince() == prober::fromMillis(1'000));
  CHECK(api->certWarningFiring());
  CHECK_FALSE(checks.find("web")->certWarningFiring());  // it no longer asks for one
}

TEST_CASE("a changed check that no longer watches its certificate hands its warning back") {
  prober::CheckSet checks;
  checks.apply({spec("api", "https://a.test/", prober::Millis(86'400'000))});
  checks.find("api")->alerts().restoreCertWarning(true);
  const auto change = checks.apply({spec("api", "https://a.test/")});
  REQUIRE(change.certWarningsDropped.size() == 1);
  CHECK(change.certWarningsDropped[0]->spec()->name == "api");
  CHECK_FALSE(checks.find("api")->certWarningFiring());
}

TEST_CASE("names and ids still find every check after reloads that replace each spec object") {
  // The name index views the name inside each state's spec; a reload hands in new spec
  // objects and the old ones go, so the index must follow (the sanitizer build checks reads).
  prober::CheckSet checks;
  const auto specsNamed = [](const std::string& prefix) {
    std::vector<std::shared_ptr<const prober::CheckSpec>> specs;
    for (int i = 0; i < 500; ++i) {
      specs.push_back(spec(prefix + std::to_string(i)));
    }
    return specs;
  };
  checks.apply(specsNamed("check-with-a-long-name-"));
  const prober::CheckId firstId = checks.idOf("check-with-a-long-name-7");
  for (int reload = 0; reload < 3; ++reload) {
    const auto change = checks.apply(specsNamed("check-with-a-long-name-"));
    CHECK(change.unchanged == 500);
  }
  CHECK(checks.idOf("check-with-a-long-name-7") == firstId);
  for (int i = 0; i < 500; ++i) {
    const std::string name = "check-with-a-long-name-" + std::to_string(i);
    const auto state = checks.find(name);
    REQUIRE(state != nullptr);
    CHECK(state->spec()->name == name);
    CHECK(checks.find(checks.idOf(name)) == state);
  }
  CHECK(checks.ids().size() == 500);
  // Half of them change and the rest go: new ids for the changed, none left for the rest.
  std::vector<std::shared_ptr<const prober::CheckSpec>> half;
  for (int i = 0; i < 250; ++i) {
    half.push_back(spec("check-with-a-long-name-" + std::to_string(i), "http://changed.test/"));
  }
  const auto change = checks.apply(half);
  CHECK(change.changed == 250);
  CHECK(change.removed.size() == 250);
  CHECK(checks.find(firstId) == nullptr);
  CHECK(checks.find("check-with-a-long-name-300") == nullptr);
  CHECK(checks.find(checks.idOf("check-with-a-long-name-7"))->spec()->steps[0].url ==
        "http://changed.test/");
}
