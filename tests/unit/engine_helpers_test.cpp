// Helpers of the curl engine that need no network.
#include <doctest/doctest.h>

#include "prober/curl_engine.h"

TEST_CASE("certificate dates as curl prints them are parsed as UTC") {
  const auto expiry = prober::parseCertificateTime("Mar  5 12:00:00 2027 GMT");
  REQUIRE(expiry.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(expiry->time_since_epoch()).count() ==
        1'804'248'000);
  const auto single = prober::parseCertificateTime("Dec 31 23:59:59 2030 GMT");
  REQUIRE(single.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(single->time_since_epoch()).count() ==
        1'924'991'999);
  CHECK_FALSE(prober::parseCertificateTime("not a date").has_value());
  CHECK_FALSE(prober::parseCertificateTime("").has_value());
}
