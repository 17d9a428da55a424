// The Linux LoginRecords over utmp/wtmp files written here in glibc's own record format, and
// the real /proc/stat: live sessions only (a dead session leader is no session), history from
// a time on with the newest kept under the cap, logout/boot/shutdown kinds, the change token.
#include "platform/login_records.h"

#include <doctest/doctest.h>
#include <unistd.h>
#include <utmp.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "platform/file_util.h"

using namespace xiaoan;
namespace fs = std::filesystem;
using std::chrono::system_clock;

namespace {

struct utmp record(short type, const char* user, const char* line, pid_t pid, long secs) {
  struct utmp u;
  std::memset(&u, 0, sizeof u);
  u.ut_type = type;
  u.ut_pid = pid;
  std::strncpy(u.ut_user, user, sizeof u.ut_user);
  std::strncpy(u.ut_line, line, sizeof u.ut_line);
  u.ut_tv.tv_sec = static_cast<int32_t>(secs);
  return u;
}

void writeRecords(const fs::path& path, const std::vector<struct utmp>& records) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& r : records) out.write(reinterpret_cast<const char*>(&r), sizeof r);
}

struct Dir {
  Dir() {
    path = fs::temp_directory_path() / ("xiaoan-login-" + toHex(randomBytes(6).value()));
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  fs::path path;
};

constexpr pid_t kDeadPid = 0x3ffffff0;  // above any pid_max

}  // namespace

TEST_CASE("current(): live USER_PROCESS entries only; absent file is no session") {
  Dir d;
  LoginRecordsOptions o;
  o.utmp_path = (d.path / "utmp").string();
  o.wtmp_path = (d.path / "wtmp").string();
  auto records = makeLoginRecords(o);
  auto none = records->current();
  REQUIRE(none.isOk());
  CHECK(none->empty());
  CHECK(records->changeToken().empty());

  writeRecords(d.path / "utmp", {record(BOOT_TIME, "reboot", "~", 0, 1000),
                                 record(USER_PROCESS, "root", "pts/7", getpid(), 2000),
                                 record(USER_PROCESS, "gone", "tty3", kDeadPid, 2100),
                                 record(DEAD_PROCESS, "", "tty4", 0, 2200)});
  auto now = records->current();
  REQUIRE(now.isOk());
  REQUIRE(now->size() == 1);
  CHECK(now->front().user == "root");
  CHECK(now->front().uid == std::optional<uint32_t>(0));
  CHECK(now->front().line == "pts/7");
  CHECK(now->front().pid == getpid());
  CHECK(now->front().time == system_clock::time_point(std::chrono::seconds(2000)));
  const std::string token = records->changeToken();
  CHECK_FALSE(token.empty());
  writeRecords(d.path / "utmp", {record(USER_PROCESS, "root", "pts/8", getpid(), 3000)});
  CHECK(records->changeToken() != token);
}

TEST_CASE("history(): kinds, the time filter and the cap keep the newest") {
  Dir d;
  LoginRecordsOptions o;
  o.utmp_path = (d.path / "utmp").string();
  o.wtmp_path = (d.path / "wtmp").string();
  auto records = makeLoginRecords(o);
  auto empty = records->history(system_clock::time_point(), 10);
  REQUIRE(empty.isOk());
  CHECK(empty->empty());
  struct utmp shutdown = record(RUN_LVL, "shutdown", "~~", 0, 1500);
  struct utmp runlevel = record(RUN_LVL, "runlevel", "~~", 0, 1600);
  writeRecords(d.path / "wtmp", {record(BOOT_TIME, "reboot", "~", 0, 1000),
                                 record(USER_PROCESS, "nosuchuser-xa", "tty2", 42, 1100),
                                 record(DEAD_PROCESS, "", "tty2", 42, 1400), shutdown, runlevel,
                                 record(BOOT_TIME, "reboot", "~", 0, 1700)});
  auto all = records->history(system_clock::time_point(), 100);
  REQUIRE(all.isOk());
  REQUIRE(all->size() == 5);
  CHECK((*all)[0].kind == LoginRecord::Kind::kBoot);
  CHECK((*all)[1].kind == LoginRecord::Kind::kLogin);
  CHECK((*all)[1].user == "nosuchuser-xa");
  CHECK_FALSE((*all)[1].uid.has_value());
  CHECK((*all)[2].kind == LoginRecord::Kind::kLogout);
  CHECK((*all)[2].line == "tty2");
  CHECK((*all)[3].kind == LoginRecord::Kind::kShutdown);
  CHECK((*all)[3].time == system_clock::time_point(std::chrono::seconds(1500)));
  CHECK((*all)[4].kind == LoginRecord::Kind::kBoot);
  auto since = records->history(system_clock::time_point(std::chrono::seconds(1400)), 100);
  REQUIRE(since.isOk());
  CHECK(since->size() == 3);
  auto capped = records->history(system_clock::time_point(), 2);
  REQUIRE(capped.isOk());
  REQUIRE(capped->size() == 2);
  CHECK(capped->back().time == system_clock::time_point(std::chrono::seconds(1700)));

  // Only the tail within max_history_bytes is read: the first records fall out.
  o.max_history_bytes = 2 * sizeof(struct utmp);
  auto tail = makeLoginRecords(o)->history(system_clock::time_point(), 100);
  REQUIRE(tail.isOk());
  REQUIRE(tail->size() == 1);  // the runlevel record says nothing; the last boot does
  CHECK(tail->front().kind == LoginRecord::Kind::kBoot);
}

TEST_CASE("bootTime() reads the real /proc/stat; a file without btime is E_IO") {
  auto boot = makeLoginRecords()->bootTime();
  REQUIRE(boot.isOk());
  CHECK(boot.value() < system_clock::now());
  CHECK(boot.value() > system_clock::time_point(std::chrono::seconds(1'500'000'000)));
  Dir d;
  std::ofstream(d.path / "stat") << "cpu 1 2 3\nintr 0\n";
  LoginRecordsOptions o;
  o.proc_stat_path = (d.path / "stat").string();
  CHECK(makeLoginRecords(o)->bootTime().status().code() == ErrorCode::kIo);
}
