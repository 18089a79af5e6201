#include "prober/engine/socket_poller.h"

#include "prober/engine/loop_read.h"

#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

namespace prober {

namespace asio = boost::asio;

namespace {

std::uint64_t tag(int fd, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}

// An error or a hang-up is news for either direction: curl learns what happened when it
// reads or writes, as it would after poll() said so.
int directionsOf(std::uint32_t events) {
  int ready = 0;
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
    ready |= SocketPoller::kRead;
  }
  if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
    ready |= SocketPoller::kWrite;
  }
  return ready;
}

}  // namespace

SocketPoller::SocketPoller(asio::io_context& io, OnReady onReady)
    : io_(io), onReady_(std::move(onReady)) {
  const int setFd = ::epoll_create1(EPOLL_CLOEXEC);
  if (setFd < 0) {
    return;
  }
  loop_ = std::make_unique<LoopRead>(
      io, setFd,
      [this] {
        eventCount_ = ::epoll_wait(loop_->fd(), events_.data(), kEventsPerRead, 0);
        if (eventCount_ <= 0) {
          eventCount_ = 0;
          return LoopRead::Outcome::Nothing;
        }
        return eventCount_ < kEventsPerRead ? LoopRead::Outcome::Some : LoopRead::Outcome::Partial;
      },
      [this] { passOnEvents(); });
  if (!loop_->usable()) {
    loop_.reset();
  }
}

SocketPoller::~SocketPoller() {
  alive_.reset();
}

bool SocketPoller::usable() const {
  return loop_ != nullptr;
}

SocketPoller::Watch* SocketPoller::find(int fd) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= watches_.size()) {
    return nullptr;
  }
  return &watches_[static_cast<std::size_t>(fd)];
}

// Adds the socket to the set or changes what it is registered for. Either makes the kernel
// report the socket's present state, as a fresh edge, for the directions registered.
bool SocketPoller::registerInterest(int fd, Watch& watch, int interest, bool adding) {
  epoll_event event{};
  event.events = EPOLLET | ((interest & kRead) != 0 ? EPOLLIN | EPOLLRDHUP : 0u) |
                 ((interest & kWrite) != 0 ? EPOLLOUT : 0u);
  event.data.u64 = tag(fd, watch.generation);
  const int setFd = loop_->fd();
  int op = adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(setFd, op, fd, &event) != 0) {
    // A socket unwatched but kept open (a connection curl keeps for reuse) is still in the set;
    // one that was closed is not, whatever the poller remembers of its number.
    if ((adding && errno == EEXIST) || (!adding && errno == ENOENT)) {
      op = adding ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
      if (::epoll_ctl(setFd, op, fd, &event) != 0) {
        return false;
      }
    } else {
      return false;
    }
  }
  watch.interest = static_cast<std::uint8_t>(interest);
  return true;
}

void SocketPoller::reregister(int fd, Watch& watch, int interest) {
  if (registerInterest(fd, watch, interest, false)) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - lastRefusalWarning_ >= std::chrono::minutes(1)) {
    lastRefusalWarning_ = now;
    spdlog::warn("cannot watch a connection's socket again: {}", std::strerror(errno));
  }
}

bool SocketPoller::watchNew(int fd, int wanted) {
  if (!loop_ || fd < 0) {
    errno = loop_ ? EBADF : EMFILE;
    return false;
  }
  if (static_cast<std::size_t>(fd) >= watches_.size()) {
    watches_.resize(std::max(static_cast<std::size_t>(fd) + 1, watches_.size() * 2));
  }
  Watch& watch = watches_[static_cast<std::size_t>(fd)];
  ++watch.generation;  // readiness still queued for the number's former socket is dropped
  watch.wanted = static_cast<std::uint8_t>(wanted);
  watch.ready = 0;
  // Both directions from the start: a connection written to next is read from right after,
  // and changing the registration then would cost a call.
  if (!registerInterest(fd, watch, kRead | kWrite, true)) {
    const int error = errno;
    unwatch(fd);  // a former socket of that number curl never removed is not watched either
    errno = error;
    return false;
  }
  if (!watch.watched) {
    watch.watched = true;
    ++watchedCount_;
  }
  waitForEvents();
  return true;
}

