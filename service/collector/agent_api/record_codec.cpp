#include "service/collector/agent_api/record_codec.h"

#include <algorithm>

#include "service/collector/agent_api/agent_codec.h"

namespace xiaoan::collector {
namespace {

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

Status checkKey(const std::string& key, const char* what) {
  if (key.empty() || key.size() > kMaxRecordKeyBytes) {
    return invalid(std::string(what) + " key must be 1.." + std::to_string(kMaxRecordKeyBytes) +
                   " bytes");
  }
  return Status::ok();
}

std::string lowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

Result<VisitRow> visitRow(const v1::BrowsingVisit& v) {
  VisitRow out;
  out.key = v.key();
  out.user = cutUtf8(v.user(), kMaxRecordTextBytes);
  out.browser = static_cast<int>(v.browser());
  out.profile = cutUtf8(v.profile(), kMaxRecordTextBytes);
  out.url = cutUtf8(v.url(), kMaxUrlBytes);
  out.domain = lowerAscii(cutUtf8(v.domain(), kMaxDomainBytes));
  out.title = cutUtf8(v.title(), kMaxTitleBytes);
  XIAOAN_ASSIGN_OR_RETURN(out.visit_time_ms, timestampMs(v.visit_time(), "visit_time"));
  out.transition = static_cast<int>(v.transition());
  // Stored as a signed 64-bit integer: ten years at most.
  out.duration_ms =
      static_cast<int64_t>(std::min<uint64_t>(v.duration_ms(), uint64_t{3650} * 86'400'000));
  out.synced = v.synced();
  return out;
}

Result<SessionRow> sessionRow(const v1::SeatSessionEvent& s) {
  XIAOAN_RETURN_IF_ERROR(checkKey(s.key(), "seat session"));
  if (!s.has_start()) return invalid("seat session without a start");
  SessionRow out;
  out.key = s.key();
  out.user = cutUtf8(s.user(), kMaxRecordTextBytes);
  out.uid = s.uid();
  out.location = cutUtf8(s.where(), kMaxRecordTextBytes);
  out.remote_host = cutUtf8(s.remote_host(), kMaxRecordTextBytes);
  out.boot_id = cutUtf8(s.boot_id(), kMaxRecordTextBytes);
  XIAOAN_ASSIGN_OR_RETURN(out.start_ms, timestampMs(s.start(), "session start"));
  if (s.has_end()) {
    XIAOAN_ASSIGN_OR_RETURN(int64_t end, timestampMs(s.end(), "session end"));
    out.end_ms = end;
    out.end_reason = static_cast<int>(s.end_reason());
  }
  return out;
}

}  // namespace

std::string cutUtf8(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  // Back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

Result<bool> extractRecords(const v1::Event& e, EventRow& row) {
  switch (e.payload_case()) {
    case v1::Event::kBrowsingVisits: {
      const auto& visits = e.browsing_visits().visits();
      if (static_cast<size_t>(visits.size()) > kMaxVisitsPerEvent) {
        return invalid("more than " + std::to_string(kMaxVisitsPerEvent) + " visits in one event");
      }
      row.visits.reserve(static_cast<size_t>(visits.size()));
      for (const auto& v : visits) {
        XIAOAN_RETURN_IF_ERROR(checkKey(v.key(), "visit"));
        XIAOAN_ASSIGN_OR_RETURN(VisitRow visit, visitRow(v));
        row.visits.push_back(std::move(visit));
      }
      row.type = "browsing_visits";
      row.payload_json = "{\"visits\":" + std::to_string(row.visits.size()) + "}";
      return true;
    }
    case v1::Event::kSeatSession: {
      XIAOAN_ASSIGN_OR_RETURN(SessionRow session, sessionRow(e.seat_session()));
      row.session = std::move(session);
      return false;
    }
    case v1::Event::kSiteAlert: {
      const auto& a = e.site_alert();
      XIAOAN_RETURN_IF_ERROR(checkKey(a.visit().key(), "site alert visit"));
      AlertRow alert;
      XIAOAN_ASSIGN_OR_RETURN(alert.visit, visitRow(a.visit()));
      alert.key = alert.visit.key;
      alert.category = static_cast<int>(a.category());
      alert.field = static_cast<int>(a.field());
      alert.pattern = cutUtf8(a.pattern(), kMaxRecordTextBytes);
      alert.blocked_category = a.blocked_category();
      row.alert = std::move(alert);
      return false;
    }
    default:
      return false;
  }
}

}  // namespace xiaoan::collector
