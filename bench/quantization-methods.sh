#!/usr/bin/env bash
# Weight quantization methods side by side on the real models of
# ../shared/models, every number measured on the compiled object:
# - tinylm on its test text (312 windows of 64 characters, the C harness of
#   test/e2e/Inputs/tinylm_bpc.c linked with the object): per preset and
#   method (rtn, gptq, awq) the bits per character, the difference to fp32,
#   the model's constant bytes (weights, parameters, embeddings, norms and
#   biases, as lowbitc reports them) and the time to quantize (lowbitc up to
#   the quantized model: parsing, layer statistics from the calibration
#   text, quantization and packing); then mixed precision under budgets of
#   average bits per weight.
# - LeNet-5 on the 10,000 MNIST test images (the harness of
#   test/e2e/Inputs/mnist_lenet.c): top-1 accuracy per preset and method.
# Calibration data: tinylm/calib.txt (training text; 128 windows) and the
# 1,000 MNIST calibration images (256 of them). Never the test data.
#
#   bash bench/quantization-methods.sh [tinylm|lenet|all]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
shared=${LOWBIT_SHARED_DIR:-$root/../shared}
bin=$build_dir/bin
what=${1:-all}
work=${LOWBIT_BENCH_DIR:-$(mktemp -d)}
[ -z "${LOWBIT_BENCH_DIR:-}" ] && trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
omp="-L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib"

# quantize NAME MODEL OPTIONS [CALIBRATION FLAGS...]: the quantized model in
# $work/NAME.mlir; prints the seconds it took.
quantize() {
  local name=$1 model=$2 options=$3
  shift 3
  local start end
  start=$(date +%s.%N)
  "$bin/lowbitc" "$model" --quiet --emit=mlir --quantize="$options" "$@" \
    -o "$work/$name.mlir"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

if [ "$what" = all ] || [ "$what" = tinylm ]; then
  tinylm=$shared/models/tinylm
  text=(--calibration-text="$tinylm/calib.txt" --vocab="$tinylm/vocab.json")
  echo "model: $tinylm/tinylm.mlir (x86-64 baseline); test text: 312 windows of 64 characters"
  echo "calibration: $tinylm/calib.txt, 128 windows of 64 characters"
  echo
  printf '%-22s %-6s %8s %9s %12s %12s\n' preset method bpc "vs fp32" "model bytes" "quantize s"
  fp32=
  row() { # NAME PRESET-LABEL METHOD-LABEL OPTIONS [CALIBRATION]
    local name=$1 label=$2 method=$3 options=$4
    shift 4
    local seconds bytes result bpc
    seconds=$(quantize "$name" "$tinylm/tinylm.mlir" "$options" "$@")
    "$bin/lowbitc" "$work/$name.mlir" --quantize=fp32 -o "$work/$name.o" \
      --header="$work/tinylm.h" 2> "$work/$name.log"
    bytes=$(sed -nE 's/.*weights ([0-9]+) bytes.*/\1/p' "$work/$name.log")
    # shellcheck disable=SC2086
    cc -O2 -I"$work" "$root/test/e2e/Inputs/tinylm_bpc.c" "$work/$name.o" -lm $omp -o "$work/$name"
    result=$("$work/$name" "$tinylm/test.bin" 312)
    bpc=$(sed -nE 's/.*bpc ([0-9.]+).*/\1/p' <<< "$result")
    [ -z "$fp32" ] && fp32=$bpc
    printf '%-22s %-6s %8s %+9.4f %12s %12s\n' "$label" "$method" "$bpc" \
      "$(awk -v a="$bpc" -v b="$fp32" 'BEGIN { print a - b }')" "$bytes" "$seconds"
  }
  row fp32 fp32 - preset=fp32
  for preset in w4g32 w3g64 w2g32 c11g128; do
    row "$preset-rtn" "$preset" rtn "preset=$preset"
    row "$preset-gptq" "$preset" gptq "preset=$preset method=gptq" "${text[@]}"
    row "$preset-awq" "$preset" awq "preset=$preset method=awq" "${text[@]}"
  done
  for budget in 3.5 4.0; do
    row "mixed-$budget" "mixed budget-bits=$budget" gptq \
      "budget-bits=$budget method=gptq report=true" "${text[@]}" 2> "$work/mixed-$budget.report"
  done
  echo
  for budget in 3.5 4.0; do
    echo "budget-bits=$budget: $(sed -nE 's/.*remark: (lowbit-mixed-precision: .*)/\1/p' "$work/mixed-$budget.report")"
    sed -nE "s/.*remark: weight '([^']+)' \[[0-9, ]+\] -> ([a-z0-9]+) .*/  \1 \2/p" "$work/mixed-$budget.report" |
      awk '{ printf "%s%s=%s", (NR % 6 == 1 ? "  " : " "), $1, $2 } NR % 6 == 0 { print "" } END { print "" }'
  done
  echo
fi

if [ "$what" = all ] || [ "$what" = lenet ]; then
  lenet=$shared/models/lenet/lenet.mlir
  gzip -dc "$shared/data/mnist/t10k-images-idx3-ubyte.gz" > "$work/images.idx"
  gzip -dc "$shared/data/mnist/t10k-labels-idx1-ubyte.gz" > "$work/labels.idx"
  images=(--calibration-images="$shared/data/mnist/calib-1000-images-idx3-ubyte.gz"
          --image-scale=0.00392156862745098 --image-mean=0.1307 --image-std=0.3081 --image-pad=2)
  echo "model: $lenet (x86-64 baseline); MNIST test set, 10,000 images"
  echo "calibration: 256 of the 1,000 MNIST calibration images"
  echo
  printf '%-10s %10s %10s %10s\n' preset rtn gptq awq
  accuracy() { # NAME OPTIONS [CALIBRATION]
    local name=$1 options=$2
    shift 2
    "$bin/lowbitc" "$lenet" --quiet --quantize="$options" "$@" -o "$work/$name.o" \
      --header="$work/lenet.h" 2> "$work/$name.log"
    cc -O2 -I"$work" "$root/test/e2e/Inputs/mnist_lenet.c" "$work/$name.o" -o "$work/$name"
    "$work/$name" "$work/images.idx" "$work/labels.idx" | sed -nE 's/.*accuracy ([0-9.]+%).*/\1/p'
  }
  printf '%-10s %10s\n' fp32 "$(accuracy lenet-fp32 preset=fp32)"
  for preset in w4g32 w3g64 w2g32 c11g128; do
    printf '%-10s %10s %10s %10s\n' "$preset" \
      "$(accuracy "lenet-$preset-rtn" "preset=$preset")" \
      "$(accuracy "lenet-$preset-gptq" "preset=$preset method=gptq calibration-samples=256" "${images[@]}")" \
      "$(accuracy "lenet-$preset-awq" "preset=$preset method=awq calibration-samples=256" "${images[@]}")"
  done
fi
