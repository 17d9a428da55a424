// Profile discovery in real directory trees, profiles.ini parsing, the cursor file, and the
// service end to end with a fake account list.
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "agent/browsing/browsing_service.h"
#include "agent/browsing/cursor_store.h"
#include "agent/browsing/profile_discovery.h"
#include "tests/agent/browsing/browsing_test_util.h"
#include "tests/agent/browsing/collector_harness.h"
#include "tests/fakes/fake_user_sessions.h"

namespace xiaoan::agent::browsing {
namespace {

namespace fs = std::filesystem;

void touch(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << "";
}

TEST_CASE("profiles.ini: relative and absolute paths, only [Profile*] sections, bounded") {
  const std::string ini =
      "[Install4F96D1932A9F858E]\r\nDefault=abc.default-release\r\n"
      "[Profile1]\nName=default\nIsRelative=1\nPath=Profiles/xyz.default\n"
      "[Profile0]\nName=work\nIsRelative=0\nPath=/data/ff/work\n"
      "[Profile2]\nIsRelative=1\nPath=../../etc\n"
      "[General]\nStartWithLastProfile=1\n";
  auto dirs = parseProfilesIni(ini, "/home/s/.mozilla/firefox");
  REQUIRE(dirs.size() == 2);
  CHECK(dirs[0] == "/home/s/.mozilla/firefox/Profiles/xyz.default");
  CHECK(dirs[1] == "/data/ff/work");
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "[Profile" + std::to_string(i) + "]\nPath=p" + std::to_string(i) + "\n";
  CHECK(parseProfilesIni(many, "/x").size() == kMaxProfilesPerRoot);
}

TEST_CASE(
    "discovery: Chromium family, snap, flatpak, 360History, Firefox; not guests or services") {
  testing::TempDir tmp;
  const std::string home = tmp.sub("student");
  touch(home + "/.config/google-chrome/Default/History");
  touch(home + "/.config/google-chrome/Profile 2/History");
  touch(home + "/.config/google-chrome/System Profile/History");
  touch(home + "/.config/google-chrome/Guest Profile/History");
  touch(home + "/.config/google-chrome/Crashpad/settings.dat");
  touch(home + "/snap/chromium/common/chromium/Default/History");
  touch(home + "/.var/app/com.microsoft.Edge/config/microsoft-edge/Default/360History");
  touch(home + "/.mozilla/firefox/Profiles/abc.default-release/places.sqlite");
  std::ofstream(home + "/.mozilla/firefox/profiles.ini")
      << "[Profile0]\nIsRelative=1\nPath=Profiles/abc.default-release\n"
         "[Profile1]\nIsRelative=1\nPath=Profiles/missing\n";
  touch(tmp.sub("daemon/.config/chromium/Default/History"));
  std::vector<LocalUser> users = {{1000, "student", home, true},
                                  {2, "daemon", tmp.sub("daemon"), false},
                                  {1001, "nohome", "", true}};
  auto found = discoverProfiles(users);
  REQUIRE(found.size() == 5);
  CHECK(found[0].profile == "Default");
  CHECK(found[0].browser == v1::BROWSER_KIND_CHROME);
  CHECK(found[1].profile == "Profile 2");
  CHECK(found[2].browser == v1::BROWSER_KIND_CHROMIUM);
  CHECK(found[2].db_path == home + "/snap/chromium/common/chromium/Default/History");
  CHECK(found[3].browser == v1::BROWSER_KIND_EDGE);
  CHECK(found[3].db_path.ends_with("/Default/360History"));
  CHECK(found[4].browser == v1::BROWSER_KIND_FIREFOX);
  CHECK(found[4].firefox);
  CHECK(found[4].profile == "abc.default-release");
  for (const auto& p : found) CHECK(p.user == "student");
  CHECK(windowsChromiumRoots().size() >= 10);
}

TEST_CASE("cursor file: round trip, torn and malformed lines skipped, atomic save") {
  testing::TempDir tmp;
  CursorStore a(tmp.sub("cursors"));
  REQUIRE(a.load().isOk());  // absent: empty
  REQUIRE(a.put("/home/s/.config/google-chrome/Default/History",
                {{13400000000000000, 42, false}, {5, 6}, 13300000000000000, 17})
              .isOk());
  REQUIRE(a.put("/home/s/with space/places.sqlite", {{-5, 0, true}, {7, 8}}).isOk());
  CHECK_FALSE(a.put("bad\nkey", {}).isOk());
  REQUIRE(a.save().isOk());
  CursorStore b(tmp.sub("cursors"));
  REQUIRE(b.load().isOk());
  CHECK(b.size() == 2);
  CHECK(b.get("/home/s/with space/places.sqlite")->cursor.time_only);
  const auto chrome = b.get("/home/s/.config/google-chrome/Default/History");
  CHECK(chrome->cursor.id == 42);
  CHECK(chrome->window_start == 13300000000000000);
  CHECK(chrome->window_count == 17);
  CHECK(b.get("/home/s/with space/places.sqlite")->window_count == -1);
  std::string text = a.serialize();
  text +=
      "x y z 1 2 0 0 /bad\n1 2 3 4 5 0 0 /bad-flag\n1 2 0 3 4 /old-format\n"
      "9 9 0 1 1 0 0 /torn";  // the last line has no newline
  b.parse(text);
  CHECK(b.size() == 2);
  b.parse("not our header\n1 2 0 3 4 0 0 /p\n");
  CHECK(b.size() == 0);
}

TEST_CASE("service: a new user's profile is found without restart; policy applies live") {
  testing::TempDir tmp;
  testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::seconds(testing::kTestNowSeconds))};
  testing::FakeUserSessions users;
  users.setUsers({});
  testing::RecordingSink sink;
  BrowsingService service({tmp.sub("state")}, clock, users, sink);
  REQUIRE(service.start().isOk());
  CHECK((fs::status(tmp.sub("state/browsing")).permissions() & fs::perms::all) ==
        fs::perms::owner_all);
  const std::string home = tmp.sub("home/pupil");
  fs::create_directories(home + "/.config/chromium/Default");
  {
    testing::TestDb db(home + "/.config/chromium/Default/History");
    testing::createChromiumSchema(db);
    testing::addChromiumVisit(db, "https://www.bet.com/play", "bet", testing::dayUs(2));
    testing::addChromiumVisit(db, "https://school.edu.cn/", "school", testing::dayUs(2) + 1);
  }
  users.setUsers({{1000, "pupil", home, true}});
  v1::BrowsingPolicy p;
  p.add_exclude_domains("school.edu.cn");
  auto* r = p.add_site_rules();
  r->set_category(v1::SITE_CATEGORY_GAMBLING);
  r->add_domains("bet.com");
  service.applyPolicy(&p);
  service.pollNow();
  auto visits = sink.visits();
  REQUIRE(visits.size() == 1);
  CHECK(visits[0].user() == "pupil");
  CHECK(visits[0].browser() == v1::BROWSER_KIND_CHROMIUM);
  auto alerts = sink.alerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].category() == v1::SITE_CATEGORY_GAMBLING);
  CHECK(alerts[0].visit().url() == "https://www.bet.com/play");
  for (const auto& e : sink.events()) {
    CHECK(e.priority() ==
          (e.has_browsing_visits() ? v1::PRIORITY_ACTIVITY : v1::PRIORITY_SECURITY));
  }
  auto st = service.status();
  CHECK(st.enabled());
  CHECK(st.profiles() == 1);
  CHECK(st.visits_read() == 1);
  CHECK(st.last_poll().seconds() == testing::kTestNowSeconds);
  // Turning collection off first reads what was browsed until then.
  {
    testing::TestDb db(home + "/.config/chromium/Default/History");
    testing::addChromiumVisit(db, "https://before-off.cn/", "b", testing::dayUs(1));
  }
  p.set_enabled(false);
  service.applyPolicy(&p);
  CHECK(sink.visits().size() == 2);
  const size_t events_when_off = sink.events().size();
  {
    testing::TestDb db(home + "/.config/chromium/Default/History");
    testing::addChromiumVisit(db, "https://while-off.bet.com/", "off", testing::dayUs(1) + 10);
  }
  service.pollNow();
  CHECK(sink.events().size() == events_when_off);  // off: no visit, no alert, no event
  CHECK_FALSE(service.status().enabled());
  // Back on: the time it was off is never sent; what comes after is.
  service.applyPolicy(nullptr);
  service.pollNow();
  CHECK(sink.events().size() == events_when_off);
  {
    testing::TestDb db(home + "/.config/chromium/Default/History");
    testing::addChromiumVisit(db, "https://after-on.cn/", "on", testing::dayUs(1) + 20);
  }
  service.stop();  // the read at stop
  REQUIRE(sink.visits().size() == 3);
  CHECK(sink.visits()[2].url() == "https://after-on.cn/");
  CHECK_FALSE(fs::exists(tmp.sub("state/browsing/work/history")));  // copies removed
}

