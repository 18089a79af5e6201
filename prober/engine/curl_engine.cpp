// The libcurl multi socket API on Boost.Asio, under the rules in STYLE.md: one thread owns the
// CURLM; the timer callback only arms a timer (0 posts, -1 cancels); every socket curl names is
// watched through a non-owning descriptor released on removal; one-shot waits are re-armed
// while curl still wants that direction; stale handlers return at once; finished transfers are
// drained after every socket action and read before their handle is removed.
#include "prober/engine/curl_engine.h"

#include "checks/template.h"
#include "checks/text.h"
#include "prober/engine/curl_failure.h"
#include "prober/engine/curl_transfer.h"
#include "prober/engine/tls_observer.h"

#include <curl/curl.h>
#include <strings.h>

#include <fmt/format.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

namespace prober {

namespace asio = boost::asio;

void initCurlGlobally() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

// One socket curl asked us to watch. Handlers hold it by shared_ptr and check `removed`, so a
// socket curl has dropped (and whose fd may already be reused) is never touched again.
struct SocketWatch {
  explicit SocketWatch(asio::io_context& io, curl_socket_t fd) : descriptor(io, fd) {}
  asio::posix::stream_descriptor descriptor;
  int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT / CURL_POLL_INOUT
  bool readPending = false;
  bool writePending = false;
  bool removed = false;
};

}  // namespace

struct CurlEngine::Impl : std::enable_shared_from_this<CurlEngine::Impl> {
  Impl(asio::io_context& io, std::size_t idleHandles, std::string userAgent)
      : io(io), timer(io), idleLimit(idleHandles), userAgent(std::move(userAgent)) {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~Impl() {
    cancelAll();
    for (auto& watch : sockets) {
      if (watch) {
        release(*watch);
      }
    }
    sockets.clear();
    curl_multi_cleanup(multi);
    for (CURL* easy : idle) {
      curl_easy_cleanup(easy);
    }
  }

  asio::io_context& io;
  asio::steady_timer timer;
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
  std::vector<std::shared_ptr<SocketWatch>> sockets;  // by fd: curl's sockets are small numbers
  std::vector<std::shared_ptr<SocketWatch>> spareWatches;  // released, for later sockets
  bool timeoutPosted = false;
  bool timerArmed = false;  // a wait is pending on `timer`

  static void release(SocketWatch& watch) {
    watch.removed = true;
    boost::system::error_code ignored;
    watch.descriptor.cancel(ignored);
    watch.descriptor.release();  // curl owns the fd: Asio must never close it
  }

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
    if (CURLMcode rc = curl_multi_add_handle(multi, easy); rc != CURLM_OK) {
      auto owned = untrack(*raw);
      owned->result.failure = FailureKind::Internal;
      owned->result.failureMessage =
          fmt::format("curl_multi_add_handle: {}", curl_multi_strerror(rc));
      detach(*owned, false);
      complete(std::move(owned));
    }
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
    asio::post(io, [t = std::shared_ptr<Transfer>(std::move(transfer))]() mutable {
      t->done(std::move(t->result));
    });
  }

