#pragma once
// The standard process_* series every Prometheus client exports (CPU, memory, file
// descriptors, start time), read from /proc/self at scrape time, and prober_build_info.
#include <string>
#include <string_view>

namespace prober {

// Appends the families in text format 0.0.4. A /proc file that cannot be read leaves its
// series out rather than writing a wrong value.
void renderProcessSelf(std::string& out, std::string_view version);

}  // namespace prober
