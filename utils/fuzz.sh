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
# and fails the run (reproduce: build-asan/fuzz/TARGET FILE). Prints each
# target's executions, time, corpus (inputs/bytes) and covered edges.
# Targets named in $LOWBIT_FUZZ_REPLAY_ONLY only run their seeds and corpus
# once (-runs=0), without mutating them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lowbit-fuzz-mlir lowbit-fuzz-readers lowbit-fuzz-onnx)
build_dir=${LOWBIT_SANITIZE_BUILD_DIR:-$root/build-asan}
shared=${LOWBIT_SHARED_DIR:-$root/../shared}

LOWBIT_BUILD_DIR=$build_dir \
  LOWBIT_CMAKE_ARGS="-DLOWBIT_FUZZ=ON -DLOWBIT_BUILD_BENCHMARKS=OFF" \
  LOWBIT_BUILD_TARGETS="${targets[*]}" "$root/utils/build.sh" >/dev/null
work=$build_dir/fuzz
rm -rf "$work/seeds"
/usr/bin/python3 "$root/utils/fuzz-seeds.py" "$root" "$shared" "$work/seeds"

pids=()
for target in "${targets[@]}"; do
  mkdir -p "$work/corpus/$target" "$work/crashes/$target"
  budget=(-max_total_time="$seconds")
  [[ " ${LOWBIT_FUZZ_REPLAY_ONLY:-} " == *" $target "* ]] && budget=(-runs=0)
  "$work/$target" "$work/corpus/$target" "$work/seeds/$target" \
    "${budget[@]}" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$target/" \
    >"$work/$target.log" 2>&1 &
  pids+=($!)
done

status=0
printf '%-22s %11s %7s %8s %9s %7s\n' target executions exec/s seconds corpus edges
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  log=$work/$target.log
  if ! wait "${pids[$i]}"; then
    status=1
    echo "fuzz: $target found a problem (log: $log):" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -20 "$log" >&2
  fi
  # libFuzzer's last status line: "#RUNS DONE cov: EDGES ft: F corp: N/SIZE".
  done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
  printf '%-22s %11s %7s %8s %9s %7s\n' "$target" \
    "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
    "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
    "$(grep -o 'Done [0-9]* runs in [0-9]*' "$log" | awk '{print $5}')" \
    "$(echo "$done_line" | grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' | cut -c7-)" \
    "$(echo "$done_line" | grep -o 'cov: [0-9]*' | cut -c6-)"
done
exit $status
