#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/) side by side for SECONDS each (default
# 600), in the sanitized build $LOWBIT_SANITIZE_BUILD_DIR (default:
# build-asan/, configured with -DLOWBIT_FUZZ=ON and built here).
#
#   bash utils/fuzz.sh [SECONDS] [TARGET...]
#
# Seeds are regenerated from test/ and ../shared (utils/fuzz-seeds.py) into
# build-asan/fuzz/seeds; what the fuzzers learn accumulates in
# build-asan/fuzz/corpus/TARGET across runs; a crash, sanitizer report or
# timeout (> 20 s for one input) is written to build-asan/fuzz/crashes/TARGET
# and fails the run (reproduce: build-asan/fuzz/TARGET FILE). Prints the
# executions, corpus size and time of each target.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lowbit-fuzz-mlir lowbit-fuzz-readers)
build_dir=${LOWBIT_SANITIZE_BUILD_DIR:-$root/build-asan}
shared=${LOWBIT_SHARED_DIR:-$root/../shared}

LOWBIT_BUILD_DIR=$build_dir \
  LOWBIT_CMAKE_ARGS="-DLOWBIT_FUZZ=ON -DLOWBIT_BUILD_BENCHMARKS=OFF" \
  "$root/utils/build.sh" >/dev/null
work=$build_dir/fuzz
rm -rf "$work/seeds"
/usr/bin/python3 "$root/utils/fuzz-seeds.py" "$root" "$shared" "$work/seeds"

pids=()
for target in "${targets[@]}"; do
  mkdir -p "$work/corpus/$target" "$work/crashes/$target"
  "$work/$target" "$work/corpus/$target" "$work/seeds/$target" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$target/" \
    >"$work/$target.log" 2>&1 &
  pids+=($!)
done

status=0
printf '%-22s %12s %10s %8s %8s\n' target executions exec/s corpus seconds
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  log=$work/$target.log
  if ! wait "${pids[$i]}"; then
    status=1
    echo "fuzz: $target found a problem (log: $log):" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -20 "$log" >&2
  fi
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  printf '%-22s %12s %10s %8s %8s\n' "$target" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$(ls "$work/corpus/$target" | wc -l)" \
    "$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}')"
done
exit $status
