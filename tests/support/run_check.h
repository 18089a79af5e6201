#pragma once
// Loads a check from TOML text with the real loader and runs it once with the real engine
// against a target server on 127.0.0.1: how the flow and request-option tests exercise a
// config end to end.
#include <memory>
#include <optional>
#include <string>

#include "checks/config/config_loader.h"
#include "checks/run_result.h"

namespace prober::testing {

// The ${VAR}s test checks may use: SYNTH_PASSWORD and API_TOKEN, both "s3cret".
std::optional<std::string> testEnvironment(const std::string& name);

// `toml` holds one [[check]]; every "PORT" in it becomes the port of a target server started
// on first use and shared by the tests. Fails the test (REQUIRE) when the config does not
// load, after printing its errors.
std::shared_ptr<const CheckSpec> loadCheck(std::string toml);

// Loads `toml` like loadCheck and returns the errors as "LINE:COL: message" lines (file name
// dropped).
std::string loadErrors(std::string toml);

// One run of the check on a fresh engine, at most 15 s.
RunResultPtr runCheckOnce(const std::shared_ptr<const CheckSpec>& spec);

// loadCheck, then runCheckOnce.
RunResultPtr runToml(std::string toml);

}  // namespace prober::testing
