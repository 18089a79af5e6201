#pragma once
// The history database's tables, and bringing a database written by an earlier version up to
// them (the phase columns of runs, the hourly counts).
#include <string>

struct sqlite3;

namespace prober {

extern const char* const kHistorySchema;

// Adds what an older history.db lacks; fills the hourly counts from the runs already there.
// False with `error` set when it cannot.
bool migrateHistory(sqlite3* db, std::string& error);

}  // namespace prober
