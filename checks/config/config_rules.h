#pragma once
// Inside checks/config/ only: the rules no single section can judge, run once every file is
// read, over the whole Config and where the readers met what the rules look at.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/config/config_loader.h"

namespace prober {

// Where the check reader met what the rules judge, in reading order across every file.
struct CheckPlaces {
  struct Name {
    std::string check;
    SourceLocation at;
    // Errors reported before the name was met. A repeated name's error goes in among them
    // there, as if reported when met: the output lists files in the order of their first error
    // (sortAndCollapse, config_files.cpp), so where it goes can change the output.
    std::size_t errorsBefore = 0;
  };
  struct NotifyUse {
    std::string check;
    SourceLocation at;
    std::vector<std::string> names;
  };

  std::vector<Name> names;                            // every valid check name, repeats too
  std::map<std::string, SourceLocation> dependsOnAt;  // check -> where its depends_on is
  std::vector<NotifyUse> notifyUses;  // every notify list read, a check with errors too
};

// Adds to `errors`: a check name used twice (in one file or across included ones); a notify
// list or [slack_command] naming a notifier [notifiers] does not define; a depends_on naming a
// check that does not exist, one on another shard, or one that leads back to the check.
void checkConfigRules(const Config& config, const CheckPlaces& places, const LoadOptions& options,
                      std::vector<ConfigError>& errors);

}  // namespace prober
