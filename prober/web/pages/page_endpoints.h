#pragma once
// The pages: GET / (every check at a glance), GET /checks/NAME (one check, its history read
// off the loop), GET /status (for people who are not engineers) and the badges
// (GET /badge/NAME/status.svg, /badge/NAME/uptime/7d.svg). They share what StatusPages holds:
// the uptime snapshot, the announcements and the settings from the config.
#include <cstdint>
#include <functional>
#include <memory>

#include "alerting/holds/page_holds.h"
#include "prober/runtime/check_set.h"
#include "prober/web/announcements.h"
#include "prober/web/check_history.h"
#include "prober/web/server/router.h"
#include "prober/web/uptime.h"

namespace prober {

// What every page reads.
struct PageContext {
  const CheckSet& checks;
  const UptimeCache& uptime;
  std::function<std::int64_t()> nowMs;
  std::string location;
  std::string groupBy;
  Announcements announcements;
};

class StatusPageEndpoint final : public Endpoint {
 public:
  explicit StatusPageEndpoint(const PageContext& context) : context_(context) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const PageContext& context_;
};

class CheckPageEndpoint final : public Endpoint {
 public:
  CheckPageEndpoint(const PageContext& context, CheckHistory& history, const PageHolds& holds)
      : context_(context), history_(history), holds_(holds) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const PageContext& context_;
  CheckHistory& history_;
  const PageHolds& holds_;
};

class PublicStatusEndpoint final : public Endpoint {
 public:
  explicit PublicStatusEndpoint(const PageContext& context) : context_(context) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const PageContext& context_;
};

class BadgeEndpoint final : public Endpoint {
 public:
  explicit BadgeEndpoint(const PageContext& context) : context_(context) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const PageContext& context_;
};

// The pages and what they share, for the daemon to build once and route.
class StatusPages {
 public:
  StatusPages(const CheckSet& checks, CheckHistory& history, HistoryWriter& writer,
              HistoryReader& reader, const PageHolds& holds, PostToLoop post, const Clock& clock,
              const TimerFactory& timers);

  void configure(const Config& config);
  void setSlackAnnouncement(std::optional<Announcement> announcement) {
    context_.announcements.setFromSlack(std::move(announcement));
  }
  void route(Router& router);
  // Works out the uptime now and then again and again, off the loop (more often when it is
  // quick), until stop().
  void keepUptimeFresh();
  void stop() { uptime_.stop(); }
  const UptimeCache& uptime() const { return uptime_; }

 private:
  UptimeCache uptime_;
  PageContext context_;
  StatusPageEndpoint dashboard_{context_};
  CheckPageEndpoint checkPage_;
  PublicStatusEndpoint publicStatus_{context_};
  BadgeEndpoint badges_{context_};
};

}  // namespace prober
