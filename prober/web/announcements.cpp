#include "prober/web/announcements.h"

#include <boost/json.hpp>

#include "alerting/alert_event.h"
#include "checks/json_text.h"

namespace prober {

std::string toJson(const Announcement& announcement) {
  return toJsonText(boost::json::object{{"text", announcement.text},
                                        {"level", levelName(announcement.level)},
                                        {"posted_by", announcement.postedBy},
                                        {"posted_at_ms", announcement.postedAtMs}});
}

std::optional<Announcement> announcementFromJson(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  const boost::json::object* object = ec ? nullptr : value.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  const auto* text = object->if_contains("text");
  const auto* level = object->if_contains("level");
  const auto* by = object->if_contains("posted_by");
  const auto* at = object->if_contains("posted_at_ms");
  if (text == nullptr || !text->is_string() || level == nullptr || !level->is_string() ||
      by == nullptr || !by->is_string() || at == nullptr || !at->is_int64()) {
    return std::nullopt;
  }
  const auto parsed = parseLevel(std::string_view(level->get_string()));
  if (!parsed) {
    return std::nullopt;
  }
  return Announcement{std::string(text->get_string()), *parsed, std::nullopt,
                      std::string(by->get_string()), at->get_int64()};
}

void Announcements::configure(const std::vector<AnnouncementSpec>& configured) {
  configured_.clear();
  for (const AnnouncementSpec& spec : configured) {
    configured_.push_back(Announcement{
        spec.text, spec.level,
        spec.endsAt ? std::optional<std::int64_t>(toMillis(*spec.endsAt)) : std::nullopt, "", 0});
  }
}

std::vector<Announcement> Announcements::active(std::int64_t nowMs) const {
  std::vector<Announcement> out;
  if (fromSlack_) {
    out.push_back(*fromSlack_);
  }
  for (const Announcement& announcement : configured_) {
    if (!announcement.endsAtMs || *announcement.endsAtMs > nowMs) {
      out.push_back(announcement);
    }
  }
  return out;
}

}  // namespace prober
