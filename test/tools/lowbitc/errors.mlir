// Bad targets, presets and functions are diagnosed, with a non-zero exit.
// RUN: not lowbitc %s --target=riscv9 -o %t.o 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not lowbitc %s --mcpu=pentium9 -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not lowbitc %s --mattr=+avx9 -o %t.o 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not lowbitc %s --mattr=avx2 -o %t.o 2>&1 | FileCheck %s --check-prefix=SIGN
// RUN: not lowbitc %s --quantize=w5 -o %t.o 2>&1 | FileCheck %s --check-prefix=PRESET
// RUN: not lowbitc %s --emit=exe -o %t.o 2>&1 | FileCheck %s --check-prefix=EMIT
// RUN: not lowbitc %s -O9 -o %t.o 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not lowbitc %s -o %t.o 2>&1 | FileCheck %s --check-prefix=DYNAMIC

// TARGET: lowbitc: error: unknown target 'riscv9'
// CPU: lowbitc: error: unknown CPU 'pentium9' for x86_64-unknown-linux-gnu
// FEATURE: lowbitc: error: unknown feature 'avx9' for x86_64-unknown-linux-gnu
// SIGN: lowbitc: error: feature 'avx2' must start with '+' (enable) or '-' (disable)
// PRESET: lowbitc: error: unknown preset 'w5' (expected one of fp32, w8,
// EMIT: lowbitc: error: unknown --emit=exe (expected obj, asm, llvm or mlir)
// OPT: lowbitc: error: unknown optimization level -O9 (expected 0-3)
// DYNAMIC: errors.mlir:[[@LINE+1]]:1: error: cannot export @dynamic to C: argument 0 has type 'tensor<?x4xf32>' (only statically shaped tensors of integers or floats)
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
