#pragma once
// A SQLite VFS over the system's default one that hands a transaction's write-ahead-log frames
// to the kernel in one write instead of two a frame (SQLite writes each frame's 24-byte header
// and its page separately). The history commits a batch of runs every second, and the index it
// keeps per check puts most runs on a page of their own: two system calls a run, about a tenth
// of what a probe costs in all (bench/RESULTS.md, "Y").
//
// What is gathered goes to the file once the commit frame is complete, before SQLite makes the
// commit visible to readers, so the file holds exactly what it would without this layer by the
// time any connection may read it; a failed write fails the commit as it would have. A read,
// sync, truncate or size of the log, and any barrier on the database's shared memory (which
// precedes every publication of a commit), first write what is gathered, so nothing depends on
// spotting the commit frame. Only the log is touched; the database file, its shared memory and
// every other file go straight to the default VFS.
#include <cstdint>

namespace prober {

// The VFS's name for sqlite3_open_v2, registered on first use (not as the default).
const char* walWriteBatchingVfs();

// What the VFS did since the process started, for tests: log writes SQLite asked for, writes
// it made, and the writes a shared-memory barrier had to make (none when every commit frame
// was spotted).
struct WalWriteCounts {
  std::uint64_t asked = 0;
  std::uint64_t made = 0;
  std::uint64_t madeAtBarrier = 0;
};
WalWriteCounts walWriteCounts();

}  // namespace prober
