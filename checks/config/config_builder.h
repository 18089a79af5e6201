#pragma once
// Inside checks/config/ only: the builder that turns a config file (and what it includes) into a
// Config, every error located. Its sections live in files of their own: config_files.cpp
// (parsing, includes, the whole), prober_section.cpp, notifier_section.cpp (notifiers and the
// Slack command), check_reader.cpp and request_reader.cpp.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/check_spec.h"
#include "checks/config/config_loader.h"
#include "checks/config/config_reader.h"

namespace date {
class time_zone;
}

namespace prober {
using KeySet = std::set<std::string, std::less<>>;

inline const std::set<std::string, std::less<>> kTopLevelKeys = {
    "prober",        "defaults", "notifiers",   "check",
    "slack_command", "web",      "maintenance", "announcement"};
inline const std::set<std::string, std::less<>> kProberKeys = {
    "listen",       "state_dir", "max_in_flight",     "user_agent",
    "external_url", "include",   "history_retention", "history_max_size",
    "shard",        "location",  "status_group_by",   "metrics"};
inline const std::set<std::string, std::less<>> kWebKeys = {
    "tls_cert_file", "tls_key_file", "basic_auth_users", "allowed_hosts", "max_connections"};
inline const std::set<std::string, std::less<>> kSlackCommandKeys = {
    "signing_secret", "notifier", "allowed_teams", "allowed_channels", "allowed_users"};

inline KeySet withKeys(KeySet keys, std::initializer_list<const char*> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

// Request keys: allowed on a single-request check, on each step and under [defaults] (a
// multi-step check's own request keys apply to each of its steps).
inline const KeySet kRequestKeys = {"url",           "method",
                                    "headers",       "query",
                                    "body",          "json",
                                    "form",          "assert",
                                    "degraded",      "expect_status",
                                    "tls_verify",    "ca_file",
                                    "client_cert",   "client_key",
                                    "server_name",   "follow_redirects",
                                    "max_redirects", "body_size_limit",
                                    "basic_auth",    "bearer_token",
                                    "http_version",  "ip_version",
                                    "proxy"};
inline const KeySet kStepKeys = withKeys(kRequestKeys, {"name", "extract"});
inline const KeySet kCheckKeys =
    withKeys(kRequestKeys, {"name", "interval", "timeout", "failure_threshold", "success_threshold",
                            "failure_window", "retry_interval", "renotify", "depends_on", "page",
                            "cert_warning", "notify", "labels", "step"});
inline const std::set<std::string, std::less<>> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                            "PATCH", "DELETE", "OPTIONS"};

inline constexpr Millis kMinInterval{100};

inline bool isValidCheckName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == ':' ||
           c == '-';
  });
}

inline bool isValidHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Looks a key up in the check's own table first, then in the layers below it (the check for a
// step, then [defaults]).
class Layers {
 public:
  explicit Layers(std::vector<const toml::table*> tables) : tables_(std::move(tables)) {}
  const toml::node* get(std::string_view key) const {
    for (const toml::table* table : tables_) {
      if (table != nullptr) {
        if (const toml::node* node = table->get(key)) {
          return node;
        }
      }
    }
    return nullptr;
  }

 private:
  std::vector<const toml::table*> tables_;
};

class ConfigBuilder {
 public:
  ConfigBuilder(const Environment& env, std::vector<ConfigError>& errors,
                std::vector<ConfigError>& warnings, const LoadOptions& options)
      : reader_(env, errors, warnings, options), errors_(errors) {}

  // `text`, when given, is the top-level file's content (it is not read from `path`).
  void build(const std::string& path, Config& config,
             const std::optional<std::string>& text = std::nullopt);

 private:
  // The same file reached twice (an include matching the main file) is read once.
  static std::string canonical(const std::string& path);

  std::optional<toml::table> parse(const std::string& path);

  std::optional<toml::table> parseText(const std::string& path, const std::string& text);

  // The text from LINE:COLUMN (1-based, columns in characters) to the end of that line.
  static std::string_view restOfLine(std::string_view text, int line, int column);

  void readProber(const toml::node& node, ProberSettings& settings,
                  std::vector<std::string>& includes);

