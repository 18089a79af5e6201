#pragma once
// Notices for the public status page: the config's [[announcement]]s, and one a person posts
// from Slack with `status TEXT` (kept in the state store, so a restart keeps it).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checks/check_spec.h"

namespace prober {

struct Announcement {
  std::string text;
  AnnouncementSpec::Level level = AnnouncementSpec::Level::Info;
  std::optional<std::int64_t> endsAtMs;  // Unix ms; none: until removed
  std::string postedBy;                  // "" from the config; the Slack user's name otherwise
  std::int64_t postedAtMs = 0;           // 0 from the config
};

// As the state store keeps the Slack one: {"text", "level", "posted_by", "posted_at_ms"}.
std::string toJson(const Announcement& announcement);
std::optional<Announcement> announcementFromJson(std::string_view json);

class Announcements {
 public:
  void configure(const std::vector<AnnouncementSpec>& configured);
  void setFromSlack(std::optional<Announcement> announcement) {
    fromSlack_ = std::move(announcement);
  }
  // Those still showing at `nowMs`: the Slack one first, then the config's in file order.
  std::vector<Announcement> active(std::int64_t nowMs) const;

 private:
  std::vector<Announcement> configured_;
  std::optional<Announcement> fromSlack_;
};

}  // namespace prober
