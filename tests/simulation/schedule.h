#pragma once
// What one simulated run is made of, as the generator chose it: the config's versions (each a
// reload or a restart may apply) and a timed list of events. The runner plays it, the world
// answers by it, and the oracle reads it back to know what was promised.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prober::simulation {

using Seconds = std::chrono::seconds;

// A receiving service (one PagerDuty routing key, one Slack webhook); a config names it.
struct Service {
  std::string id;  // "pd-a", "slack-a"
  bool slack = false;
  std::string url() const { return "http://127.0.0.1:9/" + id; }
  // 32 characters, PagerDuty only. A config may move the notifier to another routing key (its
  // `generation`): to PagerDuty another service, so the world tells them apart (destination()).
  std::string routingKey(int generation = 0) const;
};

struct CheckConfig {
  std::string name;
  int intervalS = 30;
  int failureThreshold = 3;
  int failureWindow = 0;  // 0: consecutive
  int successThreshold = 1;
  int retryIntervalS = 0;              // 0: none
  std::vector<std::string> notify;     // service ids
  int renotifyS = 0;                   // 0: none
  std::string dependsOn;               // "" none
  bool quorum = false;                 // page = "quorum": this instance pages nothing for it
};

struct Window {
  std::string name;
  std::string check;     // one check name
  std::int64_t startS;   // wall, Unix seconds
  std::int64_t lengthS;
};

struct ConfigVersion {
  std::vector<CheckConfig> checks;
  std::map<std::string, std::string> names;  // service id -> notifier name in this version
  std::map<std::string, int> keys;  // service id -> routing key generation (absent: 0)
  std::string shard;                         // "" unsharded, else "k/n"
  std::vector<Window> windows;
  // A version the daemon must refuse (a config error): a reload to it leaves the one before.
  bool refused = false;
  const CheckConfig* check(const std::string& name) const;
  int generation(const std::string& service) const;
  // Where a notifier of this version pages for `service`: the service id, or for a routing key
  // other than the first, "pd-a~k1" (a receiver keeps incidents per routing key).
  std::string destination(const std::string& service) const;
};

std::string destinationName(const std::string& service, int generation);
// What `to` changes from `from`, for the trace: "c2 notify [pd-a] -> [slack-a]; shard 1/2".
std::string describeChange(const ConfigVersion& from, const ConfigVersion& to);

enum class TargetMode { Up, Down, Refused, Slow, TimesOut, Flapping };
// Moved, Forbidden, NotFound: a proxy (or a moved URL) refusing, which may pass once someone
// fixes it: the daemon retries them for an hour, then gives the page up.
enum class NotifierMode {
  Ok, ServerError, TooMany, BadRequest, TimesOut, ReceivedTimesOut, Down, Moved, Forbidden,
  NotFound
};
std::string_view name(TargetMode mode);
std::string_view name(NotifierMode mode);

enum class EventKind {
  Target,     // subject: check; target mode
  Notifier,   // subject: service id; notifier mode
  Kill,       // kill -9; restart after `length` with config `version`
  Reload,     // to config `version`
  Silence,    // subject: check glob; `length`; viaSlack; `hold` numbers it
  Unsilence,  // `hold`: the silence to end; viaSlack
  DiskFull,   // the alert store refuses writes until DiskOk
  DiskOk,
  WallJump,   // the wall clock steps by `length` (seconds, may be negative)
  Tail,       // everything heals: targets up, notifiers answer, silences end
};

struct Event {
  Seconds at{};
  EventKind kind = EventKind::Target;
  std::string subject;
  TargetMode target = TargetMode::Up;
  NotifierMode notifier = NotifierMode::Ok;
  std::int64_t length = 0;  // seconds
  int version = 0;
  int hold = -1;
  bool viaSlack = false;
  std::string describe() const;
};

struct Schedule {
  std::uint64_t seed = 0;
  std::int64_t wallStartS = 0;  // the wall clock at the start, Unix seconds
  std::vector<Service> services;
  std::vector<ConfigVersion> versions;  // [0] at start
  std::vector<Event> events;            // by time
  Seconds tailAt{};                     // when everything heals
  Seconds end{};                        // the run stops; the oracle judges
  const Service* service(const std::string& id) const;
};

}  // namespace prober::simulation
