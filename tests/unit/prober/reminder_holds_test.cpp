// Slack reminders (`renotify`) and holds, in simulated time: a hold that begins after the page
// pauses reminders and never a resolve; a restart does not remind everyone at once; a mute
// past the longest silence is refused, not paged.
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;

constexpr const char* kChat = R"(
[prober]
listen = "127.0.0.1:0"

[notifiers.chat]
type = "slack"
webhook_url = "http://127.0.0.1:9/slack"
)";

std::string config() {
  return std::string(kChat) +
         "\n[[check]]\nname = \"api\"\nurl = \"http://api.test/\"\ninterval = \"30s\"\n"
         "failure_threshold = 3\nnotify = [\"chat\"]\nrenotify = \"5m\"\n"
         "assert = [\"status == 200\"]\n";
}

// Slack messages sent (and answered 200) since the last call.
std::vector<std::string> takeMessages(DaemonHarness& h) {
  std::vector<std::string> out;
  while (!h.transport.sent.empty()) {
    out.push_back(std::string(
        boost::json::parse(h.transport.sent.front().request.body).at("text").as_string()));
    h.transport.answer(200);
  }
  return out;
}

// Runs `api` failing for `span` of simulated time; returns the messages sent meanwhile.
std::vector<std::string> failFor(DaemonHarness& h, prober::SteadyDuration span) {
  std::vector<std::string> out;
  const auto until = h.clock.now() + span;
  while (h.clock.now() < until) {
    h.run("api.test", 503);
    for (auto& message : takeMessages(h)) {
      out.push_back(std::move(message));
    }
  }
  return out;
}

prober::ServerResponse silence(DaemonHarness& h, const std::string& duration) {
  return h.request("POST", "/api/v1/silences",
                   R"({"checks":["api"],"duration":")" + duration + R"("})",
                   {{"content-type", "application/json"}});
}

}  // namespace

TEST_CASE("reminders: a silence begun after the page pauses them; the resolve is never held") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(config());
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  REQUIRE(takeMessages(h).size() == 1);  // the page
  CHECK(failFor(h, 6min).size() == 1);   // a reminder every 5 minutes
  REQUIRE(silence(h, "20m").status == 201);
  CHECK(failFor(h, 19min).empty());  // none while silenced
  h.clock.advance(1min);
  CHECK(failFor(h, 1min).size() == 1);  // the first run after it reminds
  REQUIRE(silence(h, "1h").status == 201);
  h.run("api.test", 200);
  const auto resolved = takeMessages(h);
  REQUIRE(resolved.size() == 1);  // the resolve goes out under the silence
  CHECK(resolved.front().find("is back up") != std::string::npos);
}

TEST_CASE("reminders: after a restart they go on one interval later, not all at once") {
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(config());
    for (int i = 0; i < 3; ++i) {
      h.run("api.test", 503);
    }
    REQUIRE(takeMessages(h).size() == 1);
  }
  DaemonHarness h(dir);
  h.start(config());
  CHECK(failFor(h, 4min).empty());
  CHECK(failFor(h, 2min).size() == 1);
}

TEST_CASE("reminders: mute past the longest silence is refused, and pages nobody") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + kSlackCommand + check("api"));
  const auto refused = h.slashCommand("mute api 3650d");
  CHECK(refused.status == 200);
  CHECK(refused.body.find("Nothing was muted and nobody was paged") != std::string::npos);
  CHECK(h.transport.sent.empty());
  CHECK(boost::json::parse(h.request("GET", "/api/v1/silences").body)
            .at("silences")
            .as_array()
            .empty());
  const auto noId = h.slashCommand("unmute 1i");
  CHECK(noId.status == 200);
  CHECK(noId.body.find("Nothing was unmuted and nobody was paged") != std::string::npos);
  CHECK(h.transport.sent.empty());
}

// An Alertmanager is not reminded but kept alive: its alert expires at endsAt (four resends
// ahead) unless posted again, so a hold begun after the page never pauses its re-sends (its own
// silences decide what it routes), and the resolve goes out under the hold.
TEST_CASE("reminders: a hold never pauses an Alertmanager's re-sends, nor the resolve") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(R"(
[prober]
listen = "127.0.0.1:0"

[notifiers.am]
type = "alertmanager"
urls = ["http://127.0.0.1:9093"]
resend = "1m"

[[check]]
name = "api"
url = "http://api.test/"
interval = "30s"
failure_threshold = 3
notify = ["am"]
assert = ["status == 200"]
)");
  const auto posts = [&h] {
    std::size_t count = 0;
    while (!h.transport.sent.empty()) {
      h.transport.answer(200);
      ++count;
    }
    return count;
  };
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  REQUIRE(posts() == 1);  // the alert
  REQUIRE(silence(h, "1h").status == 201);
  std::size_t resent = 0;
  const auto until = h.clock.now() + 10min;
  while (h.clock.now() < until) {
    h.run("api.test", 503);
    resent += posts();
  }
  CHECK(resent >= 8);  // about one a minute, silence or not
  h.run("api.test", 200);
  const std::string body = h.transport.sent.empty() ? "" : h.transport.sent.front().request.body;
  CHECK(posts() == 1);  // the resolve, under the silence
  CHECK(body.find("endsAt") != std::string::npos);
}
