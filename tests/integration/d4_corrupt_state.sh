#!/usr/bin/env bash
# RELIABILITY D4: corrupted spool segments, cursors and persisted status. The agent starts
# (no crash loop), skips and counts bad records, and still delivers everything intact.
source "$(dirname "$0")/lib.sh"
start_enrolled_agent
collector_stop
send_events 2000 activity || fail "append failed"
agent_stop
spool=$WORK/agent-state/spool
seg=$(ls "$spool"/activity/*.seg 2>/dev/null | head -1 || true)
[ -n "$seg" ] || seg=$(find "$spool/activity" -type f -size +10k | head -1)
[ -n "$seg" ] || fail "no activity segment found in $spool"
size=$(stat -c %s "$seg")
# Flip bytes in the middle of the segment, append a torn half-record, scribble on cursors
# and on the persisted status.
printf '\xde\xad\xbe\xef\x00\x11\x22\x33' | dd of="$seg" bs=1 seek=$((size / 2)) conv=notrunc status=none
printf '\x58\x41' >> "$seg"
for f in "$spool"/activity/ACKED "$spool"/security/ACKED "$WORK/agent-state/status.pb"; do
  [ -f "$f" ] && head -c 37 /dev/urandom > "$f"
done
collector_start
restarts=0
agent_start
sleep 2
kill -0 "$AGENT_PID" || fail "agent exited on corrupt state"
wait_until 60 enrolled_and_connected || fail "agent not healthy within 60 s after corruption"
status_json > "$WORK/status-after.json"
corrupt=$(status_field spool_corrupt_records)
log "corrupt records skipped: $corrupt"
[ "${corrupt:-0}" -ge 1 ] || fail "corrupt records were not counted: $(cat "$WORK/status-after.json")"
send_events 100 || fail "append after recovery failed"
wait_drained 60
# Every ledger event is stored, except the records in the damaged region, which are counted.
python3 "$HERE/ledger_check.py" "$LEDGER" "$WORK/collector/collector.db" > "$WORK/check.txt" || true
cat "$WORK/check.txt"
missing=$(sed -n 's/.*missing=\([0-9]*\).*/\1/p' "$WORK/check.txt")
dups=$(sed -n 's/.*duplicates=\([0-9]*\).*/\1/p' "$WORK/check.txt")
[ "$dups" = 0 ] || fail "duplicates after recovery"
[ "$missing" -le "$corrupt" ] || fail "lost $missing events but only $corrupt were counted corrupt"
log "PASS D4 (missing=$missing <= counted corrupt=$corrupt, restarts=$restarts)"
