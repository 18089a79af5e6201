#include "prober/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "alerting/alert_event.h"
#include "alerting/pager.h"
#include "alerting/store.h"
#include "alerting/write_backlog.h"
#include "checks/config_loader.h"
#include "checks/duration.h"
#include "checks/json_text.h"
#include "history/history.h"
#include "prober/engine/curl_engine.h"
#include "prober/engine/curl_transport.h"
#include "prober/runtime/check_runner.h"
#include "prober/runtime/check_state.h"
#include "prober/runtime/clock.h"
#include "prober/runtime/scheduler.h"
#include "prober/web/api.h"
#include "prober/web/http_server.h"
#include "prober/web/metrics.h"
#include "prober/web/slack_command.h"
#include "prober/web/status_page.h"

namespace prober {

namespace asio = boost::asio;

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

struct Daemon::Impl {
  Impl(asio::io_context& io, DaemonOptions options, Config config)
      : io(io),
        options(std::move(options)),
        timer(io),
        signals(io, SIGHUP, SIGTERM, SIGINT),
        config(std::move(config)),
        history(openOrThrow([this](std::string& error) {
          return HistoryWriter::open(stateDir(), this->config.prober.historyRetention, error);
        })),
        engine(io, static_cast<std::size_t>(this->config.prober.maxInFlight),
               userAgent(this->config)),
        scheduler(clock, timer, static_cast<std::size_t>(this->config.prober.maxInFlight),
                  Scheduler::Hooks{[this](CheckId id, SteadyTime) { launch(id); },
                                   [this](CheckId id, int count) { skipped(id, count); },
                                   [this](SteadyDuration lag) {
                                     metrics.observeScheduleLag(
                                         std::chrono::duration<double>(lag).count());
                                   }}),
        transport(engine),
        pagerTimer(io),
        store(openOrThrow([this](std::string& error) { return Store::open(stateDir(), error); })),
        stateWriteTimer(io),
        pager(store.get(), transport,
              Pager::Hooks{[this] { return wallMs(); },
                           [this] { return std::uniform_real_distribution<double>(0, 1)(random); },
                           [this](std::int64_t atMs) { wakePagerAt(atMs); },
                           [this](const OutboxRow& row, DeliveryResult result,
                                  const std::string& answer) {
                             metrics.countNotification(row.notifier, deliveryResultName(result));
                             metrics.setOutboxPending(static_cast<double>(pager.pending()));
                             history->add(notificationRecordOf(row, result, answer, wallMs()));
                             if (row.id < 0 && result != DeliveryResult::Retry) {
                               unstoredOutcomes[row.id] = result;  // stored with the row later
                             }
                           },
                           [this](WriteBacklog::Write write) { storeWrite(std::move(write)); }}) {
    historyReader =
        openOrThrow([this](std::string& error) { return HistoryReader::open(stateDir(), error); });
    std::string error;
    savedAlerts = store->loadAlerts(error);
    if (!error.empty()) {
      throw std::runtime_error(error);
    }
    const std::string listen = this->options.listen.value_or(this->config.prober.listen);
    server = std::make_unique<HttpServer>(
        io, listen,
        [this](const ServerRequest& r, Responder respond) { handle(r, std::move(respond)); });
    apply(this->config);
    // Alerts that were firing for checks no longer in the config are resolved now.
    // So are certificate warnings of checks that are gone or no longer ask for them.
    for (const auto& [key, saved] : savedAlerts) {
      const auto [name, kind] = parseAlertKey(key);
      const auto running = byName.find(name);
      if (!saved.firing) {
        continue;
      }
      CheckSpec gone;
      gone.name = name;
      gone.notify = saved.notify;
      if (kind == AlertKind::Check && running == byName.end()) {
        resolveRemoved(gone, nullptr, fromMillis(saved.failingSinceMs));
      } else if (kind == AlertKind::Certificate &&
                 (running == byName.end() || running->second.state->spec()->certWarning.count() == 0)) {
        resolveCertWarning(running == byName.end() ? gone : *running->second.state->spec(),
                           fromMillis(saved.failingSinceMs));
      }
    }
    savedAlerts.clear();
    // Finished notifications are kept two weeks for the record, then pruned.
    constexpr std::int64_t kKeepFinishedMs = 14LL * 24 * 3600 * 1000;
    if (const auto pruned = store->pruneFinished(wallMs() - kKeepFinishedMs, error); pruned > 0) {
      spdlog::info("pruned {} finished notification(s) older than 14 days", pruned);
    }
    auto pending = store->loadPending(error);
    if (!error.empty()) {
      spdlog::error("{}", error);
    }
    if (!pending.empty()) {
      spdlog::info("resuming delivery of {} pending notification(s)", pending.size());
    }
    pager.add(std::move(pending));
    pager.poll();
    metrics.setOutboxPending(static_cast<double>(pager.pending()));
    watchSignals();
    const std::string url =
        fmt::format("http://{}:{}", listen.substr(0, listen.rfind(':')), server->port());
    spdlog::info("prober {} listening on {} with {} checks: status page {}/, metrics {}/metrics, "
                 "API {}/api/v1/checks",
                 PROBER_VERSION, url, checksInOrder.size(), url, url, url);
  }

