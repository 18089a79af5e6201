#pragma once
// /api/v1/silences: GET lists the silences in force, POST adds one (201 and the silence), and
// DELETE /api/v1/silences/ID ends one (204); a page it held goes out at once.
#include <chrono>
#include <functional>

#include "alerting/holds/page_holds.h"
#include "prober/web/server/router.h"

namespace prober {

class SilencesEndpoint final : public Endpoint {
 public:
  // `holdsChanged` runs after a silence is added or ended early: held pages are asked about
  // again, and the checks' marks redone.
  SilencesEndpoint(PageHolds& holds, std::function<std::chrono::system_clock::time_point()> now,
                   std::function<void()> holdsChanged)
      : holds_(holds), now_(std::move(now)), holdsChanged_(std::move(holdsChanged)) {}

  void serve(const ServerRequest& request, Responder respond) override;
  bool takesJson() const override { return true; }

 private:
  PageHolds& holds_;
  std::function<std::chrono::system_clock::time_point()> now_;
  std::function<void()> holdsChanged_;
};

}  // namespace prober
