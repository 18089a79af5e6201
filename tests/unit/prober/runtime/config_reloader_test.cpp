// The reloader on its own: one reload at a time, loaded off the loop, applied on it; a refused
// config keeps the old one and says why.
#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

#include "prober/runtime/config_reloader.h"
#include "tests/fakes/test_loop.h"

namespace {

// A loader that waits until the test lets it finish, so a second reload meets a running one.
struct GatedLoader {
  std::mutex mutex;
  std::condition_variable opened;
  bool open = false;
  prober::LoadResult result;

  prober::LoadResult operator()() {
    std::unique_lock lock(mutex);
    opened.wait_for(lock, std::chrono::seconds(10), [this] { return open; });
    return result;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    opened.notify_all();
  }
};

}  // namespace

TEST_CASE("one reload at a time: a second one meanwhile is refused, the first applies") {
  prober::testing::TestLoop loop;
  GatedLoader loader;
  loader.result.config = prober::Config{};
  int applied = 0;
  std::vector<bool> counted;
  prober::ConfigReloader reloader([&loader] { return loader(); },
                                  [&loop](std::function<void()> job) { loop.post(job); },
                                  [&applied](prober::Config) {
                                    ++applied;
                                    return std::string("config reloaded: 0 checks\n");
                                  },
                                  [&counted](bool ok) { counted.push_back(ok); });
  std::vector<std::string> answers;
  reloader.reload([&answers](bool, const std::string& message) { answers.push_back(message); });
  CHECK(reloader.running());
  reloader.reload([&answers](bool ok, const std::string& message) {
    CHECK_FALSE(ok);
    answers.push_back(message);
  });
  REQUIRE(answers.size() == 1);
  CHECK(answers[0] == "a reload is already running; try again\n");
  CHECK(applied == 0);  // nothing lands until the loop runs what the loader posted
  loader.release();
  REQUIRE(loop.waitAndRun());
  CHECK(applied == 1);
  REQUIRE(answers.size() == 2);
  CHECK(answers[1] == "config reloaded: 0 checks\n");
  CHECK(counted == std::vector<bool>{true});
  CHECK_FALSE(reloader.running());
}

TEST_CASE("a refused config is not applied and every error is told") {
  prober::testing::TestLoop loop;
  prober::LoadResult refused;
  refused.errors.push_back({prober::SourceLocation{"p.toml", 3, 7}, "interval is bad"});
  refused.errors.push_back({prober::SourceLocation{"p.toml", 9, 1}, "url is missing"});
  int applied = 0;
  std::vector<bool> counted;
  prober::ConfigReloader reloader([refused] { return refused; },
                                  [&loop](std::function<void()> job) { loop.post(job); },
                                  [&applied](prober::Config) {
                                    ++applied;
                                    return std::string();
                                  },
                                  [&counted](bool ok) { counted.push_back(ok); });
  std::string answer;
  bool ok = true;
  reloader.reload([&](bool applied, const std::string& message) {
    ok = applied;
    answer = message;
  });
  REQUIRE(loop.waitAndRun());
  CHECK_FALSE(ok);
  CHECK(applied == 0);
  CHECK(answer ==
        "config refused, the old one keeps running:\np.toml:3:7: interval is bad\n"
        "p.toml:9:1: url is missing\n");
  CHECK(counted == std::vector<bool>{false});
}

TEST_CASE("a reload that lands after stop is dropped") {
  prober::testing::TestLoop loop;
  int applied = 0;
  prober::ConfigReloader reloader(
      [] {
        prober::LoadResult result;
        result.config = prober::Config{};
        return result;
      },
      [&loop](std::function<void()> job) { loop.post(job); },
      [&applied](prober::Config) {
        ++applied;
        return std::string();
      },
      [](bool) {});
  bool answered = false;
  reloader.reload([&answered](bool, const std::string&) { answered = true; });
  reloader.stop();  // waits for the load; what it posted is dropped when it runs
  loop.runPosted();
  CHECK(applied == 0);
  CHECK_FALSE(answered);
}