  // [web]: TLS files (readable now) and basic-auth users with bcrypt hashes.
  void readWeb(const toml::node& node, WebSettings& web);

  // [slack_command]: read here; that its notifier exists is checked once all are read.
  void readSlackCommand(const toml::node& node, SlackCommandSpec& spec);

  void readNotifiers(const toml::node& node, Config& config);

  // [[maintenance]] windows: a cron schedule or a one-off start, a duration, a time zone.
  void readMaintenance(const toml::node& node, Config& config);
  std::optional<MaintenanceSpec> readWindow(const toml::table& table);
  // A point in time: a TOML date-time or a string like "2026-12-05T22:00:00Z"; one without an
  // offset is local time in `zone` (nullptr: the zone was wrong, already reported). Between 1970
  // and 2199.
  std::optional<std::chrono::system_clock::time_point> readInstant(const toml::node& node,
                                                                   const date::time_zone* zone,
                                                                   const std::string& what);

  // [[announcement]]: text, level, ends_at.
  void readAnnouncements(const toml::node& node, Config& config);

  void readChecks(const toml::table& root, Config& config);

  std::optional<CheckSpec> readCheck(const toml::table& table);

  void readLabels(const toml::node& node, const std::string& context,
                  std::map<std::string, std::string>& labels);

  // `assert = [...]` and `degraded = [...]`: assertions, each error at its string.
  void readAssertions(const toml::node& node, const std::string& context, const char* key,
                      std::vector<Assertion>& into);

  // depends_on names checks that exist and form no cycle (checked once all checks are read).
  void checkDependencies(const Config& config);

  // Reads the request keys of one step (or of a single-request check) from its layers.
  void readRequest(const Layers& layers, const toml::table& own, const std::string& context,
                   StepSpec& step);

  // query, form, auth, TLS files and names, protocol and proxy choices.
  void readRequestOptions(const Layers& layers, const std::string& context, StepSpec& step,
                          StepContent& content, bool hasBody);

  static bool hasHeader(const StepContent& content, std::string_view name);

  static bool isValidHostName(std::string_view name);

  // `basic_auth = { username = "...", password = "${PASSWORD}" }`
  void readBasicAuth(const toml::node& node, const std::string& context,
                     StepConnection& connection);

  // `expect_status = 200` or `[200, 201]`: shorthand for a status assertion.
  void readExpectStatus(const toml::node& node, const std::string& context, StepSpec& step);

  // A file the probe will read: resolved against the config file that names it, and readable
  // now, so a typo is a load error rather than a failing check at night.
  std::string readableFile(const toml::node& node, const std::string& context);

  // Every {{name}} in `text` must be a built-in or a value an earlier step extracts.
  void checkPlaceholders(const toml::node& node, std::string_view text, const std::string& context,
                         StepSpec& step);

  // `extract = { VAR = "SOURCE [ARGUMENT]" }`
  void readExtractions(const toml::node& node, const std::string& context, StepSpec& step);

  void checkSlackCommandNotifier(const Config& config);

  void checkNotifyNames(const Config& config);

  std::size_t errorCount() const { return errors_.size(); }
  struct NotifyUse {
    std::string check;
    SourceLocation where;
    std::vector<std::string> names;
  };
  ConfigReader reader_;
  std::vector<ConfigError>& errors_;
  const toml::table* defaults_ = nullptr;
  std::unordered_map<std::string, SourceLocation> names_;
  std::vector<NotifyUse> notifyUses_;
  std::map<std::string, SourceLocation> dependsOnAt_;  // check -> where its depends_on is
  SourceLocation slackNotifierAt_;  // for an error found once every notifier is read
  std::map<std::string, std::string> extractedSoFar_;  // variable -> step, in the current check
  std::set<std::string> seenFiles_;
  AssertionCompiler assertions_;  // each text compiled once, shared by the checks that write it
  LabelSets labelSets_;           // each distinct set of labels held once
  RepeatSharer<StepConnection> connections_;  // a step's connection settings
  RepeatSharer<StepContent> contents_;        // and what its request carries
};

}  // namespace prober
