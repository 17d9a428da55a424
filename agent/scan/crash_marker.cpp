#include "agent/scan/crash_marker.h"

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
  auto file = File::open(path, OpenOptions::readWrite(OpenCreate::kTruncate, 0600));
  if (!file.isOk()) {
    return Status(ErrorCode::kIo, "create crash marker " + path + ": " + file.status().message(),
                  file.status().sysErrno());
  }
  return CrashMarker(std::move(path), std::move(*file));
}

CrashMarker::~CrashMarker() {
  // Best effort: a marker left behind is read and removed by the next takeLeftoverMarkers.
  if (file_.valid()) (void)removeFile(path_);
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
  if (Status st = file_.writeAllAt(buf_, 0); !st.isOk()) {
    return Status(ErrorCode::kIo, "write crash marker " + path_ + ": " + st.message(),
                  st.sysErrno());
  }
  return Status::ok();
}

Status CrashMarker::clear() {
  static constexpr char kZero[4] = {};
  if (Status st = file_.writeAllAt(std::string_view(kZero, sizeof kZero), 0); !st.isOk()) {
    return Status(ErrorCode::kIo, "clear crash marker " + path_ + ": " + st.message(),
                  st.sysErrno());
  }
  return Status::ok();
}

void takeLeftoverMarkers(const std::string& dir,
                         const std::function<Status(const InflightFile&)>& record) {
  auto names = listDir(dir);
  if (!names.isOk()) return;
  for (const std::string& name : *names) {
    if (name.rfind("inflight.", 0) != 0) continue;
    std::string path = dir + "/" + name;
    auto data = readFile(path, kHeader + 64 + kMaxPath);
    InflightFile f;
    const bool valid = data.isOk() && decode(*data, &f);
    if (!valid || record(f).isOk()) (void)removeFile(path);
  }
}

}  // namespace xiaoan::agent::scan
