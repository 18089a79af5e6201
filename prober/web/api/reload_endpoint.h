#pragma once
// POST /-/reload: reloads the config as SIGHUP does and answers when it is applied (200) or
// refused (400, with every error).
#include "prober/runtime/config_reloader.h"
#include "prober/web/server/router.h"

namespace prober {

class ReloadEndpoint final : public Endpoint {
 public:
  explicit ReloadEndpoint(ConfigReloader& reloader) : reloader_(reloader) {}
  void serve(const ServerRequest&, Responder respond) override {
    reloader_.reload([respond](bool applied, const std::string& message) {
      respond({applied ? 200 : 400, "text/plain; charset=utf-8", message, ""});
    });
  }

 private:
  ConfigReloader& reloader_;
};

}  // namespace prober
