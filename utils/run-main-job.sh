#!/usr/bin/env bash
# Installs dependencies, builds, and quantizes the real LeNet-5 model from
# ../shared/models at every preset with lowbit-opt, printing per preset the
# packed weight bytes against f32 and the weight error (SQNR) the pass
# reports. Also checks that the model's bytecode form reads back identically.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
model=${1:-$root/../shared/models/lenet/lenet.mlir}
"$root/utils/install-deps.sh"
"$root/utils/build.sh"

opt=$build_dir/bin/lowbit-opt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$opt" "$model" -o "$work/model.mlir"
"$opt" "$model" -emit-bytecode -o "$work/model.mlirbc"
"$opt" "$work/model.mlirbc" -o "$work/model-from-bytecode.mlir"
cmp -s "$work/model.mlir" "$work/model-from-bytecode.mlir"
echo "model: $model (bytecode round trip identical)"
echo
printf '%-8s %12s %14s %12s %10s %12s\n' preset "f32 bytes" "packed bytes" "bits/weight" "ratio" "min SQNR dB"
for preset in w8 w4g32 w3g64 w2g32 c11g128; do
  "$opt" "$model" --mlir-print-op-on-diagnostic=false \
    --pass-pipeline="builtin.module(lowbit-quantize{preset=$preset report=true})" \
    -o "$work/$preset.mlir" 2> "$work/$preset.log"
  # "packed weight NxK as L: S + P bytes (f32: F, ...)" and "..., SQNR X dB"
  sizes=$(sed -nE 's/.*packed weight .*: ([0-9]+) \+ ([0-9]+) bytes \(f32: ([0-9]+),.*/\1 \2 \3/p' "$work/$preset.log")
  sqnrs=$(sed -nE 's/.*SQNR (-?[0-9.]+|inf) dB.*/\1/p' "$work/$preset.log")
  awk -v preset="$preset" -v sqnrs="$sqnrs" '
    { packed += $1 + $2; fp += $3 }
    END {
      n = split(sqnrs, s, "\n"); worst = s[1]
      for (i = 2; i <= n; i++) if (s[i] + 0 < worst + 0) worst = s[i]
      printf "%-8s %12d %14d %12.3f %9.2fx %12.2f\n", preset, fp, packed,
             8 * packed / (fp / 4), fp / packed, worst
    }' <<< "$sizes"
done
