#include "alerting/holds/page_holds.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "alerting/alert_event.h"
#include "alerting/holds/maintenance.h"
#include "checks/json_text.h"

namespace prober {

bool PageHolds::load(std::chrono::system_clock::time_point now, std::string& error) {
  ++changes_;
  silences_.clear();
  const auto rows = store_.loadSilences(toMillis(now), error);
  for (const auto& [id, text] : rows) {
    boost::system::error_code ec;
    const auto json = boost::json::parse(text, ec);
    auto silence = ec ? std::nullopt : silenceFromJson(json);
    if (!silence) {
      error = fmt::format("state store: silence {} is damaged; skipped", id);
      continue;
    }
    silence->id = id;
    silences_.push_back(std::move(*silence));
  }
  return error.empty();
}

std::vector<Silence> PageHolds::silences(std::chrono::system_clock::time_point now) const {
  std::vector<Silence> out;
  for (const Silence& silence : silences_) {
    if (silence.endsAt > now) {
      out.push_back(silence);
    }
  }
  return out;
}

std::optional<Silence> PageHolds::add(Silence silence, std::string& error) {
  silence.id = 0;
  const std::int64_t id =
      store_.addSilence(toJsonText(toJson(silence)), toMillis(silence.endsAt), error);
  if (id == 0) {
    return std::nullopt;
  }
  silence.id = id;  // the row's key: load() gives it back
  silences_.push_back(silence);
  ++changes_;
  return silence;
}

PageHolds::Removal PageHolds::remove(std::int64_t id, std::string& error) {
  const auto it = std::find_if(silences_.begin(), silences_.end(),
                               [id](const Silence& silence) { return silence.id == id; });
  if (it == silences_.end()) {
    return Removal::NotFound;
  }
  if (!store_.removeSilence(id, error)) {
    return Removal::Failed;
  }
  silences_.erase(it);
  ++changes_;
  return Removal::Removed;
}

const std::vector<PageHolds::Open>& PageHolds::openWindows(
    std::chrono::system_clock::time_point now) const {
  const auto second = std::chrono::floor<std::chrono::seconds>(now);
  if (openAt_ != second) {
    open_.clear();
    for (const MaintenanceSpec& window : windows_) {
      // Open for the whole second: judged at its start, so no window is open past its end.
      if (const auto open = openWindowAt(window, second)) {
        open_.push_back(Open{&window, open->end});
      }
    }
    openAt_ = second;
  }
  return open_;
}

std::optional<PageHold> PageHolds::silencedBy(const CheckSpec& spec,
                                              std::chrono::system_clock::time_point now) const {
  std::optional<PageHold> hold;
  const auto consider = [&hold](PageHold candidate) {
    if (!hold || *candidate.until > *hold->until) {
      hold = std::move(candidate);
    }
  };
  for (const Open& open : openWindows(now)) {
    if (coversCheck(open.window->checks, open.window->labels, spec)) {
      consider(
          PageHold{PageHold::Cause::Maintenance,
                   fmt::format("maintenance {} until {}", open.window->name, readableUtc(open.end)),
                   open.end});
    }
  }
  for (const Silence& silence : silences_) {
    // Every silence starts when it is made: a wall clock stepped back since must not leave a
    // hole before its start through which a page goes out.
    if (now < silence.endsAt && coversCheck(silence.checks, silence.labels, spec)) {
      std::string reason = fmt::format("silence {}{} until {}", silence.id,
                                       silence.createdBy.empty() ? "" : " by " + silence.createdBy,
                                       readableUtc(silence.endsAt));
      if (!silence.comment.empty()) {
        reason += ": " + silence.comment;
      }
      consider(PageHold{PageHold::Cause::Silence, std::move(reason), silence.endsAt});
    }
  }
  return hold;
}

bool PageHolds::mayCover(const CheckSpec& spec, std::chrono::system_clock::time_point now) const {
  for (const MaintenanceSpec& window : windows_) {
    if (coversCheck(window.checks, window.labels, spec)) {
      return true;
    }
  }
  for (const Silence& silence : silences_) {
    if (now < silence.endsAt && coversCheck(silence.checks, silence.labels, spec)) {
      return true;
    }
  }
  return false;
}

}  // namespace prober
