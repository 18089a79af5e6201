#include "checks/number_format.h"

#include <charconv>
#include <cmath>

namespace prober {

namespace {

// Past these magnitudes a fixed-point number is a wall of zeros; the exponent reads better.
constexpr double kLargestFixed = 1e21;
constexpr double kSmallestFixed = 1e-12;

}  // namespace

std::string formatNumber(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (value == 0) {
    return "0";  // and not "-0"
  }
  const double magnitude = std::fabs(value);
  const auto format = magnitude < kLargestFixed && magnitude >= kSmallestFixed
                          ? std::chars_format::fixed
                          : std::chars_format::scientific;
  char buffer[400];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  if (error != std::errc{}) {
    return "NaN";  // cannot happen with this buffer size; a number of some kind is shown
  }
  return std::string(buffer, end);
}

std::string formatNumber(double value, int significantDigits) {
  if (!std::isfinite(value) || value == 0) {
    return formatNumber(value);
  }
  // Round in decimal, then read back: the nearest double to "41.73" prints as "41.73", where
  // arithmetic rounding could leave 41.730000000000004.
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value,
                                          std::chars_format::scientific, significantDigits - 1);
  double rounded = value;
  if (error == std::errc{}) {
    std::from_chars(buffer, end, rounded);
  }
  return formatNumber(rounded);
}

}  // namespace prober
