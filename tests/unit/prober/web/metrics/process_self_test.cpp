// The process_* series and prober_build_info, read from /proc/self: every family present with
// its type, values that fit this very process.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>

#include "prober/web/metrics/process_self.h"

namespace {

// name -> value of every sample line, and name -> type.
struct Parsed {
  std::map<std::string, double> values;
  std::map<std::string, std::string> types;
};

Parsed parse(const std::string& text) {
  Parsed parsed;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      parsed.types[name] = type;
    } else if (!line.empty() && line[0] != '#') {
      const auto space = line.rfind(' ');
      parsed.values[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
  }
  return parsed;
}

}  // namespace

TEST_CASE("process series describe this process") {
  std::string text;
  prober::renderProcessSelf(text, "1.2.3");
  const Parsed parsed = parse(text);
  CHECK(parsed.values.at("prober_build_info{version=\"1.2.3\"}") == 1);
  CHECK(parsed.types.at("prober_build_info") == "gauge");
  CHECK(parsed.types.at("process_cpu_seconds_total") == "counter");
  CHECK(parsed.values.at("process_cpu_seconds_total") >= 0);
  CHECK(parsed.values.at("process_resident_memory_bytes") > 1024 * 1024);
  CHECK(parsed.values.at("process_virtual_memory_bytes") >=
        parsed.values.at("process_resident_memory_bytes"));
  CHECK(parsed.values.at("process_open_fds") >= 3);  // stdin, stdout, stderr at least
  CHECK(parsed.values.at("process_max_fds") >= parsed.values.at("process_open_fds"));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double started = parsed.values.at("process_start_time_seconds");
  CHECK(started <= now + 1);
  CHECK(started > now - 24 * 3600);  // this test process started moments ago
}
