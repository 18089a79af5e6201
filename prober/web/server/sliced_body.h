#pragma once
// A body written from many items a slice at a time, so that a page or a list over a million
// checks never holds the event loop for more than one slice: the server sends each slice's text
// (or, for a slice that only counted, comes back on a later turn of the loop) before it asks
// for the next.
#include <cstddef>
#include <functional>
#include <string>

#include "prober/web/server/http_server.h"

namespace prober {

struct SliceLimits {
  std::size_t items = 2048;       // items a slice at most
  std::size_t bytes = 64 * 1024;  // a slice ends once its text is this long
};

// `head` starts the body; `each(out, i)` appends what item i adds (or nothing, when it only
// counts), for i from 0 to count - 1 in order; `end(out)` appends what closes the body, once
// every item is seen. The caller keeps what the items are alive in `each` (a shared list).
BodySource writtenInSlices(std::string head, std::size_t count,
                           std::function<void(std::string& out, std::size_t index)> each,
                           std::function<void(std::string& out)> end, SliceLimits limits = {});

// A JSON array over `count` items, item i's JSON text from `item(i)`, after `head` (which opens
// the array, and whatever holds it) and before `tail`.
BodySource jsonArrayInSlices(std::string head, std::size_t count,
                             std::function<std::string(std::size_t index)> item, std::string tail);

}  // namespace prober
