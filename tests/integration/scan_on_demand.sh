#!/usr/bin/env bash
# Issue 4, on demand: `xiaoanctl scan` through the agent, with our rule set
# (signatures/rules) as the agent's built-in rules, finds an EICAR file and a generated PHP web
# shell in a tree of clean files, prints them, exits 1, and the detections (security) and the
# summary (activity) are stored at the collector. A clean tree exits 0; a rescan is served from
# the result cache; non-root users are refused.
source "$(dirname "$0")/lib.sh"
source "$HERE/scan_lib.sh"
require_root
scan_agent
log "rules loaded: $(scan_get 's.get("rule_count")') rules, bundle v$(scan_get 'int(s.get("bundle_version", 0))')"

files=$WORK/files
mkdir -p "$files/site/upload" "$files/docs" "$WORK/clean"
write_eicar "$files/docs/eicar.com"
write_webshell "$files/site/upload/avatar.php"
for i in $(seq 1 50); do
  printf 'lesson %s notes\n' "$i" > "$files/docs/note$i.txt"
  printf '<?php echo htmlspecialchars($_GET["q%s"] ?? ""); ?>\n' "$i" > "$files/site/page$i.php"
  printf 'plain %s\n' "$i" > "$WORK/clean/f$i.txt"
done

set +e
(cd "$files" && ctl --lang en scan docs site) > "$WORK/scan.out" 2> "$WORK/scan.err"
rc=$?
set -e
cat "$WORK/scan.out"
[ $rc -eq 1 ] || fail "xiaoanctl scan exit $rc, want 1 (detections): $(cat "$WORK/scan.err")"
grep -q "scan completed" "$WORK/scan.out" || fail "no summary"
grep -q "detections: 2" "$WORK/scan.out" || fail "want 2 detections"
grep -q "$files/docs/eicar.com: EICAR_Test_File" "$WORK/scan.out" || fail "EICAR not listed"
grep -q "$files/site/upload/avatar.php: WebShell_PHP_Eval_Request" "$WORK/scan.out" ||
  fail "web shell not listed"
grep -q "scanned: 102 files" "$WORK/scan.out" || fail "want 102 files scanned"

# Clean: exit 0. JSON: the final progress with its summary.
ctl scan "$WORK/clean" > "$WORK/clean.out" || fail "clean scan exit $?: $(cat "$WORK/clean.out")"
set +e
ctl scan --json "$files" > "$WORK/rescan.json"
rc=$?
set -e
[ $rc -eq 1 ] || fail "rescan exit $rc, want 1"
python3 - "$WORK/rescan.json" <<'PY' || fail "rescan JSON: $(cat "$WORK/rescan.json")"
import json, sys
p = json.load(open(sys.argv[1]))
s = p["summary"]
assert s["outcome"] == "OUTCOME_COMPLETED", s
assert int(s["detections"]) == 2, s
assert len(p["detected"]) == 2, p
# Unchanged clean files come from the result cache.
assert int(s.get("files_cached", 0)) >= 100, s
PY

# Non-root users cannot scan through the agent.
if setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/xiaoanctl" --socket "$WORK/agent.sock" \
    --config "$WORK/agent.json" scan /tmp > "$WORK/user.out" 2>&1; then
  fail "a non-root user started a scan"
fi
grep -q E_PERMISSION_DENIED "$WORK/user.out" || fail "non-root: $(cat "$WORK/user.out")"

await_event_count 30 detection 2
[ "$(event_count detection 'p["path"].endswith("/docs/eicar.com") and p["action"] == "DETECTION_ACTION_REPORTED" and p["matches"][0]["rule"] == "EICAR_Test_File" and p["scan_kind"] == "SCAN_KIND_ON_DEMAND" and len(p["sha256"]) > 0 and p["owner"] == "root"')" -ge 1 ] ||
  fail "EICAR detection at the collector lacks details: $(events_json detection)"
[ "$(event_count detection 'p["path"].endswith("/avatar.php") and "webshell" in p["matches"][0]["tags"]')" -ge 1 ] ||
  fail "web shell detection not at the collector: $(events_json detection)"
await_event_count 30 scan_summary 3
status_json | python3 -c 'import json,sys; s=json.load(sys.stdin)["scan"]; assert int(s["detections"]) >= 4, s' ||
  fail "status detections: $(scan_get s)"
log "PASS scan_on_demand: EICAR and web shell detected (exit 1), clean exit 0, rescan cached, events stored"
