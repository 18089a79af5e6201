#include "tests/simulation/runner.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "alerting/notifier_settings.h"
#include "alerting/slash_command.h"
#include "checks/config/config_loader.h"
#include "tests/simulation/config_text.h"
#include "tests/simulation/faulty_disk.h"

namespace prober::simulation {

namespace {

using std::chrono::milliseconds;

// Bounds: a run is two hours and forty minutes of simulated time; no loop may spin on one
// instant or run away.
constexpr int kMaxSteps = 2'000'000;
constexpr int kMaxStepsAtOneInstant = 10'000;
// How often the runner reads what the API shows of holds (promise 9).
constexpr std::int64_t kMarksEveryMs = 30'000;

LoadResult load(const std::string& text) {
  return loadConfigText(
      text, "/sim/prober.toml", [](const std::string&) { return std::nullopt; },
      withNotifierChecks({}));
}

std::string durationText(std::int64_t seconds) {
  if (seconds % 86400 == 0) {
    return std::to_string(seconds / 86400) + "d";
  }
  if (seconds % 60 == 0) {
    return std::to_string(seconds / 60) + "m";
  }
  return std::to_string(seconds) + "s";
}

}  // namespace

Runner::Runner(const Schedule& schedule, std::filesystem::path stateDir)
    : schedule_(schedule),
      stateDir_(std::move(stateDir)),
      world_(schedule_, record_),
      daemonRandom_(schedule.seed ^ 0xda3e0ULL),
      engine_(clock_, [this](const HttpRequest& r) { return world_.probe(r); }),
      transport_(clock_, [this](const OutgoingRequest& r) { return world_.deliver(r, nowMs()); }) {
  // Wall time starts at the schedule's; steady time where the manual clock starts.
  clock_.jumpWall(std::chrono::seconds(schedule.wallStartS) -
                  std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      clock_.wallNow().time_since_epoch()));
  startedAt_ = clock_.now();
  record_.wallStartMs = schedule.wallStartS * 1000;
  engine_.answered = [this](const std::string& url, const ProbeResult& result, SteadyTime sentAt) {
    world_.probeAnswered(url, result, nowMs(),
                         std::chrono::duration_cast<milliseconds>(sentAt - startedAt_).count());
  };
  std::filesystem::remove_all(stateDir_);
  std::filesystem::create_directories(stateDir_);
}

Runner::~Runner() {
  daemon_.reset();
  FaultyDisk::refuse(false);
  std::filesystem::remove_all(stateDir_);
}

std::int64_t Runner::nowMs() const {
  return std::chrono::duration_cast<milliseconds>(clock_.now() - startedAt_).count();
}

