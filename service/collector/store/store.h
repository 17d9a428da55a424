#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/result.h"

namespace xiaoan::collector {

// Row types of the collector's storage. Times are Unix milliseconds (UTC).

// What happens when a new instance enrolls as a terminal the school knows (values of
// v1::ReenrollPolicy).
enum class ReenrollPolicy { kAuto = 1, kApprove = 2 };

struct SchoolRow {
  std::string id;
  std::string name;
  std::string abbr;
  int64_t created_at_ms = 0;
  ReenrollPolicy reenroll_policy = ReenrollPolicy::kAuto;
};

struct TokenRow {
  std::string id;
  std::string secret_sha256_hex;  // only the hash of the secret is stored
  std::string school_id;
  std::optional<int64_t> expires_at_ms;
  uint32_t max_uses = 0;  // 0 = unlimited
  uint32_t uses = 0;
  bool revoked = false;
  std::string note;
  int64_t created_at_ms = 0;
};

struct TerminalRow {
  std::string id;
  std::string school_id;
  std::string hostname;
  std::vector<std::string> macs;
  std::vector<std::string> ipv4;
  std::string agent_id;  // current instance
  std::string agent_version;
  std::string os_version;
  std::optional<int64_t> enrolled_at_ms;
  std::optional<int64_t> last_checkin_ms;
  uint64_t events_stored = 0;
  uint64_t policy_version = 0;  // as reported by the agent (applied)
  uint64_t spool_pending = 0;
  std::string room;                          // "" = no room assigned
  uint64_t signatures_version = 0;           // bundle the agent reported loaded (0 = built-in)
  std::optional<int64_t> last_full_scan_ms;  // last completed full scan the agent reported
};

// One seat or owner of a school's registry (its IP allocation table), normalised.
struct RegistryEntry {
  std::string room;     // "" = none (an owner's PC outside any room)
  uint32_t seat = 0;    // 0 = none
  std::string owner;    // real name, "" = none
  std::string mac;      // "aa:bb:cc:dd:ee:ff", unique collector-wide
  std::string ipv4;     // "10.1.2.3/24", address unique collector-wide
  std::string gateway;  // "" = none
  std::vector<std::string> dns;
  std::string naming;  // template for this entry only, "" = the school/room naming policy
  int line = 0;        // CSV line it came from (0 when not from a file)

