#!/usr/bin/env bash
# RELIABILITY D5: collector down while 3x the spool cap is produced. The spool stays within
# its cap, security events are all kept, and every dropped activity event is accounted for
# by gap records: ledger - stored - gaps = 0.
source "$(dirname "$0")/lib.sh"
cap=$((2 * 1024 * 1024))
collector_init
collector_start
agent_config "$(make_token s1)" "$cap"
agent_start
wait_until 30 enrolled_and_connected || fail "agent not connected"
collector_stop
# Each diagnostic event is ~150 bytes framed; 3x the cap is ~42 000 events.
for _ in $(seq 14); do send_events 3000 activity || fail "append failed"; done
send_events 300 security || fail "security append failed"
used=$(du -sb "$WORK/agent-state/spool" | cut -f1)
log "spool uses $used bytes with a cap of $cap"
[ "$used" -le $((cap + cap / 4)) ] || fail "spool $used bytes exceeds cap $cap"
status_json > "$WORK/status-full.json"
grep -q E_SPOOL_FULL "$WORK/status-full.json" || fail "status does not show E_SPOOL_FULL"
collector_start
wait_drained 60
check_ledger --allow-gaps --exact || fail "ledger does not balance with gaps"
# All security events are stored (no gaps allowed for them).
python3 - "$LEDGER" "$WORK/collector/collector.db" <<'PY' || fail "security events lost"
import json, sqlite3, sys
sec = [json.loads(l) for l in open(sys.argv[1]) if '"security"' in l]
want = sum(int(e["appended"]) for e in sec)
con = sqlite3.connect(sys.argv[2])
got = con.execute("SELECT COUNT(*) FROM events WHERE stream='security' AND type='diagnostic'").fetchone()[0]
print(f"security appended={want} stored={got}")
sys.exit(0 if want == got else 1)
PY
log "PASS D5"
