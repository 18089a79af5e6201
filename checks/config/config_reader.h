#pragma once
// Reading one config's TOML values: each typed read reports a wrong type as an error at the
// value's FILE:LINE:COL instead of stopping, ${VAR}s are expanded (and their values kept as the
// check's secrets), and unknown keys are named with the closest known one. The config loader
// builds a Config from what this reads. Included by the loader alone: it brings in toml++.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/config/config_loader.h"
#include "checks/config/unknown_key.h"
#include "checks/duration.h"
#include "checks/redaction.h"

namespace prober {

// [A-Za-z_][A-Za-z0-9_]*: label names and ${VAR} names.
bool isValidLabelName(std::string_view name);

// The keys a table may hold.
using KeySet = std::set<std::string, std::less<>>;

// Collects errors and knows where every node was written.
class ConfigReader {
 public:
  ConfigReader(const Environment& env, std::vector<ConfigError>& errors,
               std::vector<ConfigError>& warnings, const LoadOptions& options)
      : env_(env), errors_(errors), warnings_(warnings), options_(options) {}

  // [prober] listen, once read: what ${PROBER_LISTEN} names unless --listen overrides it.
  void setListen(std::string listen) { listen_ = std::move(listen); }

  // While reading [notifiers.*] and [slack_command]: their ${VAR}s may be unset when the
  // options say so.
  void readingNotifiers(bool reading) { readingNotifiers_ = reading; }

  SourceLocation where(const toml::source_region& region) const {
    SourceLocation loc;
    loc.file = region.path ? *region.path : std::string();
    loc.line = static_cast<int>(region.begin.line);
    loc.column = static_cast<int>(region.begin.column);
    return loc;
  }
  SourceLocation where(const toml::node& node) const { return where(node.source()); }

  const LoadOptions& options() const { return options_; }

  // Where ${VAR} values expanded from now on are recorded (the check being read), or nowhere.
  void collectSecretsInto(std::vector<Secret>* sink) { secretsSink_ = sink; }
  void addSecret(Secret secret) {
    if (secretsSink_ != nullptr && !secret.value.empty()) {
      secretsSink_->push_back(std::move(secret));
    }
  }

  // Errors reported so far: a reader compares counts to know whether a table read cleanly.
  std::size_t errorCount() const { return errors_.size(); }

  void error(const SourceLocation& loc, std::string message) {
    errors_.push_back({loc, std::move(message)});
  }
  void error(const toml::node& node, std::string message) {
    error(where(node), std::move(message));
  }

  // Reports keys of `table` that are not in `allowed`, suggesting the closest allowed key.
  void rejectUnknownKeys(const toml::table& table, const KeySet& allowed,
                         std::string_view context) {
    for (auto&& [key, node] : table) {
      if (allowed.count(key.str()) != 0) {
        continue;
      }
      error(where(key.source()), unknownKeyMessage(key.str(), allowed, context));
    }
  }

  // Replaces ${VAR} with the environment's value; an unset VAR is an error.
  std::optional<std::string> expand(const toml::node& node, std::string_view text,
                                    std::string_view context) {
    std::string out;
    bool ok = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t start = text.find("${", pos);
      if (start == std::string_view::npos) {
        out.append(text.substr(pos));
        break;
      }
      out.append(text.substr(pos, start - pos));
      const std::size_t end = text.find('}', start + 2);
      const std::string name(
          text.substr(start + 2, end == std::string_view::npos ? 0 : end - start - 2));
      if (end == std::string_view::npos || !isValidLabelName(name)) {
        error(node,
              fmt::format("{}: \"${{\" must be followed by a variable name and \"}}\"", context));
        return std::nullopt;
      }
      if (name == kListenVariable) {
        out.append(options_.listen.value_or(listen_));
      } else if (auto value = env_(name)) {
        if (secretsSink_ != nullptr && !value->empty()) {
          secretsSink_->push_back({*value, "${" + name + "}"});
        }
        out.append(*value);
      } else if (readingNotifiers_ && options_.notifierVariablesOptional) {
        warnings_.push_back({where(node), fmt::format("{}: environment variable {} is not set "
                                                      "(needed by `prober run`)",
                                                      context, name)});
        out.append("${" + name + "}");  // kept as written: nothing is sent with it
      } else {
        unsetVariable(node, name, context);
        ok = false;
      }
      pos = end + 1;
    }
    if (!ok) {
      return std::nullopt;
    }
    return out;
  }

  // One error per place and variable: a value in [defaults] is read again for every check
  // and step that inherits it, and saying so once (with a count) is enough.
  void unsetVariable(const toml::node& node, const std::string& name, std::string_view context) {
    const SourceLocation at = where(node);
    auto [it, first] = unsetReported_.try_emplace(toString(at) + " " + name);
    UnsetReport& report = it->second;
    if (first) {
      report.errorIndex = errors_.size();
      report.message = fmt::format("{}: environment variable {} is not set", context, name);
      error(at, report.message);
      return;
    }
    ++report.repeats;
    errors_[report.errorIndex].message =
        fmt::format("{} (and {} more {} that inherit it)", report.message, report.repeats,
                    report.repeats == 1 ? "check or step" : "checks or steps");
  }

