#include "tests/simulation/faulty_disk.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace prober::simulation {

namespace {

std::atomic<bool> refusing_{false};
sqlite3_vfs* base_ = nullptr;
sqlite3_vfs wrapper_;
sqlite3_io_methods methods_;

// Our file in front, the default VFS's file right behind it in the same allocation.
struct File {
  sqlite3_file head;
  bool guarded;  // the alert store: the disk refuses its writes
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
File* of(sqlite3_file* file) {
  return reinterpret_cast<File*>(file);
}
bool refused(sqlite3_file* file) {
  return of(file)->guarded && refusing_.load();
}

int closeFile(sqlite3_file* f) {
  return of(f)->real()->pMethods->xClose(of(f)->real());
}
int readFile(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return of(f)->real()->pMethods->xRead(of(f)->real(), buffer, amount, offset);
}
int writeFile(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (refused(f)) {
    return SQLITE_FULL;
  }
  return of(f)->real()->pMethods->xWrite(of(f)->real(), buffer, amount, offset);
}
int truncateFile(sqlite3_file* f, sqlite3_int64 size) {
  if (refused(f)) {
    return SQLITE_FULL;
  }
  return of(f)->real()->pMethods->xTruncate(of(f)->real(), size);
}
int syncFile(sqlite3_file* f, int flags) {
  return of(f)->real()->pMethods->xSync(of(f)->real(), flags);
}
int fileSize(sqlite3_file* f, sqlite3_int64* size) {
  return of(f)->real()->pMethods->xFileSize(of(f)->real(), size);
}
int lockFile(sqlite3_file* f, int level) {
  return of(f)->real()->pMethods->xLock(of(f)->real(), level);
}
int unlockFile(sqlite3_file* f, int level) {
  return of(f)->real()->pMethods->xUnlock(of(f)->real(), level);
}
int checkLock(sqlite3_file* f, int* out) {
  return of(f)->real()->pMethods->xCheckReservedLock(of(f)->real(), out);
}
int control(sqlite3_file* f, int op, void* arg) {
  return of(f)->real()->pMethods->xFileControl(of(f)->real(), op, arg);
}
int sectorSize(sqlite3_file* f) {
  return of(f)->real()->pMethods->xSectorSize(of(f)->real());
}
int deviceFlags(sqlite3_file* f) {
  return of(f)->real()->pMethods->xDeviceCharacteristics(of(f)->real());
}
int shmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return of(f)->real()->pMethods->xShmMap(of(f)->real(), region, size, extend, out);
}
int shmLock(sqlite3_file* f, int offset, int n, int flags) {
  return of(f)->real()->pMethods->xShmLock(of(f)->real(), offset, n, flags);
}
void shmBarrier(sqlite3_file* f) {
  of(f)->real()->pMethods->xShmBarrier(of(f)->real());
}
int shmUnmap(sqlite3_file* f, int deleteFlag) {
  return of(f)->real()->pMethods->xShmUnmap(of(f)->real(), deleteFlag);
}

int openFile(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
  File* ours = of(file);
  ours->head.pMethods = nullptr;
  ours->guarded = name != nullptr && std::strstr(name, "prober.db") != nullptr;
  const int rc = base_->xOpen(base_, name, ours->real(), flags, outFlags);
  if (rc == SQLITE_OK && ours->real()->pMethods != nullptr) {
    ours->head.pMethods = &methods_;
  }
  return rc;
}
int deleteFile(sqlite3_vfs*, const char* name, int syncDir) {
  return base_->xDelete(base_, name, syncDir);
}
int access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_->xAccess(base_, name, flags, out);
}
int fullPath(sqlite3_vfs*, const char* name, int size, char* out) {
  return base_->xFullPathname(base_, name, size, out);
}
void* dlOpen(sqlite3_vfs*, const char* name) {
  return base_->xDlOpen(base_, name);
}
void dlError(sqlite3_vfs*, int size, char* out) {
  base_->xDlError(base_, size, out);
}
void (*dlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return base_->xDlSym(base_, handle, symbol);
}
void dlClose(sqlite3_vfs*, void* handle) {
  base_->xDlClose(base_, handle);
}
int randomness(sqlite3_vfs*, int size, char* out) {
  return base_->xRandomness(base_, size, out);
}
int sleepFor(sqlite3_vfs*, int micros) {
  return base_->xSleep(base_, micros);
}
int currentTime(sqlite3_vfs*, double* out) {
  return base_->xCurrentTime(base_, out);
}
int lastError(sqlite3_vfs*, int size, char* out) {
  return base_->xGetLastError(base_, size, out);
}
int currentTime64(sqlite3_vfs*, sqlite3_int64* out) {
  return base_->xCurrentTimeInt64(base_, out);
}

}  // namespace

void FaultyDisk::install() {
  if (base_ != nullptr) {
    return;
  }
  base_ = sqlite3_vfs_find(nullptr);
  methods_ = sqlite3_io_methods{2,         closeFile,  readFile,   writeFile,    truncateFile,
                                syncFile,  fileSize,   lockFile,   unlockFile,   checkLock,
                                control,   sectorSize, deviceFlags, shmMap,      shmLock,
                                shmBarrier, shmUnmap,  nullptr,    nullptr};
  std::memset(&wrapper_, 0, sizeof(wrapper_));
  wrapper_.iVersion = 2;
  wrapper_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
  wrapper_.mxPathname = base_->mxPathname;
  wrapper_.zName = "faulty-disk";
  wrapper_.xOpen = openFile;
  wrapper_.xDelete = deleteFile;
  wrapper_.xAccess = access;
  wrapper_.xFullPathname = fullPath;
  wrapper_.xDlOpen = dlOpen;
  wrapper_.xDlError = dlError;
  wrapper_.xDlSym = dlSym;
  wrapper_.xDlClose = dlClose;
  wrapper_.xRandomness = randomness;
  wrapper_.xSleep = sleepFor;
  wrapper_.xCurrentTime = currentTime;
  wrapper_.xGetLastError = lastError;
  wrapper_.xCurrentTimeInt64 = currentTime64;
  sqlite3_vfs_register(&wrapper_, 1);
}

void FaultyDisk::refuse(bool on) {
  refusing_ = on;
}

bool FaultyDisk::refusing() {
  return refusing_.load();
}

}  // namespace prober::simulation
