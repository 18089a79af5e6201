// The composition root: builds the pieces from the injected services, in the order they
// depend on each other, and wires what one reports to the next. It holds no logic of its own
// beyond applying a config and stopping; docs/architecture.md draws the house.
#include "prober/daemon.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <stdexcept>

#include "alerting/alerter.h"
#include "alerting/holds/hold_policy.h"
#include "alerting/holds/page_holds.h"
#include "alerting/notifier_settings.h"
#include "alerting/store.h"
#include "history/history.h"
#include "prober/alert_recorder.h"
#include "prober/engine/check_prober.h"
#include "prober/runtime/change_alerts.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/config_reloader.h"
#include "prober/runtime/hold_marker.h"
#include "prober/runtime/probe_loop.h"
#include "prober/runtime/shard_membership.h"
#include "prober/web/api/checks_endpoint.h"
#include "prober/web/api/health_endpoint.h"
#include "prober/web/api/reload_endpoint.h"
#include "prober/web/api/silences_endpoint.h"
#include "prober/web/api/slack_endpoint.h"
#include "prober/web/check_history.h"
#include "prober/web/metrics/metrics.h"
#include "prober/web/metrics/metrics_endpoint.h"
#include "prober/web/metrics/prometheus_targets.h"
#include "prober/web/pages/page_endpoints.h"
#include "prober/web/server/answer_deadline.h"
#include "prober/web/server/basic_auth.h"
#include "prober/web/server/front_door.h"
#include "prober/web/server/request_guard.h"
#include "prober/web/server/router.h"

namespace prober {

namespace {

// Runs `open(error)`; what it could not open stops the daemon from starting.
template <typename Open>
auto openOrThrow(Open open) {
  std::string error;
  auto opened = open(error);
  if (!opened) {
    throw std::runtime_error(error);
  }
  return opened;
}

}  // namespace

// Members are built in order and die in reverse: what writes into another object is declared
// after it (the history outlives the alerter, the probes and the endpoints that write to it).
struct Daemon::Impl {
  Impl(Services services, DaemonOptions options, Config config);
  // The history thread's queued reads capture the endpoints and caches declared after the
  // history, which go first: they are dropped before anything is destroyed.
  ~Impl() { history->abandonJobs(); }

  std::int64_t nowMs() const { return toMillis(services.clock.wallNow()); }
  std::string stateDir() const { return options.stateDir.value_or(config.prober.stateDir); }
  std::string listen() const { return options.listen.value_or(config.prober.listen); }
  // The shard this instance runs (--shard, else [prober] shard); nullopt: every check.
  std::optional<Shard> shard() const { return options.shard ? options.shard : config.prober.shard; }
  void apply(Config next, const std::map<std::string, SavedAlert>& saved = {});
  void watchSignals();
  // A silence came or went, or the config changed: held pages are asked about again, and each
  // check's marks (silenced, suppressed) redone.
  void holdsChanged() {
    alerter.releaseHeld();
    holdMarker.markAll();
  }
  void stop();

