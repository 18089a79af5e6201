#pragma once
// The history database's tables, and bringing a database written by an earlier version up to
// them (the phase columns of runs, the hourly counts).
#include <optional>
#include <string>

struct sqlite3;

namespace prober {

extern const char* const kHistorySchema;

// Adds what an older history.db lacks; fills the hourly counts from the runs already there.
// False with `error` set when it cannot.
bool migrateHistory(sqlite3* db, std::string& error);

// The meta table (location, counts_from_ms, counts_trimmed_ms): one value set, or read back
// (nullopt when there is none, or no meta table: a history from before it existed).
bool writeHistoryMeta(sqlite3* db, const std::string& key, const std::string& value,
                      std::string& error);
std::optional<std::string> readHistoryMeta(sqlite3* db, const std::string& key);

}  // namespace prober
