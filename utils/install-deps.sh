#!/usr/bin/env bash
# Installs every Debian 12 package lowbit needs to build, test and run its
# cross-target tests. Idempotent: does nothing when all are present.
set -euo pipefail

packages=(
  # LLVM/MLIR 22 toolchain
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  # build
  cmake ninja-build ccache
  # tests and benchmarks
  zlib1g-dev libgtest-dev libbenchmark-dev
  # ASan/UBSan and libFuzzer runtimes (run-sanitized-tests.sh, fuzz.sh)
  libclang-rt-22-dev
  # LLVM's OpenMP runtime, which parallel kernels call (the JIT, the e2e tests)
  libomp-22-dev
  # AArch64 cross compilation and emulation for the e2e tests
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # the ONNX importer (libonnx-dev does not pull in protobuf's headers) and
  # ONNX's backend test data; python3-onnx writes test models
  libonnx-dev libprotobuf-dev libonnx-testdata python3-onnx
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
