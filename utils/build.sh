#!/usr/bin/env bash
# Configures (once) and builds lowbit in $LOWBIT_BUILD_DIR (default: build/),
# Release, with clang-22 + lld and ccache; $LOWBIT_CMAKE_ARGS are extra
# configure arguments (e.g. -DLOWBIT_SANITIZE=ON); $LOWBIT_BUILD_TARGETS, if
# set, the targets to build (default: all).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/lowbit-ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit ${LOWBIT_CMAKE_ARGS:-}
fi
# shellcheck disable=SC2086 # a space-separated list of targets
cmake --build "$build_dir" -j "$(nproc)" ${LOWBIT_BUILD_TARGETS:+--target $LOWBIT_BUILD_TARGETS}
