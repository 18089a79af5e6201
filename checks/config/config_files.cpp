// Reading the files: the top-level one and what [prober] include names, each parsed once; the
// top-level keys; each section handed to its reader (sections.h, check_reader.h) in a fixed
// order; then the rules across sections (config_rules.h); and the errors put in reading order.
#include <fmt/format.h>
#include <glob.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "checks/config/check_reader.h"
#include "checks/config/config_loader.h"
#include "checks/config/config_reader.h"
#include "checks/config/config_rules.h"
#include "checks/config/sections.h"
#include "checks/config/toml_syntax.h"
#include "checks/redaction.h"

namespace prober {

std::string toString(const ConfigError& error) {
  // A message may quote a URL as written (a notifier's, a check's): its credentials never show.
  return fmt::format("{}: {}", toString(error.where), redactUrlCredentials(error.message));
}

std::ostream& operator<<(std::ostream& out, const ConfigError& error) {
  return out << toString(error);
}

std::optional<std::string> processEnvironment(const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) {
    return std::string(value);
  }
  return std::nullopt;
}

namespace {

const KeySet kTopLevelKeys = {"prober",        "defaults", "notifiers",   "check",
                              "slack_command", "web",      "maintenance", "announcement"};

void append(std::vector<std::shared_ptr<const CheckSpec>>& checks,
            std::vector<std::shared_ptr<const CheckSpec>> more) {
  checks.insert(checks.end(), std::make_move_iterator(more.begin()),
                std::make_move_iterator(more.end()));
}

// Reads one config: its files, its sections through their readers, then the rules across them.
class ConfigFiles {
 public:
  ConfigFiles(const Environment& env, std::vector<ConfigError>& errors,
              std::vector<ConfigError>& warnings, const LoadOptions& options)
      : reader_(env, errors, warnings, options),
        errors_(errors),
        options_(options),
        checks_(reader_) {}

  // `text`, when given, is the top-level file's content (it is not read from `path`).
  void build(const std::string& path, Config& config, const std::optional<std::string>& text);

 private:
  // The same file reached twice (an include matching the main file) is read once.
  static std::string canonical(const std::string& path);

  std::optional<toml::table> parse(const std::string& path);

  std::optional<toml::table> parseText(const std::string& path, const std::string& text);

  // The text from LINE:COLUMN (1-based, columns in characters) to the end of that line.
  static std::string_view restOfLine(std::string_view text, int line, int column);

  ConfigReader reader_;
  std::vector<ConfigError>& errors_;
  const LoadOptions& options_;
  CheckReader checks_;  // one for every file: names are unique across them
  std::set<std::string> seenFiles_;
};

// [prober] comes first: its listen is what ${PROBER_LISTEN} names in the sections after it;
// [defaults] before the checks that read it. The order errors are met in decides the order of
// the files and of errors at one place (sortAndCollapse), so the order here is part of the output.
void ConfigFiles::build(const std::string& path, Config& config,
                        const std::optional<std::string>& text) {
  config.path = path;
  auto root = text ? parseText(path, *text) : parse(path);
  if (!root) {
    return;
  }
  reader_.rejectUnknownKeys(*root, kTopLevelKeys, "the config");
  std::vector<std::string> includes;
  if (const toml::node* prober = root->get("prober")) {
    config.prober = readProberSection(reader_, *prober, includes);
  }
  reader_.setListen(config.prober.listen);
  if (const toml::node* web = root->get("web")) {
    config.web = readWebSection(reader_, *web);
  }
  if (const toml::node* defaults = root->get("defaults")) {
    checks_.readDefaults(*defaults);
  }
  if (const toml::node* notifiers = root->get("notifiers")) {
    reader_.readingNotifiers(true);
    config.notifiers = readNotifierSection(reader_, *notifiers);
    reader_.readingNotifiers(false);
  }
  if (const toml::node* slack = root->get("slack_command")) {
    reader_.readingNotifiers(true);
    config.slackCommand = readSlackCommandSection(reader_, *slack);
    reader_.readingNotifiers(false);
  }
  append(config.checks, checks_.readChecks(*root));
  if (const toml::node* maintenance = root->get("maintenance")) {
    config.maintenance = readMaintenanceSection(reader_, *maintenance);
  }
  if (const toml::node* announcements = root->get("announcement")) {
    config.announcements = readAnnouncementSection(reader_, *announcements);
  }

  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  const toml::node* includeNode = root->get("prober") != nullptr && root->get("prober")->is_table()
                                      ? root->get("prober")->as_table()->get("include")
                                      : nullptr;
  for (const std::string& pattern : includes) {
    const std::string full =
        std::filesystem::path(pattern).is_absolute() ? pattern : (base / pattern).string();
    glob_t matches{};
    const int rc = ::glob(full.c_str(), 0, nullptr, &matches);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      reader_.error(*includeNode, fmt::format("include \"{}\": cannot list files", pattern));
    }
    for (std::size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i) {
      const std::string file = matches.gl_pathv[i];
      if (!seenFiles_.insert(canonical(file)).second) {
        continue;
      }
      auto table = parse(file);
      if (!table) {
        continue;
      }
      reader_.rejectUnknownKeys(*table, {"check"},
                                "an included file (it may hold only [[check]] tables)");
      append(config.checks, checks_.readChecks(*table));
    }
    globfree(&matches);
  }
  checkConfigRules(config, checks_.places(), options_, errors_);
}

