#include "checks/config_loader.h"

#include <glob.h>

#include <fmt/format.h>
#include <strings.h>
#include <toml++/toml.h>
#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "checks/config_reader.h"
#include "checks/json_text.h"
#include "checks/text.h"
#include "checks/toml_syntax.h"
#include "checks/template.h"

namespace prober {

std::string toString(const ConfigError& error) {
  return fmt::format("{}: {}", toString(error.where), error.message);
}

std::ostream& operator<<(std::ostream& out, const ConfigError& error) {
  return out << toString(error);
}

std::optional<std::string> processEnvironment(const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) {
    return std::string(value);
  }
  return std::nullopt;
}

namespace {

const std::set<std::string, std::less<>> kTopLevelKeys = {"prober", "defaults", "notifiers",
                                                          "check", "slack_command"};
const std::set<std::string, std::less<>> kProberKeys = {
    "listen",       "state_dir", "max_in_flight",    "user_agent",
    "external_url", "include",   "history_retention"};
const std::set<std::string, std::less<>> kSlackCommandKeys = {
    "signing_secret", "notifier", "allowed_teams", "allowed_channels", "allowed_users"};
using KeySet = std::set<std::string, std::less<>>;

KeySet withKeys(KeySet keys, std::initializer_list<const char*> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

// Request keys: allowed on a single-request check, on each step and under [defaults] (a
// multi-step check's own request keys apply to each of its steps).
const KeySet kRequestKeys = {
    "url",          "method",      "headers",     "query",         "body",
    "json",         "form",        "assert",      "expect_status", "tls_verify",
    "ca_file",      "client_cert", "client_key",  "server_name",   "follow_redirects",
    "max_redirects", "body_size_limit", "basic_auth", "bearer_token", "http_version",
    "ip_version",   "proxy"};
const KeySet kStepKeys = withKeys(kRequestKeys, {"name", "extract"});
const KeySet kCheckKeys =
    withKeys(kRequestKeys, {"name", "interval", "timeout", "failure_threshold",
                            "success_threshold", "cert_warning", "notify", "labels", "step"});
const std::set<std::string, std::less<>> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                     "PATCH", "DELETE", "OPTIONS"};
const std::set<std::string, std::less<>> kSeverities = {"critical", "error", "warning", "info"};

constexpr Millis kMinInterval{100};
constexpr const char* kPagerDutyUrl = "https://events.pagerduty.com/v2/enqueue";

bool isValidCheckName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == ':' ||
           c == '-';
  });
}

