// The libcurl multi socket API on Boost.Asio, under the rules in STYLE.md: one thread owns the
// CURLM; the timer callback only arms a timer (for 0 it asks for the action, which the engine
// runs once curl has returned, or posts; it never calls curl); every socket curl names is
// watched, through the SocketPoller, which never closes one, passes readiness on only while
// the socket is wanted and re-arms a direction curl still wants; stale readiness is dropped;
// finished transfers are drained after every socket action and read before their handle is
// removed.
//
// The system calls a probe costs beyond curl's own (bench/syscalls.sh counts them): one
// EPOLL_CTL_ADD a connection (socket_poller.h says why not an Asio descriptor a socket), and the
// loop's wakes, shared by whatever is ready together. An action curl asks for at once runs
// without a trip through the loop (engineDepth), since a posted one costs the loop a wake.
#include "prober/engine/curl_engine.h"

#include "prober/engine/curl_failure.h"
#include "prober/engine/curl_result.h"
#include "prober/engine/curl_transfer.h"
#include "prober/engine/socket_poller.h"
#include "prober/engine/tls_observer.h"

#include <curl/curl.h>
#include <strings.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <vector>

namespace prober {

namespace asio = boost::asio;

void initCurlGlobally() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlEngine::Impl : std::enable_shared_from_this<CurlEngine::Impl> {
  Impl(asio::io_context& io, std::size_t idleHandles, std::string userAgent)
      : io(io),
        timer(io),
        poller(io, [this](int fd, int ready) { onReady(fd, ready); }),
        idleLimit(idleHandles),
        userAgent(std::move(userAgent)) {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~Impl() {
    cancelAll();
    curl_multi_cleanup(multi);  // may still tell the poller of sockets it closes
    for (CURL* easy : idle) {
      curl_easy_cleanup(easy);
    }
  }

  asio::io_context& io;
  asio::steady_timer timer;
  SocketPoller poller;
  std::size_t idleLimit;
  std::string userAgent;
  CURLM* multi = nullptr;
  std::vector<CURL*> idle;  // each configured by configureHandle, ready for a request
  // In flight, each at its `slot`. Finished ones are kept (up to idleLimit) for the next
  // requests, and so is the list drainFinished gathers them in: a probe costs no allocation
  // for its own bookkeeping.
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<std::unique_ptr<Transfer>> spareTransfers;
  std::vector<std::unique_ptr<Transfer>> finishedList;
  bool timeoutPosted = false;
  bool timerArmed = false;  // a wait is pending on `timer`
  std::uint64_t timerArmings = 0;  // each expires_at; a wait acts only for the latest
  std::chrono::steady_clock::time_point lastWatchWarning{};  // at most one warning a minute
  // While the engine's own code is on the stack around a call into curl (start, socketAction),
  // a timeout of 0 is not posted: it sets `timeoutDue`, and that code runs the action once curl
  // has returned (runDueTimeout). A posted action waits behind the loop's next epoll_wait.
  int engineDepth = 0;
  bool timeoutDue = false;
  struct InEngine {
    explicit InEngine(int& depth) : depth(depth) { ++depth; }
    ~InEngine() { --depth; }
    InEngine(const InEngine&) = delete;
    InEngine& operator=(const InEngine&) = delete;
    int& depth;
  };
  // Finished transfers to call back on a later turn, so send() never calls back from inside
  // itself: those that failed to start, and those an action run from start() finished.
  // cancelAll drops them uncalled, like those still in flight.
  std::vector<std::unique_ptr<Transfer>> finishedLater;
  bool finishedLaterPosted = false;

  CURL* borrowHandle() {
    if (!idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      return easy;
    }
    CURL* easy = curl_easy_init();
    if (easy != nullptr) {
      configureHandle(easy, userAgent);
    }
    return easy;
  }

  // A handle whose request set only what every request sets goes back as it is; one that set
  // more (a method, a body, credentials) is reset first, so nothing of it reaches the next.
  void returnHandle(CURL* easy, bool needsReset) {
    if (idle.size() >= idleLimit) {
      curl_easy_cleanup(easy);
      return;
    }
    if (needsReset) {
      curl_easy_reset(easy);
      configureHandle(easy, userAgent);
    }
    idle.push_back(easy);
  }

  std::unique_ptr<Transfer> borrowTransfer() {
    if (spareTransfers.empty()) {
      return std::make_unique<Transfer>();
    }
    auto transfer = std::move(spareTransfers.back());
    spareTransfers.pop_back();
    return transfer;
  }

  // Called once the transfer's callback has run: what the transfer held (the callback and
  // what it keeps alive) is released now, its storage kept for a later request.
  void returnTransfer(std::unique_ptr<Transfer> transfer) {
    if (spareTransfers.size() < idleLimit) {
      *transfer = Transfer{};
      spareTransfers.push_back(std::move(transfer));
    }
  }

  void track(std::unique_ptr<Transfer> transfer) {
    transfer->slot = transfers.size();
    transfers.push_back(std::move(transfer));
  }

  // Takes a transfer out of the in-flight list (the last one moves into its slot).
  std::unique_ptr<Transfer> untrack(Transfer& transfer) {
    const std::size_t slot = transfer.slot;
    std::unique_ptr<Transfer> owned = std::move(transfers[slot]);
    if (slot + 1 != transfers.size()) {
      transfers[slot] = std::move(transfers.back());
      transfers[slot]->slot = slot;
    }
    transfers.pop_back();
    return owned;
  }

  bool tracked(const Transfer* transfer) const {
    return transfer != nullptr && transfer->slot < transfers.size() &&
           transfers[transfer->slot].get() == transfer;
  }

  void start(const HttpRequest& request, HttpEngine::Callback done) {
    auto transfer = borrowTransfer();
    transfer->done = std::move(done);
    transfer->bodyLimit = request.bodySizeLimit;
    transfer->headRequest = request.method == "HEAD";
    transfer->followRedirects = request.followRedirects;
    transfer->keepHeaders = request.keepHeaders;
    transfer->timeout = request.timeout;
    transfer->maxRedirects = request.maxRedirects;
    CURL* easy = borrowHandle();
    if (easy == nullptr) {
      transfer->result.failure = FailureKind::Internal;
      transfer->result.failureMessage = "could not create a curl handle (out of memory?)";
      complete(std::move(transfer));
      return;
    }
    transfer->easy = easy;
    transfer->handleNeedsReset = configureTransfer(*transfer, request);
    Transfer* raw = transfer.get();
    track(std::move(transfer));
    CURLMcode rc = CURLM_OK;
    {
      const InEngine inEngine(engineDepth);
      rc = curl_multi_add_handle(multi, easy);  // asks for a timeout of 0
    }
    if (rc != CURLM_OK) {
      auto owned = untrack(*raw);
      owned->result.failure = FailureKind::Internal;
      owned->result.failureMessage =
          fmt::format("curl_multi_add_handle: {}", curl_multi_strerror(rc));
      detach(*owned, false);
      complete(std::move(owned));
    }
    if (engineDepth == 0) {
      runDueTimeout(Callbacks::Later);
    }
    // Otherwise send() was called back from socketAction's drain, which runs the action next.
  }

  // Removes the handle from the multi and gives it back to the pool.
  void detach(Transfer& transfer, bool inMulti) {
    if (transfer.easy != nullptr) {
      if (inMulti) {
        curl_multi_remove_handle(multi, transfer.easy);
      }
      returnHandle(transfer.easy, transfer.handleNeedsReset);
      transfer.easy = nullptr;
    }
    curl_slist_free_all(transfer.headers);
    transfer.headers = nullptr;
    curl_slist_free_all(transfer.connectTo);
    transfer.connectTo = nullptr;
  }

  // Runs the callback on a later turn of the loop, so callers never re-enter themselves.
  void complete(std::unique_ptr<Transfer> transfer) {
    finishedLater.push_back(std::move(transfer));
    if (finishedLaterPosted) {
      return;
    }
    finishedLaterPosted = true;
    asio::post(io, [weak = weak_from_this()] {
      auto me = weak.lock();
      if (!me) {
        return;
      }
      me->finishedLaterPosted = false;
      auto finished = std::move(me->finishedLater);
      me->finishedLater.clear();
      for (auto& transfer : finished) {
        transfer->done(std::move(transfer->result));
        me->returnTransfer(std::move(transfer));
      }
    });
  }

  enum class Callbacks { Now, Later };

  void drainFinished(Callbacks when) {
    std::vector<std::unique_ptr<Transfer>> finished = std::move(finishedList);  // empty
    int pending = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &pending)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      Transfer* raw = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
      if (!tracked(raw)) {
        continue;
      }
      const CURLcode code = message->data.result;
      readResult(*raw, code);  // read before the handle is removed
      finished.push_back(untrack(*raw));
    }
    for (auto& transfer : finished) {
      detach(*transfer, true);
    }
    for (auto& transfer : finished) {
      if (when == Callbacks::Later) {
        complete(std::move(transfer));
      } else {
        transfer->done(std::move(transfer->result));
        returnTransfer(std::move(transfer));
      }
    }
    finished.clear();
    finishedList = std::move(finished);
  }

