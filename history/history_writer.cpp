#include <sqlite3.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <filesystem>
#include <tuple>

#include "alerting/alert_event.h"
#include "history/history.h"
#include "history/history_schema.h"
#include "storage/sqlite_statement.h"

namespace prober {

namespace {

// A batch is committed at least this often while records arrive. Longer batches cost less a
// run (a page of an index or of run_hours is written once for all the rows a batch puts in it:
// 1,000 checks at 500 runs a second, 7 us a run at 200 ms, 4 us at 1 s); reads never wait for
// it (they ask for the batch at once), and a crash loses at most this much of the history.
constexpr auto kBatchInterval = std::chrono::milliseconds(1000);
constexpr auto kPruneEvery = std::chrono::minutes(10);
// How often the size cap is checked: at 10,000 runs a second the records grow ~50 MB a minute.
constexpr auto kSizeCheckEvery = std::chrono::minutes(1);

}  // namespace

std::string_view typeName(HistoryEvent::Type type) {
  switch (type) {
    case HistoryEvent::Type::Alert: return "alert";
    case HistoryEvent::Type::Notification: return "notification";
    case HistoryEvent::Type::SlashCommand: return "slash_command";
  }
  return "alert";
}

std::optional<HistoryEvent::Type> parseTypeName(std::string_view name) {
  for (auto type : {HistoryEvent::Type::Alert, HistoryEvent::Type::Notification,
                    HistoryEvent::Type::SlashCommand}) {
    if (typeName(type) == name) {
      return type;
    }
  }
  return std::nullopt;
}

std::string historyPath(const std::string& stateDir) {
  return (std::filesystem::path(stateDir) / "history.db").string();
}

std::unique_ptr<HistoryWriter> HistoryWriter::open(const std::string& stateDir,
                                                   std::chrono::milliseconds retention,
                                                   std::string& error, const Clock& clock) {
  sqlite3* db = openStateDatabase(stateDir, "history.db", kHistorySchema, Durability::Fast, error);
  if (db != nullptr && !migrateHistory(db, error)) {
    error = fmt::format("cannot prepare {}: {}", historyPath(stateDir), error);
    sqlite3_close(db);
    db = nullptr;
  }
  return db == nullptr ? nullptr
                       : std::unique_ptr<HistoryWriter>(
                             new HistoryWriter(db, historyPath(stateDir), retention, clock));
}

HistoryWriter::HistoryWriter(sqlite3* db, std::string path, std::chrono::milliseconds retention,
                             const Clock& clock)
    : db_(db), path_(std::move(path)), retention_(retention), clock_(clock) {
  thread_ = std::thread([this] { run(); });
  readThread_ = std::thread([this] { runReads(); });
}

HistoryWriter::~HistoryWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();  // its last turn hands every read still queued to the read thread
  {
    std::lock_guard lock(mutex_);
    readsStopping_ = true;
  }
  readsDue_.notify_all();
  readThread_.join();
  statements_.reset();  // finalized before the close, which refuses while any is open
  sqlite3_close(db_);
}

void HistoryWriter::add(RunRecord record) {
  enqueue(std::move(record));
}

void HistoryWriter::add(HistoryEvent event) {
  enqueue(std::move(event));
}

void HistoryWriter::enqueue(Record record) {
  std::lock_guard lock(mutex_);
  if (queue_.size() >= kMaxQueued) {
    if (dropped_++ % 10'000 == 0) {
      spdlog::error("history: {} records wait for the disk; dropped {} so far", queue_.size(),
                    dropped_);
    }
    return;
  }
  queue_.push_back(std::move(record));
  ++enqueuedCount_;
}

void HistoryWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = enqueuedCount_;
  flushRequested_ = true;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return doneCount_ >= target || stopping_; });
}

void HistoryWriter::setLocation(const std::string& location) {
  runAfterWrites([this, location] {
    std::string error;
    if (!writeHistoryMeta(db_, "location", location, error)) {
      spdlog::error("history: saving the location: {}", error);
    }
  });
}

