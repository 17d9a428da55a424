#!/usr/bin/env bash
# RELIABILITY N1 (and issue 2, item 3): the collector is unreachable while 10 000 events are
# produced and the agent is restarted in between; status shows "offline since"; after the
# collector returns every event arrives exactly once, in order per stream.
source "$(dirname "$0")/lib.sh"
start_enrolled_agent
collector_stop
for _ in $(seq 5); do send_events 1000 activity || fail "append failed"; done
send_events 500 security || fail "append failed"
agent_stop
agent_start
for _ in $(seq 4); do send_events 1000 activity || fail "append failed"; done
send_events 500 security || fail "append failed"
wait_until 30 grep -q CONNECTION_STATE_OFFLINE <(status_json) || fail "status does not say offline"
set +e; ctl status > "$WORK/offline.txt"; rc=$?; set -e
[ $rc -eq 1 ] || fail "status while offline: exit $rc, want 1 (degraded)"
grep -q '离线' "$WORK/offline.txt" || fail "zh status lacks 离线: $(cat "$WORK/offline.txt")"
[ -n "$(status_field offline_since)" ] || fail "no offline_since"
collector_start
wait_drained 120
check_ledger --check-order || fail "ledger mismatch after offline period"
log "PASS N1"
