#include "tests/simulation/lost_writes.h"

#include <algorithm>

namespace prober::simulation {

LostWrites::LostWrites(const RecordReading& reading) : reading_(reading) {
  for (const std::int64_t kill : reading.record.kills) {
    for (const auto& [from, to] : reading.record.diskRefused) {
      if (from <= kill && kill < to) {
        spans_.push_back(Span{from, kill});
      }
    }
  }
}

std::optional<LostWrites::Span> LostWrites::decidedIn(const Chain& chain) const {
  std::int64_t earliest = chain.firstAt;
  if (chain.eventWallMs >= 0) {
    earliest = std::min(earliest, reading_.decidedAt(chain).earliest - kPageSlackMs);
  }
  for (const Span& lost : spans_) {
    if (earliest <= lost.to && lost.from <= chain.firstAt) {
      return lost;
    }
  }
  return std::nullopt;
}

bool LostWrites::covers(std::int64_t at) const {
  return std::any_of(spans_.begin(), spans_.end(),
                     [&](const Span& lost) { return lost.from <= at && at <= lost.to; });
}

void LostWrites::readPastReplays(Chains& all) const {
  for (const Span& span : spans_) {
    for (auto& [key, list] : all) {
      std::vector<std::size_t> takenThen;  // answered as done while the writes were lost
      std::size_t next = list.size();      // the first request after the kill
      for (std::size_t i = 0; i < list.size(); ++i) {
        // The daemon is told a request was taken up to a second after it was posted.
        if (span.from - kAnswerMs <= list[i].finishedAt && list[i].finishedAt <= span.to) {
          takenThen.push_back(i);
        }
        // A restart may come at the kill's own millisecond: its posts are after the kill.
        if (next == list.size() && list[i].firstAt >= span.to) {
          next = i;
        }
      }
      std::size_t match = 0;
      std::vector<std::size_t> replays;
      for (std::size_t i = next; i < list.size() && match < takenThen.size(); ++i) {
        while (match < takenThen.size() && list[takenThen[match]].body != list[i].body) {
          ++match;
        }
        if (match == takenThen.size()) {
          break;
        }
        replays.push_back(i);
        ++match;
      }
      for (auto it = replays.rbegin(); it != replays.rend(); ++it) {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(*it));
      }
    }
  }
}

}  // namespace prober::simulation
