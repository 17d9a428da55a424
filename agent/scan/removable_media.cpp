#include "agent/scan/removable_media.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "agent/scan/path_text.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr const char* kMediaRoots[] = {"/media/", "/run/media/", "/mnt/"};
constexpr const char* kMediaFsTypes[] = {"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk"};

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

}  // namespace

std::vector<MountEntry> parseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
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
    MountEntry m;
    m.major = toNumber(f[2].substr(0, colon));
    m.minor = toNumber(f[2].substr(colon + 1));
    m.mount_point = unescape(f[4]);
    m.fstype = std::string(f[dash + 1]);
    m.source = unescape(f[dash + 2]);
    out.push_back(std::move(m));
  }
  return out;
}

bool isRemovableMount(const MountEntry& m,
                      const std::function<bool(uint32_t, uint32_t)>& is_removable_device) {
  const bool media_dir =
      std::any_of(std::begin(kMediaRoots), std::end(kMediaRoots),
                  [&](const char* root) { return m.mount_point.rfind(root, 0) == 0; });
  if (!media_dir) return false;
  if (std::find(std::begin(kMediaFsTypes), std::end(kMediaFsTypes), m.fstype) !=
      std::end(kMediaFsTypes)) {
    return true;
  }
  return m.major != 0 && is_removable_device && is_removable_device(m.major, m.minor);
}

std::vector<MountEntry> newMounts(const std::vector<MountEntry>& before,
                                  const std::vector<MountEntry>& now) {
  std::vector<MountEntry> out;
  for (const auto& m : now) {
    const bool known = std::any_of(before.begin(), before.end(), [&](const MountEntry& b) {
      return b.mount_point == m.mount_point && b.major == m.major && b.minor == m.minor;
    });
    if (!known) out.push_back(m);
  }
  return out;
}

bool sysfsRemovable(uint32_t major, uint32_t minor) {
  const std::string dev = "/sys/dev/block/" + std::to_string(major) + ":" + std::to_string(minor);
  // A partition (sdb1) has no "removable" of its own; its disk (sdb) is the parent directory.
  return readsOne(dev + "/removable") || readsOne(dev + "/../removable");
}

}  // namespace xiaoan::agent::scan

namespace xiaoan::agent::scan {

Result<std::unique_ptr<RemovableMediaWatcher>> RemovableMediaWatcher::start(
    Callback callback, Filter is_media, std::string mountinfo_path) {
  if (!is_media) {
    is_media = [](const MountEntry& m) { return isRemovableMount(m, sysfsRemovable); };
  }
  UniqueFd fd(::open(mountinfo_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "open " + mountinfo_path);
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return errnoStatus(ErrorCode::kIo, "eventfd");
  std::unique_ptr<RemovableMediaWatcher> w(new RemovableMediaWatcher(
      std::move(callback), std::move(is_media), std::move(fd), std::move(stop)));
  w->table_ = w->readTable();
  w->thread_ = std::thread([raw = w.get()] { raw->run(); });
  return w;
}

RemovableMediaWatcher::RemovableMediaWatcher(Callback callback, Filter is_media, UniqueFd mountinfo,
                                             UniqueFd stop)
    : callback_(std::move(callback)),
      is_media_(std::move(is_media)),
      mountinfo_(std::move(mountinfo)),
      stop_(std::move(stop)) {}

RemovableMediaWatcher::~RemovableMediaWatcher() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

// The whole file from the start (the kernel regenerates it on each read from offset 0).
std::vector<MountEntry> RemovableMediaWatcher::readTable() const {
  std::string text;
  char buf[16384];
  ssize_t n;
  if (::lseek(mountinfo_.get(), 0, SEEK_SET) != 0) return table_;
  while ((n = ::read(mountinfo_.get(), buf, sizeof buf)) > 0) text.append(buf, n);
  return parseMountInfo(text);
}

void RemovableMediaWatcher::run() {
  for (;;) {
    pollfd fds[2] = {{mountinfo_.get(), POLLPRI, 0}, {stop_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      componentLogger("agent.scan")->error("removable media: poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) return;
    if (!(fds[0].revents & (POLLPRI | POLLERR))) continue;
    std::vector<MountEntry> now = readTable();
    for (const auto& m : newMounts(table_, now)) {
      if (!is_media_(m)) continue;
      componentLogger("agent.scan")
          ->info("removable media mounted at {} ({}, {})", displayPath(m.mount_point), m.fstype,
                 displayPath(m.source));
      callback_(m.mount_point);
    }
    table_ = std::move(now);
  }
}

}  // namespace xiaoan::agent::scan
