#pragma once
// The event loop as the daemon's unit tests see it: what is posted waits in a queue (from any
// thread, as the history and reload threads post) until the test runs it, so a test decides
// when answers land and never sleeps.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace prober::testing {

class TestLoop {
 public:
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    posted_.notify_all();
  }

  // Runs what is queued (and what that queues), at most `limit` jobs; returns how many ran.
  int runPosted(int limit = 100'000) {
    int ran = 0;
    while (ran < limit) {
      std::function<void()> job;
      {
        std::lock_guard lock(mutex_);
        if (jobs_.empty()) {
          break;
        }
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
      ++ran;
    }
    return ran;
  }

  // Waits until another thread has posted something (at most `timeout`), then runs the queue.
  // False when nothing came in time.
  bool waitAndRun(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    {
      std::unique_lock lock(mutex_);
      if (!posted_.wait_for(lock, timeout, [this] { return !jobs_.empty(); })) {
        return false;
      }
    }
    runPosted();
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable posted_;
  std::deque<std::function<void()>> jobs_;
};

}  // namespace prober::testing
