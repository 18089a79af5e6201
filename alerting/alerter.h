#pragma once
// Where alerts are decided into pages: a transition becomes an event, the event and the
// notifications it causes are stored in one transaction, and the pager delivers them. A
// finished run reaches it in one call (onRun). Time comes from the injected clock and the
// timers it owns; it tells an observer what it did, so the runtime can keep history and metrics
// without alerting knowing either.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerting/alert_event.h"
#include "alerting/check_alerts.h"
#include "alerting/holds/page_hold.h"
#include "alerting/leaving_check.h"
#include "alerting/pager.h"
#include "alerting/store.h"
#include "alerting/transport.h"
#include "alerting/write_backlog.h"
#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

// What the alerter did, for history and metrics.
class AlerterObserver {
 public:
  virtual ~AlerterObserver() = default;
  // An alert fired or resolved (stored or not yet): `key` as alertKey() makes it.
  virtual void alertChanged(const std::string& key, const AlertEvent& event) = 0;
  // One delivery attempt ended: the row, and the answer ("HTTP 202: ...", or why it failed).
  virtual void deliveryAttempted(const OutboxRow& row, DeliveryResult result,
                                 const std::string& answer) = 0;
  virtual void outboxPending(std::size_t notifications) = 0;
  // The store refused `count` more writes (they wait in memory and are retried).
  virtual void stateWritesRefused(std::uint64_t count) = 0;
  // An alert fired but its page is held (`hold` says why), or a hold ended: `outcome` says
  // whether the page went out or the alert recovered before it could.
  virtual void pageHeld(const std::string& key, const AlertEvent& event, const PageHold& hold) = 0;
  virtual void holdEnded(const std::string& key, const AlertEvent& event,
                         const std::string& outcome) = 0;
};

class Alerter {
 public:
  struct Hooks {
    std::function<double()> random;  // uniform in [0, 1), for retry jitter
    // Why this alert's pages are held now; nullopt (or no hook): they go out.
    std::function<std::optional<PageHold>(const CheckSpec&, AlertKind)> holdFor;
  };

  // `store`, `transport` and `clock` outlive the alerter. It owns its timers (from `timers`):
  // the outbox's next delivery, the retry of state writes the store refused, and the end of the
  // first timed hold.
  Alerter(Store& store, Transport& transport, AlerterObserver& observer, const Clock& clock,
          const TimerFactory& timers, Hooks hooks);
  Alerter(const Alerter&) = delete;
  Alerter& operator=(const Alerter&) = delete;

  void setNotifiers(Notifiers notifiers, std::string externalUrl);
  // `[prober] location`: written into every event from now on ("" for none).
  void setLocation(std::string location) { location_ = std::move(location); }

  // After a restart: finished notifications older than two weeks are pruned, the pending ones
  // queued again, then the alerts the store kept that nothing runs any more are resolved (a
  // check that left the config, a certificate warning no longer asked for); `running` finds a
  // running check's spec by name (nullptr when none). A check the config still has but this
  // instance no longer runs (`configured` but not running: another shard's now) is handed off
  // without a resolve, as a reload that changes the shard does.
  void recover(const std::map<std::string, SavedAlert>& saved,
               const std::function<const CheckSpec*(const std::string&)>& running,
               const std::function<bool(const std::string&)>& configured);

  // A finished run of `spec`: judged against the check's alerts (which it updates), then acted
  // on (act).
  void onRun(const CheckSpec& spec, const RunResult& run, CheckAlerts& alerts);
  // A judged run: pages when it fired or resolved the check's alert, its certificate warning or
  // its degraded warning, and re-sends a firing one where a notifier's `resend` is due.
  void act(const RunJudgement& judgement);