void HistoryWriter::abandonJobs() {
  std::unique_lock lock(mutex_);
  jobsAbandoned_ = true;
  jobs_.clear();
  reads_.clear();
  readsWaiting_ = 0;
  jobEnded_.wait(lock, [&] { return !jobRunning_ && !readRunning_; });
}

bool HistoryWriter::runReadAfterWrites(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (jobsAbandoned_ || readsWaiting_ >= kMaxQueuedReads) {
    return false;
  }
  ++readsWaiting_;
  jobs_.push_back(Job{enqueuedCount_, turn_, std::move(job), true});
  flushRequested_ = true;
  wake_.notify_one();
  return true;
}

void HistoryWriter::runReads() {
  for (;;) {
    std::function<void()> read;
    {
      std::unique_lock lock(mutex_);
      readsDue_.wait(lock, [&] { return readsStopping_ || !reads_.empty(); });
      if (reads_.empty()) {
        return;  // stopping, and every read queued before has run
      }
      read = std::move(reads_.front());
      reads_.pop_front();
      --readsWaiting_;
      readRunning_ = true;
    }
    read();
    read = nullptr;  // what it captured goes before its owner may
    {
      std::lock_guard lock(mutex_);
      readRunning_ = false;
    }
    jobEnded_.notify_all();
  }
}

void HistoryWriter::runAfterWrites(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (jobsAbandoned_) {
    return;
  }
  jobs_.push_back(Job{enqueuedCount_, turn_, std::move(job)});
  flushRequested_ = true;  // the batch interval need not pass first
  wake_.notify_one();
}

void HistoryWriter::setRetention(std::chrono::milliseconds retention) {
  std::lock_guard lock(mutex_);
  retention_ = retention;
}

void HistoryWriter::setMaxSize(std::uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    maxSize_ = bytes;
  }
  wake_.notify_one();
}

std::int64_t HistoryWriter::sizeOnDisk() const {
  std::int64_t total = 0;
  for (const std::string& file : {path_, path_ + "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec) {
      total += static_cast<std::int64_t>(size);
    }
  }
  return total;
}

std::int64_t HistoryWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::int64_t HistoryWriter::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::string HistoryWriter::lastError() const {
  std::lock_guard lock(mutex_);
  return lastError_;
}

void HistoryWriter::run() {
  auto nextPrune = std::chrono::steady_clock::now();  // prune once at start
  auto nextSizeCheck = nextPrune;
  std::uint64_t lastMaxSize = 0;
  std::vector<Record> batch;
  for (;;) {
    std::chrono::milliseconds retention{};
    std::uint64_t maxSize = 0;
    bool stop = false;
    {
      std::unique_lock lock(mutex_);
      // Records gather for a batch interval (one commit for all of them), unless a flush or
      // the stop asks for them now.
      wake_.wait_for(lock, kBatchInterval, [&] { return stopping_ || flushRequested_; });
      flushRequested_ = false;
      ++turn_;
      // The queue's storage becomes the batch, and the last batch's (emptied) the queue's:
      // in a steady state no record costs an allocation to hand over.
      batch.swap(queue_);
      retention = retention_;
      maxSize = maxSize_;
      stop = stopping_;
    }
    std::string error;
    const bool ok = batch.empty() || writeBatch(batch, error);
    {
      std::lock_guard lock(mutex_);
      doneCount_ += batch.size();
      if (ok) {
        written_ += static_cast<std::int64_t>(batch.size());
        lastError_.clear();
      } else {
        dropped_ += static_cast<std::int64_t>(batch.size());
        lastError_ = error;
        spdlog::error("{}", error);
      }
    }
    flushed_.notify_all();
    batch.clear();
    if (batch.capacity() > kKeptCapacity) {
      std::vector<Record>().swap(batch);  // a backlog's storage is not kept for good
    }
    // Before the jobs waiting on this batch, so a reader queued after setMaxSize sees the result.
    if (maxSize > 0 &&
        (std::chrono::steady_clock::now() >= nextSizeCheck || maxSize != lastMaxSize)) {
      lastMaxSize = maxSize;
      std::string shrinkError;
      const bool finished = usedBytes() <= maxSize || shrinkTo(maxSize / 10 * 9, shrinkError);
      if (!shrinkError.empty()) {
        std::lock_guard lock(mutex_);
        lastError_ = "history: keeping under history_max_size: " + shrinkError;
      }
      nextSizeCheck = std::chrono::steady_clock::now() +
                      (finished ? kSizeCheckEvery : std::chrono::milliseconds(0));
    }
    runDueJobs();
    if (stop) {
      return;
    }
    if (std::chrono::steady_clock::now() >= nextPrune && retention.count() > 0) {
      std::string pruneError;
      const bool finished = prune(wallMs(clock_) - retention.count(), pruneError);
      if (!pruneError.empty()) {
        std::lock_guard lock(mutex_);
        lastError_ = "history: pruning: " + pruneError;
      }
      // Interrupted to write what came meanwhile: go on after the next batch.
      nextPrune = std::chrono::steady_clock::now() +
                  (finished ? kPruneEvery : std::chrono::milliseconds(0));
    }
  }
}