  // The state directory: --state-dir, or [prober] state_dir.
  std::string stateDir() const { return options.stateDir.value_or(config.prober.stateDir); }

  std::int64_t wallMs() const { return toMillis(clock.wallNow()); }

  void wakePagerAt(std::int64_t atMs) {
    pagerTimer.armAt(
        clock.now() + std::chrono::milliseconds(std::max<std::int64_t>(0, atMs - wallMs())),
        [this] {
          pager.poll();
          metrics.setOutboxPending(static_cast<double>(pager.pending()));
        });
  }

  // Writes the transition and the notifications it causes in one transaction, then starts
  // delivering them.
  void alertTransition(const CheckSpec& spec, AlertAction action, const RunResult* run,
                       int consecutiveFailures, std::chrono::system_clock::time_point failingSince,
                       bool keepState) {
    deliver(spec, alertEventFor(action, spec, run, consecutiveFailures, failingSince,
                                clock.wallNow()),
            action == AlertAction::Trigger && keepState);
  }

  // The certificate alert of a check (cert_warning): warning severity, its own dedup key.
  void certTransition(const CheckSpec& spec, AlertAction action,
                      std::chrono::system_clock::time_point expiry) {
    deliver(spec, certAlertEventFor(action, spec, expiry, clock.wallNow()),
            action == AlertAction::Trigger);
  }

  void resolveCertWarning(const CheckSpec& spec, std::chrono::system_clock::time_point expiry) {
    spdlog::info("check {}: certificate warning no longer watched: resolving it", spec.name);
    certTransition(spec, AlertAction::Resolve, expiry);
  }

  void deliver(const CheckSpec& spec, AlertEvent event, bool keepFiring) {
    const std::string key = alertKey(spec.name, event.kind);
    history->add(alertRecordOf(key, event));
    std::vector<OutboxRow> rows;
    for (const std::string& notifier : spec.notify) {
      rows.push_back(OutboxRow{0, key, notifier, event, 0, 0});
    }
    std::optional<SavedAlert> saved;
    if (keepFiring) {
      const auto since = event.kind == AlertKind::Certificate ? event.certExpiry : event.failingSince;
      saved = SavedAlert{
          true, event.consecutiveFailures,
          toMillis(since),
          spec.notify};
    }
    enqueue(key, saved, std::move(rows), actionName(event.action));
  }

  // Stores the alert's new state and its notifications in one transaction, then delivers. When
  // the store refuses (a full disk), delivery goes on from memory and the write is retried
  // until stored, with the outcomes of what was delivered meanwhile.
  void enqueue(const std::string& key, const std::optional<SavedAlert>& saved,
               std::vector<OutboxRow> rows, std::string_view what) {
    std::vector<std::int64_t> unstoredIds;
    for (OutboxRow& row : rows) {
      row.id = nextUnstoredId--;
      unstoredIds.push_back(row.id);
    }
    std::vector<OutboxRow> toStore = rows;
    pager.add(std::move(rows));  // queued first, so a write that succeeds now can rekey them
    storeWrite(
        [this, key, saved, toStore = std::move(toStore), unstoredIds](std::string& error) mutable {
          for (OutboxRow& row : toStore) {
            row.id = 0;
          }
          if (!store->recordTransition(key, saved, toStore, error)) {
            return false;
          }
          adoptStoredRows(toStore, unstoredIds);
          return true;
        },
        fmt::format("the {} for {} is delivered from memory", what, key));
    pager.poll();
    metrics.setOutboxPending(static_cast<double>(pager.pending()));
  }

  // Rows just stored: the pager records their outcomes from now on, and those that already
  // ended while their write waited are marked so now.
  void adoptStoredRows(const std::vector<OutboxRow>& stored,
                       const std::vector<std::int64_t>& unstoredIds) {
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const auto outcome = unstoredOutcomes.find(unstoredIds[i]);
      if (outcome == unstoredOutcomes.end()) {
        pager.rekey(unstoredIds[i], stored[i].id);
        continue;
      }
      const bool delivered = outcome->second == DeliveryResult::Delivered;
      unstoredOutcomes.erase(outcome);
      const std::int64_t id = stored[i].id;
      const std::int64_t at = wallMs();
      // Runs now, inside the write that stored the row, or behind the writes waiting.
      storeWrite([this, id, at, delivered](std::string& e) {
        return delivered ? store->markDelivered(id, at, e)
                         : store->markRejected(id, "ended before it was stored", e);
      });
    }
  }