std::string ConfigFiles::canonical(const std::string& path) {
  std::error_code ec;
  auto resolved = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : resolved.string();
}

std::optional<toml::table> ConfigFiles::parse(const std::string& path) {
  // Read the file ourselves so pipes and /dev/stdin work and a directory is refused clearly.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    reader_.error(SourceLocation{path, 1, 1}, "is a directory, not a config file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reader_.error(SourceLocation{path, 1, 1},
                  fmt::format("cannot read the file: {}", std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parseText(path, content.str());
}

std::optional<toml::table> ConfigFiles::parseText(const std::string& path,
                                                  const std::string& text) {
  seenFiles_.insert(canonical(path));
  // The parser recurses on nesting: refuse what would overflow its stack before it starts.
  if (auto tooDeep = findTooDeepNesting(text)) {
    reader_.error(SourceLocation{path, tooDeep->line, tooDeep->column}, tooDeep->message);
    return std::nullopt;
  }
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    SourceLocation loc = reader_.where(e.source());
    if (loc.file.empty()) {
      loc.file = path;
    }
    reader_.error(loc, plainTomlError(e.description(), restOfLine(text, loc.line, loc.column)));
    return std::nullopt;
  }
}

std::string_view ConfigFiles::restOfLine(std::string_view text, int line, int column) {
  std::size_t pos = 0;
  for (int l = 1; l < line && pos != std::string_view::npos; ++l) {
    pos = text.find('\n', pos);
    pos = pos == std::string_view::npos ? pos : pos + 1;
  }
  if (pos == std::string_view::npos) {
    return {};
  }
  for (int c = 1; c < column && pos < text.size() && text[pos] != '\n'; ++c) {
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
      ++pos;
    }
  }
  const std::size_t end = text.find('\n', pos);
  return text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos + 1);
}

// Reading order: files as first met, then by line and column within each; an error repeated
// word for word (one bad [defaults] value inherited by every check) is kept once, counted.
void sortAndCollapse(std::vector<ConfigError>& errors) {
  std::unordered_map<std::string, std::size_t> fileOrder;
  for (const ConfigError& error : errors) {
    fileOrder.emplace(error.where.file, fileOrder.size());
  }
  std::stable_sort(errors.begin(), errors.end(), [&](const ConfigError& a, const ConfigError& b) {
    return std::tuple(fileOrder[a.where.file], a.where.line, a.where.column) <
           std::tuple(fileOrder[b.where.file], b.where.line, b.where.column);
  });
  std::vector<ConfigError> kept;
  std::unordered_map<std::string, std::size_t> firstIndex;
  std::vector<std::size_t> repeats;
  for (ConfigError& error : errors) {
    const std::string text = toString(error);
    if (auto [it, inserted] = firstIndex.emplace(text, kept.size()); !inserted) {
      ++repeats[it->second];
      continue;
    }
    kept.push_back(std::move(error));
    repeats.push_back(1);
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (repeats[i] > 1) {
      kept[i].message += fmt::format(" (reported {} times)", repeats[i]);
    }
  }
  errors = std::move(kept);
}

LoadResult load(const std::string& path, const std::optional<std::string>& text,
                const Environment& env, const LoadOptions& options) {
  LoadResult result;
  Config config;
  {
    // The parsed TOML trees die with the files' reader: specs keep only what they need.
    ConfigFiles files(env, result.errors, result.warnings, options);
    try {
      files.build(path, config, text);
      if (options.validate) {
        options.validate(config, result.errors);
      }
    } catch (const std::exception& e) {  // a library surprise is a config error, not a crash
      result.errors.push_back(
          {SourceLocation{path, 0, 0}, fmt::format("cannot load: {}", e.what())});
    }
  }
  sortAndCollapse(result.warnings);
  if (result.errors.empty()) {
    result.config = std::move(config);
    return result;
  }
  sortAndCollapse(result.errors);
  return result;
}

}  // namespace

LoadResult loadConfig(const std::string& path, const Environment& env, const LoadOptions& options) {
  return load(path, std::nullopt, env, options);
}

LoadResult loadConfigText(const std::string& text, const std::string& path, const Environment& env,
                          const LoadOptions& options) {
  return load(path, text, env, options);
}

}  // namespace prober