  // How many actions curl may ask for at once, one after another, before the rest is posted:
  // the loop still polls sockets between rounds of transfers added from callbacks.
  static constexpr int kImmediateRounds = 8;

  void socketAction(curl_socket_t fd, int events, Callbacks when = Callbacks::Now) {
    assert(engineDepth == 0);
    {
      const InEngine inEngine(engineDepth);
      int running = 0;
      curl_multi_socket_action(multi, fd, events, &running);
      drainFinished(when);
      // A timeout of 0 asked for above (by a transfer a callback started, say): its action runs
      // now that curl has returned, never from inside curl's timer callback.
      for (int round = 0; timeoutDue && round < kImmediateRounds; ++round) {
        timeoutDue = false;
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        drainFinished(when);
      }
    }
    if (timeoutDue) {
      timeoutDue = false;
      postTimeout();
    }
  }

  // Runs the action curl asked for with a timeout of 0 while the engine called it, if any.
  void runDueTimeout(Callbacks when) {
    if (timeoutDue) {
      timeoutDue = false;
      socketAction(CURL_SOCKET_TIMEOUT, 0, when);
    }
  }

  void postTimeout() {
    if (timeoutPosted) {
      return;
    }
    timeoutPosted = true;
    asio::post(io, [weak = weak_from_this()] {
      if (auto me = weak.lock()) {
        me->timeoutPosted = false;
        me->socketAction(CURL_SOCKET_TIMEOUT, 0);
      }
    });
  }

