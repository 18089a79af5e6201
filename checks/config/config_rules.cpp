// The rules across sections, over the whole Config once every file is read: check names are
// unique across files, notify lists and [slack_command] name notifiers [notifiers] defines, and
// depends_on names existing checks on the same shard without a cycle.
#include "checks/config/config_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>

#include "checks/shard.h"
#include "checks/text.h"

namespace prober {

namespace {

// A name met before: the check reader left its table unread. Each error goes where the others
// put it when it was met, so that files keep the order of their first errors.
void checkNamesUnique(const CheckPlaces& places, std::vector<ConfigError>& errors) {
  std::unordered_map<std::string, const SourceLocation*> first;
  std::vector<std::pair<std::size_t, ConfigError>> repeats;
  for (const CheckPlaces::Name& name : places.names) {
    if (auto [it, inserted] = first.emplace(name.check, &name.at); !inserted) {
      repeats.push_back({name.errorsBefore,
                         {name.at, fmt::format("duplicate check name \"{}\" (first defined at {})",
                                               name.check, toString(*it->second))}});
    }
  }
  if (repeats.empty()) {
    return;
  }
  std::vector<ConfigError> merged;
  merged.reserve(errors.size() + repeats.size());
  std::size_t next = 0;
  for (auto& [before, error] : repeats) {
    for (; next < before && next < errors.size(); ++next) {
      merged.push_back(std::move(errors[next]));
    }
    merged.push_back(std::move(error));
  }
  for (; next < errors.size(); ++next) {
    merged.push_back(std::move(errors[next]));
  }
  errors = std::move(merged);
}

void checkNotifyNames(const Config& config, const CheckPlaces& places,
                      std::vector<ConfigError>& errors) {
  for (const auto& use : places.notifyUses) {
    for (const std::string& name : use.names) {
      if (config.notifiers.count(name) == 0) {
        errors.push_back({use.at, fmt::format("check \"{}\": notify names \"{}\", which is not "
                                              "defined under [notifiers]",
                                              use.check, name)});
      }
    }
  }
}

// That the Slack command's notifier is defined; that it is a pagerduty one, and that the IDs
// look like Slack's, alerting checks (alerting/notifier_settings.h).
void checkSlackCommandNotifier(const Config& config, std::vector<ConfigError>& errors) {
  const std::string& name = config.slackCommand.notifier;
  if (config.slackCommand.enabled && !name.empty() && config.notifiers.count(name) == 0) {
    const auto at = config.slackCommand.at.find("notifier");
    errors.push_back(
        {at != config.slackCommand.at.end() ? at->second : SourceLocation{},
         fmt::format("slack_command notifier \"{}\" is not defined under [notifiers]", name)});
  }
}

// Every name in depends_on is a check, and following depends_on never comes back to where it
// started (a cycle would hold each check's pages while the other fires, so none would page).
void checkDependencies(const Config& config, const CheckPlaces& places, const LoadOptions& options,
                       std::vector<ConfigError>& errors) {
  const auto dependsOnAt = [&](const std::string& check) {
    const auto found = places.dependsOnAt.find(check);
    return found != places.dependsOnAt.end() ? found->second : SourceLocation{};
  };
  std::map<std::string, const CheckSpec*> byName;
  for (const auto& spec : config.checks) {
    byName[spec->name] = spec.get();
  }
  for (const auto& spec : config.checks) {
    for (const std::string& parent : spec->dependsOn) {
      if (byName.count(parent) == 0) {
        errors.push_back({dependsOnAt(spec->name),
                          fmt::format("check \"{}\": depends_on names \"{}\", which is not a check",
                                      spec->name, cutToCharacters(validUtf8(parent), 60))});
        continue;
      }
      // A parent on another shard runs in another instance: its alert never holds this page.
      // Every shard judges every pair, so all instances of one config agree.
      const std::optional<Shard>& shard = options.shard ? options.shard : config.prober.shard;
      if (!shard || shard->count == 1) {
        continue;
      }
      const int childShard = shardOf(spec->name, shard->count);
      const int parentShard = shardOf(parent, shard->count);
      if (childShard != parentShard) {
        errors.push_back(
            {dependsOnAt(spec->name),
             fmt::format("check \"{}\": depends_on names \"{}\", which runs on shard {}/{} while "
                         "this check runs on {}/{}: a parent's alert holds pages only in the "
                         "instance that runs both; run these checks unsharded or drop depends_on",
                         spec->name, parent, parentShard, shard->count, childShard, shard->count)});
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
        errors.push_back(
            {dependsOnAt(spec.name),
             fmt::format("check \"{}\": depends_on makes a cycle: {}", spec.name, cycle)});
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

}  // namespace

void checkConfigRules(const Config& config, const CheckPlaces& places, const LoadOptions& options,
                      std::vector<ConfigError>& errors) {
  checkNamesUnique(places, errors);
  checkNotifyNames(config, places, errors);
  checkSlackCommandNotifier(config, errors);
  checkDependencies(config, places, options, errors);
}

}  // namespace prober
