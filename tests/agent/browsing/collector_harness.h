#pragma once

// One profile's database in a temporary home, read by a real HistoryCollector with a cursor
// file in a temporary state directory.
#include <filesystem>
#include <memory>
#include <set>

#include "agent/browsing/history_collector.h"
#include "platform/file.h"
#include "tests/agent/browsing/browsing_test_util.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::testing {

// 2026-01-10T00:00:00Z: visits of the tests are a few days before.
inline constexpr int64_t kTestNowSeconds = 1768003200;
// 2026-01-01T00:00:00+08:00 (midnight in Asia/Shanghai) in µs since 1970.
inline constexpr int64_t kShanghaiMidnightUs = int64_t{1767196800} * 1000000;

struct CollectorHarness {
  explicit CollectorHarness(bool firefox = false, size_t max_per_poll = 20000) {
    std::filesystem::create_directories(tmp.sub("profile"));
    profile.user = "student";
    profile.browser = firefox ? v1::BROWSER_KIND_FIREFOX : v1::BROWSER_KIND_CHROME;
    profile.profile = "Default";
    profile.db_path = tmp.sub(firefox ? "profile/places.sqlite" : "profile/History");
    profile.firefox = firefox;
    options.snapshot.work_dir = tmp.sub("state/browsing/work");
    options.max_visits_per_poll = max_per_poll;
    std::filesystem::create_directories(tmp.sub("state/browsing"));
    restart();
  }

  // A new collector over the same state directory, as after an agent restart.
  void restart() {
    collector.reset();
    cursors = std::make_unique<agent::browsing::CursorStore>(tmp.sub("state/browsing/cursors"));
    REQUIRE(cursors->load().isOk());
    collector = std::make_unique<agent::browsing::HistoryCollector>(options, clock, *cursors, sink);
  }

  agent::browsing::PollResult poll() {
    auto st = statPath(profile.db_path);
    if (st.isOk()) profile.uid = st->uid;
    return collector->poll(profile, builder, matcher);
  }

  // Creates the profile's Chromium database with `n` visits to `prefix`0.. from `first_us`.
  void createChromium(const std::string& prefix, int n, int64_t first_us) {
    TestDb db(profile.db_path);
    createChromiumSchema(db);
    for (int i = 0; i < n; ++i) addChromiumVisit(db, prefix + std::to_string(i), "t", first_us + i);
  }

  // Every key sent so far is unique.
  bool keysUnique() const {
    std::set<std::string> keys;
    for (const auto& v : sink.visits()) {
      if (!keys.insert(v.key()).second) return false;
    }
    return true;
  }

  TempDir tmp;
  FakeClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(kTestNowSeconds))};
  RecordingSink sink;
  agent::browsing::CollectorOptions options;
  agent::browsing::BrowserProfile profile;
  v1::BrowsingPolicy policy;
  agent::browsing::VisitBuilder builder{v1::BrowsingPolicy()};
  agent::browsing::SiteMatcher matcher;
  std::unique_ptr<agent::browsing::CursorStore> cursors;
  std::unique_ptr<agent::browsing::HistoryCollector> collector;
};

inline int64_t dayUs(int day) { return (kTestNowSeconds - int64_t{86400} * day) * 1000000; }

}  // namespace xiaoan::testing