  // Runs a state write in order with the others; one the store refuses (or that waits behind
  // one) is kept until the store takes it, and `meanwhile` says what happens until then.
  void storeWrite(WriteBacklog::Write write,
                  std::string_view meanwhile = "the delivery outcome is kept in memory") {
    if (!stateWrites.submit(std::move(write))) {
      spdlog::error("state store: {} ({}; the write is kept until the store takes it)",
                    stateWrites.lastError(), meanwhile);
      stateWriteFailed();
    }
  }

  // A state write failed: counted, and retried with backoff until the store takes it.
  void stateWriteFailed() {
    metrics.countStateWriteErrors(
        static_cast<double>(stateWrites.failures() - stateWriteErrorsCounted));
    stateWriteErrorsCounted = stateWrites.failures();
    if (stateWriteTimerArmed) {
      return;
    }
    stateWriteTimerArmed = true;
    stateWriteTimer.armAt(clock.now() + std::chrono::milliseconds(stateWrites.retryDelayMs()),
                          [this] {
                            stateWriteTimerArmed = false;
                            const std::size_t waiting = stateWrites.pending();
                            if (waiting == 0) {
                              return;
                            }
                            if (stateWrites.retry()) {
                              spdlog::info("state store: {} delayed write(s) stored", waiting);
                              return;
                            }
                            spdlog::error("state store: {} write(s) still waiting: {}",
                                          stateWrites.pending(), stateWrites.lastError());
                            stateWriteFailed();
                          });
  }

  // POST /slack/command (README, "Paging from Slack"): signed, fresh, not replayed, strictly
  // parsed, and from an allowed user in an allowed channel; only then is anyone paged, through
  // the outbox like any alert. Every request is logged and recorded in the history.
  ServerResponse slackCommand(const ServerRequest& request) {
    const auto reply = [](int status, bool inChannel, std::string_view text) {
      return ServerResponse{status, "application/json", slackReply(inChannel, text), ""};
    };
    HistoryEvent record;
    record.atMs = wallMs();
    record.type = HistoryEvent::Type::SlashCommand;
    record.action = "refused";
    const auto refuse = [&](int status, const std::string& why) {
      spdlog::warn("slack command refused: {}{}", why,
                   record.userId.empty() ? std::string()
                                         : fmt::format(" (user {} in channel {}, team {})",
                                                       record.userId, record.channelId,
                                                       record.teamId));
      record.outcome = why;
      history->add(record);
      return reply(status, false, "Refused: " + why + ". Nobody was paged.");
    };
    std::string formError;
    auto form = parseForm(request.body, formError, kSlackBodyLimit);
    if (form && form->size() <= 2 && form->count("ssl_check") == 1 &&
        form->at("ssl_check") == "1") {
      return {200, "text/plain; charset=utf-8", "", ""};  // Slack checking our certificate
    }
    const SignatureCheck signature = slackVerifier->verify(
        request.header("x-slack-request-timestamp"), request.header("x-slack-signature"),
        request.body, record.atMs / 1000);
    if (signature != SignatureCheck::Valid) {
      return refuse(401, std::string(describe(signature)));
    }
    if (!form) {
      return refuse(400, "the form body is malformed: " + formError);
    }
    auto command = slashCommandFromForm(*form, formError);
    if (!command) {
      return refuse(400, formError);
    }
    record.teamId = command->teamId;
    record.channelId = command->channelId;
    record.channelName = command->channelName;
    record.userId = command->userId;
    record.userName = command->userName;
    record.detail = command->text;
    const SlackCommandSpec& settings = config.slackCommand;
    const SlashDecision decision = decide(settings, *command);
    if (decision.kind == SlashDecision::Kind::Refuse) {
      return refuse(200, decision.reason);
    }
    if (decision.kind == SlashDecision::Kind::Usage) {
      record.action = "usage";
      history->add(record);
      return reply(200, false,
                   fmt::format("Usage: {} WHAT IS WRONG. Pages on-call through {}; the channel "
                               "sees who paged.",
                               command->command, settings.notifier));
    }
    AlertEvent event = slashCommandEventFor(command->text, command->teamId, command->channelId,
                                            command->channelName, command->userId,
                                            command->userName, clock.wallNow());
    const std::string key = alertKey(event.check, AlertKind::SlashCommand);
    spdlog::warn("slack command: user {} ({}) in channel {} ({}) pages on-call through {}: {}",
                 command->userId, command->userName, command->channelId, command->channelName,
                 settings.notifier, command->text);
    enqueue(key, std::nullopt, {OutboxRow{0, key, settings.notifier, event, 0, 0}}, "page");
    record.action = "allowed";
    record.check = key;
    record.notifier = settings.notifier;
    history->add(record);
    return reply(200, true,
                 fmt::format("<@{}> paged on-call through {}: {}", command->userId,
                             settings.notifier, slackEscape(command->text)));
  }

