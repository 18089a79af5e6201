#pragma once
// SQLite for the state directory, shared by the alert store and the history: opening a
// database and a prepared statement that finalizes itself.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/durability.h"

namespace prober {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return statement_ != nullptr; }
  sqlite3_stmt* get() const { return statement_; }
  void bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.c_str(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  // Without a copy: `text` must stay as it is until the statement has been stepped with it
  // and then bound again or cleared (clearBindings).
  void bindUnowned(int index, std::string_view text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  void bind(int index, double value) { sqlite3_bind_double(statement_, index, value); }
  int step() { return sqlite3_step(statement_); }
  // Ready for the next set of values (bindings are overwritten one by one).
  void reset() { sqlite3_reset(statement_); }
  void clearBindings() { sqlite3_clear_bindings(statement_); }
  std::string text(int column) const {
    const auto* data = sqlite3_column_text(statement_, column);
    return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  double real(int column) const { return sqlite3_column_double(statement_, column); }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// Opens (creating) DIR/FILE in WAL mode with `schema` applied, its files readable and writable
// by their owner only (0600); nullptr with `error` saying which file and why when it cannot.
// The caller closes it.
sqlite3* openStateDatabase(const std::string& dir, const std::string& file, const char* schema,
                           Durability durability, std::string& error);
// The PRAGMA `durability` sets (tests read it back).
const char* synchronousPragma(Durability durability);

// Process-wide SQLite settings; call from main before any database is opened. SQLite then
// keeps no memory statistics (nothing here reads them), so its allocations take no global lock:
// the history writes a dozen of them a run.
void configureSqliteGlobally();

// Runs SQL without results; false with `error` set when it fails.
bool execSql(sqlite3* db, const char* sql, std::string& error);

}  // namespace prober
