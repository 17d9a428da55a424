// Sanity tests of the Linux InstanceLock and currentProcessId against the real kernel.
#include "platform/instance_lock.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "platform/process_info.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

std::string contentOf(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("currentProcessId is our pid") {
  CHECK(currentProcessId() == static_cast<uint32_t>(::getpid()));
}

TEST_CASE("InstanceLock records our pid and refuses a second holder") {
  testing::TempDir t;
  const std::string path = t.sub("agent.lock");
  std::optional<InstanceLock> first;
  {
    auto lock = InstanceLock::acquire(path);
    REQUIRE_MESSAGE(lock.isOk(), lock.status().toString());
    first.emplace(std::move(*lock));
  }
  const std::string pid = std::to_string(::getpid());
  CHECK(contentOf(path) == pid + "\n");
  auto second = InstanceLock::acquire(path);
  CHECK(second.status().code() == ErrorCode::kAlreadyRunning);
  CHECK(second.status().message().find("(pid " + pid + ")") != std::string::npos);
  CHECK(contentOf(path) == pid + "\n");  // the refused attempt left the file alone
  first.reset();
  CHECK(InstanceLock::acquire(path).isOk());
}

TEST_CASE("InstanceLock held by another process names that process") {
  testing::TempDir t;
  const std::string path = t.sub("agent.lock");
  int ready[2], done[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(done) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(done[1]);  // so that the parent closing its end is seen as EOF here
    auto lock = InstanceLock::acquire(path);
    char c = lock.isOk() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(done[0], &c, 1);  // hold until the parent is done
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(done[0]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  auto refused = InstanceLock::acquire(path);
  CHECK(refused.status().code() == ErrorCode::kAlreadyRunning);
  CHECK(refused.status().message().find("(pid " + std::to_string(child) + ")") !=
        std::string::npos);
  ::close(done[1]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(InstanceLock::acquire(path).isOk());  // the dead holder's lock is gone
  ::close(ready[0]);
}

TEST_CASE("InstanceLock refuses a symlink and reports a missing directory") {
  testing::TempDir t;
  t.write("elsewhere", "");
  REQUIRE(::symlink(t.sub("elsewhere").c_str(), t.sub("agent.lock").c_str()) == 0);
  CHECK_FALSE(InstanceLock::acquire(t.sub("agent.lock")).isOk());
  CHECK(InstanceLock::acquire(t.sub("missing/agent.lock")).status().code() == ErrorCode::kNotFound);
}

}  // namespace xiaoan
