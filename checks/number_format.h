#pragma once
// Numbers as people write them (SPEC §9): "24.99", "41.7", "10", "0.000968", never "2.499E1".
// Every output that shows a number, JSON included, writes it through here.
#include <string>

namespace prober {

// The shortest decimal that reads back as `value`, without an exponent unless the number is
// astronomically large or small (then "1.5e+300"). Not-a-number and infinities: "NaN", "+Inf",
// "-Inf" (JSON writes them as null).
std::string formatNumber(double value);

// `value` rounded to `significantDigits` digits, then written as formatNumber does:
// (41.73456, 4) -> "41.73", (0.00000001234, 2) -> "0.000000012".
std::string formatNumber(double value, int significantDigits);

}  // namespace prober
