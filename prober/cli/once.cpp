#include "prober/cli/once.h"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>
#include <ostream>
#include <set>

#include "checks/clock.h"
#include "checks/duration.h"
#include "checks/json_text.h"
#include "prober/engine/check_prober.h"
#include "prober/engine/curl_engine.h"
#include "prober/web/api/json_views.h"

namespace prober {

std::string onceSummary(const std::vector<RunResultPtr>& results) {
  std::size_t passed = 0;
  for (const auto& result : results) {
    passed += result && result->passed ? 1 : 0;
  }
  return fmt::format("{} {}: {} passed, {} failed", results.size(),
                     results.size() == 1 ? "check" : "checks", passed, results.size() - passed);
}

// "no check named "x" in FILE; known checks: a, b" for names the config does not hold, or "".
std::string unknownChecks(const Config& config, const std::vector<std::string>& names) {
  std::set<std::string> known;
  for (const auto& spec : config.checks) {
    known.insert(spec->name);
  }
  std::string missing;
  for (const auto& name : names) {
    if (known.count(name) == 0) {
      missing += (missing.empty() ? "\"" : ", \"") + name + "\"";
    }
  }
  if (missing.empty()) {
    return "";
  }
  std::string list;
  for (const auto& name : known) {
    list += (list.empty() ? "" : ", ") + name;
  }
  return "no check named " + missing + " in " + config.path +
         "; known checks: " + (list.empty() ? "none" : list);
}

namespace {

void printTable(const std::vector<RunResultPtr>& results, std::ostream& out) {
  std::size_t width = 5;
  for (const auto& result : results) {
    width = std::max(width, result->check.size());
  }
  out << fmt::format("{:<{}}  {:<6}  {:>9}  {:>6}  {}\n", "CHECK", width, "RESULT", "LATENCY",
                     "STATUS", "DETAILS");
  for (const auto& result : results) {
    const ProbeOutcome* last = result->lastProbe();
    const std::vector<std::string> failures = result->failures();
    out << fmt::format("{:<{}}  {:<6}  {:>9}  {:>6}  {}\n", result->check, width,
                       result->passed ? "PASS" : "FAIL", formatSeconds(result->durationSeconds),
                       last != nullptr && last->status != 0 ? std::to_string(last->status) : "-",
                       failures.empty() ? "" : failures.front());
    for (std::size_t i = 1; i < failures.size(); ++i) {
      out << fmt::format("{:<{}}  {:<6}  {:>9}  {:>6}  {}\n", "", width, "", "", "", failures[i]);
    }
  }
  out << onceSummary(results) << "\n";
}

}  // namespace

int runOnce(const Config& config, const std::vector<std::string>& selected, OnceFormat format,
            std::ostream& out, std::ostream& err) {
  if (const std::string unknown = unknownChecks(config, selected); !unknown.empty()) {
    err << "prober once: " << unknown << "\n";
    return 2;
  }
  std::vector<std::shared_ptr<const CheckSpec>> checks;
  const std::set<std::string> wanted(selected.begin(), selected.end());
  for (const auto& spec : config.checks) {
    // An empty selection means every check; otherwise only the named ones, in file order.
    if (wanted.empty() || wanted.count(spec->name) != 0) {
      checks.push_back(spec);
    }
  }

  boost::asio::io_context io;
  SystemClock clock;
  const std::string userAgent = config.prober.userAgent.empty()
                                    ? std::string("prober/") + PROBER_VERSION
                                    : config.prober.userAgent;
  CurlEngine engine(io, static_cast<std::size_t>(config.prober.maxInFlight), userAgent);
  CheckProbers probers(engine, clock);
  std::vector<RunResultPtr> results(checks.size());
  // Start up to max_in_flight at once; each finished run starts the next waiting one.
  std::deque<std::size_t> waiting;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    waiting.push_back(i);
  }
  std::function<void()> startNext = [&] {
    if (waiting.empty()) {
      return;
    }
    const std::size_t index = waiting.front();
    waiting.pop_front();
    probers.run(checks[index], [&, index](RunResultPtr result) {
      results[index] = std::move(result);
      startNext();
    });
  };
  for (int i = 0; i < config.prober.maxInFlight && !waiting.empty(); ++i) {
    startNext();
  }
  io.run();

  bool allPassed = true;
  for (const auto& result : results) {
    allPassed = allPassed && result && result->passed;
  }
  if (format == OnceFormat::Json) {
    boost::json::array array;
    for (const auto& result : results) {
      boost::json::value run = runToJson(*result);
      run.as_object()["name"] = result->check;
      array.push_back(std::move(run));
    }
    out << toJsonText(boost::json::object{{"passed", allPassed}, {"checks", std::move(array)}})
        << "\n";
  } else {
    printTable(results, out);
  }
  return allPassed ? 0 : 1;
}

}  // namespace prober