  // The verifier keeps its replay cache across reloads while the signing secret stays.
  void applySlackCommand(const SlackCommandSpec& settings) {
    if (!settings.enabled) {
      slackVerifier.reset();
    } else if (!slackVerifier || slackSecret != settings.signingSecret) {
      slackVerifier = std::make_unique<SlackVerifier>(settings.signingSecret);
    }
    slackSecret = settings.enabled ? settings.signingSecret : std::string();
  }

  // A changed check keeps a firing certificate warning while it still asks for one, and
  // resolves it when it no longer does.
  void carryCertWarning(const CheckState& old, CheckState& next) {
    if (!old.certWarningFiring()) {
      return;
    }
    if (next.spec()->certWarning.count() > 0) {
      next.restoreCertWarning(true);
    } else {
      resolveCertWarning(*old.spec(), old.certExpiry().value_or(clock.wallNow()));
    }
  }

  void resolveRemoved(const CheckSpec& spec, const RunResult* last,
                      std::chrono::system_clock::time_point failingSince) {
    spdlog::info("check {} left the config while its alert was firing: resolving it", spec.name);
    alertTransition(spec, AlertAction::Resolve, last, 0, failingSince, false);
  }

  static std::string userAgent(const Config& config) {
    return config.prober.userAgent.empty() ? std::string("prober/") + PROBER_VERSION
                                           : config.prober.userAgent;
  }

  struct Running {
    CheckId id;
    std::shared_ptr<CheckState> state;
  };

  asio::io_context& io;
  DaemonOptions options;
  SystemClock clock;
  AsioTimer timer;
  asio::signal_set signals;
  Config config;
  ProcessMetrics metrics;
  // Members die in reverse order. The history outlives what writes into it (the pager's
  // delivery hook, finished runs, the server) and its reader outlives the history's thread,
  // whose read jobs use it.
  std::unique_ptr<HistoryReader> historyReader;  // opened once the writer has made the file
  std::unique_ptr<HistoryWriter> history;
  CurlEngine engine;
  Scheduler scheduler;
  CurlTransport transport;
  AsioTimer pagerTimer;
  std::unique_ptr<Store> store;
  // Writes the store refused, retried until stored; destroyed before the store they write to.
  WriteBacklog stateWrites;
  AsioTimer stateWriteTimer;
  bool stateWriteTimerArmed = false;
  std::uint64_t stateWriteErrorsCounted = 0;
  // Rows delivered from memory while their write waits (negative ids), and how each ended.
  std::int64_t nextUnstoredId = -1;
  std::unordered_map<std::int64_t, DeliveryResult> unstoredOutcomes;
  std::mt19937 random{std::random_device{}()};
  Pager pager;
  std::unique_ptr<SlackVerifier> slackVerifier;  // while [slack_command] is configured
  std::string slackSecret;
  std::map<std::string, SavedAlert> savedAlerts;  // from the store, until the first apply
  std::unique_ptr<HttpServer> server;
  std::unordered_map<std::string, Running> byName;
  std::unordered_map<CheckId, std::shared_ptr<CheckState>> byId;
  std::vector<std::shared_ptr<CheckState>> checksInOrder;
  CheckId nextId = 1;
  bool stopping = false;
  bool reloading = false;
  std::size_t lastMetricsSize = 0;  // bytes of the last /metrics answer
  std::thread loader;               // reads a new config off the loop

