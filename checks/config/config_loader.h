#pragma once
// Reads a TOML config (and the files it includes) into a validated Config, collecting every
// error with its FILE:LINE:COL instead of stopping at the first.
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/shard.h"

namespace prober {

struct ConfigError {
  SourceLocation where;
  std::string message;
};
std::string toString(const ConfigError& error);  // "FILE:LINE:COL: message"
std::ostream& operator<<(std::ostream& out, const ConfigError& error);

// Looks up ${VAR}; the default reads the process environment.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> processEnvironment(const std::string& name);

// ${PROBER_LISTEN} is not read from the environment: it is the address the daemon serves on
// (`run --listen`, else [prober] listen), so a config can check the daemon itself. Not a secret.
inline constexpr const char* kListenVariable = "PROBER_LISTEN";

struct LoadOptions {
  // `validate` and `once` send no notification: an unset ${VAR} used only by [notifiers.*] or
  // [slack_command] is then a warning, so CI can check a config without production secrets.
  bool notifierVariablesOptional = false;
  // `run --listen`: what ${PROBER_LISTEN} names instead of [prober] listen.
  std::optional<std::string> listen;
  // `run --shard`: the shard map depends_on is checked against instead of [prober] shard.
  std::optional<Shard> shard;
  // Checks what checks/ cannot judge: the daemon passes alerting's checkNotifiers (what each
  // notifier type needs). Runs on what was read even when other errors were found, so every
  // error is reported at once, in reading order.
  std::function<void(const Config& config, std::vector<ConfigError>& errors)> validate;
};

struct LoadResult {
  std::optional<Config> config;       // set when there are no errors
  std::vector<ConfigError> errors;    // in file order; repeats of one error reported once
  std::vector<ConfigError> warnings;  // in file order
};

LoadResult loadConfig(const std::string& path, const Environment& env = processEnvironment,
                      const LoadOptions& options = {});

// The same for `text` given as the content of the file at `path` (which is not read; files it
// includes are, relative to it).
LoadResult loadConfigText(const std::string& text, const std::string& path,
                          const Environment& env = processEnvironment,
                          const LoadOptions& options = {});

}  // namespace prober
