// The Linux UserSessions: accounts from a passwd file, terminals (made-up /dev trees whose
// entries point at a real character device) as sessions, and user names through NSS.
#include "platform/user_sessions.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

TEST_CASE("local users: every well-formed passwd line; homes and people told apart") {
  TempDir dir;
  const std::string passwd = dir.write("passwd",
                                       "root:x:0:0:root:/root:/bin/bash\n"
                                       "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                       "teacher:x:1000:1000:Li Lei:/home/teacher:/bin/bash\n"
                                       "broken line\n"
                                       "baduid:x:12a:1::/home/bad:/bin/sh\n"
                                       "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                                       "nohome:x:1002:1002::/:/bin/sh\n"
                                       "relative:x:1003:1003::home/r:/bin/sh");
  auto users = makeUserSessions({passwd, "/dev"})->localUsers();
  REQUIRE(users.isOk());
  REQUIRE(users->size() == 6);
  const auto& u = *users;
  CHECK((u[0].uid == 0 && u[0].name == "root" && u[0].home == "/root" && u[0].is_person));
  CHECK((u[1].name == "daemon" && !u[1].is_person));
  CHECK((u[2].uid == 1000 && u[2].home == "/home/teacher" && u[2].is_person));
  CHECK((u[3].name == "nobody" && !u[3].is_person));
  CHECK((u[4].name == "nohome" && u[4].home.empty() && u[4].is_person));
  CHECK((u[5].name == "relative" && u[5].home.empty()));
  CHECK(makeUserSessions({dir.sub("missing"), "/dev"})->localUsers().status().code() ==
        ErrorCode::kNotFound);
}

TEST_CASE("sessions: pseudo terminals and text consoles, nothing else") {
  TempDir dev;
  fs::create_directories(dev.sub("pts"));
  for (const char* name : {"pts/3", "pts/ptmx", "tty2", "tty", "ttyS0", "console"}) {
    fs::create_symlink("/dev/null", dev.sub(name));  // a character device with an access time
  }
  dev.write("tty7", "a regular file is no terminal");
  auto sessions = makeUserSessions({"/etc/passwd", dev.str()})->sessions();
  std::set<std::string> terminals;
  for (const auto& s : sessions) terminals.insert(s.terminal);
  CHECK(terminals == std::set<std::string>{"pts/3", "tty2"});
  const auto now = std::chrono::system_clock::now();
  for (const auto& s : sessions) CHECK(s.last_input <= now);
}

TEST_CASE("sanity: the real terminals and the user name of a uid") {
  for (const auto& s : makeUserSessions()->sessions()) CHECK_FALSE(s.terminal.empty());
  auto users = makeUserSessions()->localUsers();
  REQUIRE(users.isOk());
  CHECK(std::any_of(users->begin(), users->end(),
                    [](const LocalUser& u) { return u.uid == 0 && u.name == "root"; }));
  CHECK(userNameOf(0) == "root");
  CHECK_FALSE(userNameOf(4'000'000'000u).has_value());
}

}  // namespace
}  // namespace xiaoan
