#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (lit + gtest + docs
# freshness) through ctest; then the same suites built with ASan + UBSan, and
# the fuzz targets for a minute each (utils/run-sanitized-tests.sh;
# LOWBIT_SANITIZED_TESTS=0 skips that part).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LOWBIT_BUILD_DIR:-$root/build}
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
[ "${LOWBIT_SANITIZED_TESTS:-1}" = 0 ] || "$root/utils/run-sanitized-tests.sh"
