#pragma once
// Durations and byte sizes as written in the config: "250ms", "15s", "14d", "1MiB".
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace prober {

using Millis = std::chrono::milliseconds;

// Parses an integer with a unit: ms, s, m, h, d. Returns nullopt on anything else
// (no unit, negative, fractional, overflow).
std::optional<Millis> parseDuration(std::string_view text);

// Renders the shortest exact form: 1500ms -> "1500ms", 60000ms -> "1m", 0 -> "0s".
std::string formatDuration(Millis d);

// Renders seconds for people: 0.0417 -> "41.7ms", 2.5 -> "2.5s", 90061 -> "1d1h".
std::string formatSeconds(double seconds);

// Parses a byte size: a plain integer, or an integer with B, KB, KiB, MB, MiB, GB, GiB.
std::optional<std::uint64_t> parseByteSize(std::string_view text);

// Renders a byte size with the largest binary unit that divides it: 1048576 -> "1MiB".
std::string formatByteSize(std::uint64_t bytes);

}  // namespace prober
