// [[announcement]]: notices for the public status page (/status): a text people read, how
// serious it is, and when it stops showing.
#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "checks/config/config_builder.h"
#include "checks/text.h"

namespace prober {

namespace {

const KeySet kAnnouncementKeys = {"text", "level", "ends_at"};
constexpr std::size_t kMaxAnnouncementLength = 2000;

}  // namespace

void ConfigBuilder::readAnnouncements(const toml::node& node, Config& config) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader_.error(node, "announcements are written as [[announcement]] tables");
    return;
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      reader_.error(item, "each announcement must be an [[announcement]] table");
      continue;
    }
    reader_.rejectUnknownKeys(*table, kAnnouncementKeys, "announcement");
    AnnouncementSpec announcement;
    const toml::node* text = table->get("text");
    if (text == nullptr) {
      reader_.error(*table, "announcement has no text");
      continue;
    }
    announcement.text = reader_.string(*text, "announcement text", false).value_or("");
    if (text->is_string() &&
        (announcement.text.empty() || announcement.text.size() > kMaxAnnouncementLength)) {
      reader_.error(*text,
                    fmt::format("announcement text must be 1 to {} bytes", kMaxAnnouncementLength));
      continue;
    }
    if (const toml::node* level = table->get("level")) {
      const auto name = reader_.string(*level, "announcement level", false);
      const auto parsed = name ? parseLevel(*name) : std::nullopt;
      if (name && !parsed) {
        reader_.error(*level, fmt::format("announcement level \"{}\" is not info, warning or "
                                          "outage",
                                          cutToCharacters(validUtf8(*name), 60)));
      }
      announcement.level = parsed.value_or(AnnouncementSpec::Level::Info);
    }
    if (const toml::node* endsAt = table->get("ends_at")) {
      announcement.endsAt = readInstant(*endsAt, date::locate_zone("UTC"), "announcement ends_at");
    }
    config.announcements.push_back(std::move(announcement));
  }
}

}  // namespace prober
