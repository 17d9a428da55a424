#!/usr/bin/env bash
# The README's second command: install test dependencies, then build and run every test:
# unit + integration (release build, GCC); then one clang-14 tree with ASan+UBSan and libFuzzer
# instrumentation: the unit tests under the sanitizers, and each libFuzzer target over its seeds
# and kept crashers followed by a short run.
#   XIAOAN_FUZZ_SECONDS (default 15) per fuzz target; XIAOAN_SKIP_ASAN=1 / XIAOAN_SKIP_FUZZ=1.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
[ "$(id -u)" = 0 ] && "$src/packaging/scripts/install-deps.sh" --test

# Each step prints the minutes spent so far, so a CI log shows where the time goes.
step() { printf '\n==== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

step "OS seam: no OS header, system call or OS #ifdef outside platform/"
bash "$src/tests/lint/check_os_seam.sh" "$src"

step "release build (GCC)"
# Line tables only (-g1): stack traces keep file:line, the build is faster than with full -g.
cmake -S "$src" -B "$src/build/ci-release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
cmake --build "$src/build/ci-release" -j"$jobs"
# Unit tests are independent of each other; integration scenarios mostly wait on timers and
# peers, so two run side by side (the few sharing a host resource hold a RESOURCE_LOCK).
step "release unit tests"
ctest --test-dir "$src/build/ci-release" --output-on-failure -j"$jobs" --timeout 900 -L unit
step "release integration scenarios"
ctest --test-dir "$src/build/ci-release" --output-on-failure -j"$jobs" --timeout 900 -LE 'unit|nightly'

# One clang tree serves both sanitizer jobs: everything is built with ASan+UBSan and libFuzzer's
# coverage instrumentation (XIAOAN_FUZZ), so the unit tests run under the sanitizers there and
# the fuzz targets link against libFuzzer, without a third full build.
if [ "${XIAOAN_SKIP_ASAN:-0}" != 1 ] || [ "${XIAOAN_SKIP_FUZZ:-0}" != 1 ]; then
  step "ASan+UBSan+libFuzzer build (clang-14)"
  cmake -S "$src" -B "$src/build/ci-sanitize" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DXIAOAN_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  cmake --build "$src/build/ci-sanitize" -j"$jobs" --target xiaoan_sanitize_all
fi

if [ "${XIAOAN_SKIP_ASAN:-0}" != 1 ]; then
  step "unit tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$src/build/ci-sanitize" --output-on-failure -j"$jobs" --timeout 900 -L unit
fi

if [ "${XIAOAN_SKIP_FUZZ:-0}" != 1 ]; then
  step "libFuzzer targets: seeds and kept crashers first, then ${XIAOAN_FUZZ_SECONDS:-15} s each"
  for f in "$src"/build/ci-sanitize/bin/xiaoan_fuzz_*; do
    name=$(basename "$f")
    corpus=$(mktemp -d)
    seeds=$(cat "$src/build/ci-sanitize/fuzz-seeds/$name" 2>/dev/null || true)
    echo "-- $name"
    env=()
    # A leak inside libyara's own parser (tests/fuzz/lsan-libyara.supp; full stacks to match it).
    [ "$name" = xiaoan_fuzz_signatures_bundle ] && env=(ASAN_OPTIONS=fast_unwind_on_malloc=0
      LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan-libyara.supp")
    env "${env[@]}" "$f" -max_total_time="${XIAOAN_FUZZ_SECONDS:-15}" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=0 "$corpus" $seeds 2>&1 | tail -n 3
    rm -rf "$corpus"
  done
fi
step "all tests passed"
