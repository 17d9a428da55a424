#include "platform/file_util.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

namespace xiaoan {

TEST_CASE("atomicWriteFile replaces content and sets the mode; readFile caps size") {
  char tmpl[] = "/tmp/xiaoan-fu-XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  std::string path = (dir / "a" / "b" / "f").string();
  REQUIRE(makeDirs((dir / "a" / "b").string()).isOk());
  REQUIRE(atomicWriteFile(path, "first", 0644).isOk());
  REQUIRE(atomicWriteFile(path, "second", 0600).isOk());
  CHECK(*readFile(path, 100) == "second");
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  CHECK(readFile(path, 3).status().code() == ErrorCode::kTooLarge);
  CHECK(readFile((dir / "missing").string(), 3).status().code() == ErrorCode::kNotFound);
  // No temp files are left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "a" / "b")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("randomBytes and toHex") {
  auto a = randomBytes(16);
  auto b = randomBytes(16);
  REQUIRE(a.isOk());
  CHECK(a->size() == 16);
  CHECK(*a != *b);
  CHECK(toHex(std::string("\x00\xff\x10", 3)) == "00ff10");
}

}  // namespace xiaoan