bool isValidHeaderName(std::string_view name) {
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
             const std::optional<std::string>& text = std::nullopt) {
    config.path = path;
    auto root = text ? parseText(path, *text) : parse(path);
    if (!root) {
      return;
    }
    reader_.rejectUnknownKeys(*root, kTopLevelKeys, "the config");
    std::vector<std::string> includes;
    if (const toml::node* prober = root->get("prober")) {
      readProber(*prober, config.prober, includes);
    }
    reader_.setListen(config.prober.listen);
    if (const toml::node* defaults = root->get("defaults")) {
      defaults_ = defaults->as_table();
      if (defaults_ == nullptr) {
        reader_.error(*defaults, "[defaults] must be a table");
      } else {
        auto allowed = kCheckKeys;
        allowed.erase("name");
        allowed.erase("step");
        reader_.rejectUnknownKeys(*defaults_, allowed, "[defaults]");
      }
    }
    if (const toml::node* notifiers = root->get("notifiers")) {
      reader_.readingNotifiers(true);
      readNotifiers(*notifiers, config);
      reader_.readingNotifiers(false);
    }
    if (const toml::node* slack = root->get("slack_command")) {
      reader_.readingNotifiers(true);
      readSlackCommand(*slack, config.slackCommand);
      reader_.readingNotifiers(false);
    }
    readChecks(*root, config);

    const std::filesystem::path base = std::filesystem::path(path).parent_path();
    const toml::node* includeNode =
        root->get("prober") != nullptr && root->get("prober")->is_table()
            ? root->get("prober")->as_table()->get("include")
            : nullptr;
    for (const std::string& pattern : includes) {
      const std::string full =
          std::filesystem::path(pattern).is_absolute() ? pattern : (base / pattern).string();
      glob_t matches{};
      const int rc = ::glob(full.c_str(), 0, nullptr, &matches);
      if (rc != 0 && rc != GLOB_NOMATCH) {
        reader_.error(*includeNode, fmt::format("include \"{}\": cannot list files", pattern));
      }
      for (std::size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i) {
        const std::string file = matches.gl_pathv[i];
        if (!seenFiles_.insert(canonical(file)).second) {
          continue;
        }
        auto table = parse(file);
        if (!table) {
          continue;
        }
        reader_.rejectUnknownKeys(*table, {"check"},
                                  "an included file (it may hold only [[check]] tables)");
        readChecks(*table, config);
      }
      globfree(&matches);
    }
    checkNotifyNames(config);
    checkSlackCommandNotifier(config);
  }

 private:
  // The same file reached twice (an include matching the main file) is read once.
  static std::string canonical(const std::string& path) {
    std::error_code ec;
    auto resolved = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : resolved.string();
  }

  std::optional<toml::table> parse(const std::string& path) {
    // Read the file ourselves so pipes and /dev/stdin work and a directory is refused clearly.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      reader_.error(SourceLocation{path, 1, 1}, "is a directory, not a config file");
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      reader_.error(SourceLocation{path, 1, 1},
                    fmt::format("cannot read the file: {}", std::strerror(errno)));
      return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return parseText(path, content.str());
  }

  std::optional<toml::table> parseText(const std::string& path, const std::string& text) {
    seenFiles_.insert(canonical(path));
    // The parser recurses on nesting: refuse what would overflow its stack before it starts.
    if (auto tooDeep = findTooDeepNesting(text)) {
      reader_.error(SourceLocation{path, tooDeep->line, tooDeep->column}, tooDeep->message);
      return std::nullopt;
    }
    try {
      return toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      SourceLocation loc = reader_.where(e.source());
      if (loc.file.empty()) {
        loc.file = path;
      }
      reader_.error(loc, plainTomlError(e.description(), restOfLine(text, loc.line, loc.column)));
      return std::nullopt;
    }
  }

  // The text from LINE:COLUMN (1-based, columns in characters) to the end of that line.
  static std::string_view restOfLine(std::string_view text, int line, int column) {
    std::size_t pos = 0;
    for (int l = 1; l < line && pos != std::string_view::npos; ++l) {
      pos = text.find('\n', pos);
      pos = pos == std::string_view::npos ? pos : pos + 1;
    }
    if (pos == std::string_view::npos) {
      return {};
    }
    for (int c = 1; c < column && pos < text.size() && text[pos] != '\n'; ++c) {
      ++pos;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
    }
    const std::size_t end = text.find('\n', pos);
    return text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos + 1);
  }

  void readProber(const toml::node& node, ProberSettings& settings,
                  std::vector<std::string>& includes) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, "[prober] must be a table");
      return;
    }
    reader_.rejectUnknownKeys(*table, kProberKeys, "[prober]");
    if (const toml::node* listen = table->get("listen")) {
      if (auto text = reader_.string(*listen, "listen")) {
        const auto colon = text->rfind(':');
        int port = -1;
        if (colon != std::string::npos && colon > 0) {
          std::from_chars(text->data() + colon + 1, text->data() + text->size(), port);
        }
        if (port < 0 || port > 65535) {
          reader_.error(
              *listen,
              fmt::format("listen \"{}\" must be HOST:PORT, like \"127.0.0.1:9115\"", *text));
        } else {
          settings.listen = *text;
        }
      }
    }
    if (const toml::node* stateDir = table->get("state_dir")) {
      if (auto text = reader_.string(*stateDir, "state_dir")) {
        settings.stateDir = *text;
      }
    }
    if (const toml::node* maxInFlight = table->get("max_in_flight")) {
      if (auto value = reader_.integer(*maxInFlight, "max_in_flight", 1, 100000)) {
        settings.maxInFlight = static_cast<int>(*value);
      }
    }
    if (const toml::node* userAgent = table->get("user_agent")) {
      if (auto text = reader_.string(*userAgent, "user_agent")) {
        settings.userAgent = *text;
      }
    }
    if (const toml::node* externalUrl = table->get("external_url")) {
      if (auto text = reader_.string(*externalUrl, "external_url")) {
        settings.externalUrl = *text;
      }
    }
    if (const toml::node* include = table->get("include")) {
      if (auto patterns = reader_.stringArray(*include, "include")) {
        includes = std::move(*patterns);
      }
    }
    if (const toml::node* retention = table->get("history_retention")) {
      if (auto value = reader_.duration(*retention, "history_retention")) {
        if (*value < Millis(3600 * 1000) || *value > Millis(3660LL * 24 * 3600 * 1000)) {
          reader_.error(*retention, "history_retention must be from 1h to 3660d");
        } else {
          settings.historyRetention = *value;
        }
      }
    }
  }

  // [slack_command]: read here; that its notifier exists is checked once all are read.
  void readSlackCommand(const toml::node& node, SlackCommandSpec& spec) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, "[slack_command] must be a table");
      return;
    }
    spec.enabled = true;
    reader_.rejectUnknownKeys(*table, kSlackCommandKeys, "[slack_command]");
    if (const toml::node* secret = table->get("signing_secret")) {
      const auto text = reader_.string(*secret, "slack_command signing_secret");
      spec.signingSecret = text.value_or("");
      if (text && text->empty()) {
        reader_.error(*secret, "slack_command signing_secret must not be empty");
      }
    } else {
      reader_.error(node, "[slack_command] needs signing_secret (Slack app, Basic Information, "
                          "Signing Secret), usually \"${SLACK_SIGNING_SECRET}\"");
    }
    if (const toml::node* notifier = table->get("notifier")) {
      spec.notifier = reader_.string(*notifier, "slack_command notifier", false).value_or("");
      slackNotifierAt_ = reader_.where(*notifier);
    } else {
      reader_.error(node, "[slack_command] needs notifier: the pagerduty notifier to page");
    }
    const auto ids = [&](const char* key, const char* prefix, std::vector<std::string>& out,
                         bool required) {
      const toml::node* list = table->get(key);
      if (list == nullptr) {
        if (required) {
          reader_.error(node, fmt::format("[slack_command] needs {} (Slack IDs like \"{}0123456\")",
                                          key, prefix));
        }
        return;
      }
      auto values = reader_.stringArray(*list, fmt::format("slack_command {}", key));
      if (!values) {
        return;
      }
      for (const std::string& id : *values) {
        const bool looksLikeId =
            id.size() >= 2 && id.size() <= 32 &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            });
        if (!looksLikeId) {
          reader_.error(*list, fmt::format("slack_command {}: \"{}\" is not a Slack ID (IDs, "
                                           "not names, decide: like \"{}0123456\")",
                                           key, id, prefix));
        }
      }
      out = std::move(*values);
    };
    ids("allowed_teams", "T", spec.allowedTeams, false);
    ids("allowed_channels", "C", spec.allowedChannels, true);
    ids("allowed_users", "U", spec.allowedUsers, true);
  }

  void readNotifiers(const toml::node& node, Config& config) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, "[notifiers] must hold tables like [notifiers.pagerduty]");
      return;
    }
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      const toml::table* settings = value.as_table();
      if (settings == nullptr) {
        reader_.error(value, fmt::format("notifier \"{}\" must be a table", name));
        continue;
      }
      NotifierSpec spec;
      spec.name = name;
      const toml::node* type = settings->get("type");
      if (type == nullptr) {
        reader_.error(
            value, fmt::format("notifier \"{}\" needs a type (\"pagerduty\" or \"slack\")", name));
        continue;
      }
      spec.type = reader_.string(*type, "type", false).value_or("");
      struct Field {
        const char* key;
        bool required;
        const char* fallback;
      };
      std::vector<Field> fields;
      if (spec.type == "pagerduty") {
        fields = {{"routing_key", true, nullptr},
                  {"severity", false, "critical"},
                  {"url", false, kPagerDutyUrl}};
      } else if (spec.type == "slack") {
        fields = {{"webhook_url", true, nullptr}};
      } else {
        reader_.error(*type, fmt::format("notifier \"{}\": unknown type \"{}\" (expected "
                                         "\"pagerduty\" or \"slack\")",
                                         name, spec.type));
        continue;
      }
      std::set<std::string, std::less<>> allowed = {"type", "timeout"};
      if (const toml::node* timeout = settings->get("timeout")) {
        spec.timeout = reader_.duration(*timeout, fmt::format("notifier \"{}\" timeout", name))
                           .value_or(spec.timeout);
        if (spec.timeout.count() <= 0 || spec.timeout > Millis(60'000)) {
          reader_.error(*timeout, fmt::format("notifier \"{}\": timeout must be from 1ms to 1m", name));
        }
      }
      for (const Field& field : fields) {
        allowed.insert(field.key);
        const toml::node* fieldNode = settings->get(field.key);
        if (fieldNode == nullptr) {
          if (field.required) {
            reader_.error(value, fmt::format("notifier \"{}\" needs {}", name, field.key));
          } else {
            spec.settings[field.key] = field.fallback;
          }
          continue;
        }
        if (auto text =
                reader_.string(*fieldNode, fmt::format("notifier \"{}\" {}", name, field.key))) {
          spec.settings[field.key] = *text;
        }
      }
      if (spec.type == "pagerduty" && kSeverities.count(spec.settings["severity"]) == 0) {
        reader_.error(
            *settings->get("severity"),
            fmt::format("notifier \"{}\": severity must be critical, error, warning or info",
                        name));
      }
      reader_.rejectUnknownKeys(*settings, allowed, fmt::format("notifier \"{}\"", name));
      config.notifiers[name] = std::move(spec);
    }
  }

  void readChecks(const toml::table& root, Config& config) {
    const toml::node* node = root.get("check");
    if (node == nullptr) {
      return;
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      reader_.error(*node, "checks are written as [[check]] tables");
      return;
    }
    for (const toml::node& item : *array) {
      const toml::table* table = item.as_table();
      if (table == nullptr) {
        reader_.error(item, "each check must be a [[check]] table");
        continue;
      }
      auto spec = readCheck(*table);
      reader_.collectSecretsInto(nullptr);  // the spec that held the sink is gone or moved
      if (spec) {
        // Longest first, so a secret inside another is not replaced before the whole one.
        std::sort(spec->secrets.begin(), spec->secrets.end(),
                  [](const Secret& a, const Secret& b) { return a.value.size() > b.value.size(); });
        config.checks.push_back(std::make_shared<const CheckSpec>(std::move(*spec)));
      }
    }
  }

  std::optional<CheckSpec> readCheck(const toml::table& table) {
    const std::size_t errorsBefore = errorCount();
    CheckSpec spec;
    spec.definedAt = reader_.where(table);
    const toml::node* nameNode = table.get("name");
    if (nameNode == nullptr) {
      reader_.error(table, "check has no name");
      return std::nullopt;
    }
    spec.name = reader_.string(*nameNode, "name", false).value_or("");
    if (!isValidCheckName(spec.name)) {
      reader_.error(
          *nameNode,
          fmt::format("check name \"{}\" may use only letters, digits and _ . : -",
                      cutToCharacters(validUtf8(spec.name), 60)));
      return std::nullopt;
    }
    if (spec.name.size() > kMaxCheckNameLength) {
      reader_.error(*nameNode,
                    fmt::format("check name \"{}\" is {} characters long; the limit is {}, so "
                                "that its PagerDuty dedup_key fits in 255 bytes",
                                cutToCharacters(spec.name, 40), spec.name.size(),
                                kMaxCheckNameLength));
      return std::nullopt;
    }
    if (auto [it, inserted] = names_.emplace(spec.name, reader_.where(*nameNode)); !inserted) {
      reader_.error(*nameNode, fmt::format("duplicate check name \"{}\" (first defined at {})",
                                           spec.name, toString(it->second)));
      return std::nullopt;
    }
    const std::string context = fmt::format("check \"{}\"", spec.name);
    reader_.collectSecretsInto(&spec.secrets);
    reader_.rejectUnknownKeys(table, kCheckKeys, context);
    const Layers layers({&table, defaults_});

    if (const toml::node* n = layers.get("interval")) {
      spec.interval = reader_.duration(*n, context + ": interval").value_or(spec.interval);
      if (spec.interval < kMinInterval) {
        reader_.error(*n, fmt::format("{}: interval {} is below the minimum of 100ms", context,
                                      formatDuration(spec.interval)));
      }
    }
    if (const toml::node* n = layers.get("timeout")) {
      spec.timeout = reader_.duration(*n, context + ": timeout").value_or(spec.timeout);
      if (spec.timeout.count() <= 0) {
        reader_.error(*n, fmt::format("{}: timeout must be more than 0", context));
      } else if (spec.timeout > spec.interval) {
        reader_.error(*n, fmt::format("{}: timeout {} exceeds interval {}", context,
                                      formatDuration(spec.timeout), formatDuration(spec.interval)));
      }
    } else if (spec.timeout > spec.interval) {
      spec.timeout = spec.interval;  // the 10s default shrinks to fit a shorter interval
    }
    if (const toml::node* n = layers.get("failure_threshold")) {
      spec.failureThreshold = static_cast<int>(
          reader_.integer(*n, context + ": failure_threshold", 1, 1000).value_or(1));
    }
    if (const toml::node* n = layers.get("success_threshold")) {
      spec.successThreshold = static_cast<int>(
          reader_.integer(*n, context + ": success_threshold", 1, 1000).value_or(1));
    }
    if (const toml::node* n = layers.get("cert_warning")) {
      if (const auto window = reader_.duration(*n, context + ": cert_warning")) {
        if (window->count() <= 0) {
          reader_.error(*n, fmt::format("{}: cert_warning must be more than 0", context));
        } else {
          spec.certWarning = *window;
        }
      }
    }
    if (const toml::node* n = layers.get("notify")) {
      if (auto names = reader_.stringArray(*n, context + ": notify")) {
        spec.notify = std::move(*names);
        notifyUses_.push_back({spec.name, reader_.where(*n), spec.notify});
      }
    }
    if (const toml::node* n = layers.get("labels")) {
      readLabels(*n, context, spec.labels);
    }

    const toml::node* stepsNode = table.get("step");
    if (stepsNode != nullptr) {
      for (const char* key : {"url", "body", "json", "assert"}) {
        if (const toml::node* n = table.get(key)) {
          reader_.error(*n,
                        fmt::format("{}: {} belongs in each [[check.step]] of a multi-step check",
                                    context, key));
        }
      }
      const toml::array* steps = stepsNode->as_array();
      if (steps == nullptr || steps->empty()) {
        reader_.error(*stepsNode,
                      fmt::format("{}: steps are written as [[check.step]] tables", context));
      } else {
        std::set<std::string> stepNames;
        extractedSoFar_.clear();
        for (const toml::node& stepNode : *steps) {
          const toml::table* stepTable = stepNode.as_table();
          if (stepTable == nullptr) {
            reader_.error(stepNode,
                          fmt::format("{}: each step must be a [[check.step]] table", context));
            continue;
          }
          StepSpec step;
          const toml::node* stepName = stepTable->get("name");
          step.name = stepName ? reader_.string(*stepName, "step name", false).value_or("")
                               : fmt::format("step{}", spec.steps.size() + 1);
          if (!isValidCheckName(step.name)) {
            reader_.error(
                *stepName,
                fmt::format("{}: step name \"{}\" may use only letters, digits and _ . : -",
                            context, cutToCharacters(validUtf8(step.name), 60)));
          } else if (step.name.size() > kMaxCheckNameLength) {
            reader_.error(*stepName, fmt::format("{}: step name \"{}\" is {} characters long; "
                                                 "the limit is {}",
                                                 context, cutToCharacters(step.name, 40),
                                                 step.name.size(), kMaxCheckNameLength));
          } else if (!stepNames.insert(step.name).second) {
            reader_.error(*stepName,
                          fmt::format("{}: duplicate step name \"{}\"", context, step.name));
          }
          const std::string stepContext = fmt::format("{} step \"{}\"", context, step.name);
          reader_.rejectUnknownKeys(*stepTable, kStepKeys, stepContext);
          readRequest(Layers({stepTable, &table, defaults_}), *stepTable, stepContext, step);
          if (const toml::node* n = stepTable->get("extract")) {
            readExtractions(*n, stepContext, step);
          }
          for (const Extraction& extraction : step.extractions) {
            extractedSoFar_.emplace(extraction.variable(), step.name);
          }
          spec.steps.push_back(std::move(step));
        }
      }
    } else {
      StepSpec step;
      step.name = spec.name;
      extractedSoFar_.clear();
      readRequest(layers, table, context, step);
      spec.steps.push_back(std::move(step));
    }
    if (errorCount() != errorsBefore) {
      return std::nullopt;
    }
    return spec;
  }

  void readLabels(const toml::node& node, const std::string& context,
                  std::map<std::string, std::string>& labels) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, fmt::format("{}: labels must be a table of strings", context));
      return;
    }
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      if (!isValidLabelName(name) || name.rfind("__", 0) == 0) {
        reader_.error(reader_.where(key.source()),
                      fmt::format("{}: label name \"{}\" must match [a-zA-Z_][a-zA-Z0-9_]* and not "
                                  "start with __",
                                  context, name));
        continue;
      }
      if (name == "check" || name == "url" || name == "step" || name == "phase" || name == "le") {
        reader_.error(reader_.where(key.source()),
                      fmt::format("{}: label name \"{}\" is reserved for prober's own labels",
                                  context, name));
        continue;
      }
      auto text = reader_.string(value, fmt::format("{}: label {}", context, name), false);
      if (!text) {
        continue;
      }
      if (text->find("${") != std::string::npos) {
        reader_.error(value, fmt::format("{}: label {} cannot use ${{VAR}}: labels are shown in "
                                         "metrics, and ${{VAR}} values are kept secret",
                                         context, name));
        continue;
      }
      labels[name] = *text;
    }
  }

  // Reads the request keys of one step (or of a single-request check) from its layers.
  void readRequest(const Layers& layers, const toml::table& own, const std::string& context,
                   StepSpec& step) {
    const toml::node* urlNode = own.get("url");
    if (urlNode == nullptr) {
      urlNode = layers.get("url");
    }
    if (urlNode == nullptr) {
      reader_.error(own, fmt::format("{} has no url", context));
    } else if (auto raw = reader_.string(*urlNode, context + ": url", false)) {
      step.displayUrl = *raw;
      step.url = reader_.expand(*urlNode, *raw, context + ": url").value_or("");
      // Placeholders are filled on each run; the URL's shape is checked with a sample value.
      const std::string url = withSampleValues(step.url);
      const auto scheme = url.find("://");
      const std::string lower = url.substr(0, scheme == std::string::npos ? 0 : scheme);
      const std::size_t hostStart = scheme == std::string::npos ? 0 : scheme + 3;
      const bool hasHost = hostStart < url.size() && url[hostStart] != '/' &&
                           url[hostStart] != ':' && url[hostStart] != '?';
      if (!url.empty() && ((lower != "http" && lower != "https") || !hasHost ||
                           url.find_first_of(" \t\r\n") != std::string::npos)) {
        reader_.error(*urlNode,
                      fmt::format("{}: url \"{}\" must be an absolute http:// or https:// "
                                  "URL with a host",
                                  context, step.displayUrl));
      }
    }
    if (const toml::node* n = layers.get("method")) {
      step.method = reader_.string(*n, context + ": method", false).value_or("GET");
      if (kMethods.count(step.method) == 0) {
        reader_.error(*n,
                      fmt::format("{}: method \"{}\" is not one of GET, HEAD, POST, PUT, PATCH, "
                                  "DELETE, OPTIONS",
                                  context, step.method));
      }
    }
    if (const toml::node* n = layers.get("headers")) {
      if (auto headers = reader_.stringTable(*n, context + ": header", true)) {
        for (const auto& [name, value] : *headers) {
          if (!isValidHeaderName(name) || value.find_first_of("\r\n") != std::string::npos) {
            reader_.error(*n,
                          fmt::format("{}: header \"{}\" has an invalid name or a line break in "
                                      "its value",
                                      context, name));
          }
        }
        step.headers = std::move(*headers);
      }
    }
    const toml::node* bodyNode = layers.get("body");
    const toml::node* jsonNode = layers.get("json");
    if (bodyNode != nullptr && jsonNode != nullptr) {
      reader_.error(*jsonNode, fmt::format("{}: give either body or json, not both", context));
    } else if (bodyNode != nullptr) {
      step.body = reader_.string(*bodyNode, context + ": body").value_or("");
    } else if (jsonNode != nullptr && !jsonNode->is_table() && !jsonNode->is_array()) {
      reader_.error(*jsonNode, fmt::format("{}: json must be a table or an array (raw text goes "
                                           "in body)",
                                           context));
    } else if (jsonNode != nullptr) {
      if (auto json = reader_.toJson(*jsonNode, context + ": json")) {
        step.body = toJsonText(*json);
        step.bodyIsJson = true;
        if (!hasHeader(step, "Content-Type")) {
          step.headers.emplace_back("Content-Type", "application/json");
        }
      }
    }
    readRequestOptions(layers, context, step, bodyNode != nullptr || jsonNode != nullptr);
    if (const toml::node* n = layers.get("follow_redirects")) {
      step.followRedirects = reader_.boolean(*n, context + ": follow_redirects").value_or(true);
    }
    if (const toml::node* n = layers.get("max_redirects")) {
      step.maxRedirects = static_cast<int>(
          reader_.integer(*n, context + ": max_redirects", 0, 50).value_or(kDefaultMaxRedirects));
    }
    if (const toml::node* n = layers.get("tls_verify")) {
      step.tlsVerify = reader_.boolean(*n, context + ": tls_verify").value_or(true);
    }
    if (const toml::node* n = layers.get("body_size_limit")) {
      step.bodySizeLimit =
          reader_.byteSize(*n, context + ": body_size_limit").value_or(kDefaultBodySizeLimit);
    }
    if (urlNode != nullptr) {
      checkPlaceholders(*urlNode, step.url, context + ": url", step);
    }
    if (const toml::node* n = layers.get("headers")) {
      for (const auto& [name, value] : step.headers) {
        checkPlaceholders(*n, value, fmt::format("{}: header {}", context, name), step);
      }
    }
    if (const toml::node* n = bodyNode != nullptr ? bodyNode : jsonNode) {
      checkPlaceholders(*n, step.body, context + (bodyNode != nullptr ? ": body" : ": json"), step);
    }
    if (const toml::node* n = layers.get("assert")) {
      const toml::array* array = n->as_array();
      if (array == nullptr) {
        reader_.error(*n, fmt::format("{}: assert must be an array of strings", context));
        return;
      }
      for (const toml::node& item : *array) {
        auto text = reader_.string(item, context + ": assertion", false);
        if (!text) {
          continue;
        }
        std::string error;
        if (auto assertion = Assertion::parse(*text, error)) {
          step.assertions.push_back(std::move(*assertion));
        } else {
          reader_.error(item, fmt::format("{}: assertion '{}': {}", context, *text, error));
        }
      }
    }
  }

  // query, form, auth, TLS files and names, protocol and proxy choices.
  void readRequestOptions(const Layers& layers, const std::string& context, StepSpec& step,
                          bool hasBody) {
    if (const toml::node* n = layers.get("query")) {
      if (auto query = reader_.stringTable(*n, context + ": query", true)) {
        step.query = std::move(*query);
        for (const auto& [name, value] : step.query) {
          checkPlaceholders(*n, value, fmt::format("{}: query {}", context, name), step);
        }
      }
    }
    if (const toml::node* n = layers.get("form")) {
      if (hasBody) {
        reader_.error(*n, fmt::format("{}: give one of body, json and form", context));
      } else if (auto form = reader_.stringTable(*n, context + ": form", true)) {
        step.form = std::move(*form);
        for (const auto& [name, value] : step.form) {
          checkPlaceholders(*n, value, fmt::format("{}: form {}", context, name), step);
        }
        if (!hasHeader(step, "Content-Type")) {
          step.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        }
      }
    }
    const toml::node* basic = layers.get("basic_auth");
    const toml::node* bearer = layers.get("bearer_token");
    if (basic != nullptr && bearer != nullptr) {
      reader_.error(*bearer, fmt::format("{}: give basic_auth or bearer_token, not both", context));
    }
    if (basic != nullptr) {
      readBasicAuth(*basic, context, step);
    }
    if (bearer != nullptr) {
      step.bearerToken = reader_.string(*bearer, context + ": bearer_token").value_or("");
      checkPlaceholders(*bearer, step.bearerToken, context + ": bearer_token", step);
      if (step.bearerToken.empty() && bearer->is_string()) {
        reader_.error(*bearer, fmt::format("{}: bearer_token is empty", context));
      }
    }
    if ((basic != nullptr || bearer != nullptr) && hasHeader(step, "Authorization")) {
      reader_.error(basic != nullptr ? *basic : *bearer,
                    fmt::format("{}: an Authorization header and {} both set the same header",
                                context, basic != nullptr ? "basic_auth" : "bearer_token"));
    }
    for (const auto& [key, field] : {std::pair{"ca_file", &StepSpec::caFile},
                                     std::pair{"client_cert", &StepSpec::clientCert},
                                     std::pair{"client_key", &StepSpec::clientKey}}) {
      if (const toml::node* n = layers.get(key)) {
        step.*field = readableFile(*n, fmt::format("{}: {}", context, key));
      }
    }
    const toml::node* cert = layers.get("client_cert");
    const toml::node* key = layers.get("client_key");
    if ((cert == nullptr) != (key == nullptr)) {
      reader_.error(cert != nullptr ? *cert : *key,
                    fmt::format("{}: client_cert and client_key go together", context));
    }
    if (const toml::node* n = layers.get("server_name")) {
      step.serverName = reader_.string(*n, context + ": server_name", false).value_or("");
      if (!isValidHostName(step.serverName)) {
        reader_.error(*n, fmt::format("{}: server_name \"{}\" is not a host name", context,
                                      step.serverName));
      }
    }
    if (const toml::node* n = layers.get("http_version")) {
      const auto text = reader_.string(*n, context + ": http_version", false).value_or("");
      if (text == "1.1") {
        step.httpVersion = 11;
      } else if (text == "2") {
        step.httpVersion = 20;
      } else {
        reader_.error(*n, fmt::format("{}: http_version must be \"1.1\" or \"2\"", context));
      }
    }
    if (const toml::node* n = layers.get("ip_version")) {
      const auto* number = n->as_integer();
      if (number == nullptr || (number->get() != 4 && number->get() != 6)) {
        reader_.error(*n, fmt::format("{}: ip_version must be 4 or 6 (leave it out for either)",
                                      context));
      } else {
        step.ipVersion = static_cast<int>(number->get());
      }
    }
    if (const toml::node* n = layers.get("proxy")) {
      step.proxy = reader_.string(*n, context + ": proxy").value_or("");
      const std::string scheme = step.proxy.substr(0, step.proxy.find("://"));
      if (!step.proxy.empty() && (step.proxy.find("://") == std::string::npos ||
                                  (scheme != "http" && scheme != "https" && scheme != "socks5" &&
                                   scheme != "socks5h"))) {
        reader_.error(*n, fmt::format("{}: proxy must be a URL like http://proxy:3128 (http, "
                                      "https, socks5 or socks5h)",
                                      context));
      }
    }
    if (const toml::node* n = layers.get("expect_status")) {
      readExpectStatus(*n, context, step);
    }
  }

  static bool hasHeader(const StepSpec& step, std::string_view name) {
    return std::any_of(step.headers.begin(), step.headers.end(), [&](const auto& header) {
      return header.first.size() == name.size() &&
             strncasecmp(header.first.c_str(), name.data(), name.size()) == 0;
    });
  }

  static bool isValidHostName(std::string_view name) {
    return !name.empty() && name.size() <= 253 &&
           std::all_of(name.begin(), name.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
           });
  }

  // `basic_auth = { username = "...", password = "${PASSWORD}" }`
  void readBasicAuth(const toml::node& node, const std::string& context, StepSpec& step) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, fmt::format("{}: basic_auth must be a table like {{ username = "
                                      "\"u\", password = \"${{PASSWORD}}\" }}",
                                      context));
      return;
    }
    reader_.rejectUnknownKeys(*table, {"username", "password"}, context + " basic_auth");
    const toml::node* user = table->get("username");
    if (user == nullptr) {
      reader_.error(node, fmt::format("{}: basic_auth has no username", context));
      return;
    }
    step.basicAuth = true;
    step.basicUser = reader_.string(*user, context + ": basic_auth username").value_or("");
    if (step.basicUser.find(':') != std::string::npos) {
      reader_.error(*user, fmt::format("{}: a basic_auth username cannot hold a colon", context));
    }
    if (const toml::node* password = table->get("password")) {
      step.basicPassword =
          reader_.string(*password, context + ": basic_auth password").value_or("");
      // The credentials travel base64-encoded; an echo of the request shows them that way.
      reader_.addSecret({base64(step.basicUser + ":" + step.basicPassword), "<basic_auth>"});
    }
  }

  // `expect_status = 200` or `[200, 201]`: shorthand for a status assertion.
  void readExpectStatus(const toml::node& node, const std::string& context, StepSpec& step) {
    std::vector<std::int64_t> codes;
    if (const auto* one = node.as_integer()) {
      codes.push_back(one->get());
    } else if (const auto* many = node.as_array()) {
      for (const toml::node& item : *many) {
        codes.push_back(item.is_integer() ? item.as_integer()->get() : 0);
      }
    }
    const bool valid = !codes.empty() && std::all_of(codes.begin(), codes.end(), [](auto code) {
      return code >= 100 && code <= 599;
    });
    if (!valid) {
      reader_.error(node, fmt::format("{}: expect_status must be a status code from 100 to 599, "
                                      "or an array of them",
                                      context));
      return;
    }
    std::string text = codes.size() == 1 ? fmt::format("status == {}", codes[0])
                                          : fmt::format("status in [{}]", fmt::join(codes, ", "));
    std::string error;
    if (auto assertion = Assertion::parse(text, error)) {
      step.assertions.insert(step.assertions.begin(), std::move(*assertion));
    }
  }

  // A file the probe will read: resolved against the config file that names it, and readable
  // now, so a typo is a load error rather than a failing check at night.
  std::string readableFile(const toml::node& node, const std::string& context) {
    auto text = reader_.string(node, context, false);
    if (!text || text->empty()) {
      if (text) {
        reader_.error(node, fmt::format("{} is empty", context));
      }
      return {};
    }
    std::filesystem::path path(*text);
    if (path.is_relative()) {
      path = std::filesystem::path(reader_.where(node).file).parent_path() / path;
    }
    std::ifstream probe(path);
    if (!probe) {
      reader_.error(node, fmt::format("{}: cannot read {}: {}", context, path.string(),
                                      std::strerror(errno)));
      return {};
    }
    return path.string();
  }

  // Every {{name}} in `text` must be a built-in or a value an earlier step extracts.
  void checkPlaceholders(const toml::node& node, std::string_view text, const std::string& context,
                         StepSpec& step) {
    for (const Placeholder& placeholder : placeholdersIn(text)) {
      step.hasPlaceholders = true;
      if (isBuiltinVariable(placeholder.name) || extractedSoFar_.count(placeholder.name) != 0) {
        continue;
      }
      reader_.error(node, fmt::format("{} uses {{{{{}}}}}, which no earlier step extracts (built-in "
                                      "variables: timestamp, uuid, random_int)",
                                      context, placeholder.name));
    }
  }

  // `extract = { VAR = "SOURCE [ARGUMENT]" }`
  void readExtractions(const toml::node& node, const std::string& context, StepSpec& step) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader_.error(node, fmt::format("{}: extract must be a table like {{ token = \"json "
                                      "$.token\" }}",
                                      context));
      return;
    }
    for (auto&& [key, value] : *table) {
      const std::string variable(key.str());
      auto text = reader_.string(value, fmt::format("{}: extract {}", context, variable), false);
      if (!text) {
        continue;
      }
      std::string error;
      if (auto extraction = Extraction::parse(variable, *text, error)) {
        step.extractions.push_back(std::move(*extraction));
      } else {
        reader_.error(value, fmt::format("{}: extract {} = '{}': {}", context, variable, *text,
                                         error));
      }
    }
  }

  void checkSlackCommandNotifier(const Config& config) {
    const std::string& name = config.slackCommand.notifier;
    if (!config.slackCommand.enabled || name.empty()) {
      return;
    }
    const auto notifier = config.notifiers.find(name);
    if (notifier == config.notifiers.end()) {
      reader_.error(slackNotifierAt_,
                    fmt::format("slack_command notifier \"{}\" is not defined under [notifiers]",
                                name));
    } else if (notifier->second.type != "pagerduty") {
      reader_.error(slackNotifierAt_,
                    fmt::format("slack_command notifier \"{}\" must be a pagerduty notifier "
                                "(it is {})",
                                name, notifier->second.type));
    }
  }

  void checkNotifyNames(const Config& config) {
    for (const auto& use : notifyUses_) {
      for (const std::string& name : use.names) {
        if (config.notifiers.count(name) == 0) {
          reader_.error(use.where, fmt::format("check \"{}\": notify names \"{}\", which is not "
                                               "defined under [notifiers]",
                                               use.check, name));
        }
      }
    }
  }

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
  SourceLocation slackNotifierAt_;  // for an error found once every notifier is read
  std::map<std::string, std::string> extractedSoFar_;  // variable -> step, in the current check
  std::set<std::string> seenFiles_;
};

}  // namespace

