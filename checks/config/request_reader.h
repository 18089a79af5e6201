#pragma once
// Inside checks/config/ only: the reader of what one request sends and accepts, from the request
// keys of a single-request check, of a step, or of [defaults] below them. The check reader
// (check_reader.h) calls it for each step.
#include <toml++/toml.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/assertion.h"
#include "checks/check_spec.h"
#include "checks/config/config_reader.h"
#include "checks/shared_value.h"

namespace prober {

// Request keys: allowed on a single-request check, on each step and under [defaults] (a
// multi-step check's own request keys apply to each of its steps). The check reader allows them
// beside its own keys.
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

// One for the whole config, whichever check or file a request comes from: each assertion text
// is compiled once, and connection settings or contents equal to the ones read before them are
// held once.
class RequestReader {
 public:
  explicit RequestReader(ConfigReader& reader) : reader_(reader) {}

  // The request of one step (or of a single-request check): its name and extractions are the
  // check reader's to fill. `own` is the step's (or check's) table; `extracted` holds the
  // variables earlier steps of the check extract, which a {{placeholder}} may name.
  StepSpec read(const Layers& layers, const toml::table& own, const std::string& context,
                const std::set<std::string>& extracted);

 private:
  // query, form, auth, TLS files and names, protocol and proxy choices.
  void readOptions(const Layers& layers, const std::string& context,
                   const std::set<std::string>& extracted, StepSpec& step, StepContent& content,
                   bool hasBody);

  // `assert = [...]` and `degraded = [...]`: assertions, each error at its string.
  void readAssertions(const toml::node& node, const std::string& context, const char* key,
                      std::vector<Assertion>& into);

  // `basic_auth = { username = "...", password = "${PASSWORD}" }`
  void readBasicAuth(const toml::node& node, const std::string& context,
                     StepConnection& connection);

  // `expect_status = 200` or `[200, 201]`: shorthand for a status assertion.
  void readExpectStatus(const toml::node& node, const std::string& context, StepSpec& step);

  // Every {{name}} in `text` must be a built-in or a value an earlier step extracts.
  void checkPlaceholders(const toml::node& node, std::string_view text, const std::string& context,
                         const std::set<std::string>& extracted, StepSpec& step);

  ConfigReader& reader_;
  AssertionCompiler assertions_;  // each text compiled once, shared by the checks that write it
  RepeatSharer<StepConnection> connections_;  // a step's connection settings
  RepeatSharer<StepContent> contents_;        // and what its request carries
};

}  // namespace prober
