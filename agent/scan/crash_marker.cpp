#include "agent/scan/crash_marker.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "agent/scan/state_file.h"
#include "common/crc32c.h"
#include "platform/file_util.h"

namespace xiaoan::agent::scan {
namespace {

constexpr uint32_t kMagic = 0x46494158;  // "XAIF"
constexpr size_t kHeader = 12;           // magic, body length, body CRC
constexpr size_t kMaxPath = 1 << 16;

bool decode(const std::string& data, InflightFile* out) {
  uint32_t magic = 0, len = 0, crc = 0;
  if (data.size() < kHeader) return false;
  std::memcpy(&magic, data.data(), 4);
  std::memcpy(&len, data.data() + 4, 4);
  std::memcpy(&crc, data.data() + 8, 4);
  if (magic != kMagic || data.size() - kHeader < len) return false;
  if (crc32c(data.data() + kHeader, len) != crc) return false;
  StateReader r(std::string_view(data).substr(kHeader, len));
  return r.get(&out->dev) && r.get(&out->ino) && r.get(&out->size) && r.get(&out->mtime_ns) &&
         r.get(&out->bundle_version) && r.getBytes(&out->path, kMaxPath) && r.done();
}

}  // namespace

Result<CrashMarker> CrashMarker::create(std::string path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "create crash marker " + path);
  return CrashMarker(std::move(path), std::move(fd));
}

CrashMarker::~CrashMarker() {
  if (fd_.valid()) ::unlink(path_.c_str());
}

Status CrashMarker::set(const InflightFile& f) {
  buf_.assign(kHeader, '\0');
  StateWriter w(&buf_);
  w.put(f.dev);
  w.put(f.ino);
  w.put(f.size);
  w.put(f.mtime_ns);
  w.put(f.bundle_version);
  w.putBytes(std::string_view(f.path).substr(0, kMaxPath));
  uint32_t len = static_cast<uint32_t>(buf_.size() - kHeader);
  uint32_t crc = crc32c(buf_.data() + kHeader, len);
  std::memcpy(buf_.data(), &kMagic, 4);
  std::memcpy(buf_.data() + 4, &len, 4);
  std::memcpy(buf_.data() + 8, &crc, 4);
  if (::pwrite(fd_.get(), buf_.data(), buf_.size(), 0) != static_cast<ssize_t>(buf_.size())) {
    return errnoStatus(ErrorCode::kIo, "write crash marker " + path_);
  }
  return Status::ok();
}

Status CrashMarker::clear() {
  static const char kZero[4] = {};
  if (::pwrite(fd_.get(), kZero, sizeof kZero, 0) != sizeof kZero) {
    return errnoStatus(ErrorCode::kIo, "clear crash marker " + path_);
  }
  return Status::ok();
}

void takeLeftoverMarkers(const std::string& dir,
                         const std::function<Status(const InflightFile&)>& record) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    if (std::strncmp(e->d_name, "inflight.", 9) == 0) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    auto data = readFile(path, kHeader + 64 + kMaxPath);
    InflightFile f;
    const bool valid = data.isOk() && decode(*data, &f);
    if (!valid || record(f).isOk()) ::unlink(path.c_str());
  }
}

}  // namespace xiaoan::agent::scan
