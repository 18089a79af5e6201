// Reads [[check]] tables and [defaults]: a check's name, schedule, thresholds, alerting
// (depends_on, page, notify, cert_warning, renotify), labels, and its steps with their names and
// extractions; each request through the request reader.
#include "checks/config/check_reader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "checks/config/shared_reads.h"
#include "checks/duration.h"
#include "checks/text.h"

namespace prober {

namespace {

KeySet withKeys(KeySet keys, std::initializer_list<const char*> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

// kRequestKeys is an inline variable defined above (request_reader.h), so it is built first.
const KeySet kStepKeys = withKeys(kRequestKeys, {"name", "extract"});
const KeySet kCheckKeys =
    withKeys(kRequestKeys, {"name", "interval", "timeout", "failure_threshold", "success_threshold",
                            "failure_window", "retry_interval", "renotify", "depends_on", "page",
                            "cert_warning", "notify", "labels", "step"});

constexpr Millis kMinInterval{100};

// `extract = { VAR = "SOURCE [ARGUMENT]" }`
std::vector<Extraction> readExtractions(ConfigReader& reader, const toml::node& node,
                                        const std::string& context) {
  std::vector<Extraction> extractions;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, fmt::format("{}: extract must be a table like {{ token = \"json "
                                   "$.token\" }}",
                                   context));
    return extractions;
  }
  for (auto&& [key, value] : *table) {
    const std::string variable(key.str());
    auto text = reader.string(value, fmt::format("{}: extract {}", context, variable), false);
    if (!text) {
      continue;
    }
    std::string error;
    if (auto extraction = Extraction::parse(variable, *text, error)) {
      extractions.push_back(std::move(*extraction));
    } else {
      reader.error(value,
                   fmt::format("{}: extract {} = '{}': {}", context, variable, *text, error));
    }
  }
  return extractions;
}

}  // namespace

void CheckReader::readDefaults(const toml::node& node) {
  defaults_ = node.as_table();
  if (defaults_ == nullptr) {
    reader_.error(node, "[defaults] must be a table");
    return;
  }
  // name and step are a check's own: said so, rather than guessed at as a typo.
  reader_.rejectUnknownKeys(*defaults_, kCheckKeys, "[defaults]");
  for (const char* own : {"name", "step"}) {
    if (const toml::node* n = defaults_->get(own)) {
      reader_.error(*n, fmt::format("{} belongs in each [[check]], not in [defaults]", own));
    }
  }
}

std::vector<std::shared_ptr<const CheckSpec>> CheckReader::readChecks(const toml::table& root) {
  std::vector<std::shared_ptr<const CheckSpec>> checks;
  const toml::node* node = root.get("check");
  if (node == nullptr) {
    return checks;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    reader_.error(*node, "checks are written as [[check]] tables");
    return checks;
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
      checks.push_back(std::make_shared<const CheckSpec>(std::move(*spec)));
    }
  }
  return checks;
}