void SocketPoller::want(int fd, int wanted) {
  Watch* watch = find(fd);
  if (watch == nullptr || !watch->watched) {
    return;
  }
  watch->wanted = static_cast<std::uint8_t>(wanted);
  if ((wanted & ~watch->interest) != 0) {
    reregister(fd, *watch, kRead | kWrite);  // reports what is ready now
  } else if ((watch->ready & wanted) != 0) {
    pending_.push_back(fd);
    scheduleDrain();
  }
}

void SocketPoller::unwatch(int fd) {
  Watch* watch = find(fd);
  if (watch == nullptr || !watch->watched) {
    return;
  }
  watch->watched = false;
  watch->wanted = 0;
  watch->ready = 0;
  if (--watchedCount_ == 0) {
    // Nothing left to wait for: a loop with no other work may end (`prober once` runs until
    // it has none). No system call: Asio only drops the pending read.
    loop_->stop();
  }
}

// Keeps one read of the set pending while any socket is watched, and none otherwise.
void SocketPoller::waitForEvents() {
  if (watchedCount_ > 0 && loop_) {
    loop_->start();
  }
}

// Passes on what the last read of the set found. The next read is started after this returns
// (LoopRead), so sockets that became ready while curl ran are served by this wake or the next.
void SocketPoller::passOnEvents() {
  draining_ = true;
  passOnPending();
  const int count = std::exchange(eventCount_, 0);
  for (int i = 0; i < count; ++i) {
    const int fd = static_cast<int>(events_[i].data.u64 & 0xffffffffu);
    const auto generation = static_cast<std::uint32_t>(events_[i].data.u64 >> 32);
    Watch* watch = find(fd);
    if (watch == nullptr || !watch->watched || watch->generation != generation) {
      continue;  // unwatched, or the number now belongs to a newer socket
    }
    watch->ready |= static_cast<std::uint8_t>(directionsOf(events_[i].events));
    passOn(fd, generation);
  }
  draining_ = false;
  if (!pending_.empty()) {
    scheduleDrain();
  }
}

void SocketPoller::passOn(int fd, std::uint32_t generation) {
  Watch* watch = find(fd);
  if (watch == nullptr || !watch->watched || watch->generation != generation) {
    return;
  }
  const int ready = watch->ready & watch->wanted;
  if (ready == 0) {
    return;  // kept until that direction is wanted
  }
  watch->ready = static_cast<std::uint8_t>(watch->ready & ~ready);
  onReady_(fd, ready);
  watch = find(fd);  // the callback may have watched other sockets and moved the table
  if (watch == nullptr || !watch->watched || watch->generation != generation) {
    return;
  }
  if ((watch->wanted & ready) != 0) {
    // Still wanted after curl had its turn: it may have left bytes unread (or room unused),
    // which an edge-triggered set would not report again. Re-registering reports them.
    reregister(fd, *watch, watch->wanted);
  }
  // Given up in its turn, perhaps with bytes unread (a paused receive): the edge is spent, so
  // the direction is kept as may-be-ready and passed on if it is wanted again. A pass that
  // finds nothing costs curl one call that would block.
  watch->ready = static_cast<std::uint8_t>(watch->ready | (ready & ~watch->wanted));
}

void SocketPoller::scheduleDrain() {
  if (draining_ || drainPosted_) {
    return;  // a drain under way looks at pending_ before it ends
  }
  drainPosted_ = true;
  asio::post(io_, [alive = std::weak_ptr<int>(alive_), this] {
    if (alive.expired()) {
      return;
    }
    drainPosted_ = false;
    passOnPending();
    if (!pending_.empty()) {
      scheduleDrain();
    }
  });
}

// Sockets whose newly wanted direction was already reported ready (want()).
void SocketPoller::passOnPending() {
  for (const int fd : std::exchange(pending_, {})) {
    if (const Watch* watch = find(fd); watch != nullptr) {
      passOn(fd, watch->generation);
    }
  }
}

}  // namespace prober
