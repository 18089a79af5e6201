#pragma once
// A config version written as the TOML file the daemon reads.
#include <string>

#include "tests/simulation/schedule.h"

namespace prober::simulation {

std::string configText(const Schedule& schedule, const ConfigVersion& version);

// The Slack signing secret, user and channel the config allows.
inline constexpr const char* kSigningSecret = "s3cret";

}  // namespace prober::simulation
