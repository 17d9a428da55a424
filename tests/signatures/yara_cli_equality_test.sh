#!/usr/bin/env bash
# The (file, rule) matches of ScanRules equal those of the yara CLI (`yara -r -N`, symlinks not
# followed) with all of signature-base on a corpus made by make-corpus.sh (small size for CI):
# 1. ScanRules alone (xiaoan_rules_scan) with external variables empty on both sides
#    (`-d name=` / --empty-externals): every rule counts, those reading externals included;
# 2. the agent's scan path (ScanEngine via xiaoan_scan_bench --full-only), which sets external
#    variables per file: every rule but those reading them.
#
# Usage: yara_cli_equality_test.sh RULES_SCAN_BIN SCAN_BENCH_BIN [SIZE_MB]
# Env: XIAOAN_SHARED_DIR (default: ../shared beside the repo), XIAOAN_RULE_FIXTURES.
set -euo pipefail

BIN="$1"
ENGINE_BIN="$2"
SIZE_MB="${3:-32}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SHARED="${XIAOAN_SHARED_DIR:-$HERE/../../../shared}"
RULES="${XIAOAN_RULE_FIXTURES:-$SHARED/fixtures/rules}"
MAKE_CORPUS="$SHARED/bench/make-corpus.sh"

if ! command -v yara >/dev/null; then
  echo "SKIP: the yara CLI is not installed (packaging/scripts/install-deps.sh --test)"
  exit 77
fi
for need in "$MAKE_CORPUS" "$RULES/sigbase-all.yar" "$RULES/signature-base/yara"; do
  [ -e "$need" ] || { echo "SKIP: $need not found"; exit 77; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bash "$MAKE_CORPUS" -q -s "$SIZE_MB" "$WORK/corpus"

DEFS=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)
yara -r -N -p 2 "${DEFS[@]}" "$RULES/sigbase-all.yar" "$WORK/corpus" \
  2>"$WORK/yara.err" | LC_ALL=C sort >"$WORK/yara.txt"
"$BIN" --threads 2 --empty-externals "$RULES/signature-base" "$WORK/corpus" \
  2>"$WORK/ours.err" | LC_ALL=C sort >"$WORK/ours.txt"

tail -n 1 "$WORK/ours.err"
hits=$(wc -l <"$WORK/yara.txt")
# Not vacuous: the corpus plants EICAR and signature-base hits.
if [ "$hits" -lt 5 ] || ! grep -q '^SUSP_Just_EICAR ' "$WORK/yara.txt"; then
  echo "FAIL: the yara CLI found only $hits matches; corpus or rules not as expected"
  cat "$WORK/yara.err"
  exit 1
fi
if ! diff -u "$WORK/yara.txt" "$WORK/ours.txt"; then
  echo "FAIL: ScanRules' matches differ from yara -r -N ('-' yara only, '+' ours only)"
  exit 1
fi

# The engine reports absolute paths: give both the same absolute root.
"$ENGINE_BIN" --threads 2 --full-only --matches "$WORK/engine.raw" \
  --externals-rules "$WORK/ext-rules.txt" "$RULES/signature-base" "$WORK/corpus" >"$WORK/engine.kv"
without_ext() { awk 'NR == FNR { ext[$1] = 1; next } !($1 in ext)' "$WORK/ext-rules.txt" "$1" | LC_ALL=C sort; }
without_ext "$WORK/yara.txt" >"$WORK/yara.cmp"
without_ext "$WORK/engine.raw" >"$WORK/engine.cmp"
if ! diff -u "$WORK/yara.cmp" "$WORK/engine.cmp"; then
  echo "FAIL: ScanEngine's matches differ from yara -r -N ('-' yara only, '+' engine only)"
  exit 1
fi
echo "PASS: $hits (file, rule) matches, identical to yara -r -N (ScanRules: all rules;" \
     "ScanEngine: all but the $(wc -l <"$WORK/ext-rules.txt") rules reading external variables)"
