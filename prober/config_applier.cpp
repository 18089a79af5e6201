#include "prober/config_applier.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "alerting/notifier_settings.h"
#include "prober/runtime/change_alerts.h"

namespace prober {

void ConfigApplier::apply(Config next, const std::map<std::string, SavedAlert>& saved) {
  if (!options.listen && next.prober.listen != config.prober.listen) {
    spdlog::warn("reload: listen changed to {}; it takes effect on restart, still on {}",
                 next.prober.listen, config.prober.listen);
  }
  if (server && (next.web.tlsCertFile != config.web.tlsCertFile ||
                 next.web.tlsKeyFile != config.web.tlsKeyFile)) {
    spdlog::warn("reload: [web] TLS files changed; they take effect on restart");
  }
  config = std::move(next);
  auth.setUsers(config.web.basicAuthUsers);
  guard.setAllowedHosts(config.web.allowedHosts);
  if (server) {
    server->setMaxConnections(static_cast<std::size_t>(config.web.maxConnections));
  }
  const CheckSetChange change = checks.apply(ShardMembership::owned(config.checks, shard()), saved);
  membership.applied(shard(), change, checks);
  alerter.setLocation(config.prober.location);
  history.setLocation(config.prober.location);
  pages.configure(config);
  metrics.setShard(shard());
  pageHolds.setWindows(config.maintenance);
  slackEndpoint.configure(config.slackCommand);
  history.setRetention(config.prober.historyRetention);
  history.setMaxSize(config.prober.historyMaxSize);
  std::vector<ConfigError> notifierErrors;  // none when loaded with checkNotifiers
  alerter.setNotifiers(readNotifiers(config.notifiers, notifierErrors), config.prober.externalUrl);
  for (const ConfigError& error : notifierErrors) {
    spdlog::error("{} (the notifier is left out)", toString(error));
  }
  for (const auto& [name, notifier] : config.notifiers) {
    metrics.declareNotifier(name);
  }
  alertsAfterChange(alerter, change, checks, config.checks, clock.wallNow());
  holdsChanged();  // windows, dependencies or the checks themselves may have changed
  probes.schedule(change);
  probes.setMaxInFlight(static_cast<std::size_t>(config.prober.maxInFlight));
  metrics.setChecks(static_cast<double>(checks.size()));
  spdlog::info("config applied: {} checks ({} added, {} changed, {} removed, {} unchanged)",
               checks.size(), change.added, change.changed, change.removedCount(),
               change.unchanged);
  // Loading a config frees as much as it keeps (the parsed TOML); give it back to the system
  // rather than leave it scattered through the heap, where every later allocation searches it.
  malloc_trim(0);
}

}  // namespace prober
