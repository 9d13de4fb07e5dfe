#!/usr/bin/env bash
# Whole-model benchmark, lowbit and PyTorch side by side in one run:
# lowbit-bench-model on tinylm (every preset, 1 and all threads, JIT for the
# host CPU like `lowbitc --mcpu=native`), then, when Debian's python3-torch is
# installed, the same model under PyTorch (fp32 eager and quantize_dynamic
# qint8, one thread), and the ratio of each lowbit preset to PyTorch's
# dynamic int8 (median / median; < 1 means lowbit is faster).
#
#   bash bench/run-model-bench.sh [lowbit-bench-model options...]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
models=${LOWBIT_SHARED_DIR:-$root/../shared}/models
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$build_dir/bin/lowbit-bench-model" "$models/tinylm/tinylm.mlir" "$@" | tee "$out"
if ! /usr/bin/python3 -c 'import torch' 2> /dev/null; then
  echo "(python3-torch is not installed: no PyTorch comparison)"
  exit 0
fi
echo
torch=$(/usr/bin/python3 "$root/bench/torch_tinylm.py" "$models")
echo "$torch"
reference=$(sed -nE 's/^pytorch-dynamic-int8 min-ms [0-9.]+ median-ms ([0-9.]+).*/\1/p' <<< "$torch")
echo
echo "one thread, median ms per window relative to PyTorch dynamic int8 ($reference ms):"
awk -v ref="$reference" '$2 == 1 && $5 ~ /^[0-9.]+$/ {
  printf "  %-14s %8.3f ms  %5.2fx\n", $1, $5, $5 / ref }' "$out"
