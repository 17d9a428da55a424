#!/usr/bin/env bash
# The README's second command: install test dependencies, then build and run every test:
# unit + integration (release build, GCC), unit tests and fuzz-seed replays under
# ASan+UBSan (clang-14), and each libFuzzer target for a short run (clang-14).
#   XIAOAN_FUZZ_SECONDS (default 30) per fuzz target; XIAOAN_SKIP_ASAN=1 / XIAOAN_SKIP_FUZZ=1.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
[ "$(id -u)" = 0 ] && "$src/packaging/scripts/install-deps.sh" --test

step() { printf '\n==== %s\n' "$*"; }

step "OS seam: no OS header, system call or OS #ifdef outside platform/"
bash "$src/tests/lint/check_os_seam.sh" "$src"

step "release build (GCC) + unit and integration tests"
cmake -S "$src" -B "$src/build/ci-release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$src/build/ci-release" -j"$jobs"
ctest --test-dir "$src/build/ci-release" --output-on-failure -j1 --timeout 900 -LE nightly

if [ "${XIAOAN_SKIP_ASAN:-0}" != 1 ]; then
  step "ASan+UBSan build (clang-14): unit tests and fuzz-seed replays"
  cmake -S "$src" -B "$src/build/ci-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DXIAOAN_SANITIZE=ON \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  cmake --build "$src/build/ci-asan" -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$src/build/ci-asan" --output-on-failure -j1 --timeout 900 -L 'unit|fuzz-replay'
fi

if [ "${XIAOAN_SKIP_FUZZ:-0}" != 1 ]; then
  step "libFuzzer targets (clang-14), ${XIAOAN_FUZZ_SECONDS:-30} s each"
  cmake -S "$src" -B "$src/build/ci-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DXIAOAN_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  cmake --build "$src/build/ci-fuzz" -j"$jobs" --target xiaoan_fuzz_all
  for f in "$src"/build/ci-fuzz/bin/xiaoan_fuzz_*; do
    name=$(basename "$f")
    corpus=$(mktemp -d)
    seeds=$(cat "$src/build/ci-fuzz/fuzz-seeds/$name" 2>/dev/null || true)
    echo "-- $name"
    env=()
    # A leak inside libyara's own parser (tests/fuzz/lsan-libyara.supp; full stacks to match it).
    [ "$name" = xiaoan_fuzz_signatures_bundle ] && env=(ASAN_OPTIONS=fast_unwind_on_malloc=0
      LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan-libyara.supp")
    env "${env[@]}" "$f" -max_total_time="${XIAOAN_FUZZ_SECONDS:-30}" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=0 "$corpus" $seeds 2>&1 | tail -n 3
    rm -rf "$corpus"
  done
fi
step "all tests passed"
