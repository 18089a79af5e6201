#include "tests/simulation/lost_writes.h"

#include <algorithm>

namespace prober::simulation {

LostWrites::LostWrites(const RecordReading& reading) : reading_(reading) {
  // Writes wait from the disk's last refusal before the kill (while it refused, or while the
  // backlog drained after it).
  for (const std::int64_t kill : reading.record.killsWithWritesWaiting) {
    std::optional<std::int64_t> since;
    for (const auto& [from, to] : reading.record.diskRefused) {
      if (from <= kill) {
        since = from;
      }
    }
    if (since) {
      spans_.push_back(Span{*since, kill});
    }
  }
}

std::optional<LostWrites::Span> LostWrites::decidedIn(const Chain& chain) const {
  for (const Span& lost : spans_) {
    // First posted between the refusal and the kill (one decided then and not posted by the
    // kill left no post at all), and possibly decided after the refusal began: one decided
    // before was stored.
    const bool postedThen = lost.from <= chain.firstAt && chain.firstAt <= lost.to;
    const bool decidedThen =
        chain.eventWallMs < 0 || reading_.decidedAt(chain).latest + kPageSlackMs >= lost.from;
    if (postedThen && decidedThen) {
      return lost;
    }
  }
  return std::nullopt;
}

std::optional<LostWrites::Span> LostWrites::spanOf(std::int64_t at) const {
  for (const Span& lost : spans_) {
    if (lost.from <= at && at <= lost.to) {
      return lost;
    }
  }
  return std::nullopt;
}

void LostWrites::readPastReplays(Chains& all) const {
  for (const Span& span : spans_) {
    for (auto& [key, list] : all) {
      std::vector<std::size_t> takenThen;  // answered as done while the writes were lost
      std::size_t next = list.size();      // the first request after the kill
      for (std::size_t i = 0; i < list.size(); ++i) {
        // The daemon is told a request was taken up to a second after it was posted.
        // Only what was stored can be sent again: decided before the refusal began.
        const bool storedBefore =
            list[i].eventWallMs < 0 || reading_.decidedAt(list[i]).earliest < span.from;
        if (storedBefore && span.from - kAnswerMs <= list[i].finishedAt &&
            list[i].finishedAt <= span.to) {
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