// One person account "pupil" whose Chrome Default profile directory exists.
struct PupilHome {
  testing::TempDir tmp;
  testing::FakeClock clock;
  testing::FakeUserSessions users;
  std::string home = tmp.sub("home/pupil");
  std::string db_path = home + "/.config/google-chrome/Default/History";
  PupilHome() { fs::create_directories(fs::path(db_path).parent_path()); }
};

TEST_CASE("service: an unreadable profile shows in status and as one event, until it is fixed") {
  PupilHome h;
  auto& [tmp, clock, users, home, db_path] = h;
  std::ofstream(db_path) << "this is not a database, just text long enough to be read as one";
  users.setUsers({{1000, "pupil", home, true}});
  testing::RecordingSink sink;
  BrowsingService service({tmp.sub("state")}, clock, users, sink);
  service.pollNow();
  service.pollNow();
  CHECK(service.status().last_error().code() == "E_DATABASE");
  auto history = sink.history();
  REQUIRE(history.size() == 1);
  CHECK(history[0].kind() == v1::BrowsingHistoryEvent::KIND_UNREADABLE);
  CHECK(history[0].error().code() == "E_DATABASE");
  fs::remove(db_path);
  {
    testing::TestDb db(db_path);
    testing::createChromiumSchema(db);
    testing::addChromiumVisit(db, "https://ok.cn/", "ok", testing::dayUs(1));
  }
  service.pollNow();
  CHECK(service.status().last_error().code().empty());
  CHECK(sink.visits().size() == 1);
}

