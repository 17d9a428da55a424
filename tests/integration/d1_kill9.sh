#!/usr/bin/env bash
# RELIABILITY D1: kill -9 of the agent at random times while events flow. Nothing whose append
# was confirmed is lost, nothing is stored twice, and the agent is back within 2 s.
# D1_ITERATIONS (default 50; the nightly target uses 500).
source "$(dirname "$0")/lib.sh"
iterations=${D1_ITERATIONS:-50}
start_enrolled_agent
worst_ms=0
for i in $(seq "$iterations"); do
  # A producer appends small batches while the kill lands at a random moment.
  ( for _ in 1 2 3 4 5 6; do send_events $((RANDOM % 200 + 1)) $([ $((RANDOM % 4)) = 0 ] && echo security || echo activity) || break; done ) &
  producer=$!
  sleep "0.$((RANDOM % 30))"
  agent_kill
  wait "$producer" 2>/dev/null || true
  t0=$(date +%s%N)
  agent_start
  wait_until 10 ctl status --json || fail "agent not answering after restart $i"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ $ms -gt $worst_ms ] && worst_ms=$ms
done
[ $worst_ms -lt 2000 ] || fail "restart took $worst_ms ms (> 2 s)"
wait_drained 60
check_ledger --check-order || fail "ledger mismatch after $iterations kill -9"
log "PASS D1: $iterations kills, worst restart-to-answer ${worst_ms} ms"
