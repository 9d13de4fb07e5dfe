// Every --emit kind, for both targets, from one binary.
// RUN: lowbitc %s --emit=mlir -o - | FileCheck %s --check-prefix=MLIR
// RUN: lowbitc %s --emit=llvm -o - | FileCheck %s --check-prefix=LLVM
// RUN: lowbitc %s --emit=asm -o - | FileCheck %s --check-prefix=X86
// RUN: lowbitc %s --emit=asm --target=aarch64-linux-gnu -o - | FileCheck %s --check-prefix=ARM
// RUN: lowbitc %s --header=%t.h -o %t.o && FileCheck %s --check-prefix=HEADER < %t.h

// MLIR-LABEL: func.func @scale
// LLVM: define {{.*}}i32 @lowbit_scale(ptr {{.*}}%0, ptr {{.*}}%1)
// X86: lowbit_scale:
// X86: mulss
// ARM: lowbit_scale:
// ARM: fmul
// HEADER: int lowbit_scale(const float *in0, float *out0);
func.func @scale(%x: tensor<1xf32>) -> tensor<1xf32> {
  %c = arith.constant dense<3.0> : tensor<1xf32>
  %y = arith.mulf %x, %c : tensor<1xf32>
  return %y : tensor<1xf32>
}
