#pragma once
// Why a check's pages are held instead of sent: a maintenance window or a silence covers it
// (until they end), or a check it depends on is firing (until that one resolves).
#include <chrono>
#include <optional>
#include <string>

namespace prober {

struct PageHold {
  enum class Cause { Maintenance, Silence, Dependency };
  Cause cause = Cause::Silence;
  // For people: "maintenance weekly-db until 2026-12-06 04:00:00 UTC", "silence 3 by alice
  // until ...: deploy", "depends on core-api, which is firing".
  std::string reason;
  // When it ends by itself; none for a dependency (it ends when the parent resolves).
  std::optional<std::chrono::system_clock::time_point> until;
};

}  // namespace prober
