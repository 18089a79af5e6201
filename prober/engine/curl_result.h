#pragma once
// What a finished transfer yields: its ProbeResult, read from the curl handle (status, phases as
// blackbox_exporter draws them, the TLS it saw, and why it failed, in words).
#include <curl/curl.h>

#include "prober/engine/curl_transfer.h"

namespace prober {

// Fills transfer.result; call before the handle leaves the multi (its info is read from it).
void readResult(Transfer& transfer, CURLcode code);

}  // namespace prober
