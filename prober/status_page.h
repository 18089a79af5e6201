#pragma once
// The human view at GET /: every check, its state, last latency, last failure, recent runs.
#include <string>
#include <vector>

#include "prober/check_state.h"

namespace prober {

std::string renderStatusPage(const std::vector<const CheckState*>& checks);
std::string escapeHtml(std::string_view text);

}  // namespace prober