  bool operator==(const RegistryEntry&) const = default;
};

// A stored entry with the terminal holding it.
struct RegistryEntryRow {
  std::string school_id;
  RegistryEntry entry;
  uint64_t revision = 0;  // 1 when created, +1 each time an import changes it
  int64_t updated_at_ms = 0;
  std::string terminal_id;  // the terminal matched to it that holds it, "" = none yet
  uint32_t claimants = 0;   // terminals matched to it (more than 1 = conflict)
};

// A room of a school with what uses it.
struct RoomRow {
  std::string school_id;
  std::string name;
  int64_t created_at_ms = 0;
  uint32_t terminals = 0;   // terminals assigned to it
  uint32_t entries = 0;     // registry entries in it
  bool has_policy = false;  // a room policy layer exists
};

// What a registry import checks against: the school's rooms, and the MACs and IP addresses
// of other schools' entries.
struct RegistryKeys {
  std::vector<std::pair<std::string, std::string>> rooms;       // (name key, stored name)
  std::vector<std::pair<std::string, std::string>> other_macs;  // (mac, school id)
  std::vector<std::pair<std::string, std::string>> other_ips;   // (ip, school id)
};

// One terminal as the compliance report needs it (one row per terminal of the filter).
struct ComplianceRow {
  std::string terminal_id;
  std::string school_id;
  std::string room;
  std::string hostname;
  std::vector<std::string> macs;
  std::vector<std::string> ipv4;
  std::optional<int64_t> last_checkin_ms;
  std::optional<int64_t> enrolled_at_ms;
  // Latest ComplianceStatus (serialized; "" when none reported), its state and violation kinds.
  std::string status;
  int state = 0;
  std::vector<int> kinds;
  // The registry entry matched (entry.mac empty when unregistered) and whether this terminal
  // holds it (false: another terminal claimed it first).
  RegistryEntry entry;
  bool holder = false;
};

// A check-in's compliance: the agent's latest ComplianceStatus, serialized, with its state and
// violation kinds (values of v1::ComplianceState / v1::ViolationKind).
struct ComplianceUpdate {
  std::string status;
  int state = 0;
  std::vector<int> kinds;
};

struct AgentRow {
  std::string id;
  std::string terminal_id;
  std::string school_id;
};

// Highest stored sequence number of one (stream, epoch).
struct AckRow {
  std::string stream;
  uint64_t epoch = 0;
  uint64_t seq = 0;
};

// Where a terminal sits when one of its records is stored: the school, the room (assigned, else
// its registry entry's) and the seat of the registry entry it holds (0 = none).
struct TerminalPlace {
  std::string terminal_id;
  std::string school_id;
  std::string room;
  uint32_t seat = 0;
};

// One browser visit (v1::BrowsingVisit) as stored. `key` is the agent's stable key: one row per
// (terminal, key).
struct VisitRow {
  std::string key;
  std::string user;
  int browser = 0;  // v1::BrowserKind
  std::string profile;
  std::string url;
  std::string domain;  // lower case
  std::string title;
  int64_t visit_time_ms = 0;
  int transition = 0;  // v1::VisitTransition
  int64_t duration_ms = 0;
  bool synced = false;
};

// One seat session (v1::SeatSessionEvent): opened, then updated by its close.
struct SessionRow {
  std::string key;
  std::string user;
  uint32_t uid = 0;
  std::string location;  // the event's `where`
  std::string remote_host;
  std::string boot_id;
  int64_t start_ms = 0;
  std::optional<int64_t> end_ms;  // nullopt while open
  int end_reason = 0;             // v1::SessionEndReason
};

// One harmful-site alert (v1::SiteAlertEvent). `key` dedups: the visit's key.
struct AlertRow {
  std::string key;
  int category = 0;  // v1::SiteCategory
  int field = 0;     // v1::SiteMatchField
  std::string pattern;
  bool blocked_category = false;
  VisitRow visit;
};

// A stored record with where it was stored from, for searches.
struct StoredPlace {
  int64_t id = 0;
  TerminalPlace place;
  std::string hostname;  // the terminal's last reported hostname
  int64_t received_at_ms = 0;
};
struct StoredVisit {
  StoredPlace at;
  VisitRow visit;
};
struct StoredSession {
  StoredPlace at;
  SessionRow session;
};
struct StoredAlert {
  StoredPlace at;
  AlertRow alert;
};

// Search over visits, sessions or alerts, newest first (visit time; sessions: start). Empty
// strings and nullopt match everything. Pages continue strictly after `after` (time, id) in
// that order.
struct RecordQuery {
  std::string school_id;
  std::string room;
  std::string terminal_id;
  std::string user;
  std::string domain;   // visits, alerts: the domain and its subdomains
  std::string keyword;  // visits, alerts: in the URL or the title (case-insensitive for ASCII)
  int category = 0;     // alerts: v1::SiteCategory, 0 = any
  std::optional<int64_t> since_ms;  // time >= since
  std::optional<int64_t> until_ms;  // time < until
  std::optional<std::pair<int64_t, int64_t>> after;
  uint32_t limit = 100;
};

// The tables retention deletes from, one record time each.
enum class RetentionTable {
  kSecurityEvents,  // events of security priority (wall time)
  kActivityEvents,  // events of activity priority (wall time)
  kVisits,          // browsing_visits (visit time)
  kSessions,        // seat_sessions (end, else start)
  kAlerts,          // site_alerts (visit time)
};

// A row retention may delete: its record time, when the collector received it and whose it is.
struct RetentionCandidate {
  int64_t id = 0;
  int64_t time_ms = 0;
  int64_t received_at_ms = 0;
  std::string school_id;
};

// Rows the retention job deleted in one write transaction and how long it held the writer.
struct RetentionDeletion {
  uint64_t deleted = 0;
  uint64_t hold_ns = 0;
};

// One agent event to insert: `body` is the serialized xiaoan.v1.Event (the original record),
// `payload_json` its payload rendered as JSON for queries.
struct EventRow {
  std::string stream;
  uint64_t epoch = 0;
  uint64_t seq = 0;
  std::string type;
  int priority = 0;
  int64_t wall_time_ms = 0;
  std::string body;
  std::string payload_json;
  // The records the payload carries (browsing_visits, seat_session, site_alert), stored in
  // their own tables with the event.
  std::vector<VisitRow> visits = {};
  std::optional<SessionRow> session = std::nullopt;
  std::optional<AlertRow> alert = std::nullopt;
};

// An event as read back for the admin API. Collector-origin events (security alerts) have no
// seq and carry payload_json instead of body.
struct StoredEventRow {
  int64_t id = 0;
  std::string agent_id;
  std::string terminal_id;
  std::string school_id;
  std::string stream;
  uint64_t epoch = 0;
  std::optional<uint64_t> seq;
  std::string type;
  int64_t wall_time_ms = 0;
  int64_t received_at_ms = 0;
  std::string body;
  std::string payload_json;
};

struct EventQuery {
  std::string type;                 // empty = any
  std::string terminal_id;          // empty = any
  std::optional<int64_t> since_ms;  // wall time >= since
  uint32_t limit = 1000;
};

// Everything enrollment writes, in one transaction.
struct EnrollParams {
  std::string token_id;
  std::string token_secret_sha256_hex;
  std::string agent_id;
  std::string cert_serial_hex;
  std::string hostname;
  std::vector<std::string> macs;            // normalised lower-case, no empties
  std::vector<std::string> permanent_macs;  // burned-in MACs where the OS reports them
  std::vector<std::string> ipv4;
  std::string os_version;
  std::string agent_version;
  std::string smbios_uuid;
  std::string machine_id;
  std::string key_sha256_hex;  // of the CSR's public key (DER)
  int64_t now_ms = 0;
};

// A new instance enrolling as a terminal the school knows (a MAC matched), compared with the
// terminal's current instance.
struct Reenrollment {
  std::string previous_agent_id;        // "" when the terminal has no instance
  std::vector<std::string> mismatched;  // of "key", "smbios_uuid", "machine_id"
  ReenrollPolicy policy = ReenrollPolicy::kAuto;
  bool held = false;      // waits for an admin: nothing was linked, no token use counted
  bool new_hold = false;  // held, and this is its first attempt
  bool approved = false;  // linked now because an admin approved it
  std::string pending_id;
};

// A re-enrollment held under ReenrollPolicy::kApprove, keyed by terminal and key.
struct PendingEnrollmentRow {
  std::string id;
  std::string school_id;
  std::string terminal_id;
  std::string key_sha256_hex;
  std::string hostname;
  std::vector<std::string> macs;
  std::vector<std::string> mismatched;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint32_t attempts = 0;
  bool approved = false;
};

struct EnrollOutcome {
  std::string terminal_id;
  std::string school_id;
  bool new_terminal = false;
  std::optional<Reenrollment> reenrollment;  // set when the terminal was known
  // Heads of the terminal's earlier instances, so a re-enrolled agent resumes without resending.
  std::vector<AckRow> earlier_acks;
};

struct CheckinUpdate {
  std::string agent_id;
  std::string hostname;
  std::vector<std::string> macs;
  std::vector<std::string> ipv4;
  std::string os_version;
  std::string agent_version;
  uint64_t policy_version = 0;
  uint64_t spool_pending = 0;
  uint64_t signatures_version = 0;
  std::optional<int64_t> last_full_scan_ms;  // nullopt: the agent has not completed one
  std::vector<std::string> permanent_macs;
  std::optional<ComplianceUpdate> compliance;  // nullopt: no check reported
  int64_t now_ms = 0;
};

struct AdminRow {
  std::string name;
  std::string password_hash;
};

struct AuditRow {
  int64_t time_ms = 0;
  std::string admin;
  // "school.add", "token.create", "token.revoke", "policy.put", "policy.delete",
  // "terminal.room", "bundle.export", "signatures.publish", "school.reenroll_policy",
  // "enrollment.approve", "retention.run"
  std::string action;
  std::string target;
  std::string detail_json;
};

// One policy layer. Scopes are "school", "room" and "terminal"; ids the school id,
// "school_id/room" and the terminal id. `policy` is a serialized xiaoan.v1.Policy: the store
// keeps it as bytes and never interprets it.
struct PolicyLayerRow {
  std::string scope;
  std::string id;
  std::string policy;
  uint64_t revision = 0;  // 1 for a new layer, +1 for every change
  int64_t updated_at_ms = 0;
  std::string updated_by;
};

inline constexpr const char* kScopeSchool = "school";
inline constexpr const char* kScopeRoom = "room";
inline constexpr const char* kScopeTerminal = "terminal";

// Where a terminal sits and the layers that apply to it, in merge order: school, room (when
// assigned and present), terminal.
struct TerminalPolicyLayers {
  std::string terminal_id;
  std::string school_id;
  std::string room;
  std::string agent_id;  // current instance ("" before enrollment finished)
  std::vector<PolicyLayerRow> layers;
  // The registry entry this terminal holds (merged between the room and terminal layers), and
  // the school's abbreviation for naming.
  std::optional<RegistryEntryRow> registry;
  std::string school_abbr;
};

// What the collector last issued to one agent through the signed content channel. Persisted so
// that versions never go down across restarts. Envelopes are serialized SignedEnvelopes.
struct IssuedContentRow {
  std::string agent_id;
  uint64_t policy_version = 0;
  std::string policy_hash;      // SHA-256 of the policy's identity (what decides a new version)
  std::string policy_document;  // the serialized PolicyDocument (the artifact's bytes)
  uint64_t targets_version = 0;
  std::string targets_envelope;
  int64_t targets_expires_ms = 0;
  uint64_t timestamp_version = 0;
  std::string timestamp_envelope;
  int64_t timestamp_expires_ms = 0;
  int64_t updated_at_ms = 0;
  // Version of the signature bundle the targets name (0 = none): a newer published bundle
  // re-signs the targets.
  uint64_t signatures_version = 0;
};

// A published signature bundle (its artifact is the serialized SignatureBundle). `warnings` is
// a serialized xiaoan.v1.SignatureBundleInfo that carries only the compiler warnings: the store
// keeps it as bytes and never interprets it.
struct SignatureBundleRow {
  uint64_t version = 0;
  std::string sha256_hex;  // of the artifact bytes
  uint64_t size = 0;       // artifact bytes
  uint32_t rule_count = 0;
  uint32_t file_count = 0;
  int64_t published_at_ms = 0;
  std::string published_by;
  std::string description;
  std::string warnings;
};

// Stored `detection` events, newest first.
struct DetectionQuery {
  std::string school_id;            // empty = any
  std::optional<int64_t> since_ms;  // wall time >= since
  uint32_t limit = 100;
};

// A stored detection event with the hostname its terminal last reported.
struct DetectionRow {
  StoredEventRow event;
  std::string hostname;
};

// One write transaction. Destroying it without commit() rolls back. Used by one thread.
class WriteTxn {
 public:
  virtual ~WriteTxn() = default;

