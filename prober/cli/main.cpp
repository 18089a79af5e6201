// prober: synthetic HTTP checks on a schedule, exported to Prometheus.
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <set>

#include "alerting/alert_event.h"
#include "alerting/notifier_settings.h"
#include "checks/config/config_loader.h"
#include "checks/duration.h"
#include "checks/redaction.h"
#include "history/history.h"
#include "history/report.h"
#include "prober/cli/logging.h"
#include "prober/cli/once.h"
#include "prober/daemon.h"
#include "prober/engine/curl_engine.h"
#include "prober/web/server/bcrypt.h"
#include "storage/sqlite_statement.h"

namespace {

constexpr int kExitUsage = 2;

// Loads the config or prints every error; nullopt means invalid. Warnings are printed too.
std::optional<prober::Config> loadOrReport(const std::string& path,
                                           const prober::LoadOptions& options = {}) {
  prober::LoadResult loaded =
      prober::loadConfig(path, prober::processEnvironment, prober::withNotifierChecks(options));
  for (const auto& warning : loaded.warnings) {
    std::cerr << prober::toString(warning.where) << ": warning: " << warning.message << "\n";
  }
  for (const auto& error : loaded.errors) {
    std::cerr << prober::toString(error) << "\n";
  }
  return std::move(loaded.config);
}

// `validate` and `once` notify nobody: notifier secrets may be missing (CI has none).
prober::LoadOptions withoutNotifierSecrets() {
  prober::LoadOptions options;
  options.notifierVariablesOptional = true;
  return options;
}

int commandRun(const std::string& path, const prober::DaemonOptions& options) {
  prober::LoadOptions loadOptions;
  loadOptions.listen = options.listen;
  loadOptions.shard = options.shard;
  auto config = loadOrReport(path, loadOptions);
  if (!config) {
    spdlog::error("{} is invalid; not starting", path);
    return 1;
  }
  try {
    boost::asio::io_context io;
    prober::ProductionServices services(io, options, *config);
    prober::Daemon daemon(services.services(), options, std::move(*config));
    io.run();
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

// A report's window edge: a duration back from now ("24h") or a UTC time
// ("2026-11-24T08:00:00Z", "2026-11-24 08:00"). nullopt when it is neither.
std::optional<std::int64_t> parseWhen(const std::string& text, std::int64_t nowMs) {
  if (auto ago = prober::parseDuration(text)) {
    return nowMs - ago->count();
  }
  std::tm parts{};
  int second = 0;
  char separator = 0;
  char zone[2] = {0, 0};
  const int read =
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%1s", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &separator, &parts.tm_hour, &parts.tm_min, &second, zone);
  const bool shape =
      (read == 6 || read == 7 || read == 8) && (separator == 'T' || separator == ' ');
  if (!shape || (read == 8 && zone[0] != 'Z') || parts.tm_mon < 1 || parts.tm_mon > 12 ||
      parts.tm_mday < 1 || parts.tm_mday > 31 || parts.tm_hour > 23 || parts.tm_min > 59 ||
      second > 60) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  parts.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000;
}

// Secrets are never in the history, but the report is also scrubbed of every value the config
// holds from ${VAR}, in case an answer quoted one.
std::vector<prober::Secret> configSecrets(const prober::Config& config) {
  std::vector<prober::Secret> secrets;
  for (const auto& spec : config.checks) {
    secrets.insert(secrets.end(), spec->secrets.begin(), spec->secrets.end());
  }
  std::vector<prober::ConfigError> ignored;  // the report needs no valid notifier
  for (const auto& [name, notifier] : prober::readNotifiers(config.notifiers, ignored)) {
    if (const auto* pagerDuty = notifier.pagerDuty()) {
      secrets.push_back({pagerDuty->routingKey, "<" + name + " routing_key>"});
    } else if (const auto* slack = notifier.slack()) {
      secrets.push_back({slack->webhookUrl, "<" + name + " webhook_url>"});
    }
  }
  if (!config.slackCommand.signingSecret.empty()) {
    secrets.push_back({config.slackCommand.signingSecret, "<slack signing_secret>"});
  }
  std::sort(secrets.begin(), secrets.end(),
            [](const auto& a, const auto& b) { return a.value.size() > b.value.size(); });
  return secrets;
}

int commandReport(const std::string& path, const std::vector<std::string>& checks,
                  const std::string& since, const std::string& until, const std::string& stateDir) {
  // ${VAR}s need not be set to write a report: it shows URLs as written anyway.
  prober::LoadResult loaded = prober::loadConfig(path, [](const std::string& name) {
    return prober::processEnvironment(name).value_or("unset-" + name);
  });
  for (const auto& error : loaded.errors) {
    std::cerr << prober::toString(error) << "\n";
  }
  if (!loaded.config) {
    return kExitUsage;
  }
  const prober::Config& config = *loaded.config;
  if (const std::string unknown = prober::unknownChecks(config, checks); !unknown.empty()) {
    std::cerr << "prober report: " << unknown << "\n";
    return kExitUsage;
  }
  const std::int64_t now = prober::toMillis(std::chrono::system_clock::now());
  prober::ReportWindow window;
  window.generatedAtMs = now;
  const auto from = parseWhen(since, now);
  const auto to = until.empty() ? std::optional<std::int64_t>(now) : parseWhen(until, now);
  if (!from || !to) {
    std::cerr << "prober report: --since and --until take a duration back from now (\"24h\") "
                 "or a UTC time (\"2026-11-24T08:00:00Z\")\n";
    return kExitUsage;
  }
  if (*from >= *to) {
    std::cerr << "prober report: --since must be before --until\n";
    return kExitUsage;
  }
  window.sinceMs = *from;
  window.untilMs = *to;
  const std::string dir = stateDir.empty() ? config.prober.stateDir : stateDir;
  std::string error;
  auto history = prober::HistoryReader::open(dir, error);
  prober::ReportData data;
  const auto progress = [](const std::string& line) {
    std::cerr << "prober report: " << line << "\n";
  };
  if (!history || !prober::readReportData(*history, checks, window, data, error, progress)) {
    std::cerr << "prober report: " << error << "\n";
    return 1;
  }
  std::map<std::string, prober::ReportedCheck> configured;
  for (const auto& spec : config.checks) {
    configured[spec->name] = {spec->displayUrl(), spec->labels};
  }
  // History written before URL credentials were redacted, or quoting a URL back, is scrubbed
  // on the way out too.
  std::cout << prober::redactUrlCredentials(prober::redactSecrets(
      prober::renderReport(data, window, configured), configSecrets(config)));
  return 0;
}

// --shard k/n: nullopt when not given; exits with usage when malformed.
std::optional<std::optional<prober::Shard>> shardOption(const std::string& text) {
  if (text.empty()) {
    return std::optional<prober::Shard>();
  }
  std::string error;
  auto shard = prober::parseShard(text, error);
  if (!shard) {
    std::cerr << "prober: --shard: " << error << "\n";
    return std::nullopt;
  }
  return shard;
}

// With --list, the names of the checks the shard runs (every check without a shard), one a line.
int commandValidate(const std::string& path, const std::optional<prober::Shard>& shardFlag,
                    bool list) {
  prober::LoadOptions loadOptions = withoutNotifierSecrets();
  loadOptions.shard = shardFlag;  // depends_on is judged against the shard map asked about
  auto config = loadOrReport(path, loadOptions);
  if (!config) {
    return 1;
  }
  const std::optional<prober::Shard> shard = shardFlag ? shardFlag : config->prober.shard;
  std::size_t owned = 0;
  for (const auto& spec : config->checks) {
    if (!shard || shard->owns(spec->name)) {
      ++owned;
      if (list) {
        std::cout << spec->name << "\n";
      }
    }
  }
  if (!list) {
    std::cout << path << ": valid, " << config->checks.size() << " checks";
    if (shard) {
      std::cout << ", " << owned << " of them on shard " << shard->text();
    }
    std::cout << "\n";
  }
  return 0;
}

// The first word that is neither an option nor an option's value, when it names no command;
// CLI11 alone would only say that a subcommand is required.
std::string unknownSubcommand(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--log-format" || arg == "--log-level") {
      ++i;
      continue;
    }
    if (arg.empty() || arg[0] == '-') {
      continue;
    }
    try {
      app.get_subcommand(arg);
      return "";
    } catch (const CLI::OptionNotFound&) {
      return arg;
    }
  }
  return "";
}

}  // namespace

