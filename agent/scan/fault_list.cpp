#include "agent/scan/fault_list.h"

#include <algorithm>

#include "agent/scan/state_file.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr std::string_view kMagic = "XAFAULT1";
constexpr size_t kMaxPath = 1 << 16;

}  // namespace

std::unique_ptr<FaultList> FaultList::load(const std::string& path) {
  std::unique_ptr<FaultList> list(new FaultList(path));
  auto payload = readStateFile(path, kMagic, kMaxEntries * (kMaxPath + 64));
  if (payload.isOk() && list->parse(*payload)) return list;
  if (!payload.isOk() && payload.status().code() == ErrorCode::kNotFound) return list;
  list->entries_.clear();
  componentLogger(LogComponent::kAgentScan)
      ->warn("scan fault list {} ignored: {}", path,
             payload.isOk() ? "bad records" : payload.status().toString());
  return list;
}

bool FaultList::parse(const std::string& payload) {
  StateReader r(payload);
  uint64_t count = 0;
  if (!r.get(&count) || count > kMaxEntries) return false;
  for (uint64_t i = 0; i < count; ++i) {
    FaultRecord f;
    int32_t kind = 0;
    if (!r.get(&f.dev) || !r.get(&f.ino) || !r.get(&f.size) || !r.get(&f.mtime_ns) ||
        !r.get(&f.bundle_version) || !r.get(&kind) || !r.getBytes(&f.path, kMaxPath) ||
        !v1::ScanFaultEvent::Kind_IsValid(kind)) {
      return false;
    }
    f.kind = static_cast<v1::ScanFaultEvent::Kind>(kind);
    FileId k{f.dev, f.ino};
    entries_[k] = Stored{std::move(f), next_seq_++};
  }
  return r.done();
}

std::string FaultList::serialize() const {
  std::vector<const Stored*> ordered;
  for (const auto& [k, s] : entries_) ordered.push_back(&s);
  std::sort(ordered.begin(), ordered.end(),
            [](const Stored* a, const Stored* b) { return a->seq < b->seq; });
  std::string out;
  StateWriter w(&out);
  w.put<uint64_t>(ordered.size());
  for (const Stored* s : ordered) {
    const FaultRecord& f = s->record;
    w.put(f.dev);
    w.put(f.ino);
    w.put(f.size);
    w.put(f.mtime_ns);
    w.put(f.bundle_version);
    w.put<int32_t>(f.kind);
    w.putBytes(std::string_view(f.path).substr(0, kMaxPath));
  }
  return out;
}

bool FaultList::contains(const FileStat& st, uint64_t bundle_version) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find({st.dev, st.ino});
  if (it == entries_.end()) return false;
  const FaultRecord& f = it->second.record;
  return f.size == st.size && f.mtime_ns == st.mtime_ns && f.bundle_version == bundle_version;
}

Status FaultList::add(FaultRecord record) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) {
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
    entries_.erase(oldest);
  }
  FileId k{record.dev, record.ino};
  entries_[k] = Stored{std::move(record), next_seq_++};
  return writeStateFile(path_, kMagic, serialize());
}

size_t FaultList::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace xiaoan::agent::scan
