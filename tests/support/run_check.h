#pragma once
// Loads a check from TOML text with the real loader and runs it once with the real engine:
// how the flow and request-option tests exercise a config end to end.
#include <memory>
#include <string>

#include "checks/config_loader.h"
#include "checks/run_result.h"

namespace prober::testing {

// `toml` holds one [[check]]; every "PORT" in it becomes `port`. Fails the test (REQUIRE)
// when the config does not load, after printing its errors.
std::shared_ptr<const CheckSpec> loadCheck(std::string toml, unsigned short port,
                                           const Environment& env);

// Loads `toml` and returns the errors as "LINE:COL: message" lines (file name dropped).
std::string loadErrors(std::string toml, unsigned short port, const Environment& env);

// One run of the check on a fresh engine, at most 15 s.
RunResultPtr runCheckOnce(const std::shared_ptr<const CheckSpec>& spec);

}  // namespace prober::testing
