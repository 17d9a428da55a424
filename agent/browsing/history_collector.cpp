#include "agent/browsing/history_collector.h"

#include <algorithm>

#include "platform/logging.h"

namespace xiaoan::agent::browsing {
namespace {

int64_t toUnixMicros(const BrowserProfile& profile, int64_t raw) {
  return profile.firefox ? raw : chromiumToUnixMicros(raw);
}

int64_t toRaw(const BrowserProfile& profile, std::chrono::system_clock::time_point t) {
  const int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return profile.firefox ? us : unixToChromiumMicros(us);
}

// Errors that stay until the file changes: retrying an unchanged file would fail the same way.
bool stableError(ErrorCode code) {
  return code == ErrorCode::kDatabase || code == ErrorCode::kTooLarge ||
         code == ErrorCode::kPermissionDenied;
}

}  // namespace

HistoryCollector::HistoryCollector(CollectorOptions options, const Clock& clock,
                                   CursorStore& cursors, BrowsingSink& sink)
    : options_(std::move(options)),
      clock_(clock),
      cursors_(cursors),
      sink_(sink),
      snapshot_(options_.snapshot) {}

PollResult HistoryCollector::poll(const BrowserProfile& profile, const VisitBuilder& builder,
                                  const SiteMatcher& matcher) {
  PollResult result;
  Seen& seen = seen_[profile.db_path];
  auto state = snapshot_.stat(profile.db_path, profile.uid);
  if (state.isOk() && seen.state == *state && !seen.more) {
    result.status = seen.last_error;
    return result;  // nothing changed since the last read: no copy, no SQLite
  }
  auto copied = state.isOk() ? snapshot_.copy(profile.db_path, profile.uid)
                             : Result<SourceState>(state.status());
  Status st =
      copied.isOk() ? readProfile(profile, builder, matcher, *copied, result) : copied.status();
  snapshot_.discard();
  result.status = st;
  if (st.isOk()) {
    seen = Seen{*copied, result.more, Status::ok(), 0};
    result.read = true;
    return result;
  }
  reportError(profile, seen, st);
  seen.state = state.isOk() && stableError(st.code()) ? *state : SourceState{};
  seen.more = false;
  return result;
}

void HistoryCollector::reportError(const BrowserProfile& profile, Seen& seen,
                                   const Status& status) {
  if (status.code() != ErrorCode::kTimeout) seen.busy_polls = 0;
  if (status.code() == ErrorCode::kTimeout && ++seen.busy_polls < kBusyPollsReported) return;
  if (status.code() == ErrorCode::kSpoolFull || status.code() == seen.last_error.code()) return;
  seen.last_error = status;
  componentLogger(LogComponent::kAgentCore)
      ->warn("browsing: {} unreadable: {}", profile.db_path, status.toString());
  (void)emitHistory(profile, v1::BrowsingHistoryEvent::KIND_UNREADABLE, nullptr, &status);
}

Status HistoryCollector::readProfile(const BrowserProfile& profile, const VisitBuilder& builder,
                                     const SiteMatcher& matcher, const SourceState& copied,
                                     PollResult& result) {
  XIAOAN_ASSIGN_OR_RETURN(HistoryReader reader, HistoryReader::open(snapshot_.copyPath()));
  const auto saved = cursors_.get(profile.db_path);
  HistoryCursor cursor;
  if (!saved) {
    XIAOAN_RETURN_IF_ERROR(
        emitHistory(profile, v1::BrowsingHistoryEvent::KIND_PROFILE_FOUND, nullptr, nullptr));
  } else {
    XIAOAN_ASSIGN_OR_RETURN(cursor, checkReset(profile, reader, *saved, copied.db.id));
    if (cursor == saved->cursor) XIAOAN_RETURN_IF_ERROR(checkDeleted(profile, reader, *saved));
  }
  size_t remaining = options_.max_visits_per_poll;
  Status st = Status::ok();
  while (remaining > 0) {
    auto batch = reader.readAfter(cursor, std::min(remaining, kMaxVisitsPerBatch));
    if (!batch.isOk()) {
      st = batch.status();
      break;
    }
    if (batch->visits.empty()) break;
    st = emitBatch(profile, *batch, builder, matcher, result);
    if (!st.isOk()) break;
    cursor = batch->next;
    remaining -= batch->visits.size();
    if (!batch->more) break;
  }
  result.more = st.isOk() && remaining == 0;
  XIAOAN_RETURN_IF_ERROR(
      cursors_.put(profile.db_path, toSave(profile, reader, saved, cursor, copied.db.id)));
  Status saved_st = cursors_.save();
  return st.isOk() ? saved_st : st;
}

bool HistoryCollector::windowFresh(const BrowserProfile& profile, int64_t window_start) const {
  const auto start = std::chrono::system_clock::time_point(
      std::chrono::microseconds(toUnixMicros(profile, window_start)));
  return clock_.now() - start < options_.expiry_age;
}

Status HistoryCollector::checkDeleted(const BrowserProfile& profile, HistoryReader& reader,
                                      const SavedCursor& saved) {
  if (saved.cursor.atStart() || saved.window_count < 0 ||
      !windowFresh(profile, saved.window_start)) {
    return Status::ok();
  }
  XIAOAN_ASSIGN_OR_RETURN(int64_t now, reader.countThrough(saved.window_start, saved.cursor));
  if (now >= saved.window_count) return Status::ok();
  return emitHistory(profile, v1::BrowsingHistoryEvent::KIND_HISTORY_RESET, &saved.cursor, nullptr);
}

SavedCursor HistoryCollector::toSave(const BrowserProfile& profile, HistoryReader& reader,
                                     const std::optional<SavedCursor>& saved,
                                     const HistoryCursor& cursor, const FileId& db_id) const {
  SavedCursor out{cursor, db_id};
  if (cursor.atStart()) return out;
  const bool keep = saved && saved->window_count >= 0 && saved->db_id == db_id &&
                    windowFresh(profile, saved->window_start);
  out.window_start =
      keep ? saved->window_start : toRaw(profile, clock_.now() - options_.deletion_window);
  auto count = reader.countThrough(out.window_start, cursor);
  out.window_count = count.isOk() ? *count : -1;
  return out;
}

Result<HistoryCursor> HistoryCollector::checkReset(const BrowserProfile& profile,
                                                   HistoryReader& reader, const SavedCursor& saved,
                                                   const FileId& db_id) {
  HistoryCursor c = saved.cursor;
  if (c.atStart()) return c;
  if (saved.db_id != FileId{} && saved.db_id != db_id) {
    // Another file now: what it holds up to the cursor's time was (or could have been) read
    // from the old one; only newer visits are new.
    XIAOAN_RETURN_IF_ERROR(
        emitHistory(profile, v1::BrowsingHistoryEvent::KIND_DATABASE_REPLACED, &c, nullptr));
    return HistoryCursor{c.time, c.id, true};
  }
  if (c.time_only) return c;
  XIAOAN_ASSIGN_OR_RETURN(bool present, reader.hasVisit(c));
  if (present) return c;
  const auto cursor_time = std::chrono::system_clock::time_point(
      std::chrono::microseconds(toUnixMicros(profile, c.time)));
  if (clock_.now() - cursor_time > options_.expiry_age) return c;  // expired by the browser
  XIAOAN_RETURN_IF_ERROR(
      emitHistory(profile, v1::BrowsingHistoryEvent::KIND_HISTORY_RESET, &c, nullptr));
  return HistoryCursor{c.time, c.id, true};
}

Status HistoryCollector::emitHistory(const BrowserProfile& profile,
                                     v1::BrowsingHistoryEvent::Kind kind,
                                     const HistoryCursor* cursor, const Status* error) {
  if (quiet_) return Status::ok();
  v1::Event e;
  auto* h = e.mutable_browsing_history();
  h->set_kind(kind);
  h->set_user(sanitizeUtf8(profile.user, 256));
  h->set_browser(profile.browser);
  h->set_profile(sanitizeUtf8(profile.profile, 256));
  if (error != nullptr) {
    h->mutable_error()->set_code(std::string(errorCodeName(error->code())));
    h->mutable_error()->set_message(sanitizeUtf8(error->message(), 1024));
  }
  if (cursor != nullptr && !cursor->atStart()) {
    const int64_t us = toUnixMicros(profile, cursor->time);
    h->mutable_cursor_time()->set_seconds(us / 1000000);
    h->mutable_cursor_time()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  }
  return sink_.append(std::move(e), v1::PRIORITY_SECURITY);
}

Status HistoryCollector::emitBatch(const BrowserProfile& profile, const HistoryBatch& batch,
                                   const VisitBuilder& builder, const SiteMatcher& matcher,
                                   PollResult& result) {
  v1::Event e;
  auto* visits = e.mutable_browsing_visits();
  for (const RawVisit& raw : batch.visits) {
    auto v = builder.build(profile, raw);
    if (!v) continue;
    if (auto m = matcher.match(v->domain(), raw.url, raw.title)) {
      v1::Event alert;
      auto* a = alert.mutable_site_alert();
      a->set_category(m->category);
      a->set_field(m->field);
      a->set_pattern(m->pattern);
      *a->mutable_visit() = *v;
      a->set_blocked_category(m->block);
      XIAOAN_RETURN_IF_ERROR(sink_.append(std::move(alert), v1::PRIORITY_SECURITY));
      ++result.alerts;
    }
    *visits->add_visits() = std::move(*v);
  }
  if (visits->visits_size() == 0) return Status::ok();
  const auto n = static_cast<uint64_t>(visits->visits_size());
  XIAOAN_RETURN_IF_ERROR(sink_.append(std::move(e), v1::PRIORITY_ACTIVITY));
  result.visits_sent += n;
  return Status::ok();
}

}  // namespace xiaoan::agent::browsing
