#pragma once
// Watches the sockets of the curl engine through one epoll set of its own, itself a single
// descriptor on the event loop, so that a probe costs the kernel as few calls as a poll() loop.
//
// Why not one Asio descriptor per socket: Asio registers each socket (EPOLL_CTL_ADD and a
// FIONBIO), re-arms every one-shot wait (EPOLL_CTL_MOD) and deregisters it (EPOLL_CTL_DEL): five
// calls a connection on top of the kernel's own, where a probe's whole useful work is about
// fifteen. Here a socket is added once, for both directions and edge-triggered; readiness
// arriving for a direction nobody wants yet is remembered and passed on once it is wanted;
// closing a socket takes it out of the set, so removal costs nothing; and one epoll_wait
// serves every socket that became ready together.
//
// What the engine's rules ask of watching curl's sockets holds: every socket curl names is
// watched; the poller never closes one; a direction still wanted after it was passed on is
// re-armed (the kernel then reports it again if it is still ready, so bytes curl left unread
// are not lost to edge-triggering); readiness for a socket that was unwatched, or whose number
// now belongs to a newer socket, is dropped (each watch has a generation).
#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace prober {

class LoopRead;

class SocketPoller {
 public:
  static constexpr int kRead = 1;
  static constexpr int kWrite = 2;

  // Called on the loop's thread with the directions (kRead, kWrite) that are ready and wanted;
  // it may call watch() and unwatch() for any socket, this one included.
  using OnReady = std::function<void(int fd, int ready)>;

  SocketPoller(boost::asio::io_context& io, OnReady onReady);
  ~SocketPoller();
  SocketPoller(const SocketPoller&) = delete;
  SocketPoller& operator=(const SocketPoller&) = delete;

  // False when the kernel gave no epoll set (out of descriptors): nothing can be watched.
  bool usable() const;

  // Starts watching a socket that is new to the poller (or was unwatched since), wanting
  // `wanted` (kRead | kWrite, or 0). False, with errno, when the kernel refused to add it.
  bool watchNew(int fd, int wanted);
  // Changes what a watched socket wants. A direction that became ready while unwanted is
  // passed on from the loop, never from inside this call.
  void want(int fd, int wanted);
  // Stops passing on anything for the socket. It stays in the set until it is closed, which
  // removes it: no system call for the common case of a socket about to be closed.
  void unwatch(int fd);

 private:
  struct Watch {
    std::uint32_t generation = 0;
    bool watched = false;
    std::uint8_t wanted = 0;
    std::uint8_t ready = 0;     // reported by the kernel, not yet passed on
    std::uint8_t interest = 0;  // what the set is registered for
  };

  Watch* find(int fd);
  bool registerInterest(int fd, Watch& watch, int interest, bool adding);
  // Registers a watched socket again; one the kernel refuses (out of memory) is left to its
  // transfer's timeout, as a socket that cannot be watched is, and said once a minute.
  void reregister(int fd, Watch& watch, int interest);
  void waitForEvents();
  void passOnEvents();
  void passOn(int fd, std::uint32_t generation);
  void passOnPending();
  void scheduleDrain();

  // What one read of the set takes; a full read is followed by another at once.
  static constexpr int kEventsPerRead = 64;

  boost::asio::io_context& io_;
  OnReady onReady_;
  std::unique_ptr<LoopRead> loop_;  // the epoll set, read on the loop
  std::array<epoll_event, kEventsPerRead> events_{};
  int eventCount_ = 0;          // what the last read found, not yet passed on
  std::chrono::steady_clock::time_point lastRefusalWarning_{};
  std::vector<Watch> watches_;  // by descriptor number: curl's sockets are small numbers
  std::vector<int> pending_;    // sockets whose wanted direction was already ready
  std::size_t watchedCount_ = 0;
  bool drainPosted_ = false;
  bool draining_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted handlers hold it weakly
};

}  // namespace prober
