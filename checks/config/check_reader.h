#pragma once
// Inside checks/config/ only: the reader of [[check]] tables (name, schedule, thresholds,
// alerting, labels, steps) and of [defaults] beneath them. What a request sends is the request
// reader's (request_reader.h); rules across sections are config_rules.h's.
#include <toml++/toml.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "checks/check_spec.h"
#include "checks/config/config_reader.h"
#include "checks/config/config_rules.h"
#include "checks/config/request_reader.h"
#include "checks/labels.h"

namespace prober {

// One for the whole config: check names are unique across files, and equal label sets and
// requests are held once whichever file they come from.
class CheckReader {
 public:
  explicit CheckReader(ConfigReader& reader) : reader_(reader), requests_(reader) {}

  // [defaults]: what every check and step reads when it does not set a key. Read before the
  // checks; its table must outlive them (the top-level file's, read to the end of the load).
  void readDefaults(const toml::node& node);

  // The [[check]] tables of one file, the top-level one or an included one, in file order; a
  // check with an error is left out.
  std::vector<std::shared_ptr<const CheckSpec>> readChecks(const toml::table& root);

  // Where the checks read so far named themselves, their parents and their notifiers.
  const CheckPlaces& places() const { return places_; }

 private:
  std::optional<CheckSpec> readCheck(const toml::table& table);

  // [[check.step]] tables, or the check's own request for a single-request check.
  void readSteps(const toml::table& table, const Layers& layers, const std::string& context,
                 CheckSpec& spec);

  ConfigReader& reader_;
  RequestReader requests_;
  const toml::table* defaults_ = nullptr;
  std::unordered_set<std::string> names_;  // the checks' names so far: a repeat is not read
  CheckPlaces places_;
  LabelSets labelSets_;  // each distinct set of labels held once
};

}  // namespace prober