std::optional<CheckSpec> CheckReader::readCheck(const toml::table& table) {
  const std::size_t errorsBefore = reader_.errorCount();
  CheckSpec spec;
  const toml::node* nameNode = table.get("name");
  if (nameNode == nullptr) {
    reader_.error(table, "check has no name");
    return std::nullopt;
  }
  spec.name = reader_.string(*nameNode, "name", false).value_or("");
  if (!isValidCheckName(spec.name)) {
    reader_.error(*nameNode,
                  fmt::format("check name \"{}\" may use only letters, digits and _ . : -",
                              cutToCharacters(validUtf8(spec.name), 60)));
    return std::nullopt;
  }
  if (spec.name.size() > kMaxCheckNameLength) {
    reader_.error(
        *nameNode,
        fmt::format("check name \"{}\" is {} characters long; the limit is {}, so "
                    "that its PagerDuty dedup_key fits in 255 bytes",
                    cutToCharacters(spec.name, 40), spec.name.size(), kMaxCheckNameLength));
    return std::nullopt;
  }
  places_.names.push_back({spec.name, reader_.where(*nameNode), reader_.errorCount()});
  if (!names_.insert(spec.name).second) {
    return std::nullopt;  // a repeated name: the rules report it, and its table goes unread
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
    spec.failureThreshold =
        static_cast<int>(reader_.integer(*n, context + ": failure_threshold", 1, 1000).value_or(1));
  }
  if (const toml::node* n = layers.get("failure_window")) {
    if (const auto window = reader_.integer(*n, context + ": failure_window", 1, 64)) {
      if (*window < spec.failureThreshold) {
        reader_.error(*n, fmt::format("{}: failure_window {} is narrower than failure_threshold "
                                      "{} (it counts failures among the last failure_window runs)",
                                      context, *window, spec.failureThreshold));
      } else {
        spec.failureWindow = static_cast<int>(*window);
      }
    }
  }
  if (const toml::node* n = layers.get("success_threshold")) {
    spec.successThreshold =
        static_cast<int>(reader_.integer(*n, context + ": success_threshold", 1, 1000).value_or(1));
  }
  if (const toml::node* n = layers.get("retry_interval")) {
    if (const auto retry = reader_.duration(*n, context + ": retry_interval")) {
      if (*retry < kMinInterval) {
        reader_.error(*n, fmt::format("{}: retry_interval {} is below the minimum of 100ms",
                                      context, formatDuration(*retry)));
      } else if (*retry > spec.interval) {
        reader_.error(*n,
                      fmt::format("{}: retry_interval {} exceeds interval {} (it makes runs "
                                  "come sooner while a failure is being confirmed)",
                                  context, formatDuration(*retry), formatDuration(spec.interval)));
      } else {
        spec.retryInterval = *retry;
      }
    }
  }
  if (const toml::node* n = layers.get("renotify")) {
    if (const auto every = reader_.duration(*n, context + ": renotify")) {
      if (every->count() <= 0) {
        reader_.error(*n, fmt::format("{}: renotify must be more than 0", context));
      } else {
        spec.renotify = *every;
      }
    }
  }
  if (const toml::node* n = layers.get("depends_on")) {
    if (auto names = reader_.stringArray(*n, context + ": depends_on")) {
      spec.dependsOn = std::move(*names);
      places_.dependsOnAt[spec.name] = reader_.where(*n);
    }
  }
  if (const toml::node* n = layers.get("page")) {
    if (const auto how = reader_.string(*n, context + ": page", false)) {
      if (*how != "local" && *how != "quorum") {
        reader_.error(*n, fmt::format("{}: page must be \"local\" (this instance pages) or "
                                      "\"quorum\" (Prometheus and Alertmanager page when enough "
                                      "locations agree)",
                                      context));
      }
      spec.pageByQuorum = *how == "quorum";
    }
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
      places_.notifyUses.push_back({spec.name, reader_.where(*n), spec.notify});
    }
  }
  if (const toml::node* n = layers.get("labels")) {
    spec.labels = labelSets_.intern(readLabels(reader_, *n, context));
  }
  readSteps(table, layers, context, spec);
  if (reader_.errorCount() != errorsBefore) {
    return std::nullopt;
  }
  return spec;
}

void CheckReader::readSteps(const toml::table& table, const Layers& layers,
                            const std::string& context, CheckSpec& spec) {
  std::set<std::string> extracted;  // variables the steps so far extract
  const toml::node* stepsNode = table.get("step");
  if (stepsNode != nullptr) {
    for (const char* key : {"url", "body", "json", "assert"}) {
      if (const toml::node* n = table.get(key)) {
        reader_.error(*n, fmt::format("{}: {} belongs in each [[check.step]] of a multi-step check",
                                      context, key));
      }
    }
    const toml::array* steps = stepsNode->as_array();
    if (steps == nullptr || steps->empty()) {
      reader_.error(*stepsNode,
                    fmt::format("{}: steps are written as [[check.step]] tables", context));
    } else {
      std::set<std::string> stepNames;
      for (const toml::node& stepNode : *steps) {
        const toml::table* stepTable = stepNode.as_table();
        if (stepTable == nullptr) {
          reader_.error(stepNode,
                        fmt::format("{}: each step must be a [[check.step]] table", context));
          continue;
        }
        const toml::node* stepName = stepTable->get("name");
        const std::string name = stepName
                                     ? reader_.string(*stepName, "step name", false).value_or("")
                                     : fmt::format("step{}", spec.steps.size() + 1);
        if (!isValidCheckName(name)) {
          reader_.error(*stepName,
                        fmt::format("{}: step name \"{}\" may use only letters, digits and _ . : -",
                                    context, cutToCharacters(validUtf8(name), 60)));
        } else if (name.size() > kMaxCheckNameLength) {
          reader_.error(*stepName, fmt::format("{}: step name \"{}\" is {} characters long; "
                                               "the limit is {}",
                                               context, cutToCharacters(name, 40), name.size(),
                                               kMaxCheckNameLength));
        } else if (!stepNames.insert(name).second) {
          reader_.error(*stepName, fmt::format("{}: duplicate step name \"{}\"", context, name));
        }
        const std::string stepContext = fmt::format("{} step \"{}\"", context, name);
        reader_.rejectUnknownKeys(*stepTable, kStepKeys, stepContext);
        StepSpec step = requests_.read(Layers({stepTable, &table, defaults_}), *stepTable,
                                       stepContext, extracted);
        step.name = name;
        if (const toml::node* n = stepTable->get("extract")) {
          step.extractions = readExtractions(reader_, *n, stepContext);
        }
        for (const Extraction& extraction : step.extractions) {
          extracted.insert(extraction.variable());
        }
        spec.steps.push_back(std::move(step));
      }
    }
  } else {
    StepSpec step = requests_.read(layers, table, context, extracted);
    step.name = spec.name;
    spec.steps.push_back(std::move(step));
  }
}

}  // namespace prober
