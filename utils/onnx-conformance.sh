#!/usr/bin/env bash
# Runs ONNX's backend test data (libonnx-testdata: node, pytorch-converted,
# pytorch-operator, simple) through the ONNX importer, lowbit's fp32
# lowering and the C ABI with build/bin/lowbit-onnx-conformance, and prints
# the unsupported tests with their reasons, the failures, and the table of
# tests per op: passed, failed, unsupported. Exits non-zero when a test
# fails that test/Import/Conformance/xfail.txt does not list, or a listed
# test passes (--check). Extra arguments go to the runner, e.g.
#   bash utils/onnx-conformance.sh --filter='^node/test_conv'
# $ONNX_TESTDATA overrides the data directory, $JOBS the parallel tests.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
data=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
runner=$build_dir/bin/lowbit-onnx-conformance
if [ ! -x "$runner" ]; then
  echo "error: $runner is missing: install libonnx-dev and build" \
       "(bash utils/build.sh)" >&2
  exit 2
fi
exec "$runner" "$data" --jobs="${JOBS:-$(nproc)}" --list-unsupported \
  --list-failures --check --xfail="$root/test/Import/Conformance/xfail.txt" "$@"
