#!/usr/bin/env bash
# Installs dependencies, builds, and runs lowbit-opt over the real LeNet-5
# model from ../shared/models: parse, verify, print op statistics, and check
# that its bytecode form reads back identically.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
model=${1:-$root/../shared/models/lenet/lenet.mlir}
"$root/utils/install-deps.sh"
"$root/utils/build.sh"

opt=$build_dir/bin/lowbit-opt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== lowbit-opt $model --print-op-stats"
"$opt" "$model" --print-op-stats -o "$work/lenet.mlir"
"$opt" "$model" -emit-bytecode -o "$work/lenet.mlirbc"
"$opt" "$work/lenet.mlirbc" -o "$work/lenet-from-bytecode.mlir"
cmp -s "$work/lenet.mlir" "$work/lenet-from-bytecode.mlir"
echo "== text $(stat -c %s "$work/lenet.mlir") bytes, bytecode $(stat -c %s "$work/lenet.mlirbc") bytes: round trip identical"
