// Notifier settings: what each type needs, typed, with exact messages for what is wrong (every
// file in testdata/invalid-notifiers/ paired with its NAME.errors), reported together with the
// loader's own errors in reading order.
#include <doctest/doctest.h>

#include <filesystem>

#include "alerting/notifier_settings.h"
#include "tests/support/config_files.h"

namespace {

const std::string kTestdata = TESTDATA_DIR;

prober::LoadResult loadText(const std::string& text) {
  return prober::loadConfigText(text, "/test/notifiers.toml", prober::testing::fakeEnvironment,
                                prober::withNotifierChecks({}));
}

std::string errorsOf(const prober::LoadResult& result) {
  std::string out;
  for (const auto& error : result.errors) {
    out += prober::toString(error) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("every invalid notifier config gives exactly its expected messages") {
  const auto dir = std::filesystem::path(kTestdata) / "invalid-notifiers";
  CHECK(prober::testing::expectExactErrors(dir, prober::withNotifierChecks({})) == 4);
}

TEST_CASE("notifiers are typed, with PagerDuty's defaults") {
  const auto result =
      prober::loadConfig(kTestdata + "/valid/full.toml", prober::testing::fakeEnvironment,
                         prober::withNotifierChecks({}));
  REQUIRE(result.config.has_value());
  std::vector<prober::ConfigError> errors;
  const prober::Notifiers notifiers = prober::readNotifiers(result.config->notifiers, errors);
  CHECK(errors.empty());
  REQUIRE(notifiers.count("pagerduty") == 1);
  const prober::PagerDutySettings* pagerDuty = notifiers.at("pagerduty").pagerDuty();
  REQUIRE(pagerDuty != nullptr);
  CHECK(pagerDuty->routingKey == "pd-routing-key-123");
  CHECK(pagerDuty->severity == "critical");
  CHECK(pagerDuty->eventsUrl == "https://events.pagerduty.com/v2/enqueue");
  const prober::SlackSettings* slack = notifiers.at("status-channel").slack();
  REQUIRE(slack != nullptr);
  CHECK(slack->webhookUrl == "http://127.0.0.1/slack-hook");
  CHECK(notifiers.at("status-channel").pagerDuty() == nullptr);
}

TEST_CASE("a notifier setting of another type or misspelt is refused with the closest name") {
  const auto result = loadText(R"([notifiers.pd]
type = "pagerduty"
routing_key = "k"
webhook_url = "http://127.0.0.1/hook"
severty = "warning"
)");
  CHECK_FALSE(result.config.has_value());
  CHECK(errorsOf(result) ==
        "/test/notifiers.toml:4:1: unknown key \"webhook_url\" in notifier \"pd\"\n"
        "/test/notifiers.toml:5:1: unknown key \"severty\" in notifier \"pd\" (did you mean "
        "\"severity\"?)\n");
}

TEST_CASE("a notifier without a type says which types there are") {
  const auto result = loadText("[notifiers.ops]\nwebhook_url = \"http://127.0.0.1/hook\"\n");
  CHECK(errorsOf(result) ==
        "/test/notifiers.toml:1:1: notifier \"ops\" needs a type (\"pagerduty\", \"slack\" or "
        "\"alertmanager\")\n");
}

TEST_CASE("an alertmanager notifier: every member's URL, resend and severity") {
  const auto result = loadText(R"([notifiers.am]
type = "alertmanager"
urls = ["http://127.0.0.1:9093", "http://127.0.0.1:9094/"]
resend = "30s"
)");
  REQUIRE(result.config.has_value());
  std::vector<prober::ConfigError> errors;
  const prober::Notifiers notifiers = prober::readNotifiers(result.config->notifiers, errors);
  CHECK(errors.empty());
  const prober::AlertmanagerSettings* am = notifiers.at("am").alertmanager();
  REQUIRE(am != nullptr);
  CHECK(am->urls == std::vector<std::string>{"http://127.0.0.1:9093", "http://127.0.0.1:9094/"});
  CHECK(am->resend == prober::Millis(30'000));
  CHECK(am->severity == "critical");
}

TEST_CASE("an alertmanager notifier's mistakes, each at its place") {
  CHECK(errorsOf(loadText("[notifiers.am]\ntype = \"alertmanager\"\n")) ==
        "/test/notifiers.toml:1:1: notifier \"am\" needs urls, a list of at least one URL\n");
  CHECK(errorsOf(loadText("[notifiers.am]\ntype = \"alertmanager\"\nurls = \"http://a:9093\"\n")) ==
        "/test/notifiers.toml:3:8: notifier \"am\" needs urls, a list of at least one URL\n");
  CHECK(errorsOf(loadText("[notifiers.am]\ntype = \"alertmanager\"\nurls = [\"am:9093\"]\n"
                          "resend = \"soon\"\nseverity = \"loud\"\n")) ==
        "/test/notifiers.toml:3:8: notifier \"am\": urls: \"am:9093\" is not an http:// or "
        "https:// URL\n"
        "/test/notifiers.toml:4:10: notifier \"am\": resend must be a duration like \"1m\"\n"
        "/test/notifiers.toml:5:12: notifier \"am\": severity must be critical, error, warning "
        "or info\n");
  CHECK(errorsOf(loadText("[notifiers.pd]\ntype = \"pagerduty\"\nrouting_key = [\"k\"]\n")) ==
        "/test/notifiers.toml:3:15: notifier \"pd\" needs routing_key, a string\n");
}
