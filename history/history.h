#pragma once
// What the daemon saw, kept in state_dir/history.db (SQLite, WAL) for the status page, the
// history API and `prober report`: every run's outcome, every alert state change, every
// notification attempt and its answer, every slash-command request.
//
// The loop never waits on the disk: HistoryWriter queues records and a thread of its own
// commits them in batches (one transaction per batch, so a thousand results a second cost a
// few commits) and prunes what is older than the retention, a chunk at a time. Readers use
// their own connection; WAL lets them read while the writer writes.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "checks/clock.h"

struct sqlite3;

namespace prober {

struct RunRecord {
  std::int64_t atMs = 0;  // when the run started, Unix milliseconds
  std::string check;
  bool passed = false;
  double latencyMs = 0;
  int status = 0;       // of the last step that ran; 0 when no response came
  std::string reason;   // failure reason ("http_status", "timeout", ...); "" when passed
  std::string failure;  // the first failed assertion, secrets already replaced; "" when passed
  // Time in each phase, all steps together, in milliseconds, in kPhaseNames' order.
  std::array<float, 5> phaseMs{};
};

// blackbox_exporter's phases, in the order of RunRecord::phaseMs.
inline constexpr std::array<std::string_view, 5> kPhaseNames = {"resolve", "connect", "tls",
                                                                "processing", "transfer"};

// The spans the hourly counts and the pages work in.
inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;

// Runs and passes of one check in one UTC hour (or, summed, any longer span).
struct RunCount {
  std::int64_t startMs = 0;  // the hour's (or day's) start
  std::uint32_t runs = 0;
  std::uint32_t passed = 0;
};

// Everything that is not a run, in one table: alerts, notifications and slash commands.
struct HistoryEvent {
  enum class Type { Alert, Notification, SlashCommand };
  std::int64_t atMs = 0;
  Type type = Type::Alert;
  std::string check;     // alert, notification: the alert's key ("api", "api#cert"); "" otherwise
  std::string action;    // alert: fired | resolved | held | released; notification: trigger |
                         // resolve;
                         // slash command: allowed | refused | usage (empty text)
  std::string notifier;  // notification; the notifier an allowed command paged
  std::string outcome;   // notification: delivered | retry | rejected | dropped; command: why
  std::string detail;    // alert: the first failure (held: why; released: what became of the
                         // page); notification: the answer; command: its text
  // Slash commands: who asked, from where (IDs decide; names are for people reading).
  std::string teamId, channelId, channelName, userId, userName;
};

std::string_view typeName(HistoryEvent::Type type);  // "alert" | "notification" | "slash_command"
std::optional<HistoryEvent::Type> parseTypeName(std::string_view name);

struct RunResult;
struct AlertEvent;
struct OutboxRow;
enum class DeliveryResult;

// What history keeps of a run, an alert transition (`key`: "NAME" or "NAME#cert") and a
// delivery attempt.
RunRecord runRecordOf(const RunResult& run);
HistoryEvent alertRecordOf(const std::string& key, const AlertEvent& event);
// A page held (`action` "held", `detail` why) or a hold that ended ("released", what became of
// the page).
HistoryEvent holdRecordOf(const std::string& key, const AlertEvent& event, std::string action,
                          std::string detail);
HistoryEvent notificationRecordOf(const OutboxRow& row, DeliveryResult result,
                                  const std::string& answer, std::int64_t atMs);

// The path of the history database in a state directory.
std::string historyPath(const std::string& stateDir);

class HistoryWriter {
 public:
  // Opens (creating) the database in `stateDir` and starts the writer thread. nullptr with
  // `error` set when it cannot. Retention is counted against `clock`'s wall time (the daemon's
  // clock, so records made in simulated time are pruned in simulated time); it outlives the
  // writer.
  static std::unique_ptr<HistoryWriter> open(const std::string& stateDir,
                                             std::chrono::milliseconds retention,
                                             std::string& error,
                                             const Clock& clock = systemClock());
  // Writes what is queued, then stops.
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Queue a record; never blocks on the disk. Past kMaxQueued records waiting (the disk has
  // stalled) a new one is dropped and counted rather than growing without bound.
  void add(RunRecord record);
  void add(HistoryEvent event);
  // Blocks until everything added before the call is committed (or failed).
  void flush();
  // Runs `job` on the writer's thread once everything added before the call is committed (or
  // failed): reads that must see the latest records without the caller waiting for the disk.
  // Jobs still queued when the writer stops run before it does.
  void runAfterWrites(std::function<void()> job);
  // The same for a read through a HistoryReader, run on a thread of its own: a long read (the
  // uptime pass over a month of hourly counts at a million checks) never holds up the writes.
  // False, and `job` dropped, when kMaxQueuedReads reads wait already (the caller answers busy).
  bool runReadAfterWrites(std::function<void()> job);
  // The owner of what queued jobs capture is about to go (the daemon stopping): jobs and reads
  // still queued are dropped, later ones are refused, and the call returns once the ones
  // running now have ended. Records still go to disk.
  void abandonJobs();

  void setRetention(std::chrono::milliseconds retention);
  // `[prober] location`: kept with the records, so a report names where they were seen.
  void setLocation(const std::string& location);
  // history_max_size: when the records take more than this many bytes, the oldest runs (then
  // hourly counts a day at a time, then events) go until they take 90 % of it, whatever their
  // age. 0: no cap.
  void setMaxSize(std::uint64_t bytes);
  // Bytes the database takes on disk now: history.db and its write-ahead log.
  std::int64_t sizeOnDisk() const;
  std::int64_t dropped() const;
  std::int64_t written() const;
  // The last write error, "" when the last batch was committed.
  std::string lastError() const;

  static constexpr std::size_t kMaxQueued = 200'000;
  static constexpr std::size_t kMaxQueuedReads = 256;
  // Records whose storage the queue and the batch keep between batches (a burst's is freed).
  static constexpr std::size_t kKeptCapacity = 4096;

 private:
  using Record = std::variant<RunRecord, HistoryEvent>;
  HistoryWriter(sqlite3* db, std::string path, std::chrono::milliseconds retention,
                const Clock& clock);
  void enqueue(Record record);
  void run();
  void runDueJobs();
  void runReads();
  bool writeBatch(std::vector<Record>& batch, std::string& error);
  // Deletes rows older than `beforeMs` a chunk at a time; false when it stopped early to let
  // queued records in.
  bool prune(std::int64_t beforeMs, std::string& error);
  // Bytes the records use inside the file (pages in use; freed pages are reused, not returned).
  std::uint64_t usedBytes();
  // Deletes the oldest records a chunk at a time until they use at most `target` bytes; false
  // when it stopped early to let queued records in.
  bool shrinkTo(std::uint64_t target, std::string& error);
  enum class Trimmed { Done, Interrupted, Failed };
  // Runs `sql` (a DELETE of the oldest `?` rows of one table) until the records fit `target`
  // or the table is empty.
  Trimmed deleteOldest(const char* sql, std::uint64_t target, std::int64_t& deleted,
                       std::string& error);
  // Deletes hourly counts a UTC day at a time, oldest first, never yesterday's or today's, until
  // the records fit `target`; meta 'counts_from_ms' says from when the counts kept start.
  Trimmed trimHourlyCounts(std::uint64_t target, std::int64_t& deleted, std::string& error);
  // Whether records wait (or the writer stops): a long deletion gives way to them.
  bool recordsWaiting();

  sqlite3* db_;
  // writeBatch's statements, prepared at the first batch and kept: preparing them again for
  // every batch cost more than writing the batch's records at a few hundred runs a second.
  struct BatchStatements;
  std::unique_ptr<BatchStatements> statements_;
  std::string path_;  // history.db
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::vector<Record> queue_;
  // Jobs, in order, each with the count of records that must be done before it runs and the
  // turn of the writer's loop it was queued in: it runs in a later turn, one that has seen
  // every setting changed before it was queued (retention, size cap).
  struct Job {
    std::uint64_t afterRecords;
    std::uint64_t queuedInTurn;
    std::function<void()> run;
    bool read = false;  // handed to the read thread when due, not run on the writer's
  };
  std::deque<Job> jobs_;
  std::deque<std::function<void()>> reads_;  // due reads, for the read thread
  std::size_t readsWaiting_ = 0;             // reads in jobs_ and reads_
  bool readRunning_ = false;
  bool readsStopping_ = false;
  std::condition_variable readsDue_;
  std::uint64_t turn_ = 0;           // turns of the writer's loop begun
  std::uint64_t enqueuedCount_ = 0;  // records ever queued
  std::uint64_t doneCount_ = 0;      // records ever taken off the queue and handled
  bool stopping_ = false;
  bool flushRequested_ = false;
  bool jobsAbandoned_ = false;
  bool jobRunning_ = false;
  std::condition_variable jobEnded_;
  std::chrono::milliseconds retention_;
  const Clock& clock_;
  std::uint64_t maxSize_ = 0;
  std::int64_t dropped_ = 0;
  std::int64_t written_ = 0;
  std::string lastError_;
  std::thread thread_;
  std::thread readThread_;
};

class HistoryReader {
 public:
  // Opens the database in `stateDir` read-only. nullptr with `error` set when there is none.
  static std::unique_ptr<HistoryReader> open(const std::string& stateDir, std::string& error);
  ~HistoryReader();
  HistoryReader(const HistoryReader&) = delete;
  HistoryReader& operator=(const HistoryReader&) = delete;

