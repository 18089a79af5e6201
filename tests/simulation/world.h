#pragma once
// The world outside the daemon: targets up, down, slow or flapping, and receivers answering
// 2xx, 5xx, 429, 400, a proxy's 301, 403 or 404, timing out or down, as the schedule says at
// each moment. It answers the
// fakes and writes down what they saw (record.h); it judges nothing.
#include <map>
#include <string>

#include "tests/fakes/scripted_http_engine.h"
#include "tests/fakes/scripted_transport.h"
#include "tests/simulation/random.h"
#include "tests/simulation/record.h"
#include "tests/simulation/schedule.h"

namespace prober::simulation {

class World {
 public:
  World(const Schedule& schedule, Record& record);

  void setTarget(const std::string& check, TargetMode mode) { targets_[check] = mode; }
  void setNotifier(const std::string& service, NotifierMode mode) { notifiers_[service] = mode; }
  void heal();

  // `nowMs`: simulated steady time since the start.
  testing::ScriptedHttpEngine::Outcome probe(const HttpRequest& request);
  void probeAnswered(const std::string& url, const ProbeResult& result, std::int64_t nowMs,
                     std::int64_t sentAtMs);
  testing::ScriptedTransport::Outcome deliver(const OutgoingRequest& request, std::int64_t nowMs);

 private:
  const Schedule& schedule_;
  Record& record_;
  Random random_;  // flapping targets and answer delays
  std::map<std::string, TargetMode> targets_;
  std::map<std::string, NotifierMode> notifiers_;
};

// "prober:NAME" of a page as a receiver reads it, and what kind it is.
struct ReadPage {
  std::string check;
  std::string routingKey;  // PagerDuty only
  PostKind kind = PostKind::Other;
  std::int64_t eventWallMs = -1;
};
ReadPage readPage(const std::string& body, bool slack);

}  // namespace prober::simulation
