#include "storage/wal_write_batching.h"

#include <sqlite3.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace prober {

namespace {

// The write-ahead log's layout (SQLite's file format): a 32-byte header, then frames of a
// 24-byte header and a page. A frame header whose bytes 4-7 are not zero ends a commit.
constexpr int kFrameHeaderSize = 24;
constexpr std::size_t kCommitSizeOffset = 4;
// The most one write may carry: the default VFS writes at most 128 KiB less a byte in one call
// (it never needs more than a page) and reports a disk full past it. A long transaction's
// frames go out in writes of up to this (31 frames of 4 KiB pages).
constexpr std::size_t kLargestWrite = 0x1ffff;

std::atomic<std::uint64_t> asked{0};
std::atomic<std::uint64_t> made{0};
std::atomic<std::uint64_t> madeAtBarrier{0};

sqlite3_vfs* base = nullptr;  // the default VFS this one sits on

// A file opened through this VFS whose calls it sees: a database (for its shared-memory
// barrier) or a write-ahead log (whose writes it gathers). SQLite gives it szOsFile bytes;
// the default VFS's file lives after it.
struct LayeredFile {
  sqlite3_file file;  // first: SQLite's view
  sqlite3_file* below = nullptr;
  std::string database;  // the database's path (a log's: the path without "-wal")
  // A log's gathered writes: `gathered` bytes from offset `start`. Its connection's thread
  // writes them; a barrier from another connection's thread may write them out.
  std::mutex mutex;
  std::vector<char> gathered;
  sqlite3_int64 start = 0;
  bool commitFramePending = false;  // the commit frame's header came; its page is next
  // Where the log's appends have reached since its header was last written: a write below it
  // rewrites frames already out (a checksum rewrite, a page written again) and goes straight
  // down, so only appends are ever gathered.
  sqlite3_int64 appendedTo = 0;
  // A failed write that no caller could be told of (one made at a barrier): the log's next
  // call reports it.
  int unreported = SQLITE_OK;