  void readResult(Transfer& transfer, CURLcode code) {
    ProbeResult& result = transfer.result;
    CURL* easy = transfer.easy;
    long status = 0;
    long redirects = 0;
    long version = 0;
    curl_off_t lookup = 0, connect = 0, appConnect = 0, firstByte = 0, total = 0;
    char* effectiveUrl = nullptr;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
    curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &appConnect);
    curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &firstByte);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
    curl_off_t contentLength = -1;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &contentLength);
    result.contentLength = contentLength;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effectiveUrl);
    result.redirects = static_cast<int>(redirects);
    result.finalUrl = effectiveUrl != nullptr ? effectiveUrl : "";
    result.tls = result.finalUrl.rfind("https://", 0) == 0;
    char* address = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &address) == CURLE_OK && address != nullptr &&
        address[0] != '\0') {
      result.ipProtocol = std::string_view(address).find(':') != std::string_view::npos ? 6 : 4;
    }
    switch (version) {
      case CURL_HTTP_VERSION_1_0: result.httpVersion = 10; break;
      case CURL_HTTP_VERSION_1_1: result.httpVersion = 11; break;
      case CURL_HTTP_VERSION_2_0: result.httpVersion = 20; break;
      case CURL_HTTP_VERSION_3: result.httpVersion = 30; break;
      default: result.httpVersion = 0;
    }
    // curl's phase times are offsets from the start (summed over redirects); blackbox_exporter's
    // phases are the gaps between them.
    const auto gap = [](curl_off_t later, curl_off_t earlier) {
      return later > earlier ? seconds(later - earlier) : 0.0;
    };
    const curl_off_t handshakeDone = appConnect > 0 ? appConnect : connect;
    result.phases.resolve = seconds(lookup);
    result.phases.connect = gap(connect, lookup);
    result.phases.tls = appConnect > 0 ? gap(appConnect, connect) : 0.0;
    result.phases.processing = firstByte > 0 ? gap(firstByte, handshakeDone) : 0.0;
    result.phases.transfer = firstByte > 0 ? gap(total, firstByte) : 0.0;
    result.totalSeconds = seconds(total);
    result.bodySize = result.body.size();
    // Read whether or not the transfer succeeded: a handshake that failed verification
    // (an expired certificate) still showed its chain.
    result.certExpiry = transfer.tls.earliestExpiry;
    result.tlsVersion = std::move(transfer.tls.version);
    if (!transfer.sawStatusLine &&
        (code == CURLE_OK || transfer.bodyTooLarge || transfer.notHttp)) {
      // Not HTTP, whether the server closed, the transfer was ended for it or timed out.
      describeNotHttp(result);
    } else if (code == CURLE_OK) {
      result.status = static_cast<int>(status);
    } else if (transfer.bodyTooLarge) {
      result.status = static_cast<int>(status);
      result.failure = FailureKind::BodyTooLarge;
      result.failureMessage = fmt::format("response body is larger than body_size_limit ({})",
                                          formatByteSize(transfer.bodyLimit));
    } else {
      describeFailure(transferEnd(code, transfer), result);
    }
    // curl's words may quote the target (a certificate's name): text from targets is data.
    result.failureMessage = validUtf8(result.failureMessage);
  }

  void drainFinished() {
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
      transfer->done(std::move(transfer->result));
      returnTransfer(std::move(transfer));
    }
    finished.clear();
    finishedList = std::move(finished);
  }

  void socketAction(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    drainFinished();
  }

  // CURLMOPT_TIMERFUNCTION: only (re)arms the timer; never calls curl from here.
  //
  // curl moves its timeout on nearly every transfer start and finish, and re-arming an Asio
  // timer costs a timerfd_settime (and kernel hrtimer locking) each time. A wake earlier than
  // curl asked for is harmless (curl finds nothing due and names its next timeout), so the
  // timer is only moved earlier, never later, and a cancel (-1) leaves it be.
  static int onTimer(CURLM*, long timeoutMs, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (timeoutMs < 0) {
      return 0;
    }
    if (timeoutMs == 0) {
      if (!self->timeoutPosted) {
        self->timeoutPosted = true;
        asio::post(self->io, [weak = self->weak_from_this()] {
          if (auto me = weak.lock()) {
            me->timeoutPosted = false;
            me->socketAction(CURL_SOCKET_TIMEOUT, 0);
          }
        });
      }
      return 0;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    if (self->timerArmed && self->timer.expiry() <= deadline) {
      return 0;
    }
    self->timerArmed = true;
    self->timer.expires_at(deadline);  // cancels the later wait, if any
    self->timer.async_wait([weak = self->weak_from_this()](const boost::system::error_code& ec) {
      if (ec) {
        return;  // replaced by an earlier deadline
      }
      if (auto me = weak.lock()) {
        me->timerArmed = false;
        me->socketAction(CURL_SOCKET_TIMEOUT, 0);
      }
    });
    return 0;
  }

  // CURLMOPT_SOCKETFUNCTION: start, change or stop watching one socket.
  static int onSocket(CURL*, curl_socket_t fd, int what, void* user, void*) {
    auto* self = static_cast<Impl*>(user);
    if (fd < 0) {
      return 0;
    }
    const auto index = static_cast<std::size_t>(fd);
    if (what == CURL_POLL_REMOVE) {
      if (index < self->sockets.size() && self->sockets[index]) {
        release(*self->sockets[index]);
        if (self->spareWatches.size() < self->idleLimit) {
          self->spareWatches.push_back(std::move(self->sockets[index]));
        }
        self->sockets[index].reset();
      }
      return 0;
    }
    if (index >= self->sockets.size()) {
      self->sockets.resize(std::max(index + 1, self->sockets.size() * 2));
    }
    std::shared_ptr<SocketWatch>& watch = self->sockets[index];
    if (!watch) {
      watch = self->watchFor(fd);
    }
    watch->wanted = what;
    self->arm(fd, watch);
    return 0;
  }

  // A released watch no handler holds any more takes the new socket; otherwise a new one.
  std::shared_ptr<SocketWatch> watchFor(curl_socket_t fd) {
    if (!spareWatches.empty() && spareWatches.back().use_count() == 1) {
      std::shared_ptr<SocketWatch> watch = std::move(spareWatches.back());
      spareWatches.pop_back();
      boost::system::error_code ec;
      watch->descriptor.assign(fd, ec);
      if (!ec) {
        watch->wanted = 0;
        watch->removed = false;
        return watch;
      }
    }
    return std::make_shared<SocketWatch>(io, fd);
  }

  void arm(curl_socket_t fd, const std::shared_ptr<SocketWatch>& watch) {
    armOne(fd, watch, CURL_POLL_IN, &SocketWatch::readPending,
           asio::posix::stream_descriptor::wait_read, CURL_CSELECT_IN);
    armOne(fd, watch, CURL_POLL_OUT, &SocketWatch::writePending,
           asio::posix::stream_descriptor::wait_write, CURL_CSELECT_OUT);
  }

  // Starts one one-shot wait for a direction curl wants and no wait is pending for yet.
  void armOne(curl_socket_t fd, const std::shared_ptr<SocketWatch>& watch, int direction,
              bool SocketWatch::*pending, asio::posix::stream_descriptor::wait_type waitType,
              int readyEvent) {
    if ((watch->wanted & direction) == 0 || (*watch).*pending) {
      return;
    }
    (*watch).*pending = true;
    watch->descriptor.async_wait(waitType, [weak = weak_from_this(), watch, fd, pending,
                                            readyEvent](const boost::system::error_code& ec) {
      (*watch).*pending = false;
      if (auto me = weak.lock(); me && !watch->removed) {
        me->onReady(fd, watch, ec ? CURL_CSELECT_ERR : readyEvent);
      }
    });
  }

  // Waits are one-shot, and each new one re-arms the descriptor in epoll (Asio's reactor sends
  // EPOLL_CTL_MOD for a wait, and the kernel then reports a socket that is already readable):
  // bytes curl left unread wake the next wait at once, without a poll() of our own.
  void onReady(curl_socket_t fd, const std::shared_ptr<SocketWatch>& watch, int events) {
    socketAction(fd, events);
    if (!watch->removed) {
      arm(fd, watch);
    }
  }

  void cancelAll() {
    auto all = std::move(transfers);
    transfers.clear();
    for (auto& transfer : all) {
      detach(*transfer, true);
    }
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
