#pragma once
// Config test helpers shared by the floors that load configs: the variables test configs use,
// and the check that every invalid file of a directory gives exactly the messages of its
// NAME.errors file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "checks/config/config_loader.h"

namespace prober::testing {

inline std::optional<std::string> fakeEnvironment(const std::string& name) {
  if (name == "PD_KEY") {
    return "pd-routing-key-123";
  }
  if (name == "SLACK_URL") {
    return "http://127.0.0.1/slack-hook";
  }
  if (name == "API_TOKEN") {
    return "s3cret";
  }
  if (name == "ENVIRONMENT") {
    return "prod";
  }
  return std::nullopt;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

// Loads every NAME.toml in `dir` with `options` and compares its errors with NAME.errors
// (paths relative to `dir`). Returns how many files it checked.
inline int expectExactErrors(const std::filesystem::path& dir, const LoadOptions& options = {}) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") {
      continue;
    }
    ++files;
    const auto expectedPath = std::filesystem::path(entry.path()).replace_extension(".errors");
    CAPTURE(entry.path().filename().string());
    REQUIRE_MESSAGE(std::filesystem::exists(expectedPath), "no .errors file beside the .toml");
    const LoadResult result = loadConfig(entry.path().string(), fakeEnvironment, options);
    CHECK_FALSE(result.config.has_value());
    std::string actual;
    for (const auto& error : result.errors) {
      actual += toString(error) + "\n";
    }
    replaceAll(actual, dir.string() + "/", "");
    CHECK(actual == readFile(expectedPath));
  }
  return files;
}

}  // namespace prober::testing
