#pragma once
// Plays a schedule against the whole daemon in simulated time: moves the manual clock straight
// to the next thing due (a daemon timer, a probe or page answer, a scheduled fault), answers
// through the world, kills and restarts the daemon on the same state_dir, reloads, silences.
// Returns what happened; judging it is the oracle's job.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "prober/daemon.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/scripted_http_engine.h"
#include "tests/fakes/scripted_transport.h"
#include "tests/fakes/test_loop.h"
#include "tests/simulation/random.h"
#include "tests/simulation/record.h"
#include "tests/simulation/schedule.h"
#include "tests/simulation/world.h"

namespace prober::simulation {

class Runner {
 public:
  Runner(const Schedule& schedule, std::filesystem::path stateDir);
  ~Runner();
  // Plays the whole schedule. `error` is set when the run could not be played (a config the
  // daemon refused at start): a generator mistake, not a daemon bug.
  Record run(std::string& error);

 private:
  std::int64_t nowMs() const;
  void apply(const Event& event);
  bool start(int version);
  void kill();
  // The alert store refuses writes from now (on) or takes them again; recorded for the oracle.
  void refuseWrites(bool on);
  void reload(int version);
  void silence(const Event& event);
  void unsilence(int hold, bool viaSlack);
  void tail();
  // Reads what /api/v1/checks shows of each check's holds into the record.
  void readMarks();
  ServerResponse request(const std::string& method, const std::string& target,
                         std::string body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {});
  ServerResponse slackCommand(const std::string& text);

  const Schedule& schedule_;
  std::filesystem::path stateDir_;
  Record record_;
  testing::ManualClock clock_;
  SteadyTime startedAt_;
  World world_;
  Random daemonRandom_;
  testing::ScriptedHttpEngine engine_;
  testing::ScriptedTransport transport_;
  boost::asio::io_context io_;  // never run: requests come in through Daemon::answer
  std::shared_ptr<testing::TestLoop> loop_;
  std::string configText_;
  std::unique_ptr<Daemon> daemon_;
  std::optional<std::pair<std::int64_t, int>> restart_;  // at, version
  std::map<int, std::int64_t> silenceIds_;              // hold number -> the daemon's id
  std::string startError_;
};

}  // namespace prober::simulation
