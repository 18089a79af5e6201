// The production timer on a real io_context: the wake expectNext() readies is used when armAt()
// asks for it, and never fires otherwise.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "prober/runtime/asio_timer.h"

using namespace std::chrono_literals;
using prober::AsioTimer;
using prober::SteadyTime;

namespace {

SteadyTime soon(std::chrono::milliseconds after) {
  return std::chrono::steady_clock::now() + after;
}

}  // namespace

TEST_CASE("asio timer: the readied next wake is adopted by armAt at that time") {
  boost::asio::io_context io;
  AsioTimer timer(io);
  std::vector<int> fired;
  const SteadyTime first = soon(5ms);
  const SteadyTime second = first + 10ms;
  timer.armAt(first, [&] {
    fired.push_back(1);
    timer.armAt(second, [&] { fired.push_back(2); });  // the wake expectNext readied
  });
  timer.expectNext(second);
  io.run_for(100ms);
  CHECK(fired == std::vector<int>{1, 2});  // each once
}

TEST_CASE("asio timer: armAt at another time forgets the readied wake") {
  boost::asio::io_context io;
  AsioTimer timer(io);
  std::vector<int> fired;
  const SteadyTime first = soon(5ms);
  timer.armAt(first, [&] {
    fired.push_back(1);
    timer.armAt(first + 30ms, [&] { fired.push_back(3); });
  });
  timer.expectNext(first + 10ms);
  io.run_for(20ms);
  CHECK(fired == std::vector<int>{1});  // nothing at +10 ms
  io.run_for(100ms);
  CHECK(fired == std::vector<int>{1, 3});
}

TEST_CASE("asio timer: cancel forgets both the wake and the readied one") {
  boost::asio::io_context io;
  AsioTimer timer(io);
  int fired = 0;
  timer.armAt(soon(5ms), [&] { ++fired; });
  timer.expectNext(soon(10ms));
  timer.cancel();
  io.run_for(50ms);
  CHECK(fired == 0);
}

TEST_CASE("asio timer: a readied wake nobody takes up never fires") {
  // The timer behaves as if only armAt() had been called: one wake, nothing after it unless
  // armed again.
  boost::asio::io_context io;
  AsioTimer timer(io);
  int fired = 0;
  timer.armAt(soon(5ms), [&] { ++fired; });
  timer.expectNext(soon(15ms));
  io.run_for(100ms);
  CHECK(fired == 1);
}

TEST_CASE("asio timer: a hint no later than the armed wake is ignored") {
  boost::asio::io_context io;
  AsioTimer timer(io);
  int fired = 0;
  const SteadyTime at = soon(10ms);
  timer.armAt(at, [&] { ++fired; });
  timer.expectNext(at);
  timer.expectNext(at - 5ms);
  io.run_for(100ms);
  CHECK(fired == 1);
}

TEST_CASE("asio timer: a wake already due when re-armed elsewhere does not fire") {
  // The loop was held up past both deadlines: both waits are queued in one turn. The first
  // re-arms at another time; the spare's queued wait must not fire as well.
  boost::asio::io_context io;
  AsioTimer timer(io);
  std::vector<int> fired;
  const SteadyTime first = soon(1ms);
  timer.armAt(first, [&] {
    fired.push_back(1);
    timer.armAt(first + 50ms, [&] { fired.push_back(3); });
  });
  timer.expectNext(first + 2ms);
  std::this_thread::sleep_for(10ms);  // both deadlines pass before the loop runs
  io.run_for(20ms);
  CHECK(fired == std::vector<int>{1});
  io.run_for(100ms);
  CHECK(fired == std::vector<int>{1, 3});
}
