#!/usr/bin/env bash
# The main job: install dependencies, build, then compile the real models
# from ../shared/models with lowbitc at every preset to object files, link
# each with a small C harness and run it.
# - LeNet-5 on the 10,000-image MNIST test set, for the x86-64 baseline CPU:
#   per preset packed weight bytes (storage + parameters, from the
#   lowbit-quantize report), object size, top-1 accuracy, time per image.
# - tinylm (a character-level transformer language model) on its test text,
#   for the host CPU (--mcpu=native): per preset workspace and weight bytes,
#   bits per character against the model's reference, ms per 64-token window
#   on a caller-owned workspace.
# The static full-integer preset w8a8 is first calibrated with
# lowbit-calibrate on the 1,000 calibration images and shown once per
# calibration method.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
shared=${LOWBIT_SHARED_DIR:-$root/../shared}
model=$shared/models/lenet/lenet.mlir
"$root/utils/install-deps.sh"
"$root/utils/build.sh"

bin=$build_dir/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gzip -dc "$shared/data/mnist/t10k-images-idx3-ubyte.gz" > "$work/images.idx"
gzip -dc "$shared/data/mnist/t10k-labels-idx1-ubyte.gz" > "$work/labels.idx"

echo "model: $model"
echo "target: x86_64-linux-gnu, CPU baseline (x86-64); MNIST test set, 10,000 images"
echo
printf '%-16s %13s %11s %10s %11s %14s\n' preset "weight bytes" "bits/weight" "object B" "top-1" "us per image"
"$bin/lowbit-calibrate" "$model" \
  --images="$shared/data/mnist/calib-1000-images-idx3-ubyte.gz" \
  --scale=0.00392156862745098 --mean=0.1307 --std=0.3081 --pad=2 \
  -o "$work/lenet.calib.mlir" 2> "$work/calibrate.log"
calibrated=$work/lenet.calib.mlir
for preset in fp32 w8 w4g32 w3g64 w2g32 c11g128 c11s128 w8a8-dynamic w4a8-dynamic \
              w3a8-dynamic w2a8-dynamic w2a8-lut c11a8-dynamic w8a16 w4a16 c11a16 \
              w8a8:minmax w8a8:percentile w8a8:entropy w8a8:mse; do
  input=$model
  options="preset=$preset"
  if [[ $preset == w8a8:* ]]; then
    input=$calibrated
    options="preset=w8a8 calibration=${preset#w8a8:}"
  fi
  if [[ $preset == w8a8:* ]]; then
    weights=$w8_weights # the same int8 per-channel weights as w8
  elif [ "$preset" = fp32 ]; then
    weights=245880 # 61,470 f32 parameters of the two convolutions and three matmuls
  else
    "$bin/lowbit-opt" "$model" --mlir-print-op-on-diagnostic=false \
      --pass-pipeline="builtin.module(lowbit-quantize{preset=$preset report=true})" \
      -o /dev/null 2> "$work/$preset.log"
    # "packed weight NxK as L: S + P bytes (f32: F, ...)"
    weights=$(sed -nE 's/.*packed weight .*: ([0-9]+) \+ ([0-9]+) bytes .*/\1 \2/p' "$work/$preset.log" |
      awk '{ total += $1 + $2 } END { print total }')
  fi
  [ "$preset" = w8 ] && w8_weights=$weights
  "$bin/lowbitc" "$input" --quiet --quantize="$options" -o "$work/$preset.o" --header="$work/lenet.h"
  cc -O2 -I"$work" "$root/test/e2e/Inputs/mnist_lenet.c" "$work/$preset.o" -o "$work/$preset"
  result=$("$work/$preset" "$work/images.idx" "$work/labels.idx")
  accuracy=$(sed -nE 's/.*accuracy ([0-9.]+%).*/\1/p' <<< "$result")
  micros=$(sed -nE 's/.*time-per-image-us ([0-9.]+).*/\1/p' <<< "$result")
  printf '%-16s %13d %11.2f %10d %11s %14s\n' "$preset" "$weights" \
    "$(awk -v b="$weights" 'BEGIN { print 8 * b / 61470 }')" \
    "$(stat -c %s "$work/$preset.o")" "$accuracy" "$micros"
done

echo
tinylm=$shared/models/tinylm
cpu=$("$bin/lowbitc" "$tinylm/tinylm.mlir" --mcpu=native -o "$work/probe.o" 2>&1 |
  sed -nE 's/.*bytes, ([^ ]+) \(([^)]*)\).*/\1, \2/p')
echo "model: $tinylm/tinylm.mlir"
threads=${OMP_NUM_THREADS:-$(nproc)}
echo "target: x86_64-linux-gnu, --mcpu=native ($cpu)"
echo "threads: 1 and $threads (OpenMP; objects linked with -lomp)"
echo "test text: 312 windows of 64 characters (bits per character, reference from the model's README)"
echo
printf '%-14s %12s %12s %8s %10s %14s %14s\n' preset "workspace B" "weights B" bpc reference \
  "ms, 1 thread" "ms, $threads threads"
declare -A reference=([fp32]=2.6888 [w8]=2.6888 [w4g32]=2.6948 [w3g64]=2.7330
  [w2g32]=2.7990 [c11g128]=2.7014 [c11s128]=2.7018 [w8a8-dynamic]=2.6890
  [w4a8-dynamic]=2.6946)
for preset in fp32 w8 w4g32 w3g64 w2g32 c11g128 c11s128 w8a8-dynamic w4a8-dynamic \
              w3a8-dynamic w2a8-dynamic w2a8-lut c11a8-dynamic w8a16 w4a16 c11a16; do
  report=$("$bin/lowbitc" "$tinylm/tinylm.mlir" --mcpu=native --quantize="$preset" \
    -o "$work/tinylm-$preset.o" --header="$work/tinylm.h" 2>&1)
  workspace=$(sed -nE 's/.*workspace ([0-9]+) bytes.*/\1/p' <<< "$report")
  weights=$(sed -nE 's/.*weights ([0-9]+) bytes.*/\1/p' <<< "$report")
  cc -O2 -I"$work" "$root/test/e2e/Inputs/tinylm_bpc.c" "$work/tinylm-$preset.o" \
    -lm -L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib \
    -o "$work/tinylm-$preset"
  result=$(OMP_NUM_THREADS=1 "$work/tinylm-$preset" "$tinylm/test.bin" 312)
  bpc=$(sed -nE 's/.* bpc ([0-9.]+).*/\1/p' <<< "$result")
  ms=$(sed -nE 's/.*ms-per-window ([0-9.]+).*/\1/p' <<< "$result")
  result=$(OMP_NUM_THREADS=$threads "$work/tinylm-$preset" "$tinylm/test.bin" 312)
  threaded=$(sed -nE 's/.*ms-per-window ([0-9.]+).*/\1/p' <<< "$result")
  printf '%-14s %12s %12s %8s %10s %14s %14s\n' "$preset" "$workspace" "$weights" \
    "$bpc" "${reference[$preset]:--}" "$ms" "$threaded"
done
