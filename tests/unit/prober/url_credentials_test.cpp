// Credentials written into URLs (a check's, an Alertmanager's) reach no output: the API, the
// check page, /metrics, the status page and the history the report is drawn from.
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;

constexpr const char* kConfig = R"(
[prober]
listen = "127.0.0.1:0"

[notifiers.am]
type = "alertmanager"
urls = ["http://amuser:am-secret-9@127.0.0.1:9093"]

[[check]]
name = "api"
url = "http://user:check-secret-7@api.test/"
interval = "30s"
failure_threshold = 3
notify = ["am"]
assert = ["status == 200"]
)";

}  // namespace

TEST_CASE("url credentials: never in the API, the pages, the metrics or the history") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(kConfig);
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  REQUIRE_FALSE(h.transport.sent.empty());
  CHECK(h.transport.sent.front().request.url.find("am-secret-9") != std::string::npos);  // sent
  h.transport.answer(0, "", "connection refused");
  h.clock.advance(1min);
  const std::string outputs[] = {
      h.request("GET", "/api/v1/checks").body,  h.request("GET", "/api/v1/checks/api").body,
      h.request("GET", "/checks/api").body,     h.request("GET", "/").body,
      h.request("GET", "/metrics").body,        h.request("GET", "/status").body,
      h.request("GET", "/api/v1/targets").body, h.request("GET", "/api/v1/checks/api/history").body,
  };
  bool sawMember = false;
  for (const std::string& output : outputs) {
    CHECK(output.find("check-secret-7") == std::string::npos);
    CHECK(output.find("am-secret-9") == std::string::npos);
    sawMember = sawMember || output.find("amuser:***@127.0.0.1:9093") != std::string::npos;
  }
  CHECK(h.request("GET", "/checks/api").body.find("http://user:***@api.test/") !=
        std::string::npos);
  CHECK(sawMember);  // the refused delivery is shown, with the member's URL redacted
}
