#pragma once
// What a change of the running checks means for their alerts, told to the alerter in one
// place: at a restart the alerts the store kept are recovered; after each config applied,
// checks that left resolve (or go to the shard that runs them now), warnings a changed check
// no longer asks for resolve, checks the quorum rules paged before page here now, and the held
// pages and notifier changes are looked at again.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerting/alerter.h"
#include "prober/runtime/check_set.h"

namespace prober {

// `configured`: every check of the config, this instance's shard or not.
void recoverAlerts(Alerter& alerter, const std::map<std::string, SavedAlert>& saved,
                   const CheckSet& checks,
                   const std::vector<std::shared_ptr<const CheckSpec>>& configured);

void alertsAfterChange(Alerter& alerter, const CheckSetChange& change, const CheckSet& checks,
                       const std::vector<std::shared_ptr<const CheckSpec>>& configured,
                       std::chrono::system_clock::time_point now);

}  // namespace prober
