#pragma once
// Times written for people and machines in UTC, from Unix milliseconds: the one place the
// calendar is worked out (report, events, pages all format through it).
#include <cstdint>
#include <string>

namespace prober {

// `format` as strftime takes it, applied to the UTC time `atMs` falls in (to the second);
// "" when the text would not fit 63 bytes.
std::string formatUtc(std::int64_t atMs, const char* format);

}  // namespace prober
