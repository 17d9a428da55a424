// MountWatcher on Linux: /proc/self/mountinfo signals POLLPRI (POLLERR) when the mount table
// changes; an eventfd written by wake() ends a poll() early.

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "platform/file_util.h"
#include "platform/linux/mountinfo.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

bool isOctal(char c) { return c >= '0' && c <= '7'; }

uint32_t toNumber(std::string_view s) {
  return static_cast<uint32_t>(std::strtoul(std::string(s).c_str(), nullptr, 10));
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && isOctal(s[i + 1]) && isOctal(s[i + 2]) &&
        isOctal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> splitSpaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool readsOne(const std::string& path) {
  auto text = readFile(path, 64);
  return text.isOk() && !text->empty() && (*text)[0] == '1';
}

class LinuxMountWatcher final : public MountWatcher {
 public:
  LinuxMountWatcher(UniqueFd mountinfo, UniqueFd wake)
      : mountinfo_(std::move(mountinfo)), wake_(std::move(wake)) {
    table_ = readTable();
  }

  std::vector<MountInfo> current() const override {
    std::vector<MountInfo> out;
    for (const auto& e : table_) out.push_back(e.info);
    return out;
  }

  Result<std::vector<MountEvent>> wait(std::chrono::milliseconds timeout) override {
    const int ms = static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, 1 << 30));
    pollfd fds[2] = {{mountinfo_.get(), POLLPRI, 0}, {wake_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, ms);
    if (n < 0 && errno == EINTR) return std::vector<MountEvent>();
    if (n < 0) return errnoStatus(ErrorCode::kIo, "poll mountinfo");
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = ::read(wake_.get(), &count, sizeof count);
    }
    if (!(fds[0].revents & (POLLPRI | POLLERR))) return std::vector<MountEvent>();
    return changes();
  }

  void wake() override {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }

 private:
  // The whole file from the start (the kernel regenerates it on each read from offset 0); the
  // table read before when it cannot be read.
  std::vector<MountInfoEntry> readTable() const {
    std::string text;
    char buf[16384];
    ssize_t n;
    if (::lseek(mountinfo_.get(), 0, SEEK_SET) != 0) return table_;
    while ((n = ::read(mountinfo_.get(), buf, sizeof buf)) > 0) text.append(buf, n);
    if (n < 0) return table_;
    return parseMountInfo(text);
  }

  std::vector<MountEvent> changes() {
    std::vector<MountInfoEntry> now = readTable();
    std::vector<MountEvent> out;
    for (auto& e : mountsAdded(table_, now)) {
      e.info.removable = e.major != 0 && sysfsRemovable(e.major, e.minor);
      out.push_back({MountChange::kAdded, std::move(e.info)});
    }
    for (auto& e : mountsAdded(now, table_)) {
      out.push_back({MountChange::kRemoved, std::move(e.info)});
    }
    table_ = std::move(now);
    return out;
  }

  UniqueFd mountinfo_, wake_;
  std::vector<MountInfoEntry> table_;
};

}  // namespace

std::vector<MountInfoEntry> parseMountInfo(std::string_view text) {
  std::vector<MountInfoEntry> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    // id parent major:minor root mount_point options [optional...] - fstype source superopts
    const auto f = splitSpaces(line);
    const size_t dash = static_cast<size_t>(std::find(f.begin(), f.end(), "-") - f.begin());
    if (dash < 6 || dash + 2 >= f.size()) continue;
    const size_t colon = f[2].find(':');
    if (colon == std::string_view::npos) continue;
    MountInfoEntry m;
    m.major = toNumber(f[2].substr(0, colon));
    m.minor = toNumber(f[2].substr(colon + 1));
    m.info.mount_point = unescape(f[4]);
    m.info.fs_type = std::string(f[dash + 1]);
    m.info.device = unescape(f[dash + 2]);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MountInfoEntry> mountsAdded(const std::vector<MountInfoEntry>& before,
                                        const std::vector<MountInfoEntry>& now) {
  std::vector<MountInfoEntry> out;
  for (const auto& m : now) {
    const bool known = std::any_of(before.begin(), before.end(), [&](const MountInfoEntry& b) {
      return b.info.mount_point == m.info.mount_point && b.major == m.major && b.minor == m.minor;
    });
    if (!known) out.push_back(m);
  }
  return out;
}

bool sysfsRemovable(uint32_t major, uint32_t minor, const std::string& sys_dir) {
  const std::string dev =
      sys_dir + "/dev/block/" + std::to_string(major) + ":" + std::to_string(minor);
  // A partition (sdb1) has no "removable" of its own; its disk (sdb) is the parent directory.
  return readsOne(dev + "/removable") || readsOne(dev + "/../removable");
}

Result<std::unique_ptr<MountWatcher>> makeMountWatcher() {
  const std::string path = "/proc/self/mountinfo";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "open " + path);
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return errnoStatus(ErrorCode::kIo, "eventfd");
  return std::unique_ptr<MountWatcher>(new LinuxMountWatcher(std::move(fd), std::move(wake)));
}

}  // namespace xiaoan
