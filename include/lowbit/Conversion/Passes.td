//===- Passes.td - lowbit conversion passes ----------------*- tablegen -*-===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// LowbitToLinalg
//===----------------------------------------------------------------------===//

def ConvertLowbitToLinalg : Pass<"convert-lowbit-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower lowbit ops on tensors to linalg, tensor, arith and math";
  let description = [{
    Rewrites every `lowbit` op into upstream ops on tensors, so that the
    usual upstream lowering (one-shot bufferization, `convert-linalg-to-loops`,
    conversion to LLVM) compiles the program. The result computes exactly
    what the numerics library (`include/lowbit/Numerics`) computes: the same
    IEEE f32 operations in the same order, without fast-math flags (so no
    FMA contraction), with the same rounding, clamping and NaN behaviour.

    * `lowbit.stats` is replaced by its input.
    * `lowbit.packed_weight` becomes one `arith.constant` per payload (data,
      scales and zero points / mins).
    * `lowbit.unpack` and `lowbit.pack` become a `linalg.generic` over the
      result whose body finds the storage unit and bit position (or radix
      digit) of each element with `linalg.index` and reads the other tensor
      with `tensor.extract`. Radix words are decoded with multiplications
      only: `((uint64)(uint32)(q * R^i) * R) >> 32`.
    * `lowbit.dequantize` and `lowbit.quantize` become an elementwise
      `linalg.generic`; the parameters of each element are read with
      `tensor.extract` at the index its granularity gives (per-group: the
      axis index divided by the group size). Parameters of any float type
      are converted to f32 first; codes and zero points are read with the
      scheme's signedness. Tables (normalized min/scale levels, codebooks,
      codebook midpoints) are embedded as constant tensors.
    * `lowbit.requantize` becomes an elementwise `linalg.generic` evaluating
      its 64-bit fixed-point formula exactly (the rounding term is added
      without 64-bit overflow).
    * `lowbit.matmul` becomes `lowbit.unpack` + `lowbit.dequantize` of the
      `[N, K]` weight (both lowered in turn), a `linalg.generic` contraction
      `out[m, n] += x[m, k] * W[n, k]` on a zero-filled accumulator, and a
      `linalg.generic` adding `bias[n]`. Activations narrower than f32 are
      accumulated in f32 and rounded once at the end.

    Before:
    ```mlir
    %c = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes}
           : tensor<4x8xi8> -> tensor<4x16xi8>
    %w = lowbit.dequantize %c scales(%s : tensor<4xf32>)
           {scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 0)>}
           : tensor<4x16xi8> -> tensor<4x16xf32>
    ```
    After (abridged):
    ```mlir
    %e = tensor.empty() : tensor<4x16xi8>
    %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
        outs(%e : tensor<4x16xi8>) {
    ^bb0(%out: i8):
      %i = linalg.index 0 : index
      %j = linalg.index 1 : index
      %unit = arith.divui %j, %c2 : index
      %byte = tensor.extract %p[%i, %unit] : tensor<4x8xi8>
      ...   // shift, mask, sign-extend
      linalg.yield %code : i8
    } -> tensor<4x16xi8>
    %w = linalg.generic {...} ins(%c : tensor<4x16xi8>) outs(%e2 : tensor<4x16xf32>) {
    ^bb0(%q: i8, %out: f32):
      %i = linalg.index 0 : index
      %s = tensor.extract %s[%i] : tensor<4xf32>
      %qi = arith.extsi %q : i8 to i32
      %qf = arith.sitofp %qi : i32 to f32
      %x = arith.mulf %qf, %s : f32
      linalg.yield %x : f32
    } -> tensor<4x16xf32>
    ```

    Unsupported cases are errors at the op: a dynamic row length for
    `lowbit.pack` / `lowbit.unpack` and a dynamic reduction size K for
    `lowbit.matmul` (the block arithmetic needs them static). Ops are never
    folded during the conversion; run `canonicalize` first to fold constant
    quantizations with the numerics library.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