  int writeGathered() {  // with `mutex` held
    if (unreported != SQLITE_OK) {
      return std::exchange(unreported, SQLITE_OK);
    }
    if (gathered.empty()) {
      return SQLITE_OK;
    }
    const int rc =
        below->pMethods->xWrite(below, gathered.data(), static_cast<int>(gathered.size()), start);
    gathered.clear();
    made.fetch_add(1, std::memory_order_relaxed);
    return rc;
  }
};

LayeredFile& layered(sqlite3_file* file) {
  return *reinterpret_cast<LayeredFile*>(file);
}
sqlite3_file* below(sqlite3_file* file) {
  return layered(file).below;
}

// The open logs by their database's path: a barrier on a database writes out its logs'
// gathered writes (only the connection holding the write lock has any).
std::mutex logsMutex;
std::multimap<std::string, LayeredFile*> openLogs;

void writeOutLogsOf(const std::string& database) {
  std::lock_guard<std::mutex> logsLock(logsMutex);
  const auto [first, last] = openLogs.equal_range(database);
  for (auto it = first; it != last; ++it) {
    LayeredFile& log = *it->second;
    std::lock_guard<std::mutex> lock(log.mutex);
    if (!log.gathered.empty()) {
      madeAtBarrier.fetch_add(1, std::memory_order_relaxed);
      if (const int rc = log.writeGathered(); rc != SQLITE_OK) {
        log.unreported = rc;  // the log's next write, read or sync fails with it
      }
    }
  }
}

// A call of a file's method passed to the file below (`pass`), or passed once the log's
// gathered writes are out (`afterWritingOut`).
template <auto Method>
struct Down;
template <typename Result, typename... Args,
          Result (*sqlite3_io_methods::*Method)(sqlite3_file*, Args...)>
struct Down<Method> {
  static Result pass(sqlite3_file* f, Args... args) {
    return (below(f)->pMethods->*Method)(below(f), args...);
  }
  static Result afterWritingOut(sqlite3_file* f, Args... args);
};
using Io = sqlite3_io_methods;

// --- the database: everything passed down, its barrier first writes out its logs ---

int databaseClose(sqlite3_file* f) {
  LayeredFile& file = layered(f);
  const int rc = file.below->pMethods->xClose(file.below);
  file.~LayeredFile();
  return rc;
}
void databaseShmBarrier(sqlite3_file* f) {
  writeOutLogsOf(layered(f).database);
  below(f)->pMethods->xShmBarrier(below(f));
}

const sqlite3_io_methods databaseMethods = {
    .iVersion = 3,
    .xClose = databaseClose,
    .xRead = Down<&Io::xRead>::pass,
    .xWrite = Down<&Io::xWrite>::pass,
    .xTruncate = Down<&Io::xTruncate>::pass,
    .xSync = Down<&Io::xSync>::pass,
    .xFileSize = Down<&Io::xFileSize>::pass,
    .xLock = Down<&Io::xLock>::pass,
    .xUnlock = Down<&Io::xUnlock>::pass,
    .xCheckReservedLock = Down<&Io::xCheckReservedLock>::pass,
    .xFileControl = Down<&Io::xFileControl>::pass,
    .xSectorSize = Down<&Io::xSectorSize>::pass,
    .xDeviceCharacteristics = Down<&Io::xDeviceCharacteristics>::pass,
    .xShmMap = Down<&Io::xShmMap>::pass,
    .xShmLock = Down<&Io::xShmLock>::pass,
    .xShmBarrier = databaseShmBarrier,
    .xShmUnmap = Down<&Io::xShmUnmap>::pass,
    .xFetch = Down<&Io::xFetch>::pass,
    .xUnfetch = Down<&Io::xUnfetch>::pass,
};

// --- the log: writes gathered; anything else writes them out first ---

int logClose(sqlite3_file* f) {
  LayeredFile& log = layered(f);
  {
    std::lock_guard<std::mutex> logsLock(logsMutex);
    const auto [first, last] = openLogs.equal_range(log.database);
    for (auto it = first; it != last; ++it) {
      if (it->second == &log) {
        openLogs.erase(it);
        break;
      }
    }
  }
  int rc = SQLITE_OK;
  {
    std::lock_guard<std::mutex> lock(log.mutex);
    rc = log.writeGathered();
  }
  const int closed = log.below->pMethods->xClose(log.below);
  log.~LayeredFile();
  return rc != SQLITE_OK ? rc : closed;
}

int logWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  LayeredFile& log = layered(f);
  asked.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(log.mutex);
  const auto size = static_cast<std::size_t>(amount);
  if (offset == 0) {
    log.appendedTo = 0;  // the log's header: a new generation of frames starts
  }
  if (offset < log.appendedTo) {  // a rewrite: straight down, after what is gathered
    if (const int rc = log.writeGathered(); rc != SQLITE_OK) {
      return rc;
    }
    made.fetch_add(1, std::memory_order_relaxed);
    return log.below->pMethods->xWrite(log.below, data, amount, offset);
  }
  log.appendedTo = offset + amount;
  if (!log.gathered.empty() &&
      (offset != log.start + static_cast<sqlite3_int64>(log.gathered.size()) ||
       log.gathered.size() + size > kLargestWrite)) {
    if (const int rc = log.writeGathered(); rc != SQLITE_OK) {
      return rc;
    }
  }
  if (size > kLargestWrite) {  // never for a frame (pages are at most 64 KiB): passed down
    made.fetch_add(1, std::memory_order_relaxed);
    return log.below->pMethods->xWrite(log.below, data, amount, offset);
  }
  if (log.gathered.empty()) {
    log.start = offset;
  }
  const char* bytes = static_cast<const char*>(data);
  log.gathered.insert(log.gathered.end(), bytes, bytes + amount);
  // The page after a commit frame's header ends the commit: out it goes, and a failure fails
  // the commit.
  const bool endsCommit = log.commitFramePending;
  log.commitFramePending = false;
  if (amount == kFrameHeaderSize) {
    std::uint32_t commitSize = 0;
    std::memcpy(&commitSize, bytes + kCommitSizeOffset, sizeof commitSize);
    log.commitFramePending = commitSize != 0;
  }
  return endsCommit ? log.writeGathered() : SQLITE_OK;
}

