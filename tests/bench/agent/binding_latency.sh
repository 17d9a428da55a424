#!/usr/bin/env bash
# IP/MAC binding latency in a network namespace (root): the time from a change (`ip addr add` of
# an extra address) to the agent's violation event, and from a wrong address (the assigned one
# removed, another added) to the assignment and default route being back, over RUNS repetitions.
# The issue's targets: event <= 2 s (event-driven, not polling), restore <= 5 s. The restore
# includes the RFC 5227 ARP probe (about 1 s). Not a test: nothing asserts a time.
#   XIAOAN_BIN=build/rel/bin tests/bench/agent/binding_latency.sh [RUNS=10]
source "$(dirname "$0")/../../integration/lib.sh"
source "$(dirname "$0")/../../integration/binding_lib.sh"
require_root
runs=${1:-10}
EVENTUALLY_STEP=0.01
binding_setup
summary() {
  python3 -c 'import sys,statistics as s; v=sorted(map(int,sys.argv[2:]))
print(f"{sys.argv[1]}: n={len(v)} min {v[0]} ms, median {s.median(v):.0f} ms, max {v[-1]} ms")' "$@"
}
cleared() { grep -c "binding violation cleared: VIOLATION_KIND_EXTRA_IP" "$WORK/agent.log" || true; }

set_binding report
detections=()
for _ in $(seq "$runs"); do
  detect VIOLATION_KIND_EXTRA_IP ip addr add 10.77.0.99/24 dev "$AGENT_IF"
  detections+=("$LAST_MS")
  n=$(cleared)
  in_ns ip addr del 10.77.0.99/24 dev "$AGENT_IF"
  eventually 10 '[ "$(cleared)" -gt "$n" ]' || fail "not cleared"
done

set_binding restore
restores=()
for _ in $(seq "$runs"); do
  t0=$(now_ms)
  in_ns ip addr add 10.77.0.50/24 dev "$AGENT_IF"
  in_ns ip addr del "$AGENT_IP/24" dev "$AGENT_IF"
  eventually 10 '[ "$(addrs)" = "10.77.0.37/24 " ] && [ "$(gateway)" = "$HOST_IP" ]' ||
    fail "not restored: $(addrs) via $(gateway)"
  restores+=("$(( $(now_ms) - t0 ))")
done
summary "change -> violation event" "${detections[@]}"
summary "wrong address -> assignment and route restored" "${restores[@]}"
