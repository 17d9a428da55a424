#!/usr/bin/env bash
# CPU of the agent during a background (scheduled) full scan with the policy's CPU cap, measured
# from /proc/<pid>/stat over a window while the scan runs. The issue's target: within the cap
# ± 5 points (default cap 25 % of one core). Uses all of signature-base as the agent's rules so
# the scan is CPU-bound, and a make-corpus.sh tree. Not a test: nothing asserts a time.
#   XIAOAN_BIN=build/release/bin tests/bench/agent/scan_cpu.sh [CORPUS_DIR] [SECONDS=60] [CAP=25]
source "$(dirname "$0")/../../integration/lib.sh"
source "$(dirname "$0")/../../integration/scan_lib.sh"
corpus=${1:-/var/tmp/xiaoan-bench/corpus1024}
window=${2:-60}
cap=${3:-25}
shared=${XIAOAN_SHARED_DIR:-$HERE/../../../shared}
[ -d "$corpus" ] || { echo "no corpus at $corpus (make-corpus.sh -s 1024 $corpus)" >&2; exit 2; }
scan_agent "$shared/fixtures/rules/signature-base/yara"
v=$(status_field policy_version)
# On-access scanning watches a quiet folder: by default it watches /tmp, where this bench's own
# collector writes its database (a PC does not host the collector).
mkdir -p "$WORK/watched"
admin policy set --school s1 scan.enabled=true "scan.paths=$corpus" "scan.cpu_percent=$cap" \
  scan.pause_when_user_active=false "scan.on_access_paths=$WORK/watched" > "$WORK/policy.out" 2>&1 ||
  fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
await_scan 60 'any(r.get("kind") == "SCAN_KIND_SCHEDULED" for r in s.get("running", []))'
sleep 5  # past the first pacing interval
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
a0=$(ticks "$AGENT_PID"); t0=$(date +%s.%N)
sleep "$window"
a1=$(ticks "$AGENT_PID"); t1=$(date +%s.%N)
still=$(scan_get 'any(r.get("kind") == "SCAN_KIND_SCHEDULED" for r in s.get("running", []))')
python3 - "$a0" "$a1" "$t0" "$t1" "$hz" "$AGENT_PID" "$cap" "$still" <<'PY'
import sys
a0, a1 = int(sys.argv[1]), int(sys.argv[2]); t0, t1 = float(sys.argv[3]), float(sys.argv[4])
hz, pid, cap, still = int(sys.argv[5]), sys.argv[6], int(sys.argv[7]), sys.argv[8]
status = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status"))
hwm = int(status["VmHWM"].split()[0]) / 1024
cpu = 100.0 * (a1 - a0) / hz / (t1 - t0)
print(f"window {t1 - t0:.0f} s of a scheduled scan (still running at the end: {still}): "
      f"agent CPU {cpu:.1f} % of one core, cap {cap} % (target {cap - 5}..{cap + 5}); "
      f"agent peak RSS {hwm:.1f} MB")
PY