  // Replaces the running set of checks with `next`, keeping state of unchanged ones.
  void apply(const Config& next) {
    std::unordered_map<std::string, Running> kept;
    std::vector<std::shared_ptr<CheckState>> ordered;
    std::size_t added = 0, changed = 0, unchanged = 0;
    for (const auto& spec : next.checks) {
      auto it = byName.find(spec->name);
      if (it != byName.end() && it->second.state->spec()->sameAs(*spec)) {
        it->second.state->replaceSpec(spec);
        kept.emplace(spec->name, it->second);
        ordered.push_back(it->second.state);
        byName.erase(it);
        ++unchanged;
        continue;
      }
      if (it != byName.end()) {
        ++changed;
      } else {
        ++added;
      }
      Running running{nextId++, std::make_shared<CheckState>(spec)};
      if (it != byName.end()) {
        // Changed, same name: the alert carries over so a firing check neither pages again
        // nor is forgotten.
        const CheckState& old = *it->second.state;
        running.state->restoreAlert(old.alert().firing(), old.alert().consecutiveFailures(),
                                    old.failingSince());
        carryCertWarning(old, *running.state);
      } else {
        if (auto saved = savedAlerts.find(spec->name); saved != savedAlerts.end()) {
          running.state->restoreAlert(saved->second.firing, saved->second.consecutiveFailures,
                                      fromMillis(saved->second.failingSinceMs));
          if (saved->second.firing) {
            spdlog::info("check {}: alert still firing from before the restart", spec->name);
          }
        }
        const auto cert = savedAlerts.find(alertKey(spec->name, AlertKind::Certificate));
        if (cert != savedAlerts.end() && cert->second.firing && spec->certWarning.count() > 0) {
          running.state->restoreCertWarning(true);
        }
      }
      byId[running.id] = running.state;
      scheduler.add(running.id, spec->name, spec->interval);
      kept.emplace(spec->name, running);
      ordered.push_back(running.state);
    }
    applySlackCommand(next.slackCommand);
    history->setRetention(next.prober.historyRetention);
    // What is left in byName was removed or replaced.
    pager.setNotifiers(next.notifiers, next.prober.externalUrl);
    for (const auto& [name, notifier] : next.notifiers) {
      metrics.declareNotifier(name);
    }
    for (auto& [name, running] : byName) {
      scheduler.remove(running.id);
      byId.erase(running.id);
      const CheckState& state = *running.state;
      if (kept.count(name) == 0 && state.alert().firing()) {
        resolveRemoved(*state.spec(), state.last().get(), state.failingSince());
      }
      if (kept.count(name) == 0 && state.certWarningFiring()) {
        resolveCertWarning(*state.spec(), state.certExpiry().value_or(clock.wallNow()));
      }
    }
    const std::size_t removed = byName.size() - changed;
    byName = std::move(kept);
    checksInOrder = std::move(ordered);
    scheduler.setMaxInFlight(static_cast<std::size_t>(next.prober.maxInFlight));
    metrics.setChecks(static_cast<double>(checksInOrder.size()));
    spdlog::info("config applied: {} checks ({} added, {} changed, {} removed, {} unchanged)",
                 checksInOrder.size(), added, changed, removed, unchanged);
  }

  void launch(CheckId id) {
    auto it = byId.find(id);
    if (it == byId.end() || stopping) {
      scheduler.finished(id);
      return;
    }
    std::weak_ptr<CheckState> weak = it->second;
    metrics.setInFlight(static_cast<double>(scheduler.inFlight()));
    runCheck(engine, clock, it->second->spec(), [this, weak, id](RunResultPtr result) {
      if (auto state = weak.lock()) {
        record(*state, std::move(result));
      }
      scheduler.finished(id);
      metrics.setInFlight(static_cast<double>(scheduler.inFlight()));
    });
  }

  void record(CheckState& state, RunResultPtr result) {
    history->add(runRecordOf(*result));
    const bool wasPassing = !state.last() || state.last()->passed;
    const std::string& name = state.spec()->name;
    if (!result->passed && wasPassing) {
      spdlog::warn("check {} failing: {}", name, result->firstFailure());
    } else if (result->passed && !wasPassing) {
      spdlog::info("check {} passing again", name);
    }
    const std::chrono::system_clock::time_point failingSince = state.failingSince();
    const AlertTransition transition = state.record(std::move(result));
    if (transition == AlertTransition::Fire) {
      spdlog::error("check {} alert firing after {} consecutive failures", name,
                    state.alert().consecutiveFailures());
      alertTransition(*state.spec(), AlertAction::Trigger, state.last().get(),
                      state.alert().consecutiveFailures(), state.failingSince(), true);
    } else if (transition == AlertTransition::Resolve) {
      spdlog::info("check {} alert resolved", name);
      alertTransition(*state.spec(), AlertAction::Resolve, state.last().get(), 0, failingSince,
                      false);
    }
    const AlertTransition cert = state.judgeCertificate(clock.wallNow());
    if (cert != AlertTransition::None) {
      const auto expiry = *state.certExpiry();
      if (cert == AlertTransition::Fire) {
        spdlog::warn("check {}: TLS certificate expires {} (within cert_warning {})", name,
                     isoTimestampUtc(expiry), formatDuration(state.spec()->certWarning));
      } else {
        spdlog::info("check {}: TLS certificate renewed, now expires {}", name,
                     isoTimestampUtc(expiry));
      }
      certTransition(*state.spec(),
                     cert == AlertTransition::Fire ? AlertAction::Trigger : AlertAction::Resolve,
                     expiry);
    }
  }

