#pragma once
// How the outbox reads a receiver's answer: delivered, refused for good, refused for now, and
// what it said (for the log and the history); and the post to every member of an Alertmanager
// cluster that turns their answers into one.
#include <functional>
#include <string>
#include <vector>

#include "alerting/transport.h"

namespace prober {

bool isSuccess(int status);  // 2xx

// Whether an answer refuses the request for good: the receiver's documented permanent refusal
// (PagerDuty and Alertmanager: 400, an invalid event; Slack: one of its named errors). Any other
// 3xx or 4xx (a proxy's 403, a moved URL) may pass once someone fixes it: retried, for a while.
bool refusedForGood(const TransportAnswer& answer, bool slack);

// 3xx, or 4xx but 408 and 429 (which ask to come back later): the receiver, or something in
// front of it, refuses.
bool isRefusal(int status);

// What an answer said, for the log and the history: credentials of any URL in it redacted (a
// notifier's URL may carry them, and receivers and proxies quote URLs back).
std::string describeAnswer(const TransportAnswer& answer);

// Posts `request` to every member of an Alertmanager cluster, as Prometheus does; the members
// share what they receive, so one that accepts is a delivery. Otherwise the answer retries
// unless every member refused for good, and names what each said.
void postToEveryMember(Transport& transport, const OutgoingRequest& request,
                       const std::vector<std::string>& baseUrls,
                       std::function<void(TransportAnswer)> done);

}  // namespace prober