template <typename Result, typename... Args,
          Result (*sqlite3_io_methods::*Method)(sqlite3_file*, Args...)>
Result Down<Method>::afterWritingOut(sqlite3_file* f, Args... args) {
  LayeredFile& log = layered(f);
  {
    std::lock_guard<std::mutex> lock(log.mutex);
    if (const int rc = log.writeGathered(); rc != SQLITE_OK) {
      return rc;
    }
  }
  return pass(f, args...);
}

const sqlite3_io_methods logMethods = {
    .iVersion = 3,
    .xClose = logClose,
    .xRead = Down<&Io::xRead>::afterWritingOut,
    .xWrite = logWrite,
    .xTruncate = Down<&Io::xTruncate>::afterWritingOut,
    .xSync = Down<&Io::xSync>::afterWritingOut,
    .xFileSize = Down<&Io::xFileSize>::afterWritingOut,
    .xLock = Down<&Io::xLock>::pass,
    .xUnlock = Down<&Io::xUnlock>::pass,
    .xCheckReservedLock = Down<&Io::xCheckReservedLock>::pass,
    .xFileControl = Down<&Io::xFileControl>::afterWritingOut,
    .xSectorSize = Down<&Io::xSectorSize>::pass,
    .xDeviceCharacteristics = Down<&Io::xDeviceCharacteristics>::pass,
    .xShmMap = Down<&Io::xShmMap>::pass,
    .xShmLock = Down<&Io::xShmLock>::pass,
    .xShmBarrier = Down<&Io::xShmBarrier>::pass,
    .xShmUnmap = Down<&Io::xShmUnmap>::pass,
    .xFetch = Down<&Io::xFetch>::pass,
    .xUnfetch = Down<&Io::xUnfetch>::pass,
};

constexpr std::size_t kBelowOffset = (sizeof(LayeredFile) + alignof(std::max_align_t) - 1) /
                                     alignof(std::max_align_t) * alignof(std::max_align_t);

int layeredOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* outFlags) {
  const bool isLog = (flags & SQLITE_OPEN_WAL) != 0;
  const bool isDatabase = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  if ((!isLog && !isDatabase) || name == nullptr) {
    // Anything else (a temporary file, a journal) is the default VFS's file, in place.
    return base->xOpen(base, name, f, flags, outFlags);
  }
  auto* file = new (f) LayeredFile;
  file->file.pMethods = nullptr;  // until the file below is open: no xClose on a failure
  file->below = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kBelowOffset);
  file->database = name;
  if (isLog && file->database.size() > 4) {
    file->database.resize(file->database.size() - 4);  // "-wal"
  }
  const int rc = base->xOpen(base, name, file->below, flags, outFlags);
  if (rc != SQLITE_OK || file->below->pMethods == nullptr || file->below->pMethods->iVersion < 3) {
    if (file->below->pMethods != nullptr) {
      file->below->pMethods->xClose(file->below);
    }
    file->~LayeredFile();
    return rc != SQLITE_OK ? rc : base->xOpen(base, name, f, flags, outFlags);
  }
  if (isLog) {
    std::lock_guard<std::mutex> logsLock(logsMutex);
    openLogs.emplace(file->database, file);
  }
  file->file.pMethods = isLog ? &logMethods : &databaseMethods;
  return SQLITE_OK;
}

constexpr const char* kName = "prober-wal-batching";

}  // namespace

const char* walWriteBatchingVfs() {
  static const bool registered = [] {
    sqlite3_initialize();
    base = sqlite3_vfs_find(nullptr);
    // The default VFS's own calls for everything but opening a file (they read nothing of
    // the VFS they are given but what is copied here).
    static sqlite3_vfs vfs = *base;
    vfs.pNext = nullptr;
    vfs.szOsFile = static_cast<int>(kBelowOffset) + base->szOsFile;
    vfs.zName = kName;
    vfs.xOpen = layeredOpen;
    return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
  }();
  return registered ? kName : nullptr;  // nullptr: the default VFS
}

WalWriteCounts walWriteCounts() {
  return {asked.load(), made.load(), madeAtBarrier.load()};
}

}  // namespace prober
