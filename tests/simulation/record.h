#pragma once
// What happened in one run, as the fakes saw it: each probe answer the daemon got, each request
// a receiver was sent and whether it took it, each config applied, each hold and wall-clock
// step, and a trace of events for people. The oracle judges from this and the schedule alone.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace prober::simulation {

// Times are milliseconds of simulated steady time since the run began; wall times Unix ms.
struct Observation {
  std::int64_t at;
  std::string check;
  bool pass;
  std::int64_t startedAt;  // when the probe was sent
};

enum class PostKind { Trigger, Resolve, Reminder, Other };

struct Post {
  std::int64_t at;
  std::string service;
  std::string check;
  PostKind kind;
  std::string body;
  bool received;           // the receiver took it (whatever the daemon was told)
  int status;              // what the daemon was told (0: no HTTP answer)
  std::int64_t eventWallMs;  // a trigger's event time from its payload; -1 unknown
};

struct Applied {
  std::int64_t at;
  int version;
  bool restart;
};

// A silence as asked for: from when it was made until it was deleted, it holds while the wall
// clock reads before its end (a clock stepped back may bring an ended one back).
struct HoldRecord {
  int number;
  std::string glob;  // a check name, or "*"
  std::int64_t wallStartMs;
  std::int64_t wallEndMs;
  std::string how;
  std::int64_t madeAt = 0;             // steady
  std::int64_t deletedAt = INT64_MAX;  // steady: ended through the API or Slack
};

// What the API showed of a check's holds at one moment (`silenced`: a silence, a Slack mute or
// a maintenance window holds its pages), as /, /status and /api/v1/checks show it.
struct MarkSeen {
  std::int64_t at;
  std::string check;
  bool silenced;
};

struct WallStep {
  std::int64_t at;
  std::int64_t offsetMs;  // wall minus (wall start + steady elapsed), from `at` on
};

struct TraceLine {
  std::int64_t at;
  std::string text;
};

struct Record {
  std::vector<Observation> observations;
  std::vector<Post> posts;
  std::vector<Applied> applied;
  std::vector<HoldRecord> holds;
  std::vector<MarkSeen> marks;
  std::vector<WallStep> wallSteps;
  std::vector<TraceLine> trace;
  std::vector<std::int64_t> kills;
  // When the alert store refused writes: [from, to) (to: INT64_MAX while it still did at the end).
  std::vector<std::pair<std::int64_t, std::int64_t>> diskRefused;
  // Kills at which /healthz said state writes waited in memory (lost with the process).
  std::vector<std::int64_t> killsWithWritesWaiting;
  std::vector<std::int64_t> acceptedRefused;  // reloads to a config the daemon must refuse
  std::int64_t wallStartMs = 0;

  // The wall time at steady time `at`.
  std::int64_t wallAt(std::int64_t at) const {
    std::int64_t offset = 0;
    for (const WallStep& step : wallSteps) {
      if (step.at <= at) {
        offset = step.offsetMs;
      }
    }
    return wallStartMs + at + offset;
  }
  void note(std::int64_t at, std::string text) { trace.push_back({at, std::move(text)}); }
};

std::string clockText(std::int64_t ms);  // "+01:02:03.450"

}  // namespace prober::simulation
