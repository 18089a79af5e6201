// The socket poller on socketpairs: what it passes on, when, and what it never does (close a
// socket, pass on readiness nobody wants or for a socket that is gone).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "prober/engine/socket_poller.h"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using prober::SocketPoller;

namespace {

// A connected pair of non-blocking stream sockets, closed at the end of the test.
struct Pair {
  Pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    watched = fds[0];
    peer = fds[1];
  }
  ~Pair() {
    closeWatched();
    ::close(peer);
  }
  void send(const char* bytes) const { REQUIRE(::write(peer, bytes, strlen(bytes)) > 0); }
  void closeWatched() {
    if (watched >= 0) {
      ::close(watched);
      watched = -1;
    }
  }
  int watched = -1;
  int peer = -1;
};

struct Calls {
  std::vector<std::pair<int, int>> seen;  // (fd, ready)
  int count(int fd) const {
    int n = 0;
    for (const auto& [f, ready] : seen) {
      n += f == fd ? 1 : 0;
    }
    return n;
  }
};

bool open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

}  // namespace

TEST_CASE("poller: readiness for a wanted direction is passed on, once per edge") {
  asio::io_context io;
  Calls calls;
  Pair pair;
  SocketPoller poller(io, [&](int fd, int ready) {
    calls.seen.emplace_back(fd, ready);
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
  });
  REQUIRE(poller.usable());
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
  io.run_for(20ms);
  CHECK(calls.seen.empty());  // nothing to read yet; writable, but that is not wanted
  pair.send("hello");
  io.run_for(20ms);
  REQUIRE(calls.seen.size() == 1);
  CHECK(calls.seen[0] == std::make_pair(pair.watched, SocketPoller::kRead));
  io.run_for(20ms);
  CHECK(calls.seen.size() == 1);  // drained: no new edge, no new call
  pair.send("again");
  io.run_for(20ms);
  CHECK(calls.seen.size() == 2);
}

TEST_CASE("poller: a direction still wanted after its turn is reported again while ready") {
  // The callback reads one byte a turn, as curl may leave bytes unread; an edge-triggered set
  // reports the socket once, so every later turn comes from the re-arm.
  asio::io_context io;
  Calls calls;
  Pair pair;
  SocketPoller poller(io, [&](int fd, int ready) {
    calls.seen.emplace_back(fd, ready);
    char byte;
    (void)::read(fd, &byte, 1);
  });
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
  pair.send("abcd");
  for (int i = 0; i < 20 && calls.seen.size() < 4; ++i) {
    io.run_for(10ms);
  }
  CHECK(calls.count(pair.watched) == 4);
  io.run_for(20ms);
  CHECK(calls.count(pair.watched) == 4);  // all read: nothing more
}

TEST_CASE(
    "poller: a direction given up after its turn with bytes unread is passed on when wanted "
    "again") {
  // The callback reads one byte and then wants only to write (as curl pausing a receive may):
  // the rest stays unread, the edge is spent, and no new bytes come. Wanting to read again must
  // still pass the socket on.
  asio::io_context io;
  Calls calls;
  Pair pair;
  SocketPoller* self = nullptr;
  SocketPoller poller(io, [&](int fd, int ready) {
    calls.seen.emplace_back(fd, ready);
    if ((ready & SocketPoller::kRead) != 0) {
      char byte;
      (void)::read(fd, &byte, 1);
      self->want(fd, SocketPoller::kWrite);
    } else {
      self->want(fd, 0);  // written: now waiting for neither, as for a timer
    }
  });
  self = &poller;
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
  pair.send("abcd");
  for (int i = 0; i < 20 && calls.count(pair.watched) < 2; ++i) {
    io.run_for(10ms);
  }
  REQUIRE(calls.count(pair.watched) == 2);
  CHECK(calls.seen[0].second == SocketPoller::kRead);
  CHECK(calls.seen[1].second == SocketPoller::kWrite);
  io.run_for(20ms);
  CHECK(calls.count(pair.watched) == 2);  // nothing wanted: nothing passed on
  calls.seen.clear();
  poller.want(pair.watched, SocketPoller::kRead);
  for (int i = 0; i < 20 && calls.seen.empty(); ++i) {
    io.run_for(10ms);
  }
  REQUIRE_FALSE(calls.seen.empty());
  CHECK(calls.seen[0] == std::make_pair(pair.watched, SocketPoller::kRead));
}

TEST_CASE("poller: readiness seen while unwanted is passed on once that direction is wanted") {
  asio::io_context io;
  Calls calls;
  Pair pair;
  SocketPoller poller(io, [&](int fd, int ready) { calls.seen.emplace_back(fd, ready); });
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
  io.run_for(20ms);
  CHECK(calls.seen.empty());  // writable from the start, but only reading was wanted
  poller.want(pair.watched, SocketPoller::kRead | SocketPoller::kWrite);
  CHECK(calls.seen.empty());  // never from inside want()
  io.run_for(20ms);
  REQUIRE_FALSE(calls.seen.empty());
  CHECK(calls.seen[0] == std::make_pair(pair.watched, SocketPoller::kWrite));
}