Record Runner::run(std::string& error) {
  if (!start(0)) {
    error = startError_;
    return std::move(record_);
  }
  const std::int64_t tailAt = schedule_.tailAt.count() * 1000;
  const std::int64_t end = schedule_.end.count() * 1000;
  std::size_t next = 0;
  bool healed = false;
  int atOneInstant = 0;
  SteadyTime lastNow{};
  std::int64_t nextMarks = 0;
  for (int step = 0; step < kMaxSteps; ++step) {
    const std::int64_t now = nowMs();
    const SteadyTime exact = clock_.now();
    atOneInstant = exact == lastNow ? atOneInstant + 1 : 0;
    lastNow = exact;
    if (atOneInstant > kMaxStepsAtOneInstant) {
      const auto ms = [&](std::optional<SteadyTime> at) {
        return at ? std::chrono::duration_cast<milliseconds>(*at - startedAt_).count() : -1;
      };
      error = fmt::format("stuck at {}: something is due again and again (timer {}, probe {}, "
                          "page {})",
                          clockText(now), ms(daemon_ ? clock_.nextDeadline() : std::nullopt),
                          ms(engine_.nextDue()), ms(transport_.nextDue()));
      return std::move(record_);
    }
    if (restart_ && restart_->first <= now) {
      const int version = restart_->second;
      restart_.reset();
      if (!start(version)) {
        error = startError_;
        return std::move(record_);
      }
    }
    while (next < schedule_.events.size() && schedule_.events[next].at.count() * 1000 <= now) {
      apply(schedule_.events[next++]);
    }
    if (!healed && now >= tailAt && !restart_) {
      healed = true;
      tail();
    }
    engine_.answerDue();
    transport_.answerDue();
    if (loop_) {
      loop_->runPosted();
    }
    if (daemon_ && now >= nextMarks) {
      readMarks();
      nextMarks = now + kMarksEveryMs;
    }
    if (now >= end) {
      break;
    }
    // Steady time, not milliseconds: a timer due a fraction of a millisecond ahead must be
    // reached, not rounded down to now forever.
    const auto atMs = [this](std::int64_t ms) { return startedAt_ + milliseconds(ms); };
    SteadyTime wake = atMs(end);
    const auto consider = [&](std::optional<SteadyTime> at) {
      if (at) {
        wake = std::min(wake, *at);
      }
    };
    if (next < schedule_.events.size()) {
      consider(atMs(schedule_.events[next].at.count() * 1000));
    }
    if (!healed) {
      consider(atMs(tailAt));
    }
    if (restart_) {
      consider(atMs(restart_->first));
    }
    if (daemon_) {
      consider(atMs(nextMarks));
    }
    if (daemon_) {
      consider(clock_.nextDeadline());
    }
    consider(engine_.nextDue());
    consider(transport_.nextDue());
    clock_.advance(std::max(SteadyDuration::zero(), wake - clock_.now()));
  }
  if (!daemon_) {
    error = "the daemon was not running at the end";
  }
  daemon_.reset();
  return std::move(record_);
}

bool Runner::start(int version) {
  configText_ = configText(schedule_, schedule_.versions.at(version));
  auto loaded = load(configText_);
  if (!loaded.config) {
    startError_ = "the generated config does not load:";
    for (const auto& e : loaded.errors) {
      startError_ += "\n  " + toString(e);
    }
    return false;
  }
  loop_ = std::make_shared<testing::TestLoop>();
  const bool restart = !record_.applied.empty();
  try {
    daemon_ = std::make_unique<Daemon>(
        Services{io_, clock_, [this] { return clock_.newTimer(); },
                 [loop = loop_](std::function<void()> job) { loop->post(std::move(job)); },
                 engine_, transport_, [this] { return daemonRandom_.unit(); },
                 [this] { return load(configText_); }, false},
        DaemonOptions{"/sim/prober.toml", std::nullopt, stateDir_.string(), std::nullopt},
        std::move(*loaded.config));
  } catch (const std::exception& e) {
    startError_ = std::string("the daemon did not start: ") + e.what();
    return false;
  }
  const int before = restart ? record_.applied.back().version : version;
  record_.applied.push_back(Applied{nowMs(), version, restart});
  record_.note(nowMs(), fmt::format("{} with config v{} ({})", restart ? "restarted" : "started",
                                    version,
                                    describeChange(schedule_.versions.at(before),
                                                   schedule_.versions.at(version))));
  return true;
}

// kill -9: nothing the daemon would do on a graceful stop, no answer in flight reaches it.
void Runner::kill() {
  // Whether state writes wait in memory, as /healthz tells anyone who asks: those the kill loses.
  const auto health = request("GET", "/healthz");
  if (health.status == 503 && health.body.find("state store behind") != std::string::npos) {
    record_.killsWithWritesWaiting.push_back(nowMs());
    record_.note(nowMs(), "  state writes waited in memory: lost with the process");
  }
  engine_.dropAll();
  transport_.dropAll();
  daemon_.reset();
  loop_.reset();
  record_.kills.push_back(nowMs());
}