  // A check stopped running here: what it had firing resolves (its alert, certificate and
  // degraded warnings) when it left the config; when it moved to another shard, it is handed
  // off (handOff) instead.
  void checkLeft(const LeavingCheck& check);
  // A check that left the config (or changed to no longer watch its certificate) while its
  // alert was firing: resolved now. `last` may be null.
  void resolveRemoved(const CheckSpec& spec, const RunResult* last,
                      std::chrono::system_clock::time_point failingSince);
  void resolveCertWarning(const CheckSpec& spec, std::chrono::system_clock::time_point expiry);
  // A degraded warning whose check left or no longer has `degraded` assertions.
  void resolveDegraded(const CheckSpec& spec, std::chrono::system_clock::time_point since);

  // Shards: a check that left this instance's shard is dropped without a resolve (its stored
  // alerts and held pages are forgotten; its new owner resolves it), and a check this instance
  // adopted sends one resolve to its notifiers once it has passed success_threshold runs (the
  // receivers drop it when nothing is open).
  void handOff(const CheckSpec& spec);
  void resolveAdopted(const CheckSpec& spec, const RunResult& last);
  // A firing check that the quorum rules paged until a reload set `page = "local"`: nobody was
  // told here, so it pages now (held like any trigger when a hold covers it).
  void pageTakenFromQuorum(const CheckSpec& spec, const RunResult* last, int consecutiveFailures,
                           std::chrono::system_clock::time_point failingSince);

  // A page nobody's check caused (a person paging from Slack), through `notifier`.
  void page(const AlertEvent& event, const std::string& notifier);

  void pollOutbox();
  void retryStateWrites();

  // Asks again about every held page: one whose hold has ended goes out now (its alert still
  // fires: one that recovered while held was dropped at its resolve). Called when a timed hold
  // ends, when a silence is deleted, when a config is applied, and after a resolve (a check
  // that depends on the resolved one may go).
  void releaseHeld();
  // A reload changed checks: held pages go out with the check as it is now (its notifiers),
  // `running` finding a running check's spec by name (nullptr when none).
  void refreshHeld(const std::function<const CheckSpec*(const std::string&)>& running);
  // A reload or restart changed notifiers: each alert paged and still firing is resolved on a
  // destination it no longer pages and triggered on one it now pages (a notifier renamed with
  // the same settings is the same destination: nothing is sent). `running` finds a running
  // check's spec by name (nullptr when none: a check that left is resolved elsewhere).
  void notifiersChanged(const std::function<const CheckSpec*(const std::string&)>& running);
  // The hold on this alert key's page, nullptr when none is held.
  const PageHold* heldPage(const std::string& key) const;

  std::size_t pendingNotifications() const { return pager_.pending(); }
  // The wall times (Unix ms) it will next wake at to deliver the outbox and to look at the held
  // pages again; -1 when not armed.
  std::int64_t outboxWakeMs() const { return pager_.wakeAtMs(); }
  std::int64_t heldWakeMs() const { return heldTimer_.armedForWallMs(); }
  // Stopping: none of its timers fires any more.
  void stop();
  // Whether a notification waits for this alert key and notifier (sent or not).
  bool queued(const std::string& key, const std::string& notifier) const {
    return pager_.queued(key, notifier);
  }
  // State writes the store refused, waiting in memory, and why the last one failed.
  std::size_t pendingStateWrites() const { return stateWrites_.pending(); }
  const std::string& lastStateWriteError() const { return stateWrites_.lastError(); }