  // Nested unit of work inside the transaction (one request of a group commit).
  virtual Status savepoint() = 0;
  virtual Status releaseSavepoint() = 0;
  virtual Status rollbackToSavepoint() = 0;
  virtual Status commit() = 0;

  virtual Result<std::optional<AgentRow>> findAgent(const std::string& agent_id) = 0;
  // True when newly stored, false when (agent, stream, epoch, seq) was already there.
  virtual Result<bool> insertEvent(const std::string& agent_id, const EventRow& event,
                                   int64_t received_at_ms) = 0;
  // Raises the stored head of (agent, stream, epoch) to at least `seq`.
  virtual Status advanceHead(const std::string& agent_id, const AckRow& head, int64_t now_ms) = 0;
  // An event the collector itself records about an agent (e.g. "security_alert").
  virtual Status insertCollectorEvent(const std::string& agent_id, const std::string& type,
                                      const std::string& payload_json, int64_t now_ms) = 0;
  virtual Status addTerminalEvents(const std::string& terminal_id, uint64_t count) = 0;
  // Updates the agent's terminal; E_UNAUTHORIZED when the agent is unknown.
  virtual Result<AgentRow> recordCheckin(const CheckinUpdate& update) = 0;
  virtual Result<std::vector<AckRow>> agentHeads(const std::string& agent_id) = 0;
  // Checks the token (exists, secret matches, not revoked/expired/used up: else
  // E_UNAUTHORIZED), counts the use, links or creates the terminal, records the agent.
  virtual Result<EnrollOutcome> enroll(const EnrollParams& params) = 0;

