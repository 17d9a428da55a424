#!/usr/bin/env bash
# RELIABILITY D3: the state dir sits on a 4 MiB tmpfs that fills up (ENOSPC) while the
# collector is down. The agent stays up and answers status with E_SPOOL_FULL; security events
# are kept; every confirmed activity event is stored or covered by a gap record.
source "$(dirname "$0")/lib.sh"
require_root
collector_init
collector_start
mount_tmpfs "$WORK/small" 4m
# The cap is larger than the disk, so the filesystem fills before the cap is reached.
agent_config "$(make_token s1)" $((64 * 1024 * 1024)) "$WORK/small/state"
agent_start
wait_until 30 enrolled_and_connected || fail "agent not connected"
collector_stop
send_events 100 security || fail "security append failed"
full=0
for _ in $(seq 30); do
  send_events 3000 activity || full=$((full + 1))
done
kill -0 "$AGENT_PID" || fail "agent died on a full disk"
df -h "$WORK/small" | tail -1
status_json > "$WORK/status-full.json"
grep -q E_SPOOL_FULL "$WORK/status-full.json" || fail "status lacks E_SPOOL_FULL: $(cat "$WORK/status-full.json")"
send_events 50 security || fail "security append failed on a full disk"
collector_start
wait_drained 90
check_ledger --allow-gaps --exact || fail "ledger does not balance on full disk"
log "PASS D3 ($full batches refused with E_SPOOL_FULL)"
