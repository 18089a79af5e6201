// The simulator: runs seeds of the deterministic simulation (docs/simulation.md) and says which
// failed, each with its seed and a short trace. The last line is `simulate: N seeds, F failed`.
//   simulate --seeds N [--first S]   N seeds from S (default 1)
//   simulate --seed S                one seed, with its whole trace
//   simulate --generator G           the generator's generation to draw schedules with (latest)
//   simulate --regressions FILE      the seeds the file lists as active (--pending: all of them),
//                                    each with the generation the file names for it
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/simulation/faulty_disk.h"
#include "tests/simulation/generator.h"
#include "tests/simulation/oracle.h"
#include "tests/simulation/runner.h"

namespace {

using namespace prober::simulation;

struct Seed {
  std::uint64_t seed = 0;
  int generator = kLatestGenerator;
};

struct Options {
  std::uint64_t first = 1;
  std::uint64_t count = 100;
  int generator = kLatestGenerator;
  std::vector<Seed> seeds;  // explicit: --seed or --regressions
  bool fullTrace = false;
  bool pending = false;
  std::string regressions;
  double maxSeconds = 0;  // 0: no limit; else stop starting new seeds after this
};

std::filesystem::path stateRoot() {
  const std::filesystem::path shm = "/dev/shm";
  std::error_code ec;
  const auto base = std::filesystem::is_directory(shm, ec) ? shm : std::filesystem::temp_directory_path();
  return base / ("prober-simulate-" + std::to_string(::getpid()));
}

// A regression file: `SEED STATUS [gN] WHAT...`, STATUS `active` or `pending` (fails until a fix
// lands), gN the generator's generation that found it (g1 when absent: the seeds found before
// generations were named); `#` starts a comment. A line that names a generation this simulator
// does not have is an error: nullopt.
std::optional<std::vector<Seed>> readRegressions(const std::string& path, bool pending) {
  std::ifstream in(path);
  std::vector<Seed> seeds;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    Seed seed{0, kFirstGenerator};
    std::string status;
    std::string tag;
    if (!(words >> seed.seed >> status)) {
      continue;
    }
    if (words >> tag && tag.size() > 1 && tag[0] == 'g' &&
        tag.find_first_not_of("0123456789", 1) == std::string::npos) {
      seed.generator = std::stoi(tag.substr(1));
      if (seed.generator < kFirstGenerator || seed.generator > kLatestGenerator) {
        std::cerr << "simulate: " << path << ": seed " << seed.seed << " names generator " << tag
                  << ", this one has g" << kFirstGenerator << "..g" << kLatestGenerator << "\n";
        return std::nullopt;
      }
    }
    if (status == "active" || (pending && status == "pending")) {
      seeds.push_back(seed);
    }
  }
  return seeds;
}

void printTrace(const Record& record, const Violation* around) {
  std::vector<const TraceLine*> lines;
  for (const TraceLine& line : record.trace) {
    if (around == nullptr) {
      lines.push_back(&line);
      continue;
    }
    const bool aboutCheck =
        !around->check.empty() && line.text.find(" " + around->check + " ") != std::string::npos;
    const bool global = line.text.rfind("post", 0) != 0 && line.text.rfind("target", 0) != 0;
    const bool aboutIt = aboutCheck || (line.text.rfind("target", 0) == 0 &&
                                        line.text.find(" " + around->check + " ") != std::string::npos);
    if (line.at <= around->at + 60'000 && (aboutIt || global)) {
      lines.push_back(&line);
    }
  }
  const std::size_t from = around == nullptr || lines.size() <= 30 ? 0 : lines.size() - 30;
  for (std::size_t i = from; i < lines.size(); ++i) {
    std::cout << "    " << clockText(lines[i]->at) << "  " << lines[i]->text << "\n";
  }
}

