#!/usr/bin/env bash
# scan_bench.sh [SIZE_MB] - the agent's scanner against the yara CLI, same machine, same run,
# same rules (all of signature-base), same corpus (make-corpus.sh -s SIZE_MB, default 1024,
# kept outside the repo), warm page cache, 2 threads each.
#
# Prints wall time and files/s of `yara -r -N -p 2` and of our full scan (ScanEngine, result
# cache off), the full-scan ratio, the rescan ratio (unchanged tree, cache on), CPU time of
# each, peak RSS of each, idle RSS with the rules loaded against their compiled size, and
# whether the (file, rule) matches are identical (rules reading external variables aside: the
# engine sets them per file, the CLI leaves them empty).
#
# Env: XIAOAN_BENCH_DIR (corpus, compiled rules, outputs; default /var/tmp/xiaoan-bench),
#      XIAOAN_SCAN_BENCH (the xiaoan_scan_bench binary; default: newest under build/*/bin),
#      XIAOAN_SHARED_DIR (default ../shared beside the repo),
#      XIAOAN_BENCH_REPEAT (default 1: run yara and ours alternately N times and keep each one's
#      fastest run, for a machine that is not quiet).
# Not a test: nothing here asserts a time. Needs yara/yarac (install-deps.sh --test).
set -euo pipefail

SIZE_MB="${1:-1024}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
SHARED="${XIAOAN_SHARED_DIR:-$REPO/../shared}"
RULES="$SHARED/fixtures/rules"
WORK="${XIAOAN_BENCH_DIR:-/var/tmp/xiaoan-bench}"
BENCH="${XIAOAN_SCAN_BENCH:-$(ls -t "$REPO"/build/*/bin/xiaoan_scan_bench 2>/dev/null | head -n1)}"
[ -x "$BENCH" ] || { echo "xiaoan_scan_bench not built (cmake --build ... --target xiaoan_scan_bench)" >&2; exit 2; }
command -v yara >/dev/null && command -v yarac >/dev/null || { echo "yara/yarac not installed" >&2; exit 2; }

mkdir -p "$WORK"
CORPUS="$WORK/corpus$SIZE_MB"
[ -d "$CORPUS" ] || bash "$SHARED/bench/make-corpus.sh" -q -s "$SIZE_MB" "$CORPUS"
DEFS=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)
YARC="$WORK/sigbase.yarc"
[ -s "$YARC" ] || (cd "$RULES" && yarac "${DEFS[@]}" sigbase-all.yar "$YARC" 2>/dev/null)

echo "# corpus: $CORPUS ($(find "$CORPUS" -type f | wc -l) regular files, $(du -sh "$CORPUS" | cut -f1))"
echo "# warming the page cache"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true

OUT="$WORK/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
YARA_CMD=(yara -r -N -p 2 -C "$YARC" "$CORPUS")
OURS_CMD=("$BENCH" --threads 2 --matches "$OUT/ours.txt" --externals-rules "$OUT/ext-rules.txt"
          "$RULES/signature-base" "$CORPUS")
echo "# yara:  ${YARA_CMD[*]}"
echo "# ours:  ${OURS_CMD[*]}"
# Keeps the faster of a new run and the best so far (first field of /usr/bin/time's line).
best() { if [ ! -s "$2" ] || awk -v a="$(cut -d' ' -f1 "$1")" -v b="$(cut -d' ' -f1 "$2")" 'BEGIN { exit !(a < b) }'; then mv "$1" "$2"; for f in "${@:3}"; do mv "$f.new" "$f"; done; fi; }
for _ in $(seq "${XIAOAN_BENCH_REPEAT:-1}"); do
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/yara.time.new" "${YARA_CMD[@]}" >"$OUT/yara.txt.new" 2>"$OUT/yara.err" || true
  best "$OUT/yara.time.new" "$OUT/yara.time" "$OUT/yara.txt"
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/ours.time.new" "${OURS_CMD[@]}" >"$OUT/ours.kv.new" 2>"$OUT/ours.err"
  # ours: compare by the full scan's own wall time, not the whole process (3 passes).
  awk '$1 == "full_seconds" { print $2 }' "$OUT/ours.kv.new" >"$OUT/ours.full.new"
  cp "$OUT/ours.txt" "$OUT/ours.txt.new"
  best "$OUT/ours.full.new" "$OUT/ours.full" "$OUT/ours.kv" "$OUT/ours.txt"
  rm -f "$OUT"/*.new
done

kv() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/ours.kv"; }
read -r y_wall y_user y_sys y_rss_kb <"$OUT/yara.time"
files=$(kv full_files)
full_s=$(kv full_seconds)
rescan_s=$(kv rescan_seconds)
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# Matches, both sides without the rules that read external variables.
filter() { LC_ALL=C sort -u "$1" | awk 'NR == FNR { ext[$1] = 1; next } !($1 in ext)' "$OUT/ext-rules.txt" -; }
filter "$OUT/yara.txt" >"$OUT/yara.cmp"
filter "$OUT/ours.txt" >"$OUT/ours.cmp"
if diff -u "$OUT/yara.cmp" "$OUT/ours.cmp" >"$OUT/matches.diff"; then equal=yes; else equal=no; fi

echo
echo "files: $files (of them scanned by rules in our full scan: $(kv full_files_scanned))"
echo "yara -r -N -p 2:   $(calc '%.2f' "$y_wall") s wall, $(calc '%.0f' "$files / $y_wall") files/s," \
     "CPU $(calc '%.1f' "$y_user + $y_sys") s, peak RSS $(calc '%.0f' "$y_rss_kb / 1024") MB"
echo "ours, full scan:   $(calc '%.2f' "$full_s") s wall, $(kv full_files_per_second) files/s," \
     "CPU $(kv full_cpu_seconds) s"
echo "full-scan ratio:   $(calc '%.2f' "$y_wall / $full_s") x (wall), $(calc '%.2f' "($y_user + $y_sys) / $(kv full_cpu_seconds)") x (CPU time)"
echo "ours, cache fill:  $(kv fill_seconds) s"
echo "ours, rescan:      $(kv rescan_seconds) s ($(kv rescan_files_cached) cached, $(kv rescan_files_scanned) rescanned: files that matched)"
echo "rescan ratio:      $(calc '%.0f' "$y_wall / $rescan_s") x"
echo "peak RSS, ours:    $(kv peak_rss_mb) MB (whole process: rule build and three passes)"
echo "idle RSS:          $(kv rss_idle_rules_mb) MB with the rules loaded (process before: $(kv rss_start_mb) MB);" \
     "compiled rules $(kv compiled_mb) MB ($(kv rules) rules, built in $(kv rules_build_seconds) s)"
echo "matches:           yara $(wc -l <"$OUT/yara.cmp"), ours $(wc -l <"$OUT/ours.cmp");" \
     "identical: $equal ($(wc -l <"$OUT/ext-rules.txt") rules reading external variables left out)"
[ "$equal" = yes ] || cat "$OUT/matches.diff"
echo "outputs: $OUT"
