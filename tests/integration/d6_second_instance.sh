#!/usr/bin/env bash
# RELIABILITY D6: a second agent on the same state dir refuses to start (E_ALREADY_RUNNING,
# exit 3) and the first one's spool stays intact.
source "$(dirname "$0")/lib.sh"
start_enrolled_agent
collector_stop
send_events 500 || fail "append failed"
set +e
"$BIN/xiaoan-agent" --config "$WORK/agent.json" --foreground > "$WORK/second.out" 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "second instance exit $rc, want 3: $(cat "$WORK/second.out")"
grep -q E_ALREADY_RUNNING "$WORK/second.out" || fail "second instance did not say E_ALREADY_RUNNING"
kill -0 "$AGENT_PID" || fail "first agent died"
collector_start
wait_drained 30
check_ledger || fail "ledger mismatch after second-instance attempt"
log "PASS D6"
