// The header declares the three forms of an entry point: the simple one,
// the workspace size and the entry point on a caller-owned workspace; lowbitc
// reports the workspace and weight sizes. Two 4x8 f32 intermediates live at
// the same time (128 bytes each), so the workspace is 256 bytes; the weights
// are the 8x8 and 8 f32 constants (288 bytes).
// RUN: rm -f %t.h
// RUN: lowbitc %s --header=%t.h -o %t.o 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: FileCheck %s --check-prefix=HEADER < %t.h
// RUN: lowbitc %s --quiet -o %t.o 2>&1 | count 0

// REPORT: lowbitc: lowbit_mlp: workspace 256 bytes, weights 288 bytes, x86-64 (sse2 int8 dot products), serial

// HEADER: #include <stddef.h>
// HEADER: /* @mlp : (tensor<4x8xf32>) -> tensor<4x8xf32> */
// HEADER: #define LOWBIT_MLP_WORKSPACE_SIZE 256
// HEADER-NEXT: int lowbit_mlp(const float *in0, float *out0);
// HEADER-NEXT: size_t lowbit_mlp_workspace_size(void);
// HEADER-NEXT: int lowbit_mlp_with_workspace(const float *in0, float *out0, void *workspace);

// A compilation that fails writes no header.
// RUN: rm -f %t.bad.h
// RUN: not lowbitc %s --header=%t.bad.h --mcpu=no-such-cpu -o %t.bad.o 2>&1
// RUN: not test -e %t.bad.h
// RUN: not lowbitc %S/Inputs/unknown-op.mlir --header=%t.bad.h -o %t.bad.o 2>&1
// RUN: not test -e %t.bad.h

func.func @mlp(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%h, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%r, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
