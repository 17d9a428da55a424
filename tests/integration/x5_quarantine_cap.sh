#!/usr/bin/env bash
# Issue 10 finding 5: fake miners dropped into a watched directory cannot fill the agent's state
# file system through the quarantine, nor switch enforcement off silently. The state dir is a
# real 48 MiB tmpfs; policy: enforce, at most 4 quarantined files, 28 MiB kept free.
#  - an EICAR file and two 8 MiB fake miners are quarantined;
#  - the third miner is not: its copy would eat the free-space reserve (QUARANTINE_SKIPPED);
#  - of two more EICAR files one is quarantined, the other not: the file-count cap is reached
#    (QUARANTINE_SKIPPED);
#  - both stay where they were, nothing quarantined was deleted, the tmpfs keeps >= 28 MiB free;
#  - the agent is degraded with E_QUARANTINE and the reason (xiaoanctl status, zh and en);
#  - the spool still takes security events, and the skipped detections reach the collector
#    with their hashes.
source "$(dirname "$0")/lib.sh"
source "$HERE/scan_lib.sh"
require_root
state=$WORK/state
mount_tmpfs "$state" 48m
collector_init
collector_start
token=$(make_token s1)
admin policy set --school s1 agent.checkin_interval_seconds=10 > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
agent_config "$token" $((8 * 1024 * 1024)) "$state"
set_config builtin_signatures_dir "\"$RULES_DIR\""
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
await_scan 60 'int(s.get("rule_count", 0)) > 0'

watched=$WORK/watched
mkdir -p "$watched"
v=$(status_field policy_version)
admin policy set --school s1 scan.enabled=true "scan.on_access_paths=$watched" \
  scan.pause_when_user_active=false scan.action=enforce scan.quarantine_max_files=4 \
  scan.quarantine_reserve_bytes=$((28 * 1024 * 1024)) > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
await_scan 20 'int(s.get("watched_paths", 0)) == 1'
await_scan 5 'int(s.get("quarantine_max_files", 0)) == 4'

# write_miner FILE: an 8 MiB Linux program carrying the stratum protocol (CoinMiner_Binary_ELF),
# random filler so that each has its own hash.
write_miner() {
  python3 - "$1" <<'PY'
import os, sys
body = b"\x7fELF" + b"\0" * 60 + b"mining.subscribe mining.authorize xmrig stratum+tcp://pool:3333 "
with open(sys.argv[1], "wb") as f:
    f.write(body + os.urandom(8 * 1024 * 1024 - len(body)))
PY
}
detections() { scan_get 'int(s.get("detections", 0))'; }
# drop KIND:NAME...: writes the files beside the watched dir, moves them in whole (a
# half-written one is never scanned) and waits for their detections.
drop() {
  local before f; before=$(detections)
  for f in "$@"; do
    if [ "${f%%:*}" = eicar ]; then write_eicar "$WORK/${f#*:}.tmp"; else write_miner "$WORK/${f#*:}.tmp"; fi
  done
  for f in "$@"; do mv "$WORK/${f#*:}.tmp" "$watched/${f#*:}"; done
  await_scan 30 "int(s.get('detections', 0)) >= $before + $#"
  sleep 0.5
}
in_watched() { [ -e "$watched/$1" ]; }
gone() { ! in_watched "$1" || fail "$1 is still in the watched dir"; }
kept() { in_watched "$1" || fail "$1 was removed though not quarantined"; }
tmpfs_avail_kb() { df -k --output=avail "$state" | tail -1 | tr -d ' '; }

