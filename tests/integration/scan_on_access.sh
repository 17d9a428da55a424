#!/usr/bin/env bash
# Issue 4, on access and quarantine: with scanning enabled by policy, an EICAR file written into
# a watched directory is detected within seconds (reported); with the policy action enforce the
# next one is moved into the encrypted quarantine, and `xiaoanctl quarantine restore` brings it
# back byte-identical with its mode and mtime. The scheduled full scan (of a small tree here)
# completes and shows as the last full scan. Events reach the collector.
source "$(dirname "$0")/lib.sh"
source "$HERE/scan_lib.sh"
require_root
scan_agent
watched=$WORK/watched
mkdir -p "$watched/sub" "$WORK/full"
printf 'clean\n' > "$WORK/full/a.txt"
write_eicar "$WORK/full/old-eicar.txt"

v=$(status_field policy_version)
admin policy set --school s1 scan.enabled=true "scan.on_access_paths=$watched" \
  "scan.paths=$WORK/full" scan.pause_when_user_active=false scan.action=report \
  > "$WORK/policy.out" 2>&1 || fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
await_scan 20 'int(s.get("watched_paths", 0)) == 1'
# The scheduled full scan is due at once (never done): it finds the old EICAR file.
await_scan 60 '"last_full_scan" in s'
scan_get 's["last_full_scan_summary"]["outcome"]' | grep -q OUTCOME_COMPLETED ||
  fail "full scan: $(scan_get 's.get("last_full_scan_summary")')"

# Report: the file stays, the detection is counted within a few seconds.
before=$(scan_get 'int(s.get("detections", 0))')
t0=$(date +%s.%N)
write_eicar "$watched/sub/download.com"
await_scan 10 "int(s.get('detections', 0)) > $before"
log "on-access detection after $(python3 -c "import time; print(round(time.time() - $t0, 2))") s"
[ -f "$watched/sub/download.com" ] || fail "report mode removed the file"

# Enforce: the next one is quarantined.
v=$(status_field policy_version)
admin policy set --school s1 scan.action=enforce > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
write_eicar "$WORK/original.com"
cp -p "$WORK/original.com" "$watched/homework.com"
chmod 0640 "$watched/homework.com"
touch -d '2026-09-01 08:00:00' "$watched/homework.com"
wait_until 10 test ! -e "$watched/homework.com" || fail "not quarantined within 10 s"
await_scan 5 'int(s.get("quarantined", 0)) == 1'
ctl quarantine list --json > "$WORK/q.json" || fail "quarantine list"
id=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["entries"]; assert len(e)==1, e; print(e[0]["id"])' "$WORK/q.json")
ctl --lang en quarantine list | grep -q "$id  $watched/homework.com" || fail "quarantine list text"
# The quarantined copy is encrypted.
if grep -q 'EICAR' "$WORK/agent-state/quarantine/$id.bin"; then fail "quarantine file holds the plaintext"; fi

# Restore: byte-identical, mode and mtime; never over an existing file. Detections are counted
# from before the restore: the restored file may be reported before the checks below are done.
before=$(scan_get 'int(s.get("detections", 0))')
echo "a new file" > "$watched/homework.com.keep"
ctl quarantine restore "$id" > "$WORK/restore.out" 2>&1 || fail "restore: $(cat "$WORK/restore.out")"
cat "$WORK/restore.out"
cmp "$WORK/original.com" "$watched/homework.com" || fail "restored file differs"
[ "$(stat -c %a "$watched/homework.com")" = 640 ] || fail "mode not restored"
[ "$(stat -c %Y "$watched/homework.com")" = "$(date -d '2026-09-01 08:00:00' +%s)" ] || fail "mtime not restored"
await_scan 5 'int(s.get("quarantined", 0)) == 0'
# Restoring declares a false positive: the restored file (moved into the watched directory by
# the restore) is reported again, not quarantined again.
await_scan 10 "int(s.get('detections', 0)) > $before"
sleep 1
cmp "$WORK/original.com" "$watched/homework.com" || fail "the restored file was quarantined again"

await_event_count 30 detection 3
[ "$(event_count detection 'p["action"] == "DETECTION_ACTION_QUARANTINED" and p["scan_kind"] == "SCAN_KIND_ON_ACCESS" and len(p["quarantine_id"]) == 16')" -ge 1 ] ||
  fail "quarantined detection at the collector: $(events_json detection)"
[ "$(event_count detection 'p["path"].endswith("/old-eicar.txt") and p["scan_kind"] == "SCAN_KIND_SCHEDULED"')" -ge 1 ] ||
  fail "scheduled-scan detection at the collector: $(events_json detection)"
await_event_count 30 quarantine_action 1 "p[\"kind\"] == \"KIND_RESTORED\" and p[\"entry\"][\"id\"] == \"$id\""
log "PASS scan_on_access: on-access detection, quarantine (encrypted) and byte-identical restore"