// Runs one seed; true when every promise held.
bool runSeed(const Seed& drawn, const Options& options) {
  const std::uint64_t seed = drawn.seed;
  const Schedule schedule = generate(seed, drawn.generator);
  std::string error;
  Record record;
  {
    Runner runner(schedule, stateRoot() / std::to_string(seed));
    record = runner.run(error);
  }
  std::vector<Violation> violations;
  if (error.empty()) {
    violations = judge(schedule, record);
  }
  const bool ok = error.empty() && violations.empty();
  if (options.fullTrace) {
    printTrace(record, nullptr);
  }
  if (ok) {
    if (options.fullTrace) {
      std::cout << "seed " << seed << ": ok\n";
    }
    return true;
  }
  std::cout << "seed " << seed << ": FAILED";
  if (!error.empty()) {
    std::cout << ": " << error << "\n";
    return false;
  }
  std::cout << " (" << violations.size() << " broken promise"
            << (violations.size() == 1 ? "" : "s") << ")\n";
  for (std::size_t i = 0; i < violations.size() && i < 6; ++i) {
    const Violation& v = violations[i];
    std::cout << "  " << clockText(v.at) << " [" << v.promise << "] " << v.text << "\n";
  }
  if (!options.fullTrace) {
    std::cout << "  trace before the first:\n";
    printTrace(record, &violations.front());
    std::cout << "  replay: make simulate SEED=" << seed << " GENERATOR=" << drawn.generator
              << "\n";
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--seeds") {
      options.count = std::stoull(value());
    } else if (arg == "--first") {
      options.first = std::stoull(value());
    } else if (arg == "--seed") {
      options.seeds.push_back(Seed{std::stoull(value()), kLatestGenerator});
      options.fullTrace = true;
    } else if (arg == "--generator") {
      options.generator = std::stoi(value());
      if (options.generator < kFirstGenerator || options.generator > kLatestGenerator) {
        std::cerr << "simulate: --generator takes " << kFirstGenerator << ".." << kLatestGenerator
                  << "\n";
        return 2;
      }
    } else if (arg == "--regressions") {
      options.regressions = value();
    } else if (arg == "--pending") {
      options.pending = true;
    } else if (arg == "--max-seconds") {
      options.maxSeconds = std::stod(value());
    } else {
      std::cerr << "usage: simulate [--seeds N] [--first S] [--seed S] [--regressions FILE "
                   "[--pending]] [--generator G] [--max-seconds T]\n";
      return 2;
    }
  }
  if (!options.regressions.empty()) {
    auto seeds = readRegressions(options.regressions, options.pending);
    if (!seeds) {
      return 2;
    }
    options.seeds = std::move(*seeds);
    if (options.seeds.empty()) {  // a missing or emptied file must not pass as "0 failed"
      std::cerr << "simulate: no seeds to replay in " << options.regressions << "\n";
      return 2;
    }
  }
  if (options.seeds.empty() && options.regressions.empty()) {
    for (std::uint64_t s = 0; s < options.count; ++s) {
      options.seeds.push_back(Seed{options.first + s, options.generator});
    }
  } else if (options.regressions.empty()) {
    for (Seed& seed : options.seeds) {
      seed.generator = options.generator;  // --seed S --generator G
    }
  }
  spdlog::set_level(std::getenv("SIMULATE_LOG") != nullptr ? spdlog::level::info : spdlog::level::off);
  FaultyDisk::install();
  const auto began = std::chrono::steady_clock::now();  // only to bound the run, never judged
  std::uint64_t ran = 0;
  std::uint64_t failed = 0;
  for (const Seed& seed : options.seeds) {
    if (options.maxSeconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() >
            options.maxSeconds) {
      std::cout << "time is up after " << ran << " seeds\n";
      break;
    }
    ++ran;
    failed += runSeed(seed, options) ? 0 : 1;
  }
  std::filesystem::remove_all(stateRoot());
  std::cout << "simulate: " << ran << " seeds, " << failed << " failed" << std::endl;
  return failed > 0 ? 1 : 0;
}
