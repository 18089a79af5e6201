#include "prober/web/server/sliced_body.h"

#include <algorithm>
#include <memory>

namespace prober {

BodySource writtenInSlices(std::string head, std::size_t count,
                           std::function<void(std::string& out, std::size_t index)> each,
                           std::function<void(std::string& out)> end, SliceLimits limits) {
  struct Progress {
    std::string head;
    std::size_t next = 0;
    bool started = false;
  };
  auto progress = std::make_shared<Progress>();
  progress->head = std::move(head);
  return [progress, count, each = std::move(each), end = std::move(end), limits](std::string& out) {
    if (!progress->started) {
      progress->started = true;
      out += progress->head;
    }
    const std::size_t before = out.size();
    const std::size_t items = std::max<std::size_t>(limits.items, 1);
    const std::size_t sliceEnd = progress->next + std::min(items, count - progress->next);
    while (progress->next < sliceEnd && out.size() - before < limits.bytes) {
      each(out, progress->next++);
    }
    if (progress->next < count) {
      return true;
    }
    end(out);
    return false;
  };
}

BodySource jsonArrayInSlices(std::string head, std::size_t count,
                             std::function<std::string(std::size_t index)> item, std::string tail) {
  return writtenInSlices(
      std::move(head), count,
      [item = std::move(item)](std::string& out, std::size_t i) {
        if (i > 0) {
          out += ',';
        }
        out += item(i);
      },
      [tail = std::move(tail)](std::string& out) { out += tail; });
}

}  // namespace prober
