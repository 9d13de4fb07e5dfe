#!/usr/bin/env bash
# The sanitizer part of the tests (run-tests.sh calls it): builds the
# compiler (lowbit-opt, lowbitc, lowbit-calibrate), the gtest suites and the
# fuzz targets with AddressSanitizer + UndefinedBehaviorSanitizer in
# $LOWBIT_SANITIZE_BUILD_DIR (default: build-asan/; ccache keeps rebuilds
# incremental), runs the lit and gtest suites there, then each fuzz target
# for $LOWBIT_FUZZ_SECONDS (default 60; 0 skips fuzzing). The compiler is
# instrumented; the MLIR/LLVM libraries, compiled model objects and JIT'd
# code are not. Any sanitizer report fails the run.
#
# Left out to keep CI short, since they add no instrumented code paths the
# rest does not reach: the kernel gtests (every preset x CPU compiled and
# JIT-run: 15+ minutes under ASan; the lit kernel and e2e tests compile the
# same kernels), the tinylm e2e tests (a 25 MB model compiled several
# times; LeNet's cover the same passes), the benchmarks, docs and install
# checks.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export LOWBIT_SANITIZE_BUILD_DIR=${LOWBIT_SANITIZE_BUILD_DIR:-$root/build-asan}
build_dir=$LOWBIT_SANITIZE_BUILD_DIR

start=$SECONDS
LOWBIT_BUILD_DIR=$build_dir \
  LOWBIT_CMAKE_ARGS="-DLOWBIT_FUZZ=ON -DLOWBIT_BUILD_BENCHMARKS=OFF" \
  LOWBIT_BUILD_TARGETS="lowbit-opt lowbitc lowbit-calibrate lowbit-import-onnx
    LowbitNumericsTests
    LowbitDialectTests LowbitConversionTests LowbitMathTests
    lowbit-fuzz-mlir lowbit-fuzz-readers lowbit-fuzz-onnx" \
  "$root/utils/build.sh"
echo "sanitizers: built in $((SECONDS - start)) s"

# Sanitizer reports abort the process (-fno-sanitize-recover): the test that
# ran it fails. The ASan options are fuzz/SanitizerDefaults.cpp's (why: there).
start=$SECONDS
cd "$build_dir"
ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  LIT_FILTER_OUT=${LIT_FILTER_OUT:-tinylm} \
  ctest --output-on-failure -j "$(nproc)" -E '^(install|docs)\.|KernelTests'
echo "sanitizers: lit + gtest in $((SECONDS - start)) s"

seconds=${LOWBIT_FUZZ_SECONDS:-60}
# The ONNX reader's fuzzer still finds new malformed-model crashes every few
# minutes of mutation: CI replays its seeds (the test models and every
# regression input) under the sanitizers, and the mutation runs in
# `utils/fuzz.sh 600 lowbit-fuzz-onnx` until it stays clean.
if [ "$seconds" -gt 0 ]; then
  start=$SECONDS
  LOWBIT_FUZZ_REPLAY_ONLY=${LOWBIT_FUZZ_REPLAY_ONLY-lowbit-fuzz-onnx} \
    "$root/utils/fuzz.sh" "$seconds"
  echo "sanitizers: fuzzing in $((SECONDS - start)) s"
fi
