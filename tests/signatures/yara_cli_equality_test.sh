#!/usr/bin/env bash
# The (file, rule) matches of ScanRules equal those of the yara CLI (`yara -r -N`, symlinks not
# followed) with all of signature-base on a corpus made by make-corpus.sh (small size for CI).
# External variables are empty on both sides (`-d name=` / --empty-externals), so every rule
# counts, those reading externals included.
#
# Usage: yara_cli_equality_test.sh RULES_SCAN_BIN [SIZE_MB]
# Env: XIAOAN_SHARED_DIR (default: ../shared beside the repo), XIAOAN_RULE_FIXTURES.
set -euo pipefail

BIN="$1"
SIZE_MB="${2:-32}"
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
  echo "FAIL: matches differ from yara -r -N ('-' yara only, '+' ours only)"
  exit 1
fi
echo "PASS: $hits (file, rule) matches, identical to yara -r -N"