  // Signed content channel: the inputs and the state of issuing (content_issuer.h).
  // nullopt when the terminal is unknown.
  virtual Result<std::optional<TerminalPolicyLayers>> terminalPolicyLayers(
      const std::string& terminal_id) = 0;
  virtual Result<std::optional<IssuedContentRow>> findIssuedContent(
      const std::string& agent_id) = 0;
  virtual Status putIssuedContent(const IssuedContentRow& row) = 0;
  // The next value of the collector-wide content version counter (1, 2, ...). Never repeats,
  // also across restarts, as long as the transaction commits.
  virtual Result<uint64_t> nextContentVersion() = 0;
  // An admin action that writes through a WriteTxn (e.g. issuing for a bundle export).
  virtual Status recordAudit(const AuditRow& audit) = 0;

  // Signature bundles. The next value of the collector-wide bundle version counter (1, 2, ...;
  // never repeats as long as the transaction commits). insert: E_INVALID_ARGUMENT when the
  // version exists; `data` (the artifact bytes) is kept so that a lost artifact file can be
  // restored. latest: the newest bundle without its data, nullopt when none was published.
  virtual Result<uint64_t> nextSignaturesVersion() = 0;
  virtual Status insertSignatureBundle(const SignatureBundleRow& row, std::string_view data) = 0;
  virtual Result<std::optional<SignatureBundleRow>> latestSignatureBundle() = 0;
  // The artifact bytes of bundle `version`; E_NOT_FOUND when there is no such bundle.
  virtual Result<std::string> signatureBundleData(uint64_t version) = 0;