  std::optional<std::string> string(const toml::node& node, std::string_view context,
                                    bool expandVariables = true) {
    const auto* value = node.as_string();
    if (value == nullptr) {
      error(node, fmt::format("{} must be a string", context));
      return std::nullopt;
    }
    if (!expandVariables) {
      return value->get();
    }
    return expand(node, value->get(), context);
  }

  std::optional<Millis> duration(const toml::node& node, std::string_view context) {
    const auto* value = node.as_string();
    auto parsed = value != nullptr ? parseDuration(value->get()) : std::nullopt;
    if (!parsed) {
      error(node,
            fmt::format("{} must be a duration like \"250ms\", \"15s\", \"5m\", \"1h\" or \"1d\"",
                        context));
    }
    return parsed;
  }

  std::optional<bool> boolean(const toml::node& node, std::string_view context) {
    const auto* value = node.as_boolean();
    if (value == nullptr) {
      error(node, fmt::format("{} must be true or false", context));
      return std::nullopt;
    }
    return value->get();
  }

  std::optional<std::int64_t> integer(const toml::node& node, std::string_view context,
                                      std::int64_t min, std::int64_t max) {
    const auto* value = node.as_integer();
    if (value == nullptr || value->get() < min || value->get() > max) {
      error(node, fmt::format("{} must be an integer from {} to {}", context, min, max));
      return std::nullopt;
    }
    return value->get();
  }

  std::optional<std::uint64_t> byteSize(const toml::node& node, std::string_view context) {
    std::optional<std::uint64_t> size;
    if (const auto* number = node.as_integer(); number != nullptr && number->get() > 0) {
      size = static_cast<std::uint64_t>(number->get());
    } else if (const auto* text = node.as_string()) {
      size = parseByteSize(text->get());
    }
    if (!size || *size == 0) {
      error(node, fmt::format("{} must be a positive size in bytes, or a string like \"512KiB\" or "
                              "\"1MiB\"",
                              context));
      return std::nullopt;
    }
    return size;
  }

  // A table of strings, in the order written; values expanded when asked.
  std::optional<std::vector<std::pair<std::string, std::string>>> stringTable(
      const toml::node& node, std::string_view context, bool expandVariables) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      error(node, fmt::format("{} must be a table of strings", context));
      return std::nullopt;
    }
    std::vector<std::pair<std::string, std::string>> out;
    bool ok = true;
    for (auto&& [key, value] : *table) {
      auto text = string(value, fmt::format("{} {}", context, key.str()), expandVariables);
      if (!text) {
        ok = false;
        continue;
      }
      out.emplace_back(std::string(key.str()), std::move(*text));
    }
    if (!ok) {
      return std::nullopt;
    }
    return out;
  }

  std::optional<std::vector<std::string>> stringArray(const toml::node& node,
                                                      std::string_view context) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      error(node, fmt::format("{} must be an array of strings", context));
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const toml::node& item : *array) {
      auto text = string(item, context, false);
      if (!text) {
        ok = false;
        continue;
      }
      out.push_back(std::move(*text));
    }
    if (!ok) {
      return std::nullopt;
    }
    return out;
  }

  // Converts a TOML value to JSON, expanding ${VAR} in strings.
  std::optional<boost::json::value> toJson(const toml::node& node, std::string_view context) {
    switch (node.type()) {
      case toml::node_type::table: {
        boost::json::object object;
        for (auto&& [key, value] : *node.as_table()) {
          auto converted = toJson(value, context);
          if (!converted) {
            return std::nullopt;
          }
          object[key.str()] = std::move(*converted);
        }
        return boost::json::value(std::move(object));
      }
      case toml::node_type::array: {
        boost::json::array array;
        for (const toml::node& item : *node.as_array()) {
          auto converted = toJson(item, context);
          if (!converted) {
            return std::nullopt;
          }
          array.push_back(std::move(*converted));
        }
        return boost::json::value(std::move(array));
      }
      case toml::node_type::string: {
        auto text = expand(node, node.as_string()->get(), context);
        if (!text) {
          return std::nullopt;
        }
        return boost::json::value(*text);
      }
      case toml::node_type::integer: return boost::json::value(node.as_integer()->get());
      case toml::node_type::floating_point:
        return boost::json::value(node.as_floating_point()->get());
      case toml::node_type::boolean: return boost::json::value(node.as_boolean()->get());
      default: {
        std::ostringstream text;
        node.visit([&](auto&& value) { text << value; });
        return boost::json::value(text.str());
      }
    }
  }

 private:
  struct UnsetReport {
    std::size_t errorIndex = 0;
    std::string message;
    int repeats = 0;
  };

  const Environment& env_;
  std::vector<ConfigError>& errors_;
  std::unordered_map<std::string, UnsetReport> unsetReported_;
  std::vector<ConfigError>& warnings_;
  const LoadOptions& options_;
  bool readingNotifiers_ = false;
  std::string listen_ = ProberSettings{}.listen;
  std::vector<Secret>* secretsSink_ = nullptr;
};

}  // namespace prober
