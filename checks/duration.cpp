#include "checks/duration.h"

#include <fmt/format.h>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "checks/number_format.h"

namespace prober {
namespace {

// Splits "123unit" into its leading digits and the rest; fails on no digits or overflow.
bool splitNumber(std::string_view text, std::uint64_t& number, std::string_view& unit) {
  auto end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc{} || ptr == text.data()) {
    return false;
  }
  unit = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
  return true;
}

bool multiplyChecked(std::uint64_t a, std::uint64_t b, std::uint64_t limit, std::uint64_t& out) {
  if (a != 0 && b > limit / a) {
    return false;
  }
  out = a * b;
  return true;
}

}  // namespace

std::optional<Millis> parseDuration(std::string_view text) {
  std::uint64_t number = 0;
  std::string_view unit;
  if (!splitNumber(text, number, unit)) {
    return std::nullopt;
  }
  std::uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return std::nullopt;
  }
  std::uint64_t ms = 0;
  // Cap at ~292 years worth of ms so every value fits a signed 64-bit count comfortably.
  if (!multiplyChecked(number, factor, std::uint64_t{1} << 53, ms)) {
    return std::nullopt;
  }
  return Millis(static_cast<std::int64_t>(ms));
}

std::string formatDuration(Millis d) {
  const std::int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  struct Unit {
    std::int64_t factor;
    const char* suffix;
  };
  static constexpr std::array<Unit, 4> units{
      {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}}};
  for (const auto& u : units) {
    if (ms % u.factor == 0) {
      return fmt::format("{}{}", ms / u.factor, u.suffix);
    }
  }
  return fmt::format("{}ms", ms);
}

std::string formatSeconds(double seconds) {
  if (!std::isfinite(seconds)) {
    return "unknown";
  }
  const double abs = std::fabs(seconds);
  if (abs < 1.0) {
    return formatNumber(seconds * 1000.0, 4) + "ms";
  }
  if (abs < 120.0) {
    return formatNumber(seconds, 4) + "s";
  }
  const auto total = static_cast<std::int64_t>(std::llround(seconds));
  const std::int64_t days = total / 86400;
  const std::int64_t hours = (total % 86400) / 3600;
  const std::int64_t minutes = (total % 3600) / 60;
  if (days != 0) {
    return hours != 0 ? fmt::format("{}d{}h", days, hours) : fmt::format("{}d", days);
  }
  if (hours != 0) {
    return minutes != 0 ? fmt::format("{}h{}m", hours, minutes) : fmt::format("{}h", hours);
  }
  return fmt::format("{}m{}s", minutes, total % 60);
}

std::optional<std::uint64_t> parseByteSize(std::string_view text) {
  std::uint64_t number = 0;
  std::string_view unit;
  if (!splitNumber(text, number, unit)) {
    return std::nullopt;
  }
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "KB") {
    factor = 1000;
  } else if (unit == "KiB") {
    factor = 1024;
  } else if (unit == "MB") {
    factor = 1000 * 1000;
  } else if (unit == "MiB") {
    factor = 1024 * 1024;
  } else if (unit == "GB") {
    factor = 1000 * 1000 * 1000;
  } else if (unit == "GiB") {
    factor = 1024ULL * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  std::uint64_t bytes = 0;
  if (!multiplyChecked(number, factor, std::numeric_limits<std::uint64_t>::max(), bytes)) {
    return std::nullopt;
  }
  return bytes;
}

std::string formatByteSize(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (1024ULL * 1024 * 1024) == 0) {
    return fmt::format("{}GiB", bytes / (1024ULL * 1024 * 1024));
  }
  if (bytes != 0 && bytes % (1024ULL * 1024) == 0) {
    return fmt::format("{}MiB", bytes / (1024ULL * 1024));
  }
  if (bytes != 0 && bytes % 1024 == 0) {
    return fmt::format("{}KiB", bytes / 1024);
  }
  return fmt::format("{}B", bytes);
}

}  // namespace prober