void Runner::apply(const Event& event) {
  record_.note(nowMs(), event.describe());
  switch (event.kind) {
    case EventKind::Target: world_.setTarget(event.subject, event.target); break;
    case EventKind::Notifier: world_.setNotifier(event.subject, event.notifier); break;
    case EventKind::Kill:
      if (!daemon_) {
        break;
      }
      kill();
      restart_ = std::make_pair(nowMs() + event.length * 1000, event.version);
      break;
    case EventKind::Reload: reload(event.version); break;
    case EventKind::Silence: silence(event); break;
    case EventKind::Unsilence: unsilence(event.hold, event.viaSlack); break;
    case EventKind::DiskFull: refuseWrites(true); break;
    case EventKind::DiskOk: refuseWrites(false); break;
    case EventKind::WallJump: {
      clock_.jumpWall(std::chrono::seconds(event.length));
      const std::int64_t before = record_.wallSteps.empty() ? 0 : record_.wallSteps.back().offsetMs;
      record_.wallSteps.push_back(WallStep{nowMs(), before + event.length * 1000});
      break;
    }
    case EventKind::Tail: break;
  }
}

void Runner::refuseWrites(bool on) {
  if (on == FaultyDisk::refusing()) {
    return;
  }
  FaultyDisk::refuse(on);
  if (on) {
    record_.diskRefused.emplace_back(nowMs(), INT64_MAX);
  } else {
    record_.diskRefused.back().second = nowMs();
  }
}

void Runner::readMarks() {
  const auto answer = request("GET", "/api/v1/checks");
  boost::system::error_code ec;
  const auto json = boost::json::parse(answer.body, ec);
  const auto* checks = !ec && json.is_object() ? json.as_object().if_contains("checks") : nullptr;
  if (answer.status != 200 || checks == nullptr || !checks->is_array()) {
    record_.note(nowMs(), fmt::format("  /api/v1/checks answered {}: {}", answer.status,
                                      answer.body.substr(0, 200)));
    return;
  }
  for (const auto& check : checks->as_array()) {
    const auto& object = check.as_object();
    record_.marks.push_back(MarkSeen{nowMs(), std::string(object.at("name").as_string()),
                                     object.at("silenced").as_bool()});
  }
}

void Runner::reload(int version) {
  if (!daemon_) {
    record_.note(nowMs(), "  (daemon down: no reload)");
    return;
  }
  const std::string before = configText_;
  configText_ = configText(schedule_, schedule_.versions.at(version));
  record_.note(nowMs(), "  " + describeChange(schedule_.versions.at(record_.applied.back().version),
                                              schedule_.versions.at(version)));
  const auto answer = request("POST", "/-/reload");
  const bool mustRefuse = schedule_.versions.at(version).refused;
  if (answer.status == 200) {
    record_.applied.push_back(Applied{nowMs(), version, false});
    if (mustRefuse) {
      record_.acceptedRefused.push_back(nowMs());
    }
  } else {
    record_.note(nowMs(), fmt::format("  reload refused ({}): {}", answer.status, answer.body));
    // The config in force stays; whoever wrote the bad file fixes it before the next restart.
    configText_ = before;
  }
}

