#!/usr/bin/env bash
# tools/gen_pinyin_table.py on a small Unihan sample: first reading taken, tones removed,
# ü written v, other fields and comments ignored, sorted output, and the output left untouched
# (same mtime) when regenerating gives the same bytes; a reading it cannot romanise fails.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s\n' '# comment' \
  $'U+5415\tkMandarin\tlǚ' \
  $'U+674E\tkMandarin\tlǐ' \
  $'U+674E\tkCantonese\tlei5' \
  $'U+5355\tkMandarin\tdān shàn' \
  $'U+20000\tkMandarin\thē' > "$work/sample.txt"
python3 "$src/tools/gen_pinyin_table.py" "$work/sample.txt" "$work/out.inc"
grep -q '"dan", "he", "li", "lv",' "$work/out.inc" || { cat "$work/out.inc"; exit 1; }
grep -q '{0x5355, 0}, {0x5415, 3}, {0x674E, 2}, {0x20000, 1},' "$work/out.inc" ||
  { cat "$work/out.inc"; exit 1; }
before=$(stat -c %Y "$work/out.inc")
sleep 1
python3 "$src/tools/gen_pinyin_table.py" "$work/sample.txt" "$work/out.inc"
[ "$(stat -c %Y "$work/out.inc")" = "$before" ] || { echo "rewritten though unchanged"; exit 1; }
printf '%s\n' $'U+4E00\tkMandarin\tyī!' > "$work/bad.txt"
if python3 "$src/tools/gen_pinyin_table.py" "$work/bad.txt" "$work/bad.inc" 2>/dev/null; then
  echo "an unexpected character was accepted"; exit 1
fi
echo "1 passed, 0 failed"
