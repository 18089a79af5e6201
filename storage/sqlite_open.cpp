#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/sqlite_statement.h"
#include "storage/wal_write_batching.h"

namespace prober {

void configureSqliteGlobally() {
  // SQLITE_MISUSE after sqlite3_initialize (a second call): the first setting stands.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

bool execSql(sqlite3* db, const char* sql, std::string& error) {
  char* failure = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &failure) != SQLITE_OK) {
    error = failure != nullptr ? failure : "unknown error";
    sqlite3_free(failure);
    return false;
  }
  return true;
}

namespace {

// The state store keeps the settings each page was queued with (a routing key, a webhook URL):
// its files are its owner's alone. The database is made so before SQLite opens it, since SQLite
// gives its write-ahead log and shared-memory files the database's mode; one made by an older
// version (or under a looser umask) is narrowed, with whatever files it has beside it. A file
// that cannot be narrowed (owned by another user on a shared volume) is used as it is, with a
// warning: a daemon that refused to start would page nobody.
bool restrictToOwner(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return false;
  }
  struct stat status {};
  const bool ownerOnly = ::fstat(fd, &status) == 0 && (status.st_mode & 077) == 0;
  const bool narrowed = ownerOnly || ::fchmod(fd, 0600) == 0;
  const int chmodErrno = errno;
  ::close(fd);
  if (!narrowed) {
    spdlog::warn(
        "{} is readable by others than its owner and cannot be narrowed ({}): it holds "
        "notifier settings; make it mode 0600",
        path, std::strerror(chmodErrno));
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string beside = path + suffix;
    if (::chmod(beside.c_str(), 0600) != 0 && errno != ENOENT) {
      spdlog::warn("cannot make {} private: {}", beside, std::strerror(errno));
    }
  }
  return true;
}

// A state_dir that takes no writes would lose alert state silently: find out before starting.
// A block is written and synced, so a full disk answers too, not only a read-only one.
bool checkWritable(const std::string& dir, std::string& error) {
  const std::string probe = (std::filesystem::path(dir) / ".write-check").string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = fmt::format("state_dir {} is not writable: {}", dir, std::strerror(errno));
    return false;
  }
  const std::string block(4096, '\0');
  const bool written =
      ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size());
  const int writeErrno = errno;
  const bool synced = written && ::fsync(fd) == 0;
  const int syncErrno = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!written || !synced) {
    error = fmt::format("state_dir {} is not writable: {}", dir,
                        std::strerror(written ? syncErrno : writeErrno));
    return false;
  }
  return true;
}

}  // namespace

const char* synchronousPragma(Durability durability) {
  return durability == Durability::Durable ? "PRAGMA synchronous=FULL;"
                                           : "PRAGMA synchronous=NORMAL;";
}

sqlite3* openStateDatabase(const std::string& dir, const std::string& file, const char* schema,
                           Durability durability, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = fmt::format("cannot create state_dir {}: {}", dir, ec.message());
    return nullptr;
  }
  if (!checkWritable(dir, error)) {
    return nullptr;
  }
  const std::string path = (std::filesystem::path(dir) / file).string();
  if (!restrictToOwner(path, error)) {
    return nullptr;
  }
  // A store synced at checkpoints only (the history, a commit a second of hundreds of runs)
  // hands each commit's log frames to the kernel in one write; one synced at every commit (the
  // alert store, a few small commits) is left on the default VFS.
  const char* vfs = durability == Durability::Fast ? walWriteBatchingVfs() : nullptr;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      vfs) != SQLITE_OK) {
    error = fmt::format("cannot open {}: {}", path,
                        db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 2000);
  // WAL: readers on other connections never wait for the writer, and a committed transaction
  // survives the process being killed; a power loss too only when synced at commit (FULL).
  if (!execSql(db, "PRAGMA journal_mode=WAL;", error) ||
      !execSql(db, synchronousPragma(durability), error) || !execSql(db, schema, error)) {
    error = fmt::format("cannot prepare {}: {}", path, error);
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

}  // namespace prober
