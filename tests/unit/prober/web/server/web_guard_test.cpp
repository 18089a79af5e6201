// The listener against browsers and floods (README, "The listener against browsers and
// floods"), through the whole daemon in simulated time: what a web page can make a browser send
// is refused, scripts and Slack keep working, and a flood is bounded and counted.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "history/history.h"
#include "prober/web/api/slack_endpoint.h"
#include "prober/web/server/bcrypt.h"
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace prober::testing;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSilence = R"({"checks": ["api"], "duration": "2h", "comment": "deploy"})";
const Headers kJson = {{"content-type", "application/json"}};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Headers with(Headers headers, Headers more) {
  headers.insert(headers.end(), more.begin(), more.end());
  return headers;
}

// The config with `lines` added under [prober].
std::string proberWith(const std::string& lines) {
  std::string text = kNotifier;
  const std::string listen = "listen = \"127.0.0.1:0\"\n";
  text.insert(text.find(listen) + listen.size(), lines);
  return text;
}

// Runs the check once and waits for an uptime snapshot that counts it.
void runAndCount(DaemonHarness& h) {
  h.run("http://api.test/", 200);
  // A refresh starts only once the one before it has landed on the loop.
  for (int i = 0; i < 10 && h.checkJson("api").at("uptime").at("24h").is_null(); ++i) {
    h.loop.waitAndRun(std::chrono::milliseconds(200));
    h.clock.advance(std::chrono::seconds(11));
  }
  REQUIRE_FALSE(h.checkJson("api").at("uptime").at("24h").is_null());
}

}  // namespace

TEST_CASE("guard: a JSON endpoint takes only application/json (415 otherwise)") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  for (const std::string type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    INFO("Content-Type: ", type);
    const auto refused = h.request("POST", "/api/v1/silences", kSilence,
                                   type.empty() ? Headers{} : Headers{{"content-type", type}});
    CHECK(refused.status == 415);
    CHECK(contains(refused.body, "Content-Type: application/json"));
  }
  CHECK(contains(h.request("GET", "/api/v1/silences").body, "\"silences\":[]"));
  CHECK(h.request("POST", "/api/v1/silences", kSilence,
                  {{"content-type", "Application/JSON; charset=utf-8"}})
            .status == 201);
}

TEST_CASE("guard: a write from another site is refused; curl and scripts keep working") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  const Headers host = {{"host", "127.0.0.1:9115"}};

  const auto crossOrigin = h.request("POST", "/api/v1/silences", kSilence,
                                     with(with(kJson, host), {{"origin", "http://evil.example"}}));
  CHECK(crossOrigin.status == 403);
  CHECK(contains(crossOrigin.body, "another site"));
  CHECK(
      h.request("POST", "/api/v1/silences", kSilence, with(with(kJson, host), {{"origin", "null"}}))
          .status == 403);
  CHECK(h.request("POST", "/api/v1/silences", kSilence,
                  with(kJson, {{"sec-fetch-site", "cross-site"}}))
            .status == 403);
  CHECK(
      h.request("DELETE", "/api/v1/silences/1", "", with(host, {{"origin", "http://evil.example"}}))
          .status == 403);
  CHECK(h.request("POST", "/-/reload", "", with(host, {{"origin", "http://127.0.0.1:8080"}}))
            .status == 403);  // another port is another origin
  CHECK(contains(h.request("GET", "/api/v1/silences").body, "\"silences\":[]"));

  // The listener's own origin, and no Origin at all (curl, CI), are let through.
  CHECK(h.request("POST", "/api/v1/silences", kSilence,
                  with(with(kJson, host),
                       {{"origin", "http://127.0.0.1:9115"}, {"sec-fetch-site", "same-origin"}}))
            .status == 201);
  CHECK(h.request("POST", "/api/v1/silences", kSilence, kJson).status == 201);
  CHECK(h.request("POST", "/-/reload").status == 200);  // curl -X POST: no body, no type
  // Reading is not a write: a GET with a foreign Origin is answered (the Host rule guards it).
  CHECK(h.request("GET", "/api/v1/checks", "", with(host, {{"origin", "http://evil.example"}}))
            .status == 200);
}