  // Browsing records, seat sessions and alerts (issue 12), stored at ingest. place: where the
  // agent's terminal sits now. insertVisits: the number newly stored (a key already stored for
  // the terminal adds nothing). upsertSession: an open creates the row, a close sets its end
  // (also when the open was never seen). insertAlert: false when already stored.
  virtual Result<TerminalPlace> terminalPlace(const AgentRow& agent) = 0;
  virtual Result<uint64_t> insertVisits(const TerminalPlace& place,
                                        const std::vector<VisitRow>& visits, int64_t now_ms) = 0;
  virtual Status upsertSession(const TerminalPlace& place, const SessionRow& session,
                               int64_t now_ms) = 0;
  virtual Result<bool> insertAlert(const TerminalPlace& place, const AlertRow& alert,
                                   int64_t now_ms) = 0;
};

// Storage of the collector. One instance is one database session: use it from one thread at a
// time. Implementations: SQLite (sqlite_store.h); PostgreSQL later, behind the same interface.
class Store {
 public:
  virtual ~Store() = default;

  virtual Result<std::unique_ptr<WriteTxn>> beginWrite() = 0;

  // Admin mutations record `audit` in the same transaction.
  // E_INVALID_ARGUMENT when the id exists.
  virtual Status addSchool(const SchoolRow& school, const AuditRow& audit) = 0;
  virtual Result<std::vector<SchoolRow>> listSchools() = 0;
  // E_NOT_FOUND when the school does not exist.
  virtual Status setReenrollPolicy(const std::string& school_id, ReenrollPolicy policy,
                                   const AuditRow& audit) = 0;
  // Oldest first; approved ones stay listed until the instance comes back and is linked.
  virtual Result<std::vector<PendingEnrollmentRow>> listPendingEnrollments(
      const std::string& school_filter) = 0;
  // E_NOT_FOUND when there is no such pending enrollment.
  virtual Result<PendingEnrollmentRow> approvePendingEnrollment(const std::string& id,
                                                                const AuditRow& audit) = 0;
  // E_NOT_FOUND when the school does not exist.
  virtual Status addToken(const TokenRow& token, const AuditRow& audit) = 0;
  virtual Result<std::vector<TokenRow>> listTokens(const std::string& school_filter) = 0;
  // E_NOT_FOUND when unknown; revoking twice is not an error.
  virtual Result<TokenRow> revokeToken(const std::string& token_id, const AuditRow& audit) = 0;
  virtual Result<std::vector<TerminalRow>> listTerminals(const std::string& school_filter) = 0;
  // Oldest first.
  virtual Result<std::vector<StoredEventRow>> listEvents(const EventQuery& query) = 0;
  virtual Result<std::vector<AuditRow>> listAudit(uint32_t limit) = 0;

  // Policy layers. put: creates the layer (revision 1) or replaces its policy (revision + 1)
  // and returns what is stored; E_NOT_FOUND when the school (school and room scopes) or the
  // terminal does not exist. delete: E_NOT_FOUND when there is no such layer.
  virtual Result<std::optional<PolicyLayerRow>> findPolicyLayer(const std::string& scope,
                                                                const std::string& id) = 0;
  virtual Result<PolicyLayerRow> putPolicyLayer(const PolicyLayerRow& layer,
                                                const AuditRow& audit) = 0;
  virtual Status deletePolicyLayer(const std::string& scope, const std::string& id,
                                   const AuditRow& audit) = 0;
  // Assigns a terminal to a room of its school ("" = none); E_NOT_FOUND for unknown terminals.
  virtual Status setTerminalRoom(const std::string& terminal_id, const std::string& room,
                                 const AuditRow& audit) = 0;
  virtual Result<std::optional<TerminalPolicyLayers>> terminalPolicyLayers(
      const std::string& terminal_id) = 0;
  virtual Result<std::optional<IssuedContentRow>> findIssuedContent(
      const std::string& agent_id) = 0;

