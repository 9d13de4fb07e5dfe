#!/bin/sh
# Usage: check-undefined.sh [--openmp] OBJECT...
#
# Fails (exit 1) if an object file leaves undefined any symbol other than the
# ones a lowbit object may need at link time: libc's allocator and memory
# functions, and the C compiler runtime's fp16 conversions (used on CPUs
# without F16C). This list is the one place that defines what
# `cc main.c model.o -o prog` must resolve (docs/Lowering.md, "The C
# interface"); the e2e tests run it on every object as %check-undefined.
ALLOWED="malloc free memset memcpy memmove __extendhfsf2 __truncsfhf2"
# With --openmp, also LLVM's OpenMP runtime (-lomp), which objects with
# parallel kernels call (lowbitc --threading=omp, the default).
openmp=0
if [ "${1:-}" = "--openmp" ]; then
  openmp=1
  shift
fi

if [ $# -eq 0 ]; then
  echo "usage: $0 OBJECT..." >&2
  exit 2
fi
status=0
for object in "$@"; do
  symbols=$("${LLVM_NM:-llvm-nm}" -u --just-symbol-name "$object") || exit 2
  for symbol in $symbols; do
    case " $ALLOWED " in
    *" $symbol "*) continue ;;
    esac
    case "$openmp:$symbol" in
    1:__kmpc_* | 1:omp_*) ;;
    *)
      echo "$object: unexpected undefined symbol: $symbol"
      status=1
      ;;
    esac
  done
done
exit $status