namespace {

// Reading order: files as first met, then by line and column within each; an error repeated
// word for word (one bad [defaults] value inherited by every check) is kept once, counted.
void sortAndCollapse(std::vector<ConfigError>& errors) {
  std::unordered_map<std::string, std::size_t> fileOrder;
  for (const ConfigError& error : errors) {
    fileOrder.emplace(error.where.file, fileOrder.size());
  }
  std::stable_sort(errors.begin(), errors.end(), [&](const ConfigError& a, const ConfigError& b) {
    return std::tuple(fileOrder[a.where.file], a.where.line, a.where.column) <
           std::tuple(fileOrder[b.where.file], b.where.line, b.where.column);
  });
  std::vector<ConfigError> kept;
  std::unordered_map<std::string, std::size_t> firstIndex;
  std::vector<std::size_t> repeats;
  for (ConfigError& error : errors) {
    const std::string text = toString(error);
    if (auto [it, inserted] = firstIndex.emplace(text, kept.size()); !inserted) {
      ++repeats[it->second];
      continue;
    }
    kept.push_back(std::move(error));
    repeats.push_back(1);
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (repeats[i] > 1) {
      kept[i].message += fmt::format(" (reported {} times)", repeats[i]);
    }
  }
  errors = std::move(kept);
}

}  // namespace

namespace {

LoadResult load(const std::string& path, const std::optional<std::string>& text,
                const Environment& env, const LoadOptions& options) {
  LoadResult result;
  Config config;
  {
    // The parsed TOML trees die with the builder: specs keep only what they need.
    ConfigBuilder builder(env, result.errors, result.warnings, options);
    try {
      builder.build(path, config, text);
    } catch (const std::exception& e) {  // a library surprise is a config error, not a crash
      result.errors.push_back(
          {SourceLocation{path, 0, 0}, fmt::format("cannot load: {}", e.what())});
    }
  }
  sortAndCollapse(result.warnings);
  if (result.errors.empty()) {
    result.config = std::move(config);
    return result;
  }
  sortAndCollapse(result.errors);
  return result;
}

}  // namespace

LoadResult loadConfig(const std::string& path, const Environment& env,
                      const LoadOptions& options) {
  return load(path, std::nullopt, env, options);
}

LoadResult loadConfigText(const std::string& text, const std::string& path,
                          const Environment& env, const LoadOptions& options) {
  return load(path, text, env, options);
}

}  // namespace prober
