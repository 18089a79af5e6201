#pragma once
// A disk that refuses writes on demand: an SQLite VFS wrapped around the default one, installed
// as the default, that answers SQLITE_FULL to every write and truncate of the alert store
// (prober.db and its WAL) while refusing() is set. The daemon sees what a full disk shows it.
namespace prober::simulation {

class FaultyDisk {
 public:
  // Installs the wrapper as SQLite's default VFS (once per process; later calls do nothing).
  static void install();
  static void refuse(bool on);
  static bool refusing();
};

}  // namespace prober::simulation