void Runner::silence(const Event& event) {
  if (!daemon_) {
    record_.note(nowMs(), "  (daemon down: no silence)");
    return;
  }
  const std::int64_t wallNow = record_.wallAt(nowMs());
  std::optional<std::int64_t> id;
  if (event.viaSlack) {
    const auto answer =
        slackCommand(fmt::format("mute {} {} sim", event.subject, durationText(event.length)));
    const auto at = answer.body.find("(silence ");
    if (answer.status == 200 && at != std::string::npos) {
      id = std::atoll(answer.body.c_str() + at + 9);
    }
  } else {
    const std::string body = boost::json::serialize(
        boost::json::object{{"checks", boost::json::array{event.subject.c_str()}},
                            {"duration", durationText(event.length)},
                            {"comment", "sim"},
                            {"created_by", "sim"}});
    const auto answer = request("POST", "/api/v1/silences", body);
    if (answer.status == 201) {
      boost::system::error_code ec;
      const auto json = boost::json::parse(answer.body, ec);
      const auto* found = !ec && json.is_object() ? json.as_object().if_contains("id") : nullptr;
      if (found != nullptr && found->is_number()) {
        id = found->to_number<std::int64_t>();
      } else if (found != nullptr && found->is_string()) {
        id = std::atoll(found->as_string().c_str());
      }
    }
  }
  if (!id) {
    record_.note(nowMs(), "  silence refused");
    return;
  }
  silenceIds_[event.hold] = *id;
  record_.holds.push_back(HoldRecord{event.hold, event.subject, wallNow,
                                     wallNow + event.length * 1000,
                                     event.viaSlack ? "slack mute" : "api silence", nowMs()});
  record_.note(nowMs(), fmt::format("  silence #{} is id {}", event.hold, *id));
}

void Runner::unsilence(int hold, bool viaSlack) {
  const auto id = silenceIds_.find(hold);
  if (!daemon_ || id == silenceIds_.end()) {
    record_.note(nowMs(), "  (nothing to end)");
    return;
  }
  bool ended = false;
  if (viaSlack) {
    const auto answer = slackCommand(fmt::format("unmute {}", id->second));
    ended = answer.body.find("ended silence") != std::string::npos;
  } else {
    ended = request("DELETE", fmt::format("/api/v1/silences/{}", id->second)).status == 204;
  }
  for (HoldRecord& record : record_.holds) {
    // One the daemon could not end (a refused write) goes on to its end.
    if (record.number == hold && ended) {
      record.deletedAt = std::min(record.deletedAt, nowMs());
    }
  }
  silenceIds_.erase(id);
  record_.note(nowMs(), ended ? "  ended" : "  could not end it");
}

void Runner::tail() {
  record_.note(nowMs(), "tail: targets up, notifiers answer, the disk takes writes, silences end");
  world_.heal();
  refuseWrites(false);
  std::vector<int> open;
  for (const auto& [hold, id] : silenceIds_) {
    open.push_back(hold);
  }
  for (const int hold : open) {
    unsilence(hold, false);
  }
}

ServerResponse Runner::request(const std::string& method, const std::string& target,
                               std::string body,
                               std::vector<std::pair<std::string, std::string>> headers) {
  ServerRequest r;
  r.method = method;
  r.target = target;
  r.body = std::move(body);
  r.headers = std::move(headers);
  std::optional<ServerResponse> answer;
  daemon_->answer(r, [&answer](ServerResponse response) { answer = std::move(response); });
  // A reload reads the config on a thread of its own; wait for it (bounded), nothing else.
  for (int i = 0; i < 100 && !answer; ++i) {
    if (loop_) {
      loop_->runPosted();
    }
    if (!answer) {
      loop_->waitAndRun(std::chrono::milliseconds(100));
    }
  }
  if (!answer) {
    ServerResponse none;
    none.status = 0;
    none.body = "no answer";
    return none;
  }
  wholeBody(*answer);  // a streamed answer (/api/v1/checks, /metrics) pulled to its end
  return *answer;
}

ServerResponse Runner::slackCommand(const std::string& text) {
  std::string encoded;
  for (const char c : text) {
    encoded += c == ' ' ? std::string("+") : std::string(1, c);
  }
  const std::string body = "team_id=T1&channel_id=C1&channel_name=ops&user_id=U1"
                           "&user_name=sim&command=%2Fpage&text=" + encoded;
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch())
          .count());
  return request("POST", "/slack/command", body,
                 {{"x-slack-request-timestamp", timestamp},
                  {"x-slack-signature", slackSignature(kSigningSecret, timestamp, body)}});
}

}  // namespace prober::simulation
