#pragma once
// The daemon as a whole, in simulated time: a manual clock drives its timers, a fake engine
// answers its probes, a fake transport takes its pages, and what it posts back onto the loop
// runs when the test says. The state directory is real (SQLite in a temporary directory), so a
// restart is a second daemon on the same directory.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <optional>

#include "alerting/notifier_settings.h"
#include "alerting/slash_command.h"
#include "prober/daemon.h"
#include "tests/fakes/fake_http_engine.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/test_loop.h"

namespace prober::testing {

using namespace std::chrono_literals;

using namespace std::chrono_literals;

// A fresh state directory, removed afterwards.
struct StateDir {
  StateDir() {
    static int count = 0;
    path = std::filesystem::temp_directory_path() /
           ("prober-daemon-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~StateDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

inline constexpr const char* kNotifier = R"(
[prober]
listen = "127.0.0.1:0"

[notifiers.pd]
type = "pagerduty"
routing_key = "r0123456789abcdef0123456789abcde"
url = "http://127.0.0.1:9/pagerduty"
)";

// [slack_command] signed with "s3cret" (as DaemonHarness::slashCommand signs), paging pd, for
// user U1 in channel C1.
inline constexpr const char* kSlackCommand = R"(
[slack_command]
signing_secret = "s3cret"
notifier = "pd"
allowed_channels = ["C1"]
allowed_users = ["U1"]
)";

// A check probing http://NAME.test/ every 30 s, paging pd after 3 failures.
inline std::string check(const std::string& name, const std::string& extra = "") {
  return "\n[[check]]\nname = \"" + name + "\"\nurl = \"http://" + name +
         ".test/\"\ninterval = \"30s\"\nfailure_threshold = 3\nnotify = [\"pd\"]\n"
         "assert = [\"status == 200\"]\n" +
         extra;
}

inline prober::LoadResult load(const std::string& text) {
  return prober::loadConfigText(
      text, "/test/prober.toml", [](const std::string&) { return std::nullopt; },
      prober::withNotifierChecks({}));
}

class DaemonHarness {
 public:
  explicit DaemonHarness(const StateDir& dir) : dir_(dir) {}
  ~DaemonHarness() { daemon.reset(); }

  void start(const std::string& text) {
    configText = text;
    auto loaded = load(text);
    for (const auto& error : loaded.errors) {
      MESSAGE(prober::toString(error));
    }
    REQUIRE(loaded.config.has_value());
    daemon = std::make_unique<prober::Daemon>(
        prober::Services{io, clock, [this] { return clock.newTimer(); },
                         [this](std::function<void()> job) { loop.post(std::move(job)); }, engine,
                         transport, [] { return 0.5; }, [this] { return load(configText); }, false},
        prober::DaemonOptions{"/test/prober.toml", std::nullopt, dir_.path.string(), std::nullopt},
        std::move(*loaded.config));
  }

  // Moves time on (a second at a time, at most an hour) until a probe of `url` waits, and
  // answers it. Returns when that probe started.
  prober::SteadyTime run(const std::string& url, int status) {
    waitForProbe(url);
    const prober::SteadyTime at = clock.now();
    REQUIRE(engine.answerFor(url, status));
    return at;
  }
  // Moves time on (a second at a time, at most an hour) until a probe of `url` waits.
  void waitForProbe(const std::string& url) {
    for (int second = 0; second < 3600 && !waiting(url); ++second) {
      clock.advance(1s);
    }
    REQUIRE(waiting(url));
  }
  bool waiting(const std::string& url) const {
    for (const auto& request : engine.requests) {
      if (request.request.url.find(url) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  // Sends a request as the server would and waits (bounded) for its answer.
  prober::ServerResponse request(const std::string& method, const std::string& target,
                                 std::string body = "",
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    prober::ServerResponse answer = answerOf(method, target, std::move(body), std::move(headers));
    prober::wholeBody(answer);  // a streamed answer (/metrics) pulled to its end
    return answer;
  }
  // The same, with a streamed answer's body left for the caller to pull piece by piece.
  prober::ServerResponse answerOf(const std::string& method, const std::string& target,
                                  std::string body = "",
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    prober::ServerRequest r;
    r.method = method;
    r.target = target;
    r.body = std::move(body);
    r.headers = std::move(headers);
    std::optional<prober::ServerResponse> answer;
    daemon->answer(r, [&answer](prober::ServerResponse response) { answer = std::move(response); });
    for (int i = 0; i < 10 && !answer; ++i) {
      loop.waitAndRun();
    }
    REQUIRE(answer.has_value());
    return std::move(*answer);
  }
  // A slash command as Slack sends it: form-encoded, signed with "s3cret" at the current time.
  prober::ServerResponse slashCommand(const std::string& text, const std::string& user = "U1",
                                      const std::string& channel = "C1") {
    std::string encoded;
    for (const char c : text) {
      encoded += c == ' ' ? std::string("+") : std::string(1, c);
    }
    const std::string body = "team_id=T1&channel_id=" + channel +
                             "&channel_name=ops&user_id=" + user +
                             "&user_name=ann&command=%2Fpage&text=" + encoded;
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch())
            .count());
    return request("POST", "/slack/command", body,
                   {{"x-slack-request-timestamp", timestamp},
                    {"x-slack-signature", prober::slackSignature("s3cret", timestamp, body)}});
  }
  // The value of a per-check series in /metrics ("" when absent).
  std::string metric(const std::string& family, const std::string& check) {
    const std::string body = request("GET", "/metrics").body;
    const std::string prefix = family + "{check=\"" + check + "\"} ";
    const auto at = body.find(prefix);
    if (at == std::string::npos) {
      return "";
    }
    const auto start = at + prefix.size();
    return body.substr(start, body.find('\n', start) - start);
  }

  boost::json::object checkJson(const std::string& name) {
    const auto response = request("GET", "/api/v1/checks/" + name);
    REQUIRE(response.status == 200);
    return boost::json::parse(response.body).as_object();
  }

  // The pages sent and not yet answered, as "trigger NAME" / "resolve NAME" from their JSON.
  std::vector<std::string> pages() const {
    std::vector<std::string> out;
    for (const auto& sent : transport.sent) {
      const auto body = boost::json::parse(sent.request.body).as_object();
      out.push_back(std::string(body.at("event_action").as_string()) + " " +
                    std::string(body.at("dedup_key").as_string()));
    }
    return out;
  }

  std::string configText;      // what a reload reads
  boost::asio::io_context io;  // never run: the server is bound but requests come in directly
  ManualClock clock;
  TestLoop loop;
  FakeHttpEngine engine;
  FakeTransport transport;
  std::unique_ptr<prober::Daemon> daemon;

 private:
  const StateDir& dir_;
};

using Pages = std::vector<std::string>;

}  // namespace prober::testing
