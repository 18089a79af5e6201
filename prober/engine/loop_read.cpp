#include "prober/engine/loop_read.h"

#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <utility>

// After io_context.hpp, which the reactor's headers expect to have been read.
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/version.hpp>

// What this relies on was read in Boost 1.81's epoll reactor (loop_read.h): another version or
// reactor is to be read again before it builds.
#if BOOST_VERSION / 100 != 1081 || !defined(BOOST_ASIO_HAS_EPOLL) || \
    defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#error "loop_read.cpp relies on Boost 1.81's epoll reactor: check it against this Boost first"
#endif

namespace prober {

namespace detail = boost::asio::detail;

struct LoopRead::Reactor {
  explicit Reactor(boost::asio::io_context& io)
      : reactor(boost::asio::use_service<detail::reactor>(io)) {
    reactor.init_task();  // the loop waits in the reactor (Asio's descriptors ask the same)
  }
  detail::reactor& reactor;
  detail::reactor::per_descriptor_data data{};
};

// The operation Asio queues: performing it is our read; completing it runs `handle` (or, once
// the LoopRead is gone, only frees it).
struct LoopRead::Operation final : detail::reactor_op {
  explicit Operation(LoopRead* owner)
      : reactor_op(boost::system::error_code(), &Operation::perform, &Operation::complete),
        owner(owner) {}

  static status perform(reactor_op* base) {
    auto* self = static_cast<Operation*>(base);
    if (self->owner == nullptr) {
      return done;  // complete() frees it
    }
    switch (self->owner->read_()) {
      case Outcome::Nothing: return not_done;
      case Outcome::Some: return done_and_exhausted;
      case Outcome::Partial: return done;
    }
    return not_done;
  }

  // `io` is null when Asio destroys the operation unrun (its loop is being destroyed).
  static void complete(void* io, detail::scheduler_operation* base,
                       const boost::system::error_code&, std::size_t) {
    auto* self = static_cast<Operation*>(base);
    LoopRead* owner = self->owner;
    if (owner == nullptr || io == nullptr) {
      if (owner != nullptr) {
        owner->operation_ = nullptr;
        owner->out_ = false;
      }
      delete self;
      return;
    }
    owner->completed(self->ec_ == boost::asio::error::operation_aborted);
  }

  LoopRead* owner;
};

LoopRead::LoopRead(boost::asio::io_context& io, int fd, std::function<Outcome()> read,
                   std::function<void()> handle)
    : fd_(fd),
      read_(std::move(read)),
      handle_(std::move(handle)),
      reactor_(std::make_unique<Reactor>(io)),
      operation_(new Operation(this)) {
  registered_ = fd_ >= 0 && reactor_->reactor.register_descriptor(fd_, reactor_->data) == 0;
}

LoopRead::~LoopRead() {
  if (registered_) {
    // Closing takes the descriptor out of Asio's epoll set: no EPOLL_CTL_DEL. A queued
    // operation completes as aborted, later, and frees itself.
    reactor_->reactor.deregister_descriptor(fd_, reactor_->data, true);
  }
  if (operation_ != nullptr) {
    if (out_) {
      operation_->owner = nullptr;
    } else {
      delete operation_;
    }
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (registered_) {
    reactor_->reactor.cleanup_descriptor_data(reactor_->data);
  }
}

void LoopRead::start() {
  wanted_ = true;
  if (out_ || handling_ || !registered_ || operation_ == nullptr) {
    return;  // while `handle` runs, the read it is handling must stay as it is: started after
  }
  out_ = true;
  operation_->ec_ = boost::system::error_code();
  reactor_->reactor.start_op(detail::reactor::read_op, fd_, reactor_->data, operation_,
                             /*is_continuation=*/false, /*allow_speculative=*/true);
}

void LoopRead::stop() {
  wanted_ = false;
  if (out_ && registered_) {
    reactor_->reactor.cancel_ops(fd_, reactor_->data);  // completes it as aborted, later
  }
}

void LoopRead::completed(bool aborted) {
  out_ = false;
  if (!aborted) {
    handling_ = true;
    handle_();
    handling_ = false;
  }
  if (wanted_) {
    start();
  }
}

}  // namespace prober
