// The admin API's record searches: browsing visits, seat sessions, harmful-site alerts.
#include <google/protobuf/util/time_util.h>

#include "common/proto_json.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/admin_api/record_cursor.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp timestamp(int64_t ms) { return TimeUtil::MillisecondsToTimestamp(ms); }

void fillPlace(const StoredPlace& at, v1::RecordPlace* out) {
  out->set_id(static_cast<uint64_t>(at.id));
  out->set_terminal_id(at.place.terminal_id);
  out->set_hostname(at.hostname);
  out->set_school_id(at.place.school_id);
  out->set_room(at.place.room);
  out->set_seat(at.place.seat);
  *out->mutable_received_at() = timestamp(at.received_at_ms);
}

void fillVisit(const VisitRow& v, v1::BrowsingVisit* out) {
  out->set_key(v.key);
  out->set_user(v.user);
  out->set_browser(static_cast<v1::BrowserKind>(v.browser));
  out->set_profile(v.profile);
  out->set_url(v.url);
  out->set_domain(v.domain);
  out->set_title(v.title);
  *out->mutable_visit_time() = timestamp(v.visit_time_ms);
  out->set_transition(static_cast<v1::VisitTransition>(v.transition));
  out->set_duration_ms(static_cast<uint64_t>(v.duration_ms));
  out->set_synced(v.synced);
}

void fillSession(const SessionRow& s, v1::SeatSessionEvent* out) {
  out->set_key(s.key);
  out->set_user(s.user);
  out->set_uid(s.uid);
  out->set_where(s.location);
  out->set_remote_host(s.remote_host);
  out->set_boot_id(s.boot_id);
  *out->mutable_start() = timestamp(s.start_ms);
  if (s.end_ms) *out->mutable_end() = timestamp(*s.end_ms);
  out->set_end_reason(static_cast<v1::SessionEndReason>(s.end_reason));
}

// Reads one row more than asked: when it comes, the page's last row gives the next cursor.
template <typename Page, typename Row, typename Read, typename Add, typename TimeOf>
Result<std::string> page(RecordQuery query, char kind, Read read, Add add, TimeOf time_of) {
  const uint32_t limit = query.limit;
  query.limit = limit + 1;
  XIAOAN_ASSIGN_OR_RETURN(std::vector<Row> rows, read(query));
  Page out;
  for (size_t i = 0; i < rows.size() && i < limit; ++i) add(rows[i], out);
  if (rows.size() > limit) {
    const Row& last = rows[limit - 1];
    out.set_next_cursor(encodeRecordCursor(kind, time_of(last), last.at.id));
  }
  return toCompactJson(out);
}

}  // namespace

// No school scoping yet: every admin sees every school (school admins will see theirs).
Result<std::string> AdminCommands::searchVisits(const SearchVisits& cmd) {
  return page<v1::BrowsingVisitPage, StoredVisit>(
      cmd.query, 'v', [this](const RecordQuery& q) { return store_.searchVisits(q); },
      [](const StoredVisit& r, v1::BrowsingVisitPage& out) {
        auto* rec = out.add_visits();
        fillPlace(r.at, rec->mutable_place());
        fillVisit(r.visit, rec->mutable_visit());
      },
      [](const StoredVisit& r) { return r.visit.visit_time_ms; });
}

Result<std::string> AdminCommands::listSessions(const ListSessions& cmd) {
  return page<v1::SeatSessionPage, StoredSession>(
      cmd.query, 's', [this](const RecordQuery& q) { return store_.listSessions(q); },
      [](const StoredSession& r, v1::SeatSessionPage& out) {
        auto* rec = out.add_sessions();
        fillPlace(r.at, rec->mutable_place());
        fillSession(r.session, rec->mutable_session());
      },
      [](const StoredSession& r) { return r.session.start_ms; });
}

Result<std::string> AdminCommands::listAlerts(const ListAlerts& cmd) {
  return page<v1::SiteAlertPage, StoredAlert>(
      cmd.query, 'a', [this](const RecordQuery& q) { return store_.listAlerts(q); },
      [](const StoredAlert& r, v1::SiteAlertPage& out) {
        auto* rec = out.add_alerts();
        fillPlace(r.at, rec->mutable_place());
        auto* a = rec->mutable_alert();
        a->set_category(static_cast<v1::SiteCategory>(r.alert.category));
        a->set_field(static_cast<v1::SiteMatchField>(r.alert.field));
        a->set_pattern(r.alert.pattern);
        a->set_blocked_category(r.alert.blocked_category);
        fillVisit(r.alert.visit, a->mutable_visit());
      },
      [](const StoredAlert& r) { return r.alert.visit.visit_time_ms; });
}

}  // namespace xiaoan::collector