 private:
  // At a restart: the checks the stored alerts and the pending notifications name that the
  // config still has but another shard runs now (`running` nullptr, `configured` true).
  static std::set<std::string> runElsewhere(
      const std::map<std::string, SavedAlert>& saved, const std::vector<OutboxRow>& pending,
      const std::function<const CheckSpec*(const std::string&)>& running,
      const std::function<bool(const std::string&)>& configured);
  // Hands each of these checks off (handOff), all their queued triggers dropped first.
  void handOffAll(const std::set<std::string>& handedOff);
  // An alert fired or resolved: recorded, then held or delivered.
  void transition(const CheckSpec& spec, const AlertEvent& event, bool keepFiring);
  // The alert's new state and a notification for each of the check's notifiers.
  void deliver(const CheckSpec& spec, const AlertEvent& event, bool keepFiring);
  void hold(const CheckSpec& spec, const AlertEvent& event, PageHold why);
  // Judges one alert kind's transition of a run: fire or resolve, or re-send a firing one.
  void judge(const CheckSpec& spec, AlertTransition transition, bool firing,
             const std::function<AlertEvent(AlertAction)>& event);
  void armHeldWake();
  // Notifiers by name with their settings (notifier_json.h), in the order they page.
  using Destinations = std::vector<std::pair<std::string, std::string>>;
  // Each notifier of the check, with its settings now.
  Destinations destinationsOf(const CheckSpec& spec) const;
  // Each notifier an alert paged, with the settings it was paged with.
  Destinations pagedDestinations(const SavedAlert& alert) const;
  // What the store keeps of a firing alert: its event's streak and who it paged, with the
  // settings each was paged with.
  static SavedAlert firingState(const AlertEvent& event, const Destinations& paged);
  // Posts a firing alert again to each of the check's notifiers whose `resend` is due, unless
  // something for it still waits in the outbox.
  void resendIfDue(const CheckSpec& spec, const AlertEvent& event);
  void enqueue(const std::string& key, const std::optional<SavedAlert>& saved,
               std::vector<OutboxRow> rows, std::string_view what);
  void adoptStoredRows(const std::vector<OutboxRow>& stored,
                       const std::vector<std::int64_t>& unstoredIds);
  void storeWrite(WriteBacklog::Write write,
                  std::string_view meanwhile = "the delivery outcome is kept in memory");
  void stateWriteFailed();
  void attempted(const OutboxRow& row, DeliveryResult result, const std::string& answer);
  std::chrono::system_clock::time_point wallNow() const { return clock_.wallNow(); }
  std::int64_t steadyNowMs() const { return steadyMs(clock_); }

  Store& store_;
  AlerterObserver& observer_;
  const Clock& clock_;
  Hooks hooks_;
  WallTimer writeRetryTimer_;  // retryStateWrites() after the backlog's delay
  WallTimer heldTimer_;        // releaseHeld() when the first timed hold ends
  // Writes the store refused, retried until stored; declared after the store's owner and
  // before the pager, whose outcome writes go through it.
  WriteBacklog stateWrites_;
  bool retryArmed_ = false;
  std::uint64_t refusalsReported_ = 0;
  // Rows delivered from memory while their write waits (negative ids), and how each ended.
  std::int64_t nextUnstoredId_ = -1;
  std::unordered_map<std::int64_t, DeliveryResult> unstoredOutcomes_;
  Pager pager_;
  // When each firing alert is next posted again, by alert key and notifier (unset: at once,
  // as after a restart), on the steady clock: a wall clock stepped back an hour would
  // otherwise stop reminders (and let an Alertmanager's alert lapse) for that hour.
  std::map<std::pair<std::string, std::string>, std::int64_t> resendAtMs_;
  // Alerts firing whose trigger is held, by alert key: the check as it fired, the trigger to
  // send when the hold ends, and why it is held.
  struct HeldPage {
    CheckSpec spec;
    AlertEvent trigger;
    PageHold why;
  };
  std::map<std::string, HeldPage> held_;
  // Alerts firing whose trigger went out (or is queued), by alert key, as the store keeps them:
  // their resolve goes to the notifiers paged, with the settings they were paged with.
  std::map<std::string, SavedAlert> paged_;
  // Destinations a notifier change added while a hold covered the alert: asked about again at
  // each run until the hold ends, with the `running` lookup of the last change.
  bool additionsHeld_ = false;
  std::function<const CheckSpec*(const std::string&)> running_;
  std::string location_;
};

}  // namespace prober