  // Runs of `check` ("" for all checks) in [sinceMs, untilMs), oldest first, at most `limit`
  // (the newest ones when there are more).
  std::vector<RunRecord> runs(const std::string& check, std::int64_t sinceMs, std::int64_t untilMs,
                              std::size_t limit, std::string& error);
  // Events in [sinceMs, untilMs), oldest first. `checks` filters alert and notification events
  // by check (their keys "NAME" and "NAME#cert"); empty means all. Slash commands always come.
  std::vector<HistoryEvent> events(const std::vector<std::string>& checks, std::int64_t sinceMs,
                                   std::int64_t untilMs, std::string& error);
  // Check names that have runs in [sinceMs, untilMs), sorted.
  std::vector<std::string> checksWithRuns(std::int64_t sinceMs, std::int64_t untilMs,
                                          std::string& error);
  // The location the records were seen from ("" when none was set).
  std::string location(std::string& error);
  // From when the hourly counts start when history_max_size trimmed them (a UTC midnight), 0
  // when it never did: uptime figures cover no more than that.
  std::int64_t countsFromMs(std::string& error);
  // Runs and passes of `check` per UTC hour from the hour holding `sinceMs` to the one holding
  // `untilMs`, oldest first; hours without runs are left out.
  std::vector<RunCount> hourlyCounts(const std::string& check, std::int64_t sinceMs,
                                     std::int64_t untilMs, std::string& error);
  // Every check's runs and passes per UTC hour since the hour holding `sinceMs`, as
  // `each(check, count)` in order of check, then hour.
  void forEachHourlyCount(std::int64_t sinceMs,
                          const std::function<void(const std::string&, const RunCount&)>& each,
                          std::string& error);
  // Runs of `check` in [sinceMs, untilMs), oldest first, one at a time: for reading more runs
  // than fit in memory. `each` returns false to stop.
  void forEachRun(const std::string& check, std::int64_t sinceMs, std::int64_t untilMs,
                  const std::function<bool(const RunRecord&)>& each, std::string& error);
  // Check names with a failed run in [sinceMs, untilMs), sorted.
  std::vector<std::string> failedChecks(std::int64_t sinceMs, std::int64_t untilMs,
                                        std::string& error);

 private:
  explicit HistoryReader(sqlite3* db) : db_(db) {}
  std::vector<std::string> names(const char* sql, std::int64_t sinceMs, std::int64_t untilMs,
                                 std::string& error);
  sqlite3* db_;
};

// The daemon's history: the writer and a reader of the same file, the reader declared first so
// it outlives the writer's thread, whose read jobs use it.
struct HistoryFiles {
  std::unique_ptr<HistoryReader> reader;
  std::unique_ptr<HistoryWriter> writer;

  // Opens (creating) the history in `stateDir`; both null with `error` set when it cannot.
  static HistoryFiles open(const std::string& stateDir, std::chrono::milliseconds retention,
                           std::string& error, const Clock& clock = systemClock());
  explicit operator bool() const { return writer != nullptr; }
};

}  // namespace prober