# Room for these three (in whatever order they come).
drop eicar:a.com miner:m1 miner:m2
gone a.com; gone m1; gone m2
await_scan 5 'int(s.get("quarantined", 0)) == 3'
log "3 files quarantined; $(tmpfs_avail_kb) kB free on the state tmpfs"
# The third miner would eat the reserve.
drop miner:m3
kept m3
# One more file fits under the count cap, the other does not.
drop eicar:b.com eicar:c.com
if in_watched b.com; then kept_eicar=b.com; gone c.com; else kept_eicar=c.com; kept c.com; fi
await_scan 5 'int(s.get("quarantined", 0)) == 4'
avail_kb=$(tmpfs_avail_kb)
log "after the skipped ones ($kept_eicar, m3): ${avail_kb} kB free on the state tmpfs"
[ "$avail_kb" -ge $((28 * 1024)) ] || fail "the quarantine ate the reserve: ${avail_kb} kB free"
[ "$(ls "$state/quarantine"/*.pb | wc -l)" = 4 ] || fail "quarantine entries: $(ls "$state/quarantine")"

# Degraded, with the reason, in both languages.
status_json > "$WORK/status.json"
python3 - "$WORK/status.json" <<'PY' || fail "status: $(cat "$WORK/status.json")"
import json, sys
d = json.load(open(sys.argv[1]))
errs = [e for e in d.get("errors", []) if e.get("code") == "E_QUARANTINE"]
assert errs, d.get("errors")
assert "detections are not quarantined: quarantine full" in errs[0]["message"], errs
PY
ctl status > "$WORK/status.zh" 2>&1 || true
ctl --lang en status > "$WORK/status.en" 2>&1 || true
grep -q '代理正在运行，但需要注意' "$WORK/status.zh" || fail "zh status not degraded: $(cat "$WORK/status.zh")"
grep -q 'E_QUARANTINE.*隔离或恢复文件失败' "$WORK/status.zh" || fail "zh status: no E_QUARANTINE line: $(cat "$WORK/status.zh")"
grep -q '隔离区.*4 个文件.*上限 4 个文件' "$WORK/status.zh" || fail "zh status: quarantine line: $(cat "$WORK/status.zh")"
grep -q 'agent is running but degraded' "$WORK/status.en" || fail "en status not degraded: $(cat "$WORK/status.en")"
grep -q 'E_QUARANTINE.*quarantine full' "$WORK/status.en" || fail "en status: no reason: $(cat "$WORK/status.en")"
sed -n '/^Errors/,$p' "$WORK/status.en"

# The spool still takes security events (the reserve kept its room), and they are delivered.
send_events 200 security || fail "the spool refused security events after the quarantine filled up"
wait_drained 30
check_ledger > "$WORK/ledger.out" || fail "ledger: $(cat "$WORK/ledger.out")"
# The skipped detections reached the collector, with their hashes, as security events.
await_event_count 30 detection 2 'p["action"] == "DETECTION_ACTION_QUARANTINE_SKIPPED" and len(p["sha256"]) > 0'
[ "$(event_count detection 'p["action"] == "DETECTION_ACTION_QUARANTINE_SKIPPED" and "free space reserve" in p["error"]["message"] and p["path"].endswith("/m3")')" -ge 1 ] ||
  fail "no reserve skip for m3: $(events_json detection)"
[ "$(event_count detection 'p["action"] == "DETECTION_ACTION_QUARANTINE_SKIPPED" and "4 files, the cap is 4" in p["error"]["message"] and p["path"].endswith("/'"$kept_eicar"'")')" -ge 1 ] ||
  fail "no file-cap skip for $kept_eicar: $(events_json detection)"
[ "$(event_count detection 'p["action"] == "DETECTION_ACTION_QUARANTINE_FAILED"')" = 0 ] ||
  fail "some quarantine failed: $(events_json detection)"

# An admin deletes an entry: the condition clears and the next detection is quarantined.
id=$(ctl quarantine list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["id"])')
ctl quarantine delete "$id" > /dev/null || fail "quarantine delete"
no_quarantine_error() { ! status_json | grep -q E_QUARANTINE; }
wait_until 5 no_quarantine_error || fail "condition not cleared: $(status_json)"
rm -f "$watched/$kept_eicar"
drop eicar:d.com
gone d.com
kill -0 "$AGENT_PID" || fail "agent died"
log "PASS x5_quarantine_cap"
