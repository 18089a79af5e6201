// doctest's main, with the product's logging silenced (PROBER_TEST_LOGS=1 shows it).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (std::getenv("PROBER_TEST_LOGS") == nullptr) {
    spdlog::set_level(spdlog::level::off);
  }
  return doctest::Context(argc, argv).run();
}
