#include "checks/utc_time.h"

#include <ctime>

namespace prober {

std::string formatUtc(std::int64_t atMs, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(atMs / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  return std::strftime(text, sizeof text, format, &parts) > 0 ? std::string(text) : std::string();
}

}  // namespace prober
