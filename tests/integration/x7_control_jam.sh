#!/usr/bin/env bash
# RELIABILITY X7 (issue 10 finding 7): a local user (nobody) holds 8 connections to the status
# socket and sends nothing. Root's `xiaoanctl status` is still answered within 1 s; the user's
# connections beyond its share (3) are refused with E_OVERLOADED at once, the others cut after
# the 2 s request deadline.
source "$(dirname "$0")/lib.sh"
require_root
start_enrolled_agent
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$HERE/x7_control_jam.py" \
  "$WORK/agent.sock" 8 > "$WORK/jam.out" 2>&1 &
EXTRA_PIDS+=($!)
EXTRA_LOGS+=("$WORK/jam.out")
wait_until 10 grep -q ready "$WORK/jam.out" || fail "the jamming clients did not connect"
sleep 0.2
t0=$(date +%s%N)
ctl status --json > "$WORK/status.json" || fail "root's status failed while jammed"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "root's status answered in $ms ms while nobody held 8 connections"
[ "$ms" -lt 1000 ] || fail "root's status took $ms ms"
wait_until 20 grep -q refused= "$WORK/jam.out" || fail "the jamming clients did not finish"
result=$(grep refused= "$WORK/jam.out")
log "nobody's connections: $result"
[[ $result == "refused=5 cut=3 other=0 "* ]] || fail "unexpected outcome: $result"
last=${result##*last_cut_ms=}
[ "$last" -lt 3000 ] || fail "silent connections held for $last ms"
kill -0 "$AGENT_PID" || fail "agent died"
log "PASS X7"