  // Rooms (first-class, issue 11). add: E_EXISTS when the school has a room whose name differs
  // only by blanks (the message names it); E_NOT_FOUND for an unknown school. rename: also
  // renames it in terminals, entries and the room policy layer; E_NOT_FOUND / E_EXISTS.
  // delete: E_INVALID_ARGUMENT while terminals or entries are in it (its policy layer goes
  // with it).
  virtual Result<std::vector<RoomRow>> listRooms(const std::string& school_id) = 0;
  virtual Status addRoom(const std::string& school_id, const std::string& name,
                         const AuditRow& audit) = 0;
  virtual Status renameRoom(const std::string& school_id, const std::string& from,
                            const std::string& to, const AuditRow& audit) = 0;
  virtual Status deleteRoom(const std::string& school_id, const std::string& name,
                            const AuditRow& audit) = 0;

  // The seat registry. keys: what an import of `school_id` is checked against. replace: in one
  // transaction creates `new_rooms`, makes `entries` the school's whole registry (entries whose
  // MAC is not in it are removed; an unchanged entry keeps its revision) and re-matches the
  // school's terminals. list: the entries of a school (and room: by name key), by room, seat,
  // owner.
  virtual Result<RegistryKeys> registryKeys(const std::string& school_id) = 0;
  virtual Status replaceRegistry(const std::string& school_id,
                                 const std::vector<RegistryEntry>& entries,
                                 const std::vector<std::string>& new_rooms, int64_t now_ms,
                                 const AuditRow& audit) = 0;
  virtual Result<std::vector<RegistryEntryRow>> listRegistry(const std::string& school_id,
                                                             const std::string& room) = 0;
  // Terminals for the compliance report ("" = any school / room).
  virtual Result<std::vector<ComplianceRow>> complianceRows(const std::string& school_id,
                                                            const std::string& room) = 0;
  // Terminal ids answering to `ref`: a terminal id, "school/room/seat" or "school/owner" (via
  // the registry entry's holder), or a hostname (case-insensitive). Empty when none.
  virtual Result<std::vector<std::string>> resolveTerminal(const std::string& ref) = 0;

  // Published signature bundles, newest first (without their data).
  virtual Result<std::vector<SignatureBundleRow>> listSignatureBundles(uint32_t limit) = 0;
  // Stored `detection` events, newest first.
  virtual Result<std::vector<DetectionRow>> listDetections(const DetectionQuery& query) = 0;

  // Browsing records, seat sessions and alerts, newest first (RecordQuery), at most
  // query.limit rows.
  virtual Result<std::vector<StoredVisit>> searchVisits(const RecordQuery& query) = 0;
  virtual Result<std::vector<StoredSession>> listSessions(const RecordQuery& query) = 0;
  virtual Result<std::vector<StoredAlert>> listAlerts(const RecordQuery& query) = 0;

  // Retention. candidates: rows of `table` whose record time is before `before_ms`, oldest
  // first, strictly after `after` (time, id), at most `limit` (a read: no write lock). Events
  // come in id order (reception order) whatever their time, after `after.second`.
  // deleteRows: in one write transaction deletes each (id, cutoff) whose record time and
  // reception are both before its cutoff (rows of odd times are never deleted sooner).
  virtual Result<std::vector<RetentionCandidate>> retentionCandidates(
      RetentionTable table, int64_t before_ms, std::pair<int64_t, int64_t> after,
      uint32_t limit) = 0;
  virtual Result<RetentionDeletion> deleteRows(
      RetentionTable table, const std::vector<std::pair<int64_t, int64_t>>& rows) = 0;
  // Records an admin action in its own transaction (e.g. what a retention pass deleted).
  virtual Status recordAudit(const AuditRow& audit) = 0;

  // Creates or replaces an admin account.
  virtual Status putAdmin(const AdminRow& admin) = 0;
  virtual Result<std::optional<AdminRow>> findAdmin(const std::string& name) = 0;
};

}  // namespace xiaoan::collector