// Waits up to 10 s for `done`.
template <typename Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST_CASE("service: no read before the running policy is known, then with it; defaults later") {
  PupilHome h;
  auto& [tmp, clock, users, home, db_path] = h;
  {
    testing::TestDb db(db_path);
    testing::createChromiumSchema(db);
    testing::addChromiumVisit(db, "https://search.cn/s?q=private", "搜索", testing::dayUs(1));
  }
  users.setUsers({{1000, "pupil", home, true}});
  testing::RecordingSink sink;
  {
    BrowsingService service({tmp.sub("state")}, clock, users, sink);
    REQUIRE(service.start().isOk());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(sink.events().empty());  // waiting for the policy
    v1::BrowsingPolicy p;
    p.set_url_detail(v1::URL_DETAIL_DOMAIN);
    service.applyPolicy(&p);
    REQUIRE(eventually([&] { return sink.visits().size() == 1; }));
    CHECK(sink.visits()[0].url() == "https://search.cn/");  // read with the policy
  }
  // Stopped before any policy: no read at stop (the next start reads it).
  {
    testing::TestDb db(db_path);
    testing::addChromiumVisit(db, "https://later.cn/", "l", testing::dayUs(1) + 1);
  }
  {
    BrowsingService service({tmp.sub("state")}, clock, users, sink);
    REQUIRE(service.start().isOk());
    service.stop();
    CHECK(sink.visits().size() == 1);
  }
  // No policy at all (not enrolled): the defaults once the wait is over.
  BrowsingServiceOptions o{tmp.sub("state")};
  o.policy_wait = std::chrono::milliseconds(50);
  BrowsingService service(o, clock, users, sink);
  REQUIRE(service.start().isOk());
  REQUIRE(eventually([&] { return sink.visits().size() == 2; }));
  CHECK(sink.visits()[1].url() == "https://later.cn/");
}

}  // namespace
}  // namespace xiaoan::agent::browsing
