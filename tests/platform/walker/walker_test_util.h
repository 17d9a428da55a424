#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "platform/file_walker.h"

namespace xiaoan::testing {

// Records everything a walk reports.
class RecordingVisitor : public WalkVisitor {
 public:
  std::map<std::string, FileStat> files;  // path -> stat
  std::map<std::string, std::string> contents;
  std::map<WalkSkip, uint64_t> skipped;
  std::vector<std::pair<WalkSkip, std::string>> skipped_paths;
  size_t stop_after = 0;  // 0 = never stop
  bool read_contents = false;

  bool onFile(const WalkEntry& e) override {
    CHECK(files.count(std::string(e.path)) == 0);
    files[std::string(e.path)] = e.stat;
    if (read_contents)
      contents[std::string(e.path)] = readAt(static_cast<int>(e.dir), std::string(e.name));
    return stop_after == 0 || files.size() < stop_after;
  }
  void onSkip(WalkSkip reason, std::string_view path, uint64_t count, int) override {
    skipped[reason] += count;
    skipped_paths.emplace_back(reason, std::string(path));
  }
  uint64_t count(WalkSkip reason) const {
    auto it = skipped.find(reason);
    return it == skipped.end() ? 0 : it->second;
  }

  static std::string readAt(int dir_fd, const std::string& name) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string out(4096, '\0');
    ssize_t n = ::read(fd, out.data(), out.size());
    ::close(fd);
    REQUIRE(n >= 0);
    out.resize(static_cast<size_t>(n));
    return out;
  }
};

inline RecordingVisitor walk(const std::vector<std::string>& roots, WalkOptions options = {}) {
  RecordingVisitor v;
  std::atomic<bool> stop{false};
  auto walker = makeFileWalker();
  Status st = walker->walk(roots, options, v, stop);
  REQUIRE_MESSAGE(st.isOk(), st.toString());
  return v;
}

}  // namespace xiaoan::testing
