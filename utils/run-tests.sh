#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (lit + gtest + docs
# freshness) through ctest.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
