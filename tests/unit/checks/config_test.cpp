// Config loading: every invalid file in testdata/invalid/ is paired with its exact messages
// (NAME.errors); valid files load with defaults, environment and includes applied.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/config/config_loader.h"
#include "tests/support/config_files.h"

namespace fs = std::filesystem;

namespace {

const std::string kTestdata = TESTDATA_DIR;

using prober::testing::fakeEnvironment;
using prober::testing::readFile;
using prober::testing::replaceAll;

}  // namespace

TEST_CASE("every invalid config gives exactly its expected messages") {
  // Notifier settings are alerting's: tests/unit/alerting/notifier_settings_test.cpp.
  CHECK(prober::testing::expectExactErrors(fs::path(kTestdata) / "invalid") >= 30);
}

TEST_CASE("a missing file is an error naming it") {
  const auto result = prober::loadConfig(kTestdata + "/no-such-file.toml", fakeEnvironment);
  REQUIRE(result.errors.size() == 1);
  CHECK(prober::toString(result.errors[0]) ==
        kTestdata + "/no-such-file.toml:1:1: cannot read the file: No such file or directory");
}

TEST_CASE("a directory is refused as a config file") {
  const auto result = prober::loadConfig(kTestdata + "/valid", fakeEnvironment);
  REQUIRE(result.errors.size() == 1);
  CHECK(prober::toString(result.errors[0]) ==
        kTestdata + "/valid:1:1: is a directory, not a config file");
}