  Services services;
  DaemonOptions options;
  Config config;
  ProcessMetrics metrics;
  HistoryFiles historyFiles = openOrThrow([this](std::string& error) {
    return HistoryFiles::open(stateDir(), config.prober.historyRetention, error, services.clock);
  });
  HistoryWriter* history = historyFiles.writer.get();
  std::unique_ptr<Store> store =
      openOrThrow([this](std::string& error) { return Store::open(stateDir(), error); });
  PageHolds pageHolds{*store};
  AlertRecorder alertRecorder{*history, metrics, [this] { return nowMs(); }};
  Alerter alerter{*store,
                  services.transport,
                  alertRecorder,
                  services.clock,
                  services.newTimer,
                  Alerter::Hooks{services.random, [this](const CheckSpec& spec, AlertKind kind) {
                                   return holdPolicy.holdFor(spec, kind);
                                 }}};
  CheckSet checks;
  HoldPolicy holdPolicy{pageHolds, services.clock, [this](const std::string& name) {
                          const auto state = checks.find(name);
                          return state && state->alert().firing();
                        }};
  HoldMarker holdMarker{checks, holdPolicy, services.clock};
  ShardMembership membership{*store, alerter};
  CheckProbers probers{services.engine, services.clock};
  ProbeLoop probes{
      services.clock,
      services.newTimer,
      probers,
      checks,
      alerter,
      membership,
      *history,
      static_cast<std::size_t>(config.prober.maxInFlight),
      ProbeLoop::Observer{[this](std::size_t n) { metrics.setInFlight(static_cast<double>(n)); },
                          [this](SteadyDuration lag) {
                            metrics.observeScheduleLag(std::chrono::duration<double>(lag).count());
                          }}};
  ConfigReloader reloader{services.loadConfig, services.post,
                          [this](Config next) {
                            if (!options.listen && next.prober.listen != config.prober.listen) {
                              spdlog::warn(
                                  "reload: listen changed to {}; it takes effect on "
                                  "restart, still on {}",
                                  next.prober.listen, listen());
                            }
                            apply(std::move(next));
                            return fmt::format("config reloaded: {} checks\n", checks.size());
                          },
                          [this](bool applied) { metrics.recordReload(applied); }};
  CheckHistory checkHistory{*history, *historyFiles.reader, services.post};
  MetricsEndpoint metricsEndpoint{
      checks, metrics,
      [this] {
        metrics.setInFlight(static_cast<double>(probes.inFlight()));
        metrics.setHistoryDropped(history->dropped());
        metrics.setRunsSkipped(probes.skippedTotal());
        metrics.setHistorySize(static_cast<double>(history->sizeOnDisk()));
      },
      [this] { return config.prober.metrics; }, PROBER_VERSION};
  HealthEndpoint healthEndpoint{alerter, [this] { return stopping; }};
  ReloadEndpoint reloadEndpoint{reloader};
  StatusPages pages{checks,    checkHistory,  *history,       *historyFiles.reader,
                    pageHolds, services.post, services.clock, services.newTimer};
  // `status TEXT` from Slack: shown on /status and kept in the store across restarts.
  void setStatusNotice(std::optional<Announcement> notice);
  ChecksEndpoint checksEndpoint{checks, checkHistory, pages.uptime(), [this] { return nowMs(); }};
  ProbeEndpoint probeEndpoint{checks};
  TargetsEndpoint targetsEndpoint{checks};
  SlackCommandEndpoint slackEndpoint{
      alerter,
      *history,
      pageHolds,
      [this] { return services.clock.wallNow(); },
      [this](const std::string& glob) {
        std::size_t matching = 0;
        for (const auto& state : checks.inOrder()) {
          matching += coversCheck({glob}, {}, *state->spec());
        }
        return matching;
      },
      [this] { holdsChanged(); },
      [this](std::optional<Announcement> notice) { setStatusNotice(std::move(notice)); },
      services.clock,
      services.newTimer()};
  SilencesEndpoint silencesEndpoint{pageHolds, [this] { return services.clock.wallNow(); },
                                    [this] { holdsChanged(); }};
  BasicAuth auth{services.post};
  RequestGuard guard;
  LivenessEndpoint livenessEndpoint;
  AnswerDeadline answerDeadline{services.clock, services.newTimer, std::chrono::seconds(15)};
  Router router;
  FrontDoor frontDoor{router, guard, auth, answerDeadline, [this] { holdMarker.refresh(); }};
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<boost::asio::signal_set> signals;  // when services.watchSignals
  bool stopping = false;
};

Daemon::Impl::Impl(Services services_, DaemonOptions options_, Config config_)
    : services(std::move(services_)), options(std::move(options_)), config(std::move(config_)) {
  std::string error;
  std::map<std::string, SavedAlert> saved = store->loadAlerts(error);
  if (!error.empty()) {
    throw std::runtime_error(error);
  }
  if (!pageHolds.load(services.clock.wallNow(), error)) {
    spdlog::error("{}", error);  // a damaged silence is skipped; the others hold
  }
  server = std::make_unique<HttpServer>(
      services.io, listen(),
      [this](const ServerRequest& request, Responder respond) {
        frontDoor.serve(request, std::move(respond));
      },
      TlsFiles{config.web.tlsCertFile, config.web.tlsKeyFile},
      static_cast<std::size_t>(config.web.maxConnections));
  router.exact("/metrics", "GET, HEAD", metricsEndpoint);
  router.exact("/-/reload", "POST", reloadEndpoint);
  router.exact("/healthz", "GET, HEAD", healthEndpoint);
  router.exact("/-/healthy", "GET, HEAD", livenessEndpoint);
  router.exact("/slack/command", "POST", slackEndpoint, [this] { return slackEndpoint.enabled(); });
  router.exact("/api/v1/checks", "GET, HEAD", checksEndpoint);
  router.exact("/probe", "GET, HEAD", probeEndpoint);
  router.exact("/api/v1/targets", "GET, HEAD", targetsEndpoint);
  router.exact("/api/v1/silences", "GET, HEAD, POST", silencesEndpoint);
  router.prefix("/api/v1/silences/", "DELETE", silencesEndpoint);
  router.prefix("/api/v1/checks/", "GET, HEAD", checksEndpoint);
  pages.route(router);
  error.clear();
  if (const auto notice = store->statusNotice(error); notice && !notice->empty()) {
    pages.setSlackAnnouncement(announcementFromJson(*notice));
  }
  apply(config, saved);
  pages.keepUptimeFresh();
  recoverAlerts(alerter, saved, checks, config.checks);
  if (services.watchSignals) {
    signals = std::make_unique<boost::asio::signal_set>(services.io, SIGHUP, SIGTERM, SIGINT);
    watchSignals();
  }
  const std::string address = listen();
  const std::string url = fmt::format("{}://{}:{}", config.web.tls() ? "https" : "http",
                                      address.substr(0, address.rfind(':')), server->port());
  spdlog::info(
      "prober {} listening on {} with {} checks: status page {}/, metrics {}/metrics, "
      "API {}/api/v1/checks",
      PROBER_VERSION, url, checks.size(), url, url, url);
}

// Replaces the running checks with `next`'s, keeping the state of unchanged ones; alerts of
// checks that left (or no longer watch their certificate) resolve. `saved`: the store's alerts,
// at start.
void Daemon::Impl::apply(Config next, const std::map<std::string, SavedAlert>& saved) {
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
  history->setLocation(config.prober.location);
  pages.configure(config);
  metrics.setShard(shard());
  pageHolds.setWindows(config.maintenance);
  slackEndpoint.configure(config.slackCommand);
  history->setRetention(config.prober.historyRetention);
  history->setMaxSize(config.prober.historyMaxSize);
  std::vector<ConfigError> notifierErrors;  // none when loaded with checkNotifiers
  alerter.setNotifiers(readNotifiers(config.notifiers, notifierErrors), config.prober.externalUrl);
  for (const ConfigError& error : notifierErrors) {
    spdlog::error("{} (the notifier is left out)", toString(error));
  }
  for (const auto& [name, notifier] : config.notifiers) {
    metrics.declareNotifier(name);
  }
  alertsAfterChange(alerter, change, checks, config.checks, services.clock.wallNow());
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

void Daemon::Impl::setStatusNotice(std::optional<Announcement> notice) {
  std::string error;
  if (!store->setStatusNotice(notice ? toJson(*notice) : "", error)) {
    spdlog::error("{} (the status page notice is shown but a restart forgets it)", error);
  }
  pages.setSlackAnnouncement(std::move(notice));
}

void Daemon::Impl::watchSignals() {
  signals->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", options.configPath);
      reloader.reload([](bool, const std::string&) {});
      watchSignals();
      return;
    }
    spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    stop();
  });
}

void Daemon::Impl::stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  probes.stop();
  alerter.stop();
  pages.stop();
  server->stop();
  if (signals) {
    boost::system::error_code ignored;
    signals->cancel(ignored);
  }
  reloader.stop();
  services.io.stop();
}

Daemon::Daemon(Services services, DaemonOptions options, Config config)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options), std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::answer(const ServerRequest& request, Responder respond) {
  impl_->frontDoor.serve(request, std::move(respond));
}

void Daemon::stop() {
  impl_->stop();
}

unsigned short Daemon::port() const {
  return impl_->server->port();
}

}  // namespace prober