TEST_CASE("guard: a Host that is not an IP, localhost or in [web] allowed_hosts is refused") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + "\n[web]\nallowed_hosts = [\"prober.example.com\"]\n" +
          check("api"));
  const auto rebound = h.request("GET", "/api/v1/checks", "", {{"host", "evil.example:9115"}});
  CHECK(rebound.status == 403);
  CHECK(contains(rebound.body, "[web] allowed_hosts"));
  CHECK(contains(rebound.body, "\"evil.example:9115\""));
  // A write through a rebound name: its Origin matches its Host, so the Host rule stops it.
  CHECK(h.request(
             "POST", "/api/v1/silences", kSilence,
             with(kJson, {{"host", "evil.example:9115"}, {"origin", "http://evil.example:9115"}}))
            .status == 403);
  CHECK(h.request("GET", "/", "", {{"host", "other.example.com"}}).status == 403);

  for (const std::string host : {"127.0.0.1:9115", "127.0.0.1", "[::1]:9115", "localhost:9115",
                                 "LOCALHOST", "prober.example.com", "Prober.Example.COM:443"}) {
    INFO("Host: ", host);
    CHECK(h.request("GET", "/api/v1/checks", "", {{"host", host}}).status == 200);
  }
  CHECK(h.request("GET", "/api/v1/checks").status == 200);  // HTTP/1.0 sends no Host
  // The health checks answer whatever name a load balancer uses.
  CHECK(h.request("GET", "/healthz", "", {{"host", "lb.internal"}}).status == 200);
  CHECK(h.request("GET", "/-/healthy", "", {{"host", "lb.internal"}}).status == 200);
}

TEST_CASE("guard: Slack's form-encoded, signed command works under the public name") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + kSlackCommand + check("api"));
  const std::string body =
      "team_id=T1&channel_id=C1&channel_name=ops&user_id=U1&user_name=ann&command=%2Fpage&"
      "text=db+is+down";
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(h.clock.wallNow().time_since_epoch())
          .count());
  const auto answer =
      h.request("POST", "/slack/command", body,
                {{"host", "prober.public.example"},
                 {"content-type", "application/x-www-form-urlencoded"},
                 {"x-slack-request-timestamp", timestamp},
                 {"x-slack-signature", prober::slackSignature("s3cret", timestamp, body)}});
  CHECK(answer.status == 200);
  CHECK(contains(answer.body, "paged on-call"));
}

TEST_CASE("guard: /-/healthy answers while the loop runs, with no user needed") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + "\n[web]\nbasic_auth_users = { alice = \"" +
          prober::bcryptHash("s3cr3t", 4) + "\" }\n" + check("api"));
  const auto healthy = h.request("GET", "/-/healthy");
  CHECK(healthy.status == 200);
  CHECK(healthy.body == "ok\n");
  CHECK(h.request("HEAD", "/-/healthy").status == 200);
  CHECK(h.request("POST", "/-/healthy").status == 405);
  CHECK(h.request("GET", "/metrics").status == 401);
}

namespace {

// Sends `request`, whose answer waits on another thread and then for the loop: at 15 s it gets
// a 503, and the late answer, when it lands, is dropped.
void answeredAt15s(DaemonHarness& h, const prober::ServerRequest& request) {
  std::vector<prober::ServerResponse> answers;
  h.daemon->answer(request, [&answers](prober::ServerResponse r) { answers.push_back(r); });
  CHECK(answers.empty());  // the other thread's answer waits for the loop
  h.clock.advance(std::chrono::seconds(15));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 503);
  CHECK(contains(answers[0].body, "no answer within 15s"));
  h.loop.waitAndRun();  // the late answer lands, and is dropped
  CHECK(answers.size() == 1);
}

}  // namespace