TEST_CASE("a full config loads with defaults, environment and includes applied") {
  const auto result = prober::loadConfig(kTestdata + "/valid/full.toml", fakeEnvironment);
  for (const auto& error : result.errors) {
    INFO(prober::toString(error));
  }
  REQUIRE(result.errors.empty());
  REQUIRE(result.config.has_value());
  const prober::Config& config = *result.config;
  CHECK(config.prober.listen == "127.0.0.1:19115");
  CHECK(config.prober.maxInFlight == 50);
  CHECK(config.prober.userAgent == "prober-test");
  CHECK(config.prober.historyMaxSize == 5ULL * 1024 * 1024 * 1024);
  CHECK(config.web == prober::WebSettings{});
  REQUIRE(config.checks.size() == 4);
  CHECK(config.checks[3]->name == "included-check");

  const prober::CheckSpec& health = *config.checks[0];
  CHECK(health.name == "api-health");
  CHECK(health.interval == prober::Millis(15'000));
  CHECK(health.timeout == prober::Millis(5'000));  // from [defaults]
  CHECK(health.failureThreshold == 2);             // from [defaults]
  CHECK(health.successThreshold == 1);             // built-in default
  CHECK(health.failureWindow == 5);                // 2 of the last 5 runs
  CHECK(config.checks[1]->failureWindow == 0);     // not set: failures in a row
  CHECK(health.retryInterval == prober::Millis(5'000));
  CHECK(health.renotify == prober::Millis(3'600'000));
  CHECK(config.checks[1]->retryInterval == prober::Millis(0));
  REQUIRE(health.steps[0].degradedAssertions.size() == 1);
  CHECK(prober::hasDegradedAssertions(health));
  CHECK_FALSE(prober::hasDegradedAssertions(*config.checks[1]));
  CHECK(config.checks[2]->dependsOn == std::vector<std::string>{"api-health"});
  REQUIRE(config.maintenance.size() == 3);
  const prober::MaintenanceSpec& weekly = config.maintenance[0];
  CHECK(weekly.name == "weekly-db");
  CHECK(weekly.checks == std::vector<std::string>{"db-*", "create"});
  CHECK(weekly.labels.at("team") == "payments");
  REQUIRE(weekly.schedule.has_value());
  CHECK(weekly.schedule->text() == "0 3 * * SUN");
  CHECK(weekly.duration == prober::Millis(3'600'000));
  CHECK(weekly.timezone == "Asia/Tokyo");
  // 2026-12-05T22:00:00Z
  CHECK(config.maintenance[1].start ==
        std::chrono::system_clock::time_point(std::chrono::seconds(1796508000)));
  // A TOML local date-time is read in the window's zone: 07:00 in Tokyo is 22:00 UTC.
  CHECK(config.maintenance[2].start == config.maintenance[1].start);
  CHECK(health.notify == std::vector<std::string>{"pagerduty"});
  CHECK(health.labels.at("team") == "payments");
  REQUIRE(health.steps.size() == 1);
  CHECK(health.steps[0].url == "https://api.example.com/health?token=s3cret");
  CHECK(health.steps[0].displayUrl() == "https://api.example.com/health?token=${API_TOKEN}");
  CHECK(health.steps[0].assertions.size() == 3);
  CHECK(health.steps[0].content->headers ==
        std::vector<std::pair<std::string, std::string>>{{"Accept", "application/json"}});

  const prober::CheckSpec& create = *config.checks[1];
  CHECK(create.steps[0].method == "POST");
  // A url without ${VAR} is held once: shown as it is sent.
  CHECK(create.steps[0].writtenUrl.empty());
  CHECK(create.steps[0].displayUrl() == "http://127.0.0.1:8080/items");
  CHECK(create.displayUrl() == "http://127.0.0.1:8080/items");
  // toml++ keeps table keys sorted, so the JSON body lists them in that order.
  CHECK(create.steps[0].content->body ==
        R"({"count":2,"name":"synthetic","secret":"s3cret","tags":["a","b"]})");
  CHECK(create.steps[0].content->headers.back() ==
        std::pair<std::string, std::string>{"Content-Type", "application/json"});
  CHECK(create.notify.empty());
  CHECK_FALSE(create.steps[0].followRedirects);
  CHECK_FALSE(create.steps[0].connection->tlsVerify);
  CHECK(create.steps[0].bodySizeLimit == 64 * 1024);
  CHECK(create.steps[0].assertions.empty());

  const prober::CheckSpec& flow = *config.checks[2];
  REQUIRE(flow.steps.size() == 2);
  CHECK(flow.steps[0].name == "login");
  CHECK(flow.steps[1].name == "me");
  CHECK(flow.steps[1].method == "GET");
  CHECK(flow.timeout == prober::Millis(5'000));

  REQUIRE(config.notifiers.count("pagerduty") == 1);  // as written; typed by alerting
  CHECK(config.notifiers.at("pagerduty").type == "pagerduty");
  CHECK(config.notifiers.at("pagerduty").settings.at("routing_key") == "pd-routing-key-123");
}

TEST_CASE("the default timeout shrinks to a shorter interval; an explicit one may not exceed it") {
  const fs::path path = fs::temp_directory_path() / "prober-config-test-short.toml";
  std::ofstream(path)
      << "[[check]]\nname = \"fast\"\nurl = \"http://127.0.0.1/\"\ninterval = \"500ms\"\n";
  const auto result = prober::loadConfig(path.string(), fakeEnvironment);
  REQUIRE(result.config.has_value());
  CHECK(result.config->checks[0]->timeout == prober::Millis(500));
  fs::remove(path);
}

TEST_CASE("sameAs ignores where a check was written, not what it does") {
  const auto first = prober::loadConfig(kTestdata + "/valid/full.toml", fakeEnvironment);
  const auto second = prober::loadConfig(kTestdata + "/valid/full.toml", fakeEnvironment);
  REQUIRE(first.config.has_value());
  REQUIRE(second.config.has_value());
  CHECK(first.config->checks[0]->sameAs(*second.config->checks[0]));
  CHECK_FALSE(first.config->checks[0]->sameAs(*second.config->checks[1]));
  prober::CheckSpec changed = *first.config->checks[0];
  changed.interval = prober::Millis(1000);
  CHECK_FALSE(first.config->checks[0]->sameAs(changed));
}

TEST_CASE("the example config is valid") {
  const auto result =
      prober::loadConfig(std::string(EXAMPLES_DIR) + "/checks.toml", fakeEnvironment);
  for (const auto& error : result.errors) {
    INFO(prober::toString(error));
  }
  CHECK(result.errors.empty());
  REQUIRE(result.config.has_value());
  CHECK(result.config->checks.size() >= 3);
}

TEST_CASE("unset variables of notifiers are warnings for validate and once, errors for run") {
  const fs::path path = fs::temp_directory_path() / "prober-notifier-secrets.toml";
  {
    std::ofstream out(path);
    out << R"(
[notifiers.pagerduty]
type = "pagerduty"
routing_key = "${PROBER_TEST_UNSET_KEY}"

[notifiers.chat]
type = "slack"
webhook_url = "${PROBER_TEST_UNSET_HOOK}"

[slack_command]
signing_secret = "${PROBER_TEST_UNSET_SECRET}"
notifier = "pagerduty"
allowed_channels = ["C0123456"]
allowed_users = ["U0ABCDEF"]

[[check]]
name = "a"
url = "http://127.0.0.1/"
notify = ["pagerduty", "chat"]
)";
  }
  const prober::LoadResult run = prober::loadConfig(path.string(), fakeEnvironment);
  CHECK_FALSE(run.config.has_value());
  CHECK(run.errors.size() == 3);
  CHECK(run.warnings.empty());

  prober::LoadOptions options;
  options.notifierVariablesOptional = true;
  const prober::LoadResult check = prober::loadConfig(path.string(), fakeEnvironment, options);
  REQUIRE(check.config.has_value());
  CHECK(check.errors.empty());
  REQUIRE(check.warnings.size() == 3);
  CHECK(prober::toString(check.warnings[0]) ==
        path.string() +
            ":4:15: notifier \"pagerduty\" routing_key: environment variable "
            "PROBER_TEST_UNSET_KEY is not set (needed by `prober run`)");

  // A check's own variable stays an error either way: `once` sends it.
  std::ofstream(path, std::ios::app) << "headers = { X = \"${PROBER_TEST_UNSET_HEADER}\" }\n";
  const prober::LoadResult withHeader = prober::loadConfig(path.string(), fakeEnvironment, options);
  CHECK_FALSE(withHeader.config.has_value());
  CHECK(withHeader.errors.size() == 1);
  fs::remove(path);
}

TEST_CASE("${PROBER_LISTEN} is the daemon's own address: [prober] listen, or --listen") {
  const std::string text = R"(
[prober]
listen = "127.0.0.1:9300"

[[check]]
name = "self"
url = "http://${PROBER_LISTEN}/healthz"
)";
  const prober::LoadResult fromConfig =
      prober::loadConfigText(text, "/nonexistent/self.toml", fakeEnvironment);
  REQUIRE(fromConfig.config.has_value());
  CHECK(fromConfig.config->checks[0]->steps[0].url == "http://127.0.0.1:9300/healthz");
  CHECK(fromConfig.config->checks[0]->secrets.empty());  // an address is not a secret

  prober::LoadOptions options;
  options.listen = "127.0.0.1:9400";
  const prober::LoadResult overridden =
      prober::loadConfigText(text, "/nonexistent/self.toml", fakeEnvironment, options);
  REQUIRE(overridden.config.has_value());
  CHECK(overridden.config->checks[0]->steps[0].url == "http://127.0.0.1:9400/healthz");

  const prober::LoadResult defaulted =
      prober::loadConfigText("[[check]]\nname = \"self\"\nurl = \"http://${PROBER_LISTEN}/\"\n",
                             "/nonexistent/d.toml", fakeEnvironment);
  REQUIRE(defaulted.config.has_value());
  CHECK(defaulted.config->checks[0]->steps[0].url == "http://127.0.0.1:9115/");
}

TEST_CASE("credentials in a check's URL or its proxy are secrets, never in its error messages") {
  const prober::LoadResult loaded = prober::loadConfigText(R"(
[[check]]
name = "api"
url = "http://user:url-secret-1@api.test/"
proxy = "http://puser:proxy-secret-2@proxy.test:3128"
)",
                                                           "/nonexistent/c.toml", fakeEnvironment);
  REQUIRE(loaded.config.has_value());
  const auto& secrets = loaded.config->checks[0]->secrets;
  const auto has = [&](const std::string& value) {
    return std::any_of(secrets.begin(), secrets.end(),
                       [&](const prober::Secret& s) { return s.value == value; });
  };
  CHECK(has("url-secret-1"));
  CHECK(has("proxy-secret-2"));

  const prober::LoadResult bad = prober::loadConfigText(R"(
[[check]]
name = "api"
url = "http://api.test/"
proxy = "ftp://puser:proxy-secret-2@proxy.test:21"
)",
                                                        "/nonexistent/c.toml", fakeEnvironment);
  REQUIRE(bad.errors.size() == 1);
  CHECK(prober::toString(bad.errors[0]).find("proxy-secret-2") == std::string::npos);
}

TEST_CASE("checks that send the same content and connection hold one copy of each") {
  const auto result = prober::loadConfigText(R"(
[defaults]
headers = { Accept = "application/json" }
tls_verify = false
labels = { team = "payments" }

[[check]]
name = "a"
url = "https://api.example.com/a"

[[check]]
name = "b"
url = "https://api.example.com/b"

[[check]]
name = "c"
url = "https://api.example.com/c"
headers = { Accept = "text/plain" }

[[check]]
name = "d"
url = "https://api.example.com/d"
headers = { Accept = "application/json" }
)",
                                             "/test/sharing.toml", fakeEnvironment);
  REQUIRE(result.config.has_value());
  const auto& checks = result.config->checks;
  const auto contentOf = [&](std::size_t i) { return &*checks[i]->steps[0].content; };
  const auto connectionOf = [&](std::size_t i) { return &*checks[i]->steps[0].connection; };
  CHECK(contentOf(0) == contentOf(1));
  CHECK(contentOf(1) != contentOf(2));
  CHECK(checks[2]->steps[0].content->headers.front().second == "text/plain");
  // Equal again after a different one: its own copy, the same value.
  CHECK(checks[3]->steps[0].content == checks[0]->steps[0].content);
  CHECK(connectionOf(0) == connectionOf(3));
  CHECK_FALSE(checks[0]->steps[0].connection->tlsVerify);
  CHECK(&*checks[0]->labels.begin() == &*checks[3]->labels.begin());
}

TEST_CASE("a check that sends nothing beyond its url reads the default content and connection") {
  const auto result =
      prober::loadConfigText("[[check]]\nname = \"plain\"\nurl = \"http://127.0.0.1/\"\n",
                             "/test/plain.toml", fakeEnvironment);
  REQUIRE(result.config.has_value());
  const prober::StepSpec& step = result.config->checks[0]->steps[0];
  CHECK(step.content == prober::SharedValue<prober::StepContent>());
  CHECK(step.content->headers.empty());
  CHECK(step.connection->tlsVerify);
}

TEST_CASE("[web] allowed_hosts and max_connections, and their defaults") {
  const auto defaults =
      prober::loadConfigText("[[check]]\nname = \"a\"\nurl = \"http://a.test/\"\n",
                             "/nonexistent/d.toml", fakeEnvironment);
  REQUIRE(defaults.config.has_value());
  CHECK(defaults.config->web.allowedHosts.empty());
  CHECK(defaults.config->web.maxConnections == 1024);
  // A day past the 30 d uptime window, so its figures cover what they say.
  CHECK(defaults.config->prober.historyRetention == std::chrono::hours(31 * 24));

  const auto set = prober::loadConfigText(R"(
[web]
allowed_hosts = ["Prober.Example.com", "status.example.com"]
max_connections = 64

[[check]]
name = "a"
url = "http://a.test/"
)",
                                          "/nonexistent/w.toml", fakeEnvironment);
  REQUIRE(set.config.has_value());
  CHECK(set.config->web.allowedHosts ==
        std::vector<std::string>{"prober.example.com", "status.example.com"});
  CHECK(set.config->web.maxConnections == 64);
}
