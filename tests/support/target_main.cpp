// The integration tests' target server as a process: prints its port, serves until killed
// or until its time limit (seconds, first argument, default 300) passes.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "tests/support/target_server.h"

int main(int argc, char** argv) {
  const int limitSeconds = argc > 1 ? std::atoi(argv[1]) : 300;
  prober::testing::TargetServer server;
  std::cout << server.port() << std::endl;
  std::this_thread::sleep_for(std::chrono::seconds(limitSeconds));
  return 0;
}