TEST_CASE("poller: an unwatched socket is never passed on, and no socket is ever closed") {
  asio::io_context io;
  Calls calls;
  Pair kept;
  Pair dropped;
  {
    SocketPoller poller(io, [&](int fd, int ready) {
      calls.seen.emplace_back(fd, ready);
      char buffer[64];
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
    });
    REQUIRE(poller.watchNew(kept.watched, SocketPoller::kRead));
    REQUIRE(poller.watchNew(dropped.watched, SocketPoller::kRead));
    dropped.send("late");  // ready, but unwatched before the loop runs
    poller.unwatch(dropped.watched);
    io.run_for(20ms);
    CHECK(calls.count(dropped.watched) == 0);
    // A socket unwatched but kept open and watched again (a connection kept for reuse) is
    // reported as it is now.
    REQUIRE(poller.watchNew(dropped.watched, SocketPoller::kRead));
    io.run_for(20ms);
    CHECK(calls.count(dropped.watched) == 1);
  }
  io.run_for(20ms);
  CHECK(open(kept.watched));
  CHECK(open(dropped.watched));
}

TEST_CASE("poller: a socket's number taken by a newer socket gets only the newer one's news") {
  asio::io_context io;
  Calls calls;
  Pair first;
  SocketPoller poller(io, [&](int fd, int ready) {
    calls.seen.emplace_back(fd, ready);
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
  });
  const int number = first.watched;
  REQUIRE(poller.watchNew(number, SocketPoller::kRead));
  poller.unwatch(number);
  first.closeWatched();  // closing takes it out of the set
  Pair second;           // the lowest free number: very likely the same one
  if (second.watched == number) {
    REQUIRE(poller.watchNew(second.watched, SocketPoller::kRead));
    io.run_for(20ms);
    CHECK(calls.seen.empty());
    second.send("x");
    io.run_for(20ms);
    CHECK(calls.count(number) == 1);
  } else {
    MESSAGE("the kernel gave a different number: only the newer socket's watch is checked");
    REQUIRE(poller.watchNew(second.watched, SocketPoller::kRead));
    second.send("x");
    io.run_for(20ms);
    CHECK(calls.count(second.watched) == 1);
  }
}

TEST_CASE("poller: destroyed with readiness pending, it calls nothing") {
  asio::io_context io;
  int calls = 0;
  Pair pair;
  {
    SocketPoller poller(io, [&](int, int) { ++calls; });
    REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
    pair.send("x");
  }
  io.run_for(20ms);
  CHECK(calls == 0);
  CHECK(open(pair.watched));
}

TEST_CASE("poller: with nothing watched it leaves the loop no work, so a run can end") {
  // `prober once` runs its loop until there is nothing left to do.
  asio::io_context io;
  Pair pair;
  int calls = 0;
  SocketPoller poller(io, [&](int fd, int) {
    ++calls;
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
  });
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));
  io.run_for(20ms);
  CHECK_FALSE(io.stopped());  // a read of the set is pending: the loop has work
  poller.unwatch(pair.watched);
  io.run_for(2s);
  CHECK(io.stopped());  // it returned for want of work, not after the two seconds
  io.restart();
  REQUIRE(poller.watchNew(pair.watched, SocketPoller::kRead));  // and it watches again
  pair.send("x");
  io.run_for(20ms);
  CHECK(calls == 1);
}

TEST_CASE("poller: a socket watched from a callback leaves the rest of a full read intact") {
  // More sockets ready at once than one read of the set takes: Asio may read the set again as
  // soon as it is asked to, and a watch started from a callback asks. That read must wait until
  // the callbacks of the one before are done, or it overwrites what they are reading.
  asio::io_context io;
  constexpr int kReady = 150;
  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < kReady; ++i) {
    pairs.push_back(std::make_unique<Pair>());
  }
  Pair late;
  std::map<int, int> calls;  // by fd
  bool watchedLate = false;
  SocketPoller* self = nullptr;
  SocketPoller poller(io, [&](int fd, int) {
    ++calls[fd];
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
    if (!watchedLate) {
      watchedLate = true;
      late.send("x");
      REQUIRE(self->watchNew(late.watched, SocketPoller::kRead));
    }
  });
  self = &poller;
  for (const auto& pair : pairs) {
    REQUIRE(poller.watchNew(pair->watched, SocketPoller::kRead));
  }
  for (const auto& pair : pairs) {
    pair->send("ready");
  }
  for (int i = 0; i < 50 && static_cast<int>(calls.size()) < kReady + 1; ++i) {
    io.run_for(10ms);
  }
  for (const auto& pair : pairs) {
    CAPTURE(pair->watched);
    CHECK(calls[pair->watched] == 1);
  }
  CHECK(calls[late.watched] == 1);
}
