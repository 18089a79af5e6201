// Fuzzes the config loader with TOML text: whatever the text, loading ends with a config or
// errors, never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "alerting/notifier_settings.h"
#include "checks/config/config_loader.h"

namespace {

// Every ${VAR} is set, so the fuzzer reaches past the environment into every section.
std::optional<std::string> anyVariable(const std::string& name) {
  return name.size() % 3 == 0 ? std::nullopt : std::optional<std::string>("value-" + name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A directory that does not exist: includes the text names find nothing to read.
  const prober::LoadResult result =
      prober::loadConfigText(text, "/nonexistent-prober-fuzz/config.toml", anyVariable,
                             prober::withNotifierChecks({}));
  for (const auto& error : result.errors) {
    (void)prober::toString(error);
  }
  return 0;
}
