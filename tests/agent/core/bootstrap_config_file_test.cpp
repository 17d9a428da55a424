#include "agent/core/bootstrap_config_file.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "agent/core/bootstrap_config.h"
#include "tests/support/as_nobody.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent {
namespace {

using testing::TempDir;

constexpr const char* kWithToken =
    R"({"collector_url": "https://c.example.edu.cn", "ca_bundle": "/etc/xiaoan/ca.pem",
        "enrollment_token": "tok1.s3cret", "state_dir": "/var/lib/xiaoan",
        "checkin_interval_seconds": 30})";

// A config as an installer leaves it: 0644 in a directory anyone may enter.
struct ExposedConfig {
  TempDir dir;
  std::string path;
  ExposedConfig() {
    ::chmod(dir.path().c_str(), 0755);
    path = dir.write("agent.json", kWithToken);
    ::chmod(path.c_str(), 0644);
  }
  unsigned mode() const {
    struct stat sb {};
    REQUIRE(::lstat(path.c_str(), &sb) == 0);
    return sb.st_mode & 07777;
  }
  std::string text() const {
    auto r = readBootstrapConfig(path);
    REQUIRE_MESSAGE(r.isOk(), r.status().toString());
    return r->enrollment_token();
  }
};

// What a local non-root user (a student) gets when reading the file: its bytes or "DENIED".
std::string readAsNobody(const std::string& path) {
  return testing::runAsNobody([&] {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return std::string("DENIED");
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  });
}

TEST_CASE("X3: a local user reads the token from an installer's config until it is protected") {
  ExposedConfig c;
  // The attack of issue 10: the student reads the school's enrollment token.
  CHECK(readAsNobody(c.path).find("tok1.s3cret") != std::string::npos);
  auto fixed = protectBootstrapConfig(c.path);
  REQUIRE_MESSAGE(fixed.isOk(), fixed.status().toString());
  CHECK(*fixed);
  CHECK(c.mode() == 0600);
  CHECK(readAsNobody(c.path) == "DENIED");
  // Nothing more to fix the second time.
  auto again = protectBootstrapConfig(c.path);
  REQUIRE(again.isOk());
  CHECK_FALSE(*again);
}

TEST_CASE("a config without a token keeps its mode") {
  ExposedConfig c;
  c.dir.write("agent.json", R"({"collector_url": "https://c.example.edu.cn"})");
  auto fixed = protectBootstrapConfig(c.path);
  REQUIRE(fixed.isOk());
  CHECK_FALSE(*fixed);
  CHECK(c.mode() == 0644);
}

TEST_CASE("X3: once enrolled the token leaves the file, which ends 0600 and unreadable to users") {
  ExposedConfig c;
  ::umask(022);
  auto removed = removeEnrollmentToken(c.path);
  REQUIRE_MESSAGE(removed.isOk(), removed.status().toString());
  CHECK(*removed);
  CHECK(c.mode() == 0600);
  CHECK(c.text().empty());
  CHECK(readAsNobody(c.path) == "DENIED");
  // The other settings survive the rewrite and still load.
  auto loaded = readBootstrapConfig(c.path);
  REQUIRE(loaded.isOk());
  CHECK(loaded->collector_url() == "https://c.example.edu.cn");
  CHECK(loaded->checkin_interval_seconds() == 30);
  CHECK(loaded->state_dir() == "/var/lib/xiaoan");
  // No temp file is left beside it; a second call has nothing to remove.
  CHECK(std::distance(std::filesystem::directory_iterator(c.dir.path()), {}) == 1);
  auto again = removeEnrollmentToken(c.path);
  REQUIRE(again.isOk());
  CHECK_FALSE(*again);
}

TEST_CASE("a leftover temp file of an interrupted rewrite does not block the next one") {
  ExposedConfig c;
  c.dir.write(".agent.json.tmp", "half");
  auto removed = removeEnrollmentToken(c.path);
  REQUIRE_MESSAGE(removed.isOk(), removed.status().toString());
  CHECK(c.text().empty());
  CHECK_FALSE(std::filesystem::exists(c.dir.sub(".agent.json.tmp")));
}

TEST_CASE("a symlinked config is not replaced by a file (its target would keep the token)") {
  ExposedConfig c;
  const std::string link = c.dir.sub("link.json");
  std::filesystem::create_symlink(c.path, link);
  auto removed = removeEnrollmentToken(link);
  REQUIRE_FALSE(removed.isOk());
  CHECK(removed.status().code() == ErrorCode::kUnsupported);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(c.text() == "tok1.s3cret");
}

}  // namespace
}  // namespace xiaoan::agent
