#!/usr/bin/env bash
# Memory of the agent process itself with all of signature-base loaded: idle RSS once the rules
# are loaded (issue 4: <= the compiled rules' size + 20 MB), then peak RSS during an on-demand
# full scan of a make-corpus.sh tree through `xiaoanctl scan` (issue 4: < 200 MB), with that
# scan's wall time against `yara -r -N -p 2` on the same tree and rules in the same run. The
# compiled size is what xiaoan_scan_bench reports for the same rules. Not a test.
#   XIAOAN_BIN=build/release/bin tests/bench/agent/scan_rss.sh [CORPUS_DIR]
source "$(dirname "$0")/../../integration/lib.sh"
source "$(dirname "$0")/../../integration/scan_lib.sh"
corpus=${1:-/var/tmp/xiaoan-bench/corpus1024}
shared=${XIAOAN_SHARED_DIR:-$HERE/../../../shared}
rules="$shared/fixtures/rules/signature-base/yara"
[ -d "$corpus" ] || { echo "no corpus at $corpus (make-corpus.sh -s 1024 $corpus)" >&2; exit 2; }
command -v yara >/dev/null || { echo "yara not installed" >&2; exit 2; }
require_root  # xiaoanctl scan is for root

proc_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

compiled=$("$BIN/xiaoan_scan_bench" --full-only "$rules" "$WORK" 2>/dev/null |
  awk '$1 == "compiled_mb" { print $2 }')
scan_agent "$rules"
# On-access scanning watches a quiet folder (by default it watches /tmp, where this bench's own
# collector writes its database); no scheduled scans; files up to 1 GiB scanned, as yara does
# (the policy's default cap, 64 MiB, would skip the corpus' three 119 MiB files).
mkdir -p "$WORK/watched"
v=$(status_field policy_version)
admin policy set --school s1 scan.enabled=false "scan.on_access_paths=$WORK/watched" \
  scan.max_file_bytes=1073741824 \
  > "$WORK/policy.out" 2>&1 || fail "policy set: $(cat "$WORK/policy.out")"
await_policy_newer "$v" 40
sleep 5
idle=$(proc_mb "$AGENT_PID" VmRSS)
idle_anon=$(proc_mb "$AGENT_PID" RssAnon)

echo "# warming the page cache"
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
defs=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)
yarc="$WORK/sigbase.yarc"
(cd "$shared/fixtures/rules" && yarac "${defs[@]}" sigbase-all.yar "$yarc" 2>/dev/null)
t0=$(date +%s.%N)
yara -r -N -p 2 -C "$yarc" "$corpus" >/dev/null 2>&1 || true
t1=$(date +%s.%N)
ctl scan --json "$corpus" > "$WORK/scan.json" 2>"$WORK/scan.err" || true
t2=$(date +%s.%N)
sleep 2  # the finished pass is reaped (and the heap trimmed) by the service thread
peak=$(proc_mb "$AGENT_PID" VmHWM)
after=$(proc_mb "$AGENT_PID" VmRSS)
python3 - "$compiled" "$idle" "$peak" "$after" "$t0" "$t1" "$t2" "$WORK/scan.json" "$idle_anon" <<'PY'
import json, sys
compiled, idle, peak, after = map(float, sys.argv[1:5])
t0, t1, t2 = map(float, sys.argv[5:8])
idle_anon = float(sys.argv[9])
try:
    s = json.load(open(sys.argv[8]))
except ValueError:
    s = {}
print(f"compiled rules {compiled:.1f} MB; agent idle with them loaded: {idle_anon:.1f} MB of its "
      f"own memory (RssAnon; target <= {compiled + 20:.1f}), RSS {idle:.1f} MB with the "
      f"shared libraries' pages")
print(f"on-demand scan through the agent: {t2 - t1:.2f} s, yara -r -N -p 2: {t1 - t0:.2f} s "
      f"-> {(t1 - t0) / (t2 - t1):.2f} x; agent peak RSS {peak:.1f} MB (target < 200), "
      f"RSS after the scan {after:.1f} MB")
summary = s.get("summary", s)
print("scan summary:", {k: summary.get(k) for k in ("outcome", "files_scanned", "bytes_scanned",
                                                    "detections", "skipped")})
PY
