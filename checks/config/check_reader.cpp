// [[check]] tables: name, schedule, thresholds, labels, and their steps.
#include <fmt/format.h>
#include <toml++/toml.h>

#include "checks/config/config_builder.h"
#include "checks/duration.h"
#include "checks/text.h"

#include <functional>

namespace prober {

void ConfigBuilder::readChecks(const toml::table& root, Config& config) {
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

std::optional<CheckSpec> ConfigBuilder::readCheck(const toml::table& table) {
  const std::size_t errorsBefore = errorCount();
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
      dependsOnAt_[spec.name] = reader_.where(*n);
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
      notifyUses_.push_back({spec.name, reader_.where(*n), spec.notify});
    }
  }
  if (const toml::node* n = layers.get("labels")) {
    Labels::Map labels;
    readLabels(*n, context, labels);
    spec.labels = labelSets_.intern(std::move(labels));
  }

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
          reader_.error(*stepName,
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

void ConfigBuilder::readLabels(const toml::node& node, const std::string& context,
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
      reader_.error(
          reader_.where(key.source()),
          fmt::format("{}: label name \"{}\" is reserved for prober's own labels", context, name));
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

}  // namespace prober

namespace prober {

// Every name in depends_on is a check, and following depends_on never comes back to where it
// started (a cycle would hold each check's pages while the other fires, so none would page).
void ConfigBuilder::checkDependencies(const Config& config) {
  std::map<std::string, const CheckSpec*> byName;
  for (const auto& spec : config.checks) {
    byName[spec->name] = spec.get();
  }
  for (const auto& spec : config.checks) {
    for (const std::string& parent : spec->dependsOn) {
      if (byName.count(parent) == 0) {
        reader_.error(dependsOnAt_[spec->name],
                      fmt::format("check \"{}\": depends_on names \"{}\", which is not a check",
                                  spec->name, cutToCharacters(validUtf8(parent), 60)));
        continue;
      }
      // A parent on another shard runs in another instance: its alert never holds this page.
      // Every shard judges every pair, so all instances of one config agree.
      const std::optional<Shard>& shard =
          reader_.options().shard ? reader_.options().shard : config.prober.shard;
      if (!shard || shard->count == 1) {
        continue;
      }
      const int childShard = shardOf(spec->name, shard->count);
      const int parentShard = shardOf(parent, shard->count);
      if (childShard != parentShard) {
        reader_.error(
            dependsOnAt_[spec->name],
            fmt::format("check \"{}\": depends_on names \"{}\", which runs on shard {}/{} while "
                        "this check runs on {}/{}: a parent's alert holds pages only in the "
                        "instance that runs both; run these checks unsharded or drop depends_on",
                        spec->name, parent, parentShard, shard->count, childShard, shard->count));
      }
    }
  }
  // Depth-first, each check visited once; a check met again while still on the path closes a
  // cycle, reported once at the depends_on of the check where it was entered.
  enum class Mark { New, OnPath, Done };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  std::function<void(const CheckSpec&)> visit = [&](const CheckSpec& spec) {
    marks[spec.name] = Mark::OnPath;
    path.push_back(spec.name);
    for (const std::string& parent : spec.dependsOn) {
      const auto found = byName.find(parent);
      if (found == byName.end()) {
        continue;
      }
      const Mark mark = marks[parent];
      if (mark == Mark::OnPath) {
        const auto start = std::find(path.begin(), path.end(), parent);
        std::string cycle;
        for (auto it = start; it != path.end(); ++it) {
          cycle += *it + " -> ";
        }
        cycle += parent;
        reader_.error(dependsOnAt_[spec.name],
                      fmt::format("check \"{}\": depends_on makes a cycle: {}", spec.name, cycle));
      } else if (mark == Mark::New) {
        visit(*found->second);
      }
    }
    path.pop_back();
    marks[spec.name] = Mark::Done;
  };
  for (const auto& spec : config.checks) {
    if (marks[spec->name] == Mark::New) {
      visit(*spec);
    }
  }
}

}  // namespace prober
