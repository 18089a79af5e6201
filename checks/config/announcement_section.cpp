// Reads [[announcement]] tables: notices for the public status page (/status): a text people
// read, how serious it is, and when it stops showing.
#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "checks/config/sections.h"
#include "checks/config/shared_reads.h"
#include "checks/text.h"

namespace prober {

namespace {

const KeySet kAnnouncementKeys = {"text", "level", "ends_at"};
constexpr std::size_t kMaxAnnouncementLength = 2000;

}  // namespace

std::vector<AnnouncementSpec> readAnnouncementSection(ConfigReader& reader,
                                                      const toml::node& node) {
  std::vector<AnnouncementSpec> announcements;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader.error(node, "announcements are written as [[announcement]] tables");
    return announcements;
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      reader.error(item, "each announcement must be an [[announcement]] table");
      continue;
    }
    reader.rejectUnknownKeys(*table, kAnnouncementKeys, "announcement");
    AnnouncementSpec announcement;
    const toml::node* text = table->get("text");
    if (text == nullptr) {
      reader.error(*table, "announcement has no text");
      continue;
    }
    announcement.text = reader.string(*text, "announcement text", false).value_or("");
    if (text->is_string() &&
        (announcement.text.empty() || announcement.text.size() > kMaxAnnouncementLength)) {
      reader.error(*text,
                   fmt::format("announcement text must be 1 to {} bytes", kMaxAnnouncementLength));
      continue;
    }
    if (const toml::node* level = table->get("level")) {
      const auto name = reader.string(*level, "announcement level", false);
      const auto parsed = name ? parseLevel(*name) : std::nullopt;
      if (name && !parsed) {
        reader.error(*level, fmt::format("announcement level \"{}\" is not info, warning or "
                                         "outage",
                                         cutToCharacters(validUtf8(*name), 60)));
      }
      announcement.level = parsed.value_or(AnnouncementSpec::Level::Info);
    }
    if (const toml::node* endsAt = table->get("ends_at")) {
      announcement.endsAt =
          readInstant(reader, *endsAt, date::locate_zone("UTC"), "announcement ends_at");
    }
    announcements.push_back(std::move(announcement));
  }
  return announcements;
}

}  // namespace prober
