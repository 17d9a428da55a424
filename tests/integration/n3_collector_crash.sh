#!/usr/bin/env bash
# RELIABILITY N3: the collector is killed (-9) repeatedly while a backlog uploads, so some
# batches are committed without the agent seeing the reply. Resends are deduplicated:
# every event stored exactly once.
source "$(dirname "$0")/lib.sh"
collector_init
collector_start
UPLOAD_RATE=4000 agent_config "$(make_token s1)"
agent_start
wait_until 30 enrolled_and_connected || fail "agent not connected"
collector_stop
for _ in $(seq 20); do send_events 1000 activity || fail "append failed"; done
for i in $(seq 8); do
  collector_start
  sleep "0.$((RANDOM % 9 + 1))"
  collector_kill
done
collector_start
wait_drained 120
check_ledger --check-order || fail "ledger mismatch after collector crashes"
integrity=$(db 'PRAGMA integrity_check;')
[ "$integrity" = ok ] || fail "database integrity: $integrity"
log "PASS N3"
