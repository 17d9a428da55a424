#!/usr/bin/env bash
# Agent idle cost: an enrolled agent with no scanning configured, checking in to a real
# collector on loopback. Prints RSS and CPU over the window (issue 2's targets: RSS <= 15 MB,
# CPU <= 0.2 % of one core over 10 minutes). Usage:
#   XIAOAN_BIN=build/release/bin tests/bench/agent/idle.sh [SECONDS=600]
source "$(dirname "$0")/../../integration/lib.sh"
window=${1:-600}
collector_init
collector_start
agent_config "$(make_token bench)"
agent_start
wait_until 30 enrolled_and_connected || fail "agent not connected"
sleep 5  # let start-up work (enrollment, first upload) settle
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
a0=$(ticks "$AGENT_PID"); c0=$(ticks "$COLLECTOR_PID"); t0=$(date +%s.%N)
sleep "$window"
a1=$(ticks "$AGENT_PID"); c1=$(ticks "$COLLECTOR_PID"); t1=$(date +%s.%N)
python3 - "$a0" "$a1" "$c0" "$c1" "$t0" "$t1" "$hz" "$AGENT_PID" <<'PY'
import sys
a0, a1, c0, c1 = map(int, sys.argv[1:5]); t0, t1 = map(float, sys.argv[5:7]); hz = int(sys.argv[7])
status = dict(l.split(":", 1) for l in open(f"/proc/{sys.argv[8]}/status"))
rss = int(status["VmRSS"].split()[0]) / 1024; hwm = int(status["VmHWM"].split()[0]) / 1024
secs = t1 - t0
cpu = 100.0 * (a1 - a0) / hz / secs
print(f"window {secs:.0f} s: agent RSS {rss:.1f} MB (peak {hwm:.1f} MB, target <= 15), "
      f"CPU {cpu:.3f} % of a core (target <= 0.2); collector CPU {100.0*(c1-c0)/hz/secs:.3f} %")
PY
