#pragma once
// Logs go to stderr, one line per event; --log-format json gives JSON lines.
#include <string>

namespace prober {

// Returns false when `format` is neither "text" nor "json".
bool setUpLogging(const std::string& format, const std::string& level);

}  // namespace prober