void HistoryWriter::runDueJobs() {
  for (;;) {
    std::function<void()> job;
    {
      std::lock_guard lock(mutex_);
      const bool due = !jobs_.empty() && jobs_.front().afterRecords <= doneCount_ &&
                       jobs_.front().queuedInTurn < turn_;
      if (jobs_.empty() || (!due && !stopping_)) {
        return;
      }
      if (jobs_.front().read) {  // the read thread runs it: writes go on meanwhile
        reads_.push_back(std::move(jobs_.front().run));
        jobs_.pop_front();
        readsDue_.notify_one();
        continue;
      }
      job = std::move(jobs_.front().run);
      jobs_.pop_front();
      jobRunning_ = true;
    }
    job();          // outside the lock: it reads the database and may queue more work
    job = nullptr;  // what it captured goes before its owner may
    {
      std::lock_guard lock(mutex_);
      jobRunning_ = false;
    }
    jobEnded_.notify_all();
  }
}

struct HistoryWriter::BatchStatements {
  explicit BatchStatements(sqlite3* db)
      : begin(db, "BEGIN"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK"),
        run(db,
            "INSERT INTO runs (at_ms, check_name, passed, latency_ms, status, reason, failure, "
            "resolve_us, connect_us, tls_us, processing_us, transfer_us) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        event(db,
              "INSERT INTO events (at_ms, type, check_name, action, notifier, outcome, "
              "detail, team_id, channel_id, channel_name, user_id, user_name) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        hourCount(db,
                  "INSERT INTO run_hours (check_name, hour_ms, runs, passed) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT DO UPDATE SET runs = runs + excluded.runs, "
                  "passed = passed + excluded.passed") {}
  bool ok() const {
    return begin.ok() && commit.ok() && rollback.ok() && run.ok() && event.ok() && hourCount.ok();
  }
  // Runs a statement without parameters (BEGIN, COMMIT, ROLLBACK) from the start.
  static bool once(Statement& statement) {
    statement.reset();
    const bool done = statement.step() == SQLITE_DONE;
    statement.reset();
    return done;
  }
  // After a batch, before its COMMIT or ROLLBACK: the statements that took the batch's records
  // stay in the middle of no step and keep none of its text (once() leaves the others reset).
  void releaseRecords() {
    for (Statement* statement : {&run, &event, &hourCount}) {
      statement->reset();
      statement->clearBindings();
    }
    tallies.clear();  // they point into the batch
  }

  Statement begin, commit, rollback, run, event, hourCount;

  // One run's contribution to its check's hour; a batch's are sorted and summed per check and
  // hour before the upserts. Kept between batches, so a batch allocates nothing for them.
  struct HourTally {
    std::string_view check;  // into the batch's records, which outlive the upserts
    std::int64_t hourMs = 0;
    std::int64_t runs = 0;
    std::int64_t passed = 0;
  };
  std::vector<HourTally> tallies;
};

bool HistoryWriter::writeBatch(std::vector<Record>& batch, std::string& error) {
  if (!statements_) {
    statements_ = std::make_unique<BatchStatements>(db_);
  }
  const auto failed = [&](std::string_view during) {
    error = fmt::format("history: cannot write {} record(s): {}{}", batch.size(), during,
                        sqlite3_errmsg(db_));
    return false;
  };
  BatchStatements& sql = *statements_;
  if (!sql.ok()) {
    failed("");
    statements_.reset();  // prepared again for the next batch
    return false;
  }
  if (!BatchStatements::once(sql.begin)) {
    return failed("BEGIN: ");
  }
  // Text is bound without copies: the batch's records outlive every step of this batch.
  std::vector<BatchStatements::HourTally>& tallies = sql.tallies;  // empty: releaseRecords
  bool ok = true;
  Statement& run = sql.run;
  Statement& event = sql.event;
  for (std::size_t i = 0; ok && i < batch.size(); ++i) {
    if (const auto* r = std::get_if<RunRecord>(&batch[i])) {
      run.reset();
      run.bind(1, r->atMs);
      run.bindUnowned(2, r->check);
      run.bind(3, std::int64_t{r->passed ? 1 : 0});
      run.bind(4, r->latencyMs);
      run.bind(5, std::int64_t{r->status});
      run.bindUnowned(6, r->reason);
      run.bindUnowned(7, r->failure);
      for (std::size_t p = 0; p < r->phaseMs.size(); ++p) {
        run.bind(8 + static_cast<int>(p), static_cast<std::int64_t>(r->phaseMs[p] * 1000));
      }
      ok = run.step() == SQLITE_DONE;
      tallies.push_back({r->check, r->atMs - r->atMs % kHourMs, 1, r->passed ? 1 : 0});
    } else {
      const auto& e = std::get<HistoryEvent>(batch[i]);
      event.reset();
      event.bind(1, e.atMs);
      event.bindUnowned(2, typeName(e.type));
      event.bindUnowned(3, e.check);
      event.bindUnowned(4, e.action);
      event.bindUnowned(5, e.notifier);
      event.bindUnowned(6, e.outcome);
      event.bindUnowned(7, e.detail);
      event.bindUnowned(8, e.teamId);
      event.bindUnowned(9, e.channelId);
      event.bindUnowned(10, e.channelName);
      event.bindUnowned(11, e.userId);
      event.bindUnowned(12, e.userName);
      ok = event.step() == SQLITE_DONE;
    }
  }
  std::sort(tallies.begin(), tallies.end(), [](const auto& a, const auto& b) {
    return std::tie(a.check, a.hourMs) < std::tie(b.check, b.hourMs);
  });
  Statement& count = sql.hourCount;
  for (std::size_t i = 0; ok && i < tallies.size();) {
    BatchStatements::HourTally sum = tallies[i];
    for (++i;
         i < tallies.size() && tallies[i].check == sum.check && tallies[i].hourMs == sum.hourMs;
         ++i) {
      sum.runs += tallies[i].runs;
      sum.passed += tallies[i].passed;
    }
    count.reset();
    count.bindUnowned(1, sum.check);
    count.bind(2, sum.hourMs);
    count.bind(3, sum.runs);
    count.bind(4, sum.passed);
    ok = count.step() == SQLITE_DONE;
  }
  if (!ok) {
    failed("");  // the message before the rollback replaces it
    sql.releaseRecords();
    BatchStatements::once(sql.rollback);
    return false;
  }
  sql.releaseRecords();
  if (!BatchStatements::once(sql.commit)) {
    failed("COMMIT: ");
    BatchStatements::once(sql.rollback);
    return false;
  }
  return true;
}

}  // namespace prober
