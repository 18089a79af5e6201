#pragma once
// A history.db in a temporary directory of its own, its writer open (retention ten years, so
// nothing a test writes is pruned), removed afterwards.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "history/history.h"

namespace prober::testing {

struct TempHistory {
  explicit TempHistory(const std::string& name)
      : dir(std::filesystem::temp_directory_path() /
            ("prober-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::string error;
    writer = HistoryWriter::open(dir.string(), std::chrono::hours(24 * 3660), error);
    REQUIRE_MESSAGE(writer, error);
  }
  ~TempHistory() {
    writer.reset();
    std::filesystem::remove_all(dir);
  }
  // A reader once everything added so far is written.
  std::unique_ptr<HistoryReader> reader() {
    writer->flush();
    std::string error;
    auto opened = HistoryReader::open(dir.string(), error);
    REQUIRE_MESSAGE(opened, error);
    return opened;
  }

  std::filesystem::path dir;
  std::unique_ptr<HistoryWriter> writer;
};

}  // namespace prober::testing