// The first line of standard input (a terminal does not echo it), hashed with bcrypt.
int commandHashPassword(int cost) {
  const bool terminal = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::cerr << "Password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  const bool read = static_cast<bool>(std::getline(std::cin, password));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!read || password.empty()) {
    std::cerr << "prober hash-password: no password on standard input\n";
    return 1;
  }
  try {
    std::cout << prober::bcryptHash(password, cost) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "prober hash-password: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  prober::initCurlGlobally();
  prober::configureSqliteGlobally();
  CLI::App app{
      "prober: synthetic HTTP checks on a schedule, exported to Prometheus, paging on-call"};
  app.set_version_flag("--version", std::string("prober ") + PROBER_VERSION);
  app.require_subcommand(1);
  std::string logFormat = "text";
  std::string logLevel = "info";
  app.add_option("--log-format", logFormat, "Log line format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", logLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::string configPath;
  prober::DaemonOptions options;
  std::string listen;
  std::string stateDir;
  auto* run = app.add_subcommand(
      "run", "Run the daemon: schedule every check, serve /metrics, the status page and the API");
  run->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  run->add_option("--listen", listen, "Listen address HOST:PORT, overriding [prober] listen");
  run->add_option("--state-dir", stateDir, "State directory, overriding [prober] state_dir");
  run->add_option("--log-format", logFormat, "Log line format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  std::string shardText;
  run->add_option("--shard", shardText,
                  "k/n: run only the checks rendezvous hashing gives shard k of n, overriding "
                  "[prober] shard");

  bool list = false;
  auto* validate = app.add_subcommand(
      "validate", "Check a config; print FILE:LINE:COL: message for every error");
  validate->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  validate->add_option("--shard", shardText,
                       "k/n: the shard --list lists (default [prober] shard)");
  validate->add_flag("--list", list, "Print the names of the checks the shard runs, one a line");

  std::vector<std::string> selected;
  std::string format = "table";
  auto* once = app.add_subcommand("once", "Run checks once, concurrently, and print each result");
  once->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  once->add_option("--check", selected, "Only this check (repeatable)");
  once->add_option("--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));

  std::vector<std::string> reportChecks;
  std::string since = "24h";
  std::string until;
  auto* report = app.add_subcommand(
      "report", "Write the first draft of an incident report (Markdown) from the history");
  report->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  report->add_option("--check", reportChecks,
                     "Only this check (repeatable); default: every check that failed or alerted");
  report->add_option("--since", since,
                     "Start: a duration back from now (\"24h\", the default) or a UTC time "
                     "(\"2026-11-24T08:00:00Z\")");
  report->add_option("--until", until, "End, in the same forms; default now");
  report->add_option("--state-dir", stateDir, "State directory, overriding [prober] state_dir");

  int cost = 10;
  auto* hashPassword = app.add_subcommand(
      "hash-password",
      "Read a password from standard input and print its bcrypt hash, for [web] basic_auth_users");
  hashPassword->add_option("--cost", cost, "bcrypt cost (each step doubles the work)")
      ->check(CLI::Range(4, 16));

  if (const std::string unknown = unknownSubcommand(app, argc, argv); !unknown.empty()) {
    std::cerr << "prober: unknown command \"" << unknown
              << "\"; the commands are run, validate, once, report and hash-password (see prober "
                 "--help)\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  prober::setUpLogging(logFormat, logLevel);

  const auto shard = shardOption(shardText);
  if (!shard) {
    return kExitUsage;
  }
  if (*run) {
    options.configPath = configPath;
    options.shard = *shard;
    if (!listen.empty()) {
      options.listen = listen;
    }
    if (!stateDir.empty()) {
      options.stateDir = stateDir;
    }
    return commandRun(configPath, options);
  }
  if (*validate) {
    return commandValidate(configPath, *shard, list);
  }
  if (*once) {
    auto config = loadOrReport(configPath, withoutNotifierSecrets());
    if (!config) {
      return kExitUsage;
    }
    return prober::runOnce(*config, selected,
                           format == "json" ? prober::OnceFormat::Json : prober::OnceFormat::Table,
                           std::cout, std::cerr);
  }
  if (*report) {
    return commandReport(configPath, reportChecks, since, until, stateDir);
  }
  if (*hashPassword) {
    return commandHashPassword(cost);
  }
  return kExitUsage;
}