  // Skips are counted in prober_check_runs_skipped_total; the log hears of them at most once a
  // minute per check, so an overloaded prober does not also flood its log.
  void skipped(CheckId id, int count) {
    auto it = byId.find(id);
    if (it == byId.end()) {
      return;
    }
    CheckState& state = *it->second;
    state.countSkipped(count);
    const SteadyTime now = clock.now();
    if (state.skipsLoggedAt == SteadyTime{} ||
        now - state.skipsLoggedAt >= std::chrono::minutes(1)) {
      spdlog::warn(
          "check {}: {} run(s) skipped in all so far, a run was due while the previous one "
          "was still going",
          state.spec()->name, state.skipped());
      state.skipsLoggedAt = now;
    }
  }

  // Loads the config file off the loop (10,000 checks take a few hundred ms to parse), then
  // applies it on the loop. `done` gets whether it was applied and what to tell the caller.
  void startReload(std::function<void(bool, std::string)> done) {
    if (reloading) {
      done(false, "a reload is already running; try again\n");
      return;
    }
    reloading = true;
    if (loader.joinable()) {
      loader.join();
    }
    loader = std::thread([this, done = std::move(done)] {
      LoadOptions loadOptions;
      loadOptions.listen = options.listen;
      auto loaded = std::make_shared<LoadResult>(
          loadConfig(options.configPath, processEnvironment, loadOptions));
      asio::post(io, [this, loaded, done] {
        reloading = false;
        if (stopping) {
          return;
        }
        std::string message;
        const bool ok = finishReload(*loaded, message);
        done(ok, message);
      });
    });
  }

  bool finishReload(LoadResult& loaded, std::string& message) {
    if (!loaded.config) {
      message = "config refused, the old one keeps running:\n";
      for (const auto& e : loaded.errors) {
        message += toString(e) + "\n";
        spdlog::error("reload refused: {}", toString(e));
      }
      metrics.recordReload(false);
      return false;
    }
    const std::string oldListen = options.listen.value_or(config.prober.listen);
    if (!options.listen && loaded.config->prober.listen != config.prober.listen) {
      spdlog::warn("reload: listen changed to {}; it takes effect on restart, still on {}",
                   loaded.config->prober.listen, oldListen);
    }
    config = std::move(*loaded.config);
    apply(config);
    metrics.recordReload(true);
    message = fmt::format("config reloaded: {} checks\n", checksInOrder.size());
    return true;
  }