TEST_CASE("deadline: a request still waiting for its password check at 15 s gets a 503") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + "\n[web]\nbasic_auth_users = { alice = \"" +
          prober::bcryptHash("s3cr3t", 4) + "\" }\n" + check("api"));
  prober::ServerRequest request;
  request.method = "GET";
  request.target = "/api/v1/checks";
  request.headers = {{"authorization", "Basic YWxpY2U6czNjcjN0"}};  // alice:s3cr3t
  answeredAt15s(h, request);                                        // bcrypt runs on its thread
}

TEST_CASE("deadline: a request still waiting for the history thread at 15 s gets a 503") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  prober::ServerRequest request;
  request.method = "GET";
  request.target = "/api/v1/checks/api/history";
  answeredAt15s(h, request);  // read on the history thread
}

TEST_CASE("slack: a flood of refused requests is recorded as counts, the real page in full") {
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(std::string(kNotifier) + kSlackCommand + check("api"));
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(h.clock.wallNow().time_since_epoch())
            .count());
    for (int i = 0; i < 300; ++i) {
      const auto refused =
          h.request("POST", "/slack/command", "text=silence+everything",
                    {{"x-slack-request-timestamp", timestamp}, {"x-slack-signature", "v0=forged"}});
      REQUIRE(refused.status == 401);
    }
    CHECK(contains(h.slashCommand("db is down").body, "paged on-call"));
    h.clock.advance(std::chrono::seconds(61));  // the minute's count is recorded
  }
  std::string error;
  const auto reader = prober::HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  const auto events = reader->events({}, 0, std::numeric_limits<std::int64_t>::max(), error);
  REQUIRE(error.empty());
  int refusedOneByOne = 0;
  std::vector<std::string> counts;
  bool paged = false;
  for (const prober::HistoryEvent& e : events) {
    if (e.type != prober::HistoryEvent::Type::SlashCommand) {
      continue;
    }
    if (e.action == "allowed") {
      paged = e.detail == "db is down";
    } else if (contains(e.outcome, "counted rather than recorded")) {
      counts.push_back(e.outcome);
    } else {
      ++refusedOneByOne;
    }
  }
  CHECK(paged);
  CHECK(refusedOneByOne == prober::SlackCommandEndpoint::kRecordedRefusals);
  REQUIRE(counts.size() == 1);
  CHECK(contains(counts[0], "280 more requests refused"));
  CHECK(contains(counts[0], ": 280)"));  // all for the one reason: the signature
}

TEST_CASE("uptime: the 30 d figures say they cover 14 d when the history keeps 14 d") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(proberWith("history_retention = \"14d\"\n") + check("api"));
  runAndCount(h);
  const auto api = h.checkJson("api");
  REQUIRE(api.contains("uptime_covers"));
  CHECK(boost::json::serialize(api.at("uptime_covers")) == R"({"30d":"14d"})");
  CHECK(contains(h.request("GET", "/badge/api/uptime/30d.svg").body, "uptime 14d"));
  CHECK(contains(h.request("GET", "/badge/api/uptime/7d.svg").body, "uptime 7d"));
  const std::string dashboard = h.request("GET", "/").body;
  CHECK(contains(dashboard, ">14 d<"));
  CHECK_FALSE(contains(dashboard, ">30 d<"));
  CHECK(contains(h.request("GET", "/checks/api").body, "over 14 d (all the history keeps"));
  const std::string status = h.request("GET", "/status").body;
  CHECK(contains(status, "Past 14 days"));
}