  // CURLMOPT_TIMERFUNCTION: only (re)arms the timer; never calls curl from here. A timeout of 0
  // asks for the action at once: the engine runs it as soon as curl returns when the engine
  // called curl (see engineDepth), and posts it otherwise; -1 leaves the timer be unless nothing is
  // in flight (below).
  //
  // curl moves its timeout on nearly every transfer start and finish, and re-arming an Asio
  // timer costs a timerfd_settime (and kernel hrtimer locking) each time. A wake earlier than
  // curl asked for is harmless (curl finds nothing due and names its next timeout), so the
  // timer is only moved earlier, never later, and a cancel (-1) leaves it be while transfers
  // remain.
  static int onTimer(CURLM*, long timeoutMs, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (timeoutMs < 0) {
      if (self->transfers.empty() && self->timerArmed) {
        // Nothing in flight: a wait left for the last transfer's deadline would keep a loop
        // that has no other work (`prober once`) running until then.
        self->timer.cancel();
        self->timerArmed = false;
      }
      return 0;
    }
    if (timeoutMs == 0) {
      if (self->engineDepth > 0) {
        self->timeoutDue = true;
      } else {
        self->postTimeout();
      }
      return 0;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    if (self->timerArmed && self->timer.expiry() <= deadline) {
      return 0;
    }
    self->timerArmed = true;
    self->timer.expires_at(deadline);  // cancels the later wait, if any
    // A wait Asio had already queued as done when the timer was moved still runs, with success:
    // only the latest arming clears timerArmed (the new wait is still pending) and acts.
    const std::uint64_t arming = ++self->timerArmings;
    self->timer.async_wait(
        [weak = self->weak_from_this(), arming](const boost::system::error_code& ec) {
          if (ec) {
            return;  // replaced by an earlier deadline
          }
          if (auto me = weak.lock(); me && me->timerArmings == arming) {
            me->timerArmed = false;
            me->socketAction(CURL_SOCKET_TIMEOUT, 0);
          }
        });
    return 0;
  }

  // CURLMOPT_SOCKETFUNCTION: start, change or stop watching one socket. A socket curl has not
  // been told about is new to the poller (curl forgets what it was told once it removes one).
  static int onSocket(CURL*, curl_socket_t fd, int what, void* user, void* assigned) {
    auto* self = static_cast<Impl*>(user);
    if (fd < 0) {
      return 0;
    }
    if (what == CURL_POLL_REMOVE) {
      self->poller.unwatch(fd);
      return 0;
    }
    const int wanted = ((what & CURL_POLL_IN) != 0 ? SocketPoller::kRead : 0) |
                       ((what & CURL_POLL_OUT) != 0 ? SocketPoller::kWrite : 0);
    if (assigned != nullptr) {
      self->poller.want(fd, wanted);
      return 0;
    }
    if (!self->poller.watchNew(fd, wanted)) {
      // Out of descriptors or memory: the transfers on this socket end at their timeout, as
      // if the target never answered; telling curl would end every transfer of the multi.
      const auto now = std::chrono::steady_clock::now();
      if (now - self->lastWatchWarning >= std::chrono::minutes(1)) {
        self->lastWatchWarning = now;
        spdlog::warn("cannot watch a connection's socket: {}", std::strerror(errno));
      }
      return 0;
    }
    // Marks the socket known; it cannot fail for a socket curl is calling back about.
    (void)curl_multi_assign(self->multi, fd, self);
    return 0;
  }

  void onReady(int fd, int ready) {
    socketAction(fd, ((ready & SocketPoller::kRead) != 0 ? CURL_CSELECT_IN : 0) |
                         ((ready & SocketPoller::kWrite) != 0 ? CURL_CSELECT_OUT : 0));
  }

  void cancelAll() {
    auto all = std::move(transfers);
    transfers.clear();
    for (auto& transfer : all) {
      detach(*transfer, true);
    }
    finishedLater.clear();  // finished, not yet called back: abandoned all the same
  }
};

CurlEngine::CurlEngine(boost::asio::io_context& io, std::size_t idleHandles, std::string userAgent)
    : impl_((initCurlGlobally(), std::make_shared<Impl>(io, idleHandles, std::move(userAgent)))) {}

CurlEngine::~CurlEngine() = default;

void CurlEngine::send(const HttpRequest& request, Callback done) {
  impl_->start(request, std::move(done));
}

void CurlEngine::cancelAll() {
  impl_->cancelAll();
}

std::size_t CurlEngine::inFlight() const {
  return impl_->transfers.size();
}

}  // namespace prober
