// Durations and sizes as written in the config.
#include <doctest/doctest.h>

#include "checks/duration.h"

using prober::Millis;

TEST_CASE("durations parse with every unit") {
  CHECK(prober::parseDuration("250ms") == Millis(250));
  CHECK(prober::parseDuration("15s") == Millis(15'000));
  CHECK(prober::parseDuration("5m") == Millis(300'000));
  CHECK(prober::parseDuration("2h") == Millis(7'200'000));
  CHECK(prober::parseDuration("14d") == Millis(14LL * 86'400'000));
  CHECK(prober::parseDuration("0s") == Millis(0));
}

TEST_CASE("malformed durations are refused") {
  for (const char* text : {"", "15", "s", "1.5s", "-1s", "15 s", "15sec", "10S", "1e3ms",
                           "99999999999999999999s", "1000000000d"}) {
    CAPTURE(text);
    CHECK_FALSE(prober::parseDuration(text).has_value());
  }
}

TEST_CASE("durations format in their shortest exact form") {
  CHECK(prober::formatDuration(Millis(1500)) == "1500ms");
  CHECK(prober::formatDuration(Millis(60'000)) == "1m");
  CHECK(prober::formatDuration(Millis(5'000)) == "5s");
  CHECK(prober::formatDuration(Millis(86'400'000)) == "1d");
  CHECK(prober::formatDuration(Millis(0)) == "0s");
}

TEST_CASE("seconds format for people") {
  CHECK(prober::formatSeconds(0.0417) == "41.7ms");
  CHECK(prober::formatSeconds(2.5) == "2.5s");
  CHECK(prober::formatSeconds(90061) == "1d1h");
  CHECK(prober::formatSeconds(3720) == "1h2m");
  CHECK(prober::formatSeconds(150) == "2m30s");
}

TEST_CASE("byte sizes parse and format") {
  CHECK(prober::parseByteSize("1MiB") == 1024u * 1024u);
  CHECK(prober::parseByteSize("512KiB") == 512u * 1024u);
  CHECK(prober::parseByteSize("10KB") == 10'000u);
  CHECK(prober::parseByteSize("42") == 42u);
  CHECK(prober::parseByteSize("42B") == 42u);
  CHECK_FALSE(prober::parseByteSize("1.5MiB").has_value());
  CHECK_FALSE(prober::parseByteSize("1TB").has_value());
  CHECK_FALSE(prober::parseByteSize("").has_value());
  CHECK(prober::formatByteSize(1024 * 1024) == "1MiB");
  CHECK(prober::formatByteSize(1000) == "1000B");
  CHECK(prober::formatByteSize(2048) == "2KiB");
}
