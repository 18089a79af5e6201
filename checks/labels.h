#pragma once
// A check's labels: one immutable map shared by every check that has the same ones (a config of
// 100,000 checks holds a few hundred label sets), so a check pays for a pointer, not a map.
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>

#include "checks/shared_value.h"

namespace prober {

class Labels {
 public:
  using Map = std::map<std::string, std::string>;

  Labels() = default;
  Labels(Map map)  // NOLINT(google-explicit-constructor): labels read like the map they hold
      : map_(map.empty() ? SharedValue<Map>() : SharedValue<Map>(std::move(map))) {}
  Labels(std::initializer_list<Map::value_type> labels) : Labels(Map(labels)) {}

  const Map& map() const { return *map_; }
  operator const Map&() const { return map(); }  // NOLINT(google-explicit-constructor)

  Map::const_iterator begin() const { return map().begin(); }
  Map::const_iterator end() const { return map().end(); }
  Map::const_iterator find(const std::string& key) const { return map().find(key); }
  const std::string& at(const std::string& key) const { return map().at(key); }
  std::size_t count(const std::string& key) const { return map().count(key); }
  bool empty() const { return map().empty(); }
  std::size_t size() const { return map().size(); }

  bool operator==(const Labels& other) const { return map_ == other.map_; }

 private:
  SharedValue<Map> map_;  // none held when there are no labels
};

// Hands out one shared Labels per distinct set (the config loader keeps one while it reads).
class LabelSets {
 public:
  Labels intern(Labels::Map labels) {
    if (labels.empty()) {
      return {};
    }
    const auto found = sets_.find(labels);
    if (found != sets_.end()) {
      return found->second;
    }
    Labels shared(labels);
    sets_.emplace(std::move(labels), shared);
    return shared;
  }

 private:
  std::map<Labels::Map, Labels> sets_;
};

}  // namespace prober
