#pragma once
// The notice a person posts from Slack with `status TEXT`: shown on the public status page and
// kept in the state store, so a restart shows it again. A store that refuses the write leaves
// it shown until the restart forgets it.
#include <optional>

#include "alerting/store.h"
#include "prober/web/announcements.h"
#include "prober/web/pages/page_endpoints.h"

namespace prober {

class StatusNotice {
 public:
  // `store` and `pages` outlive it.
  StatusNotice(Store& store, StatusPages& pages) : store_(store), pages_(pages) {}

  // At start: shows the notice the store kept, if any.
  void restore();
  // Shows `notice` (nullopt: none) and keeps it in the store.
  void set(std::optional<Announcement> notice);

 private:
  Store& store_;
  StatusPages& pages_;
};

}  // namespace prober
