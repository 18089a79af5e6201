#pragma once
// The status page's filter (`?q=`): words separated by spaces, every one must match. A word is
// looked for in the check's name, URL and label values (case ignored); `state:failing` matches
// the check's state (passing, failing, degraded, silenced, suppressed, pending); `KEY:VALUE`
// matches a label whose value contains VALUE.
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_spec.h"
#include "prober/web/pages/page_parts.h"

namespace prober {

class CheckFilter {
 public:
  explicit CheckFilter(std::string_view query);
  bool empty() const { return words_.empty(); }
  bool matches(const CheckSpec& spec, ShownState state) const;

 private:
  struct Word {
    std::string key;    // "" for a plain word; "state" or a label name
    std::string value;  // lower-cased
  };
  std::vector<Word> words_;
};

}  // namespace prober
