#!/usr/bin/env bash
# RELIABILITY X4: a file that makes YARA time out is skipped and reported; a crash inside a
# scan (SIGABRT while the crash marker names the file) is found at the next start, reported as
# KIND_CRASH and the file skipped from then on — no crash loop. The rules: EICAR plus a
# pathological rule that looks at every byte of a file eight times and never matches zeros
# (about half a second per MiB).
source "$(dirname "$0")/lib.sh"
source "$HERE/scan_lib.sh"
require_root
ulimit -c 0  # the crash below is on purpose: no core file
rules=$WORK/rules
mkdir -p "$rules"
cp "$RULES_DIR/eicar.yar" "$rules/"
cat > "$rules/slow.yar" <<'YAR'
// Test only: a loop over every byte (in a loop), so a large file takes seconds; false for zeros.
rule Slow_Every_Byte {
  condition: for any i in (0..filesize-1) : (for any j in (0..7) : (uint8(i + j) == 0xFF))
}
YAR
scan_agent "$rules"

# 1. Timeout: a one-second limit per file.
v=$(status_field policy_version)
admin policy set --school s1 scan.file_timeout_seconds=1 > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
mkdir -p "$WORK/t"
head -c 16M /dev/zero > "$WORK/t/slow.bin"
write_eicar "$WORK/t/eicar.com"
set +e
ctl scan --json "$WORK/t" > "$WORK/timeout.json" 2> "$WORK/timeout.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "scan exit $rc (want 1, EICAR found): $(cat "$WORK/timeout.err") $(cat "$WORK/timeout.json")"
python3 - "$WORK/timeout.json" <<'PY' || fail "timeout scan: $(cat "$WORK/timeout.json")"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["outcome"] == "OUTCOME_COMPLETED", s
assert int(s["skipped"]["timeout"]) == 1, s
assert int(s["detections"]) == 1, s
assert any(x["path"].endswith("/slow.bin") and x["reason"] == "timeout" for x in s["skipped_examples"]), s
PY
await_event_count 30 scan_fault 1 'p["kind"] == "KIND_TIMEOUT" and p["path"].endswith("/t/slow.bin")'
log "timeout: slow.bin skipped after 1 s, reported; EICAR beside it still found"

# 2. Crash: no timeout to speak of; the agent aborts while the slow file is being scanned.
# (SIGABRT, not SIGSEGV: while it scans, libyara catches SIGSEGV and SIGBUS process-wide to
# survive files truncated under its mapping, so a SIGSEGV sent from outside is swallowed.)
v=$(status_field policy_version)
admin policy set --school s1 scan.file_timeout_seconds=600 > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
mkdir -p "$WORK/c"
head -c 16M /dev/zero > "$WORK/c/crasher.bin"
printf 'clean\n' > "$WORK/c/clean.txt"
ctl scan "$WORK/c" > "$WORK/crash-scan.out" 2>&1 &
scan_pid=$!
EXTRA_PIDS+=("$scan_pid")
# The scan is in YARA once the file is found and no longer being read.
await_scan 20 'any(int(p.get("files_found", 0)) >= 2 for p in s.get("running", []))'
sleep 2
ls "$WORK/agent-state/scan/" | grep -q inflight || fail "no crash marker while scanning"
kill -ABRT "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null && fail "the agent survived SIGABRT"
AGENT_PID=""
wait "$scan_pid" 2>/dev/null && fail "xiaoanctl scan succeeded although the agent died"
log "agent aborted inside the scan of crasher.bin"

agent_start
wait_until 30 enrolled_and_connected || fail "agent did not come back: $(status_json)"
await_scan 60 'int(s.get("rule_count", 0)) > 0'
await_event_count 30 scan_fault 1 'p["kind"] == "KIND_CRASH" and p["path"].endswith("/c/crasher.bin")'
# Scanning the same tree again skips the file at once instead of crashing again.
t0=$SECONDS
ctl scan --json "$WORK/c" > "$WORK/after.json" || fail "rescan exit $?: $(cat "$WORK/after.json")"
python3 - "$WORK/after.json" <<'PY' || fail "rescan: $(cat "$WORK/after.json")"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["outcome"] == "OUTCOME_COMPLETED", s
assert int(s["skipped"]["faulted"]) == 1, s
assert any(x["path"].endswith("/crasher.bin") for x in s["skipped_examples"]), s
PY
[ $((SECONDS - t0)) -lt 20 ] || fail "the rescan took $((SECONDS - t0)) s: the file was scanned again"
agent_stop
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not restart cleanly"
[ "$(event_count scan_fault 'p["kind"] == "KIND_CRASH"')" -eq 1 ] ||
  fail "the crash was reported more than once: $(events_json scan_fault)"
[ "$(event_count lifecycle 'p["kind"] == "KIND_RECOVERED_UNCLEAN"')" -eq 1 ] ||
  fail "want exactly one unclean restart: $(events_json lifecycle)"
log "PASS x4_scan_faults: timeout skipped and reported; crash found at restart, reported once, file skipped, no loop"
