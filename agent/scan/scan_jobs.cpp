#include "agent/scan/scan_jobs.h"

#include <vector>

#include "agent/scan/path_text.h"
#include "platform/memory.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kFinishedKept = 32;

std::string kindText(v1::ScanKind kind) {
  return kind == v1::SCAN_KIND_ON_DEMAND ? "on-demand" : v1::ScanKind_Name(kind);
}

}  // namespace

ScanJobs::ScanJobs(MakeJob make_job, std::function<void()> on_pass_end)
    : make_job_(std::move(make_job)), on_pass_end_(std::move(on_pass_end)) {}

ScanJobs::~ScanJobs() { drain(); }

Result<v1::ScanProgress> ScanJobs::launch(JobSpec spec, ScanJob::OnDone on_done,
                                          size_t max_same_kind) {
  const v1::ScanKind kind = spec.request.kind;
  auto done = [this, on_done = std::move(on_done)](ScanJob& job) {
    if (on_done) {
      on_done(job);
    } else {
      finish(job);
    }
    if (on_pass_end_) on_pass_end_();
  };
  std::unique_ptr<ScanJob> replaced;  // a pass of the same id that ended: joined below
  v1::ScanProgress p;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status(ErrorCode::kUnsupported, "scanning is stopping");
    size_t same_kind = 0;
    for (const auto& [id, job] : jobs_) {
      if (!job->done() && job->request().kind == kind) ++same_kind;
    }
    if (max_same_kind > 0 && same_kind >= max_same_kind) {
      return Status(ErrorCode::kOverloaded, std::to_string(same_kind) + " " + kindText(kind) +
                                                " scans are running; wait for one to end");
    }
    XIAOAN_ASSIGN_OR_RETURN(auto job, make_job_(std::move(spec), std::move(done)));
    const std::string id = job->request().scan_id;
    job->start();
    p = job->progress();
    p.set_scan_id(id);
    p.set_kind(kind);
    auto& slot = jobs_[id];
    replaced = std::move(slot);
    slot = std::move(job);
  }
  if (replaced) replaced->join();
  return p;
}

void ScanJobs::finish(ScanJob& job) {
  if (!job.summary()) return;
  v1::ScanProgress final_progress = job.progress();
  std::lock_guard lock(mu_);
  recordFinished(std::move(final_progress));
  job.markDone();  // with the record: status never counts the pass twice or as running
}

// mu_ held. On-access passes are counted, not kept (nobody polls them, and they are many).
void ScanJobs::recordFinished(v1::ScanProgress final_progress) {
  const auto& summary = final_progress.summary();
  files_scanned_ += summary.files_scanned();
  detections_total_ += summary.detections();
  if (summary.kind() == v1::SCAN_KIND_ON_ACCESS) return;
  finished_.push_back(std::move(final_progress));
  while (finished_.size() > kFinishedKept) finished_.pop_front();
}

bool ScanJobs::isRunning(const std::string& scan_id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  return it != jobs_.end() && !it->second->done();
}

bool ScanJobs::withJob(const std::string& scan_id, const std::function<void(ScanJob&)>& fn) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it == jobs_.end()) return false;
  fn(*it->second);
  return true;
}

Result<v1::ScanProgress> ScanJobs::get(const std::string& scan_id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it != jobs_.end()) return it->second->progress();
  for (auto f = finished_.rbegin(); f != finished_.rend(); ++f) {
    if (f->scan_id() == scan_id) return *f;
  }
  return Status(ErrorCode::kNotFound, "no scan " + displayPath(scan_id.substr(0, 64)));
}

Result<v1::ScanProgress> ScanJobs::cancel(const std::string& scan_id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it == jobs_.end()) {
    return Status(ErrorCode::kNotFound, "no running scan " + displayPath(scan_id.substr(0, 64)));
  }
  it->second->stop(true);
  return it->second->progress();
}

void ScanJobs::joinAndDrop(const std::string& scan_id) {
  ScanJob* raw = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(scan_id);
    if (it == jobs_.end()) return;
    raw = it->second.get();
  }
  // Only this caller drops the pass (reap() leaves on-access passes; drain() runs once their
  // worker has ended): `raw` stays valid while it is joined without the lock.
  raw->join();
  std::unique_ptr<ScanJob> dropped;
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it != jobs_.end() && it->second.get() == raw) {
    dropped = std::move(it->second);
    jobs_.erase(it);
  }
}

void ScanJobs::reap() {
  std::vector<std::unique_ptr<ScanJob>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      // On-access passes are joined by their worker.
      if (!it->second->done() || it->second->request().kind == v1::SCAN_KIND_ON_ACCESS) {
        ++it;
        continue;
      }
      const bool scheduled = it->second->request().kind == v1::SCAN_KIND_SCHEDULED;
      if (scheduled && it->second->pacer()) {
        last_cpu_percent_ = it->second->pacer()->measuredCpuPercent();
      }
      done.push_back(std::move(it->second));
      it = jobs_.erase(it);
    }
  }
  if (done.empty()) return;
  for (auto& job : done) job->join();
  done.clear();
  // The pass's threads freed their read buffers and per-file allocations into their own malloc
  // arenas: give those pages back now instead of carrying them until the next scan.
  trimHeap();
}

bool ScanJobs::fillRunning(v1::ScanStatus& s) const {
  std::lock_guard lock(mu_);
  uint64_t files = files_scanned_, detections = detections_total_;
  bool any_running = false;
  double cpu = last_cpu_percent_;
  for (const auto& [id, job] : jobs_) {
    if (job->done()) continue;
    any_running = true;
    v1::ScanProgress p = job->progress();
    detections += p.detections();
    files += p.files_done();  // counted for good once the pass ends
    if (job->pacer() != nullptr) cpu = job->pacer()->measuredCpuPercent();
    // Anyone may read the status: which files of whom were detected or skipped is for root
    // (get_scan).
    p.clear_detected();
    p.mutable_summary()->clear_skipped_examples();
    if (job->request().kind != v1::SCAN_KIND_ON_ACCESS) *s.add_running() = std::move(p);
  }
  s.set_files_scanned(files);
  s.set_detections(detections);
  s.set_cpu_percent(cpu);
  return any_running;
}

void ScanJobs::stopAll() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (auto& [id, job] : jobs_) job->stop(false);
}

void ScanJobs::drain() {
  for (;;) {
    std::unique_ptr<ScanJob> job;
    {
      std::lock_guard lock(mu_);
      if (jobs_.empty()) return;
      job = std::move(jobs_.begin()->second);
      jobs_.erase(jobs_.begin());
    }
    job->join();
  }
}

}  // namespace xiaoan::agent::scan