TEST_CASE("uptime: by default the history keeps 31 days, so the 30 d figures cover 30 d") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  runAndCount(h);
  CHECK_FALSE(h.checkJson("api").contains("uptime_covers"));
  CHECK(contains(h.request("GET", "/badge/api/uptime/30d.svg").body, "uptime 30d"));
  CHECK(contains(h.request("GET", "/").body, ">30 d<"));
  CHECK(contains(h.request("GET", "/status").body, "Past 30 days"));
}

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Runs `io` in slices of 20 ms until `done` or about 2 s.
template <typename Done>
bool runUntil(asio::io_context& io, Done done) {
  for (int i = 0; i < 100 && !done(); ++i) {
    io.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace

TEST_CASE("connections: past [web] max_connections the listener waits for one to close") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + "\n[web]\nmax_connections = 2\n" + check("api"));
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), h.daemon->port());
  asio::io_context clients;
  tcp::socket first(clients), second(clients), third(clients);
  first.connect(at);
  second.connect(at);
  third.connect(at);  // the kernel completes it; the daemon has not accepted it
  const std::string ask = "GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(third, asio::buffer(ask));
  h.io.run_for(std::chrono::milliseconds(300));
  CHECK(third.available() == 0);  // not answered: not accepted
  first.close();
  CHECK(runUntil(h.io, [&] { return third.available() > 0; }));
  std::string answer(third.available(), '\0');
  third.read_some(asio::buffer(answer));
  CHECK(answer.rfind("HTTP/1.1 200 OK", 0) == 0);
}

TEST_CASE("connections: out of descriptors, the listener backs off instead of spinning") {
  asio::io_context io;
  prober::HttpServer server(io, "127.0.0.1:0",
                            [](const prober::ServerRequest&, prober::Responder respond) {
                              respond({200, "text/plain", "ok\n", ""});
                            });
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), server.port());
  asio::io_context clients;
  std::vector<tcp::socket> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.emplace_back(clients).connect(at);
  }
  // The lowest free descriptor becomes the limit: every accept now fails with EMFILE.
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  const int lowestFree = ::open("/dev/null", O_RDONLY);
  REQUIRE(lowestFree >= 0);
  ::close(lowestFree);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(lowestFree);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  rusage before{}, after{};
  getrusage(RUSAGE_THREAD, &before);
  io.run_for(std::chrono::milliseconds(500));
  getrusage(RUSAGE_THREAD, &after);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
  const auto micros = [](const rusage& r) {
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000LL + r.ru_utime.tv_usec +
           r.ru_stime.tv_usec;
  };
  // Spinning takes the whole half second; waiting between tries, a few milliseconds.
  CHECK(micros(after) - micros(before) < 60'000);
  // With descriptors back, the waiting connections are taken.
  const std::string ask = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(waiting[0], asio::buffer(ask));
  CHECK(runUntil(io, [&] { return waiting[0].available() > 0; }));
}

TEST_CASE("loop holds: each handler call and each piece of a streamed answer is timed") {
  asio::io_context io;
  prober::HttpServer server(io, "127.0.0.1:0",
                            [](const prober::ServerRequest& request, prober::Responder respond) {
                              if (request.target == "/whole") {
                                respond({200, "text/plain", "ok\n", ""});
                                return;
                              }
                              auto pieces = std::make_shared<int>(0);
                              prober::ServerResponse streamed;
                              streamed.stream = [pieces](std::string& out) {
                                if (++*pieces == 2) {  // a slow slice
                                  std::this_thread::sleep_for(std::chrono::milliseconds(30));
                                }
                                out += "piece\n";
                                return *pieces < 3;
                              };
                              respond(std::move(streamed));
                            });
  std::vector<double> holds;
  server.observeLoopHolds([&](double seconds) { holds.push_back(seconds); });
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), server.port());
  asio::io_context clients;
  tcp::socket client(clients);
  client.connect(at);
  const std::string ask =
      "GET /whole HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  asio::write(client, asio::buffer(ask));
  // Two handler calls and three pieces.
  CHECK(runUntil(io, [&] { return holds.size() >= 5; }));
  CHECK(holds.size() == 5);
  REQUIRE_FALSE(holds.empty());
  CHECK(*std::max_element(holds.begin(), holds.end()) >= 0.03);  // the slow slice, seen
}
