#include "prober/web/pages/status_notice.h"

#include <spdlog/spdlog.h>

#include <string>

namespace prober {

void StatusNotice::restore() {
  std::string error;
  if (const auto notice = store_.statusNotice(error); notice && !notice->empty()) {
    pages_.setSlackAnnouncement(announcementFromJson(*notice));
  }
}

void StatusNotice::set(std::optional<Announcement> notice) {
  std::string error;
  if (!store_.setStatusNotice(notice ? toJson(*notice) : "", error)) {
    spdlog::error("{} (the status page notice is shown but a restart forgets it)", error);
  }
  pages_.setSlackAnnouncement(std::move(notice));
}

}  // namespace prober
