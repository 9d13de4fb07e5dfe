// --weights=external: the constants (8 f32 at 64, 8x8 f32 at 128) go to a
// weights file of 384 bytes next to the object; the header declares the
// weights argument first in both forms, the size and the check; lowbitc
// reports the file's size.
// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbitc %s --weights=external --header=%t/mlp.h -o %t/mlp.o 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: FileCheck %s --check-prefix=HEADER < %t/mlp.h
// RUN: wc -c < %t/mlp.weights | FileCheck %s --check-prefix=SIZE
// RUN: head -c 8 %t/mlp.weights | FileCheck %s --check-prefix=MAGIC
// The object exports the queries next to the two forms.
// RUN: llvm-nm %t/mlp.o | FileCheck %s --check-prefix=SYMBOLS
// --weights-file chooses the path; --quiet prints nothing.
// RUN: lowbitc %s --quiet --weights=external --weights-file=%t/other.bin -o %t/other.o 2>&1 | count 0
// RUN: cmp %t/mlp.weights %t/other.bin

// REPORT: lowbitc: weights file {{.*}}mlp.weights: 384 bytes
// REPORT: lowbitc: lowbit_mlp: workspace 128 bytes, weights 384 bytes (external), x86-64

// HEADER: /* Weights (compiled with --weights=external): the object holds none.
// HEADER: #define LOWBIT_MLP_WEIGHTS_SIZE 384
// HEADER-NEXT: int lowbit_mlp(const void *weights, const float *in0, float *out0);
// HEADER-NEXT: size_t lowbit_mlp_weights_size(void);
// HEADER-NEXT: int lowbit_mlp_check_weights(const void *weights, size_t size);
// HEADER-NEXT: size_t lowbit_mlp_workspace_size(void);
// HEADER-NEXT: int lowbit_mlp_with_workspace(const void *weights, const float *in0, float *out0, void *workspace);

// SYMBOLS-DAG: T lowbit_mlp{{$}}
// SYMBOLS-DAG: T lowbit_mlp_check_weights
// SYMBOLS-DAG: T lowbit_mlp_weights_size
// SYMBOLS-DAG: T lowbit_mlp_with_workspace

// SIZE: 384
// MAGIC: LBWEIGHT

// Option errors, before any work; a failed compilation leaves no files.
// RUN: not lowbitc %s --weights-file=%t/x.weights -o %t/x.o 2>&1 | FileCheck %s --check-prefix=NOT-EXTERNAL
// RUN: not lowbitc %s --weights=extern -o %t/x.o 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not lowbitc %s --weights=external --emit=mlir -o %t/x.mlir 2>&1 | FileCheck %s --check-prefix=MLIR
// RUN: not lowbitc %s --weights=external --weights-file=%t/no/such/dir/x.weights -o %t/x.o 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: not lowbitc %s --weights=external --mcpu=no-such-cpu -o %t/y.o 2>&1
// RUN: not test -e %t/y.weights
// NOT-EXTERNAL: lowbitc: error: --weights-file={{.*}}x.weights needs --weights=external
// UNKNOWN: lowbitc: error: unknown --weights=extern (expected embedded or external)
// MLIR: lowbitc: error: --weights=external applies to the lowered model: use --emit=obj, asm or llvm
// UNWRITABLE: lowbitc: error: cannot write the weights file: cannot open output file '{{.*}}x.weights'

// A constant of booleans cannot be externalized: the error points at it.
// RUN: not lowbitc %S/Inputs/boolean-constant.mlir --weights=external -o %t/b.o 2>&1 | FileCheck %s --check-prefix=BOOLEAN
// RUN: not test -e %t/b.weights
// BOOLEAN: boolean-constant.mlir:4:8: error: cannot externalize constant @__constant_4xi1 of type 'memref<4xi1>': elements are not whole bytes

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
  return %r : tensor<4x8xf32>
}
