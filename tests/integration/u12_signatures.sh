#!/usr/bin/env bash
# RELIABILITY U12 for signature bundles, end to end: a bundle published with xiaoan-admin is
# loaded by the agent at its next check-in (status scan.bundle_version, terminals list); a
# correctly signed bundle whose rules do not compile is rejected as a whole and the last good
# one stays loaded (E_RULES_INVALID in status), also across an agent restart; the next good
# bundle loads; a file the loaded rules match is reported and listed by `detections list`.
# The collector never publishes rules that do not compile, so the broken bundle is put into its
# database and artifact store directly: it is then signed and offered like any other.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/scan_lib.sh"

start_enrolled_agent --checkin-interval 10
term=$(status_field terminal_id)

rule_dir() {  # rule_dir DIR MARKER: one rule matching files that contain MARKER
  mkdir -p "$1"
  printf 'rule u12_%s {\n  strings:\n    $a = "%s"\n  condition:\n    $a\n}\n' "$2" "XIAOAN-U12-$2" > "$1/u12.yar"
}

rule_dir "$WORK/rules1" ONE
admin signatures publish "$WORK/rules1" > "$WORK/p1.out" 2>&1 || fail "publish 1: $(cat "$WORK/p1.out")"
await_scan 40 'int(s.get("bundle_version") or 0) == 1'
log "agent loaded bundle 1 ($(scan_get 's.get("rule_count")') rules)"

# A signed bundle 2 that does not compile: the agent keeps bundle 1.
python3 - "$WORK/broken.pb" <<'PY'
import sys, time
def varint(n):
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n: return out
def field(num, wire, payload):
    key = varint(num << 3 | wire)
    return key + (varint(payload) if wire == 0 else varint(len(payload)) + payload)
rule_file = field(1, 2, b"broken.yar") + field(2, 2, b"rule broken {\n  condition:\n    no_such_thing\n}\n")
issued = field(1, 0, int(time.time()))
bundle = field(1, 0, 2) + field(2, 2, issued) + field(3, 2, rule_file) + field(4, 0, 1)
open(sys.argv[1], "wb").write(bundle)
PY
hex=$(sha256sum < "$WORK/broken.pb" | cut -c1-64)
size=$(stat -c %s "$WORK/broken.pb")
cp "$WORK/broken.pb" "$WORK/collector/artifacts/sha256/$hex"
db "UPDATE counters SET value = 2 WHERE name = 'signatures_version';
    INSERT INTO signature_bundles(version, sha256, size, rule_count, file_count, published_at,
      published_by, description, warnings, data)
    VALUES(2, '$hex', $size, 1, 1, $(date +%s)000, 'u12', 'does not compile', x'',
      readfile('$WORK/broken.pb'));"
await_scan 40 '(s.get("last_bundle_error") or {}).get("code") == "E_RULES_INVALID"'
scan_check 'int(s.get("bundle_version") or 0) == 1' || fail "bundle 1 is no longer loaded: $(scan_get s)"
log "bundle 2 rejected: $(scan_get '(s.get("last_bundle_error") or {}).get("message")')"
agent_stop
agent_start
await_scan 20 'int(s.get("bundle_version") or 0) == 1'
log "after a restart the agent runs bundle 1"

# The next good bundle loads.
rule_dir "$WORK/rules3" THREE
admin signatures publish "$WORK/rules3" > "$WORK/p3.out" 2>&1 || fail "publish 3: $(cat "$WORK/p3.out")"
grep -q '特征库版本 3' "$WORK/p3.out" || fail "publish 3 output: $(cat "$WORK/p3.out")"
await_scan 40 'int(s.get("bundle_version") or 0) == 3'
reported() {
  admin terminals list --json | python3 -c '
import json,sys; t=json.load(sys.stdin)["terminals"]; sys.exit(0 if any(int(x.get("signatures_version") or 0) == 3 for x in t) else 1)'
}
wait_until 30 reported || fail "terminals list does not show bundle 3: $(admin terminals list)"
log "bundle 3 loaded and reported: $(admin terminals list | sed -n 3p)"

# A file the loaded rules match: the detection reaches `detections list`.
mkdir -p "$WORK/scan"
printf 'hello XIAOAN-U12-THREE world\n' > "$WORK/scan/sample.txt"
ctl scan "$WORK/scan" --json > "$WORK/scan.out" 2>&1 || true
listed() {
  admin detections list --school s1 --json | python3 -c '
import json,sys
d=json.load(sys.stdin).get("detections",[])
sys.exit(0 if any(r.get("detection",{}).get("path","").endswith("/scan/sample.txt") and
                  any(m.get("rule") == "u12_THREE" for m in r["detection"].get("matches",[])) for r in d) else 1)'
}
wait_until 40 listed || fail "the detection is not listed: $(cat "$WORK/scan.out"); $(admin detections list)"
log "detection listed: $(admin detections list | sed -n 3p)"
log "PASS U12 signatures: bundle 1 -> broken bundle 2 rejected (kept 1, also after a restart) -> 3 on $term"