  void watchSignals() {
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) {
        return;
      }
      if (signal == SIGHUP) {
        spdlog::info("SIGHUP: reloading {}", options.configPath);
        startReload([](bool, const std::string&) {});
        watchSignals();
        return;
      }
      spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      stop();
    });
  }

  void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    for (auto& [name, running] : byName) {
      scheduler.remove(running.id);
    }
    engine.cancelAll();
    timer.cancel();
    pagerTimer.cancel();
    server->stop();
    boost::system::error_code ignored;
    signals.cancel(ignored);
    if (loader.joinable()) {
      loader.join();
    }
    io.stop();
  }

  ~Impl() {
    if (loader.joinable()) {
      loader.join();
    }
  }

  std::vector<const CheckState*> snapshot() const {
    std::vector<const CheckState*> out;
    out.reserve(checksInOrder.size());
    for (const auto& state : checksInOrder) {
      out.push_back(state.get());
    }
    return out;
  }

  void handle(const ServerRequest& request, Responder respond) {
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/-/reload") {
      if (request.method != "POST") {
        respond({405, "text/plain; charset=utf-8", "method not allowed\n", "POST"});
        return;
      }
      startReload([respond](bool ok, const std::string& message) {
        respond({ok ? 200 : 400, "text/plain; charset=utf-8", message, ""});
      });
      return;
    }
    const bool isGet = request.method == "GET" || request.method == "HEAD";
    if (path == "/metrics" && isGet) {
      serveMetrics(request.accept.find("application/openmetrics-text") != std::string::npos,
                   std::move(respond));
      return;
    }
    if (auto response = route(request, respond)) {
      respond(std::move(*response));
    }
  }

  // Renders /metrics a slice at a time, yielding to the loop between slices: at 100,000 checks
  // the text is ~170 MB and takes over a second to write, which would otherwise delay every
  // probe due meanwhile by as much.
  void serveMetrics(bool openMetrics, Responder respond) {
    static constexpr std::size_t kSlice = 4096;  // (family, check) pairs per turn of the loop
    struct Job {
      CheckMetricsWriter writer;
      std::string body;
      bool openMetrics;
      Responder respond;
    };
    metrics.setInFlight(static_cast<double>(scheduler.inFlight()));
    std::vector<std::shared_ptr<const CheckState>> checks(checksInOrder.begin(),
                                                          checksInOrder.end());
    auto job = std::make_shared<Job>(
        Job{CheckMetricsWriter(std::move(checks)), {}, openMetrics, std::move(respond)});
    // Sized from the last scrape (or ~1.8 KB a check before the first): growing by doubling
    // would hold up to twice the body at once.
    job->body.reserve(lastMetricsSize > 0 ? lastMetricsSize + lastMetricsSize / 16
                                          : checksInOrder.size() * 1800 + 16384);
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, job, weakStep = std::weak_ptr<std::function<void()>>(step)] {
      if (!job->writer.write(job->body, kSlice)) {
        if (auto next = weakStep.lock()) {
          asio::post(io, [next] { (*next)(); });
        }
        return;
      }
      job->body += renderProcessMetrics(metrics);
      lastMetricsSize = job->body.size();
      if (job->openMetrics) {
        job->respond({200, "application/openmetrics-text; version=1.0.0; charset=utf-8",
                      toOpenMetrics(job->body), ""});
      } else {
        job->respond({200, "text/plain; version=0.0.4; charset=utf-8", std::move(job->body), ""});
      }
    };
    (*step)();
  }

  // GET /api/v1/checks/NAME/history?since=24h&limit=1000: runs and alert events from the store,
  // read on the history thread.
  void checkHistory(const std::string& name, const std::string& query, Responder respond) {
    const auto bad = [](const std::string& why) {
      return ServerResponse{400, "application/json",
                            toJsonText(boost::json::object{{"error", why}}) + "\n", ""};
    };
    std::string error;
    const auto params = parseForm(query, error, 4096);
    if (!params) {
      return respond(bad("malformed query: " + error));
    }
    const std::int64_t now = wallMs();
    std::int64_t since = now - 24LL * 3600 * 1000;
    std::size_t limit = 1000;
    for (const auto& [key, value] : *params) {
      if (key == "since") {
        const auto ago = parseDuration(value);
        if (!ago) {
          return respond(bad("since must be a duration like \"90m\" or \"24h\" (how far back)"));
        }
        since = now - ago->count();
      } else if (key == "limit") {
        std::size_t n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n > 10'000) {
          return respond(bad("limit must be a number of runs from 1 to 10000"));
        }
        limit = n;
      } else {
        return respond(bad("unknown parameter " + key + " (since, limit)"));
      }
    }
    readCheckHistory(name, since, now, limit,
                     [name, since, respond = std::move(respond)](
                         std::vector<RunRecord> runs, std::vector<HistoryEvent> events,
                         const std::string& error) {
                       if (!error.empty()) {
                         return respond({500, "application/json",
                                         toJsonText(boost::json::object{{"error", error}}) + "\n",
                                         ""});
                       }
                       respond({200, "application/json",
                                toJsonText(historyToJson(name, since, runs, events)) + "\n", ""});
                     });
  }

  // GET /checks/NAME: the check's page, from its state and its last day of history.
  void checkPage(const std::string& name, Responder respond) {
    const std::int64_t now = wallMs();
    const std::int64_t since = now - 24LL * 3600 * 1000;
    readCheckHistory(
        name, since, now, 100'000,
        [this, name, since, now, respond = std::move(respond)](std::vector<RunRecord> runs,
                                                              std::vector<HistoryEvent> events,
                                                              const std::string& error) {
          const auto it = byName.find(name);  // a reload meanwhile may have removed it
          if (it == byName.end()) {
            return respond({404, "text/plain; charset=utf-8", "no such check\n", ""});
          }
          if (!error.empty()) {
            return respond({500, "text/plain; charset=utf-8", "history unavailable\n", ""});
          }
          respond({200, "text/html; charset=utf-8",
                   renderCheckPage(*it->second.state, since, now, runs, events), ""});
        });
  }

  using HistoryAnswer = std::function<void(std::vector<RunRecord> runs,
                                           std::vector<HistoryEvent> events,
                                           const std::string& error)>;

  // A check's runs (the newest `limit`) and its alert and delivery events in [since, now], read
  // on the history thread once what was recorded before is written (the loop never waits for
  // the disk), handed to `answer` back on the loop; `error` (logged) when they cannot be read.
  void readCheckHistory(const std::string& name, std::int64_t since, std::int64_t now,
                        std::size_t limit, HistoryAnswer answer) {
    history->runAfterWrites([this, name, since, now, limit, answer = std::move(answer)]() mutable {
      std::string error;
      auto runs = historyReader->runs(name, since, now + 1, limit, error);
      auto events = historyReader->events({name}, since, now + 1, error);
      if (!error.empty()) {
        spdlog::error("{}", error);
      }
      std::erase_if(events, [](const HistoryEvent& e) {
        return e.type == HistoryEvent::Type::SlashCommand;  // not about this check
      });
      asio::post(io, [answer = std::move(answer), runs = std::move(runs),
                      events = std::move(events), error = std::move(error)]() mutable {
        answer(std::move(runs), std::move(events), error);
      });
    });
  }

  // The answer to `request`, or nullopt when it is answered later through `respond`.
  std::optional<ServerResponse> route(const ServerRequest& request, Responder& respond) {
    std::string path = request.target.substr(0, request.target.find('?'));
    const bool isGet = request.method == "GET" || request.method == "HEAD";
    const auto methodNotAllowed = [](const char* allow) {
      return ServerResponse{405, "text/plain; charset=utf-8", "method not allowed\n", allow};
    };
    if (path == "/metrics") {
      return methodNotAllowed("GET, HEAD");  // GET and HEAD are served by serveMetrics
    }
    if (path == "/slack/command" && slackVerifier) {
      return request.method == "POST" ? slackCommand(request) : methodNotAllowed("POST");
    }
    if (path == "/healthz") {
      if (!isGet) {
        return methodNotAllowed("GET, HEAD");
      }
      if (stateWrites.pending() > 0) {
        return ServerResponse{503, "text/plain; charset=utf-8",
                              fmt::format("state store behind: {} write(s) waiting: {}\n",
                                          stateWrites.pending(), stateWrites.lastError()),
                              ""};
      }
      return stopping ? ServerResponse{503, "text/plain; charset=utf-8", "stopping\n", ""}
                      : ServerResponse{200, "text/plain; charset=utf-8", "ok\n", ""};
    }
    if (path == "/api/v1/checks") {
      if (!isGet) {
        return methodNotAllowed("GET, HEAD");
      }
      boost::json::array checks;
      for (const auto& state : checksInOrder) {
        checks.push_back(checkToJson(*state));
      }
      return ServerResponse{200, "application/json",
              toJsonText(boost::json::object{{"checks", std::move(checks)}}) + "\n",
              ""};
    }
    if (path.rfind("/api/v1/checks/", 0) == 0) {
      if (!isGet) {
        return methodNotAllowed("GET, HEAD");
      }
      std::string name = path.substr(std::string_view("/api/v1/checks/").size());
      constexpr std::string_view kHistory = "/history";
      const bool wantsHistory = name.size() > kHistory.size() &&
                                name.compare(name.size() - kHistory.size(), kHistory.size(),
                                             kHistory) == 0;
      if (wantsHistory) {
        name.resize(name.size() - kHistory.size());
      }
      auto it = byName.find(name);
      if (it != byName.end() && wantsHistory) {
        const auto query = request.target.find('?');
        checkHistory(name, query == std::string::npos ? "" : request.target.substr(query + 1),
                     std::move(respond));
        return std::nullopt;
      }
      if (it == byName.end()) {
        return ServerResponse{404, "application/json",
                R"({"error":"no such check"})"
                "\n",
                ""};
      }
      return ServerResponse{200, "application/json",
              toJsonText(checkToJson(*it->second.state)) + "\n", ""};
    }
    if (path.rfind("/checks/", 0) == 0) {
      if (!isGet) {
        return methodNotAllowed("GET, HEAD");
      }
      auto it = byName.find(path.substr(std::string_view("/checks/").size()));
      if (it == byName.end()) {
        return ServerResponse{404, "text/plain; charset=utf-8", "no such check\n", ""};
      }
      checkPage(it->first, std::move(respond));
      return std::nullopt;
    }
    if (path == "/") {
      if (!isGet) {
        return methodNotAllowed("GET, HEAD");
      }
      return ServerResponse{200, "text/html; charset=utf-8", renderStatusPage(snapshot()), ""};
    }
    return ServerResponse{404, "text/plain; charset=utf-8", "not found\n", ""};
  }
};

Daemon::Daemon(asio::io_context& io, DaemonOptions options, Config config)
    : impl_(std::make_unique<Impl>(io, std::move(options), std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::stop() {
  impl_->stop();
}
unsigned short Daemon::port() const {
  return impl_->server->port();
}

}  // namespace prober
