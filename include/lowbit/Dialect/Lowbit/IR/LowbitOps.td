//===- LowbitOps.td - lowbit operations --------------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD

include "lowbit/Dialect/Lowbit/IR/LowbitAttributes.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Lowbit_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowbit_Dialect, mnemonic, traits>;

def Lowbit_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Lowbit_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
// Scales, or (i8) the parameter bytes of superblock parameters.
def Lowbit_ParamTensor : RankedTensorOf<[AnyFloat, I8]>;

//===----------------------------------------------------------------------===//
// StatsOp
//===----------------------------------------------------------------------===//

def Lowbit_StatsOp : Lowbit_Op<"stats", [Pure, SameOperandsAndResultType]> {
  let summary = "Identity on an activation, carrying observed statistics";
  let description = [{
    Returns its input unchanged and records what calibration observed about
    it: the minimum and maximum per tensor (one value each) or per channel
    along `axis` (one value per index of that dimension), and optionally a
    per-tensor histogram of `histogram.size()` equal-width bins spanning
    `histogram_range = [lo, hi]` (values outside the range count in the edge
    bins). Calibration folding turns `lowbit.stats` into quantize /
    dequantize pairs; `lowbit-strip-stats` removes it.

    ```mlir
    %0 = lowbit.stats %x {min = array<f32: -1.5>, max = array<f32: 4.0>,
                          histogram = array<i64: 3, 10, 2, 1>,
                          histogram_range = array<f32: -1.5, 4.0>} : tensor<1x84xf32>
    %1 = lowbit.stats %y {axis = 1 : i64, min = array<f32: 0.0, -2.0>,
                          max = array<f32: 1.0, 3.0>} : tensor<4x2xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_FloatTensor:$input,
    DenseF32ArrayAttr:$min,
    DenseF32ArrayAttr:$max,
    OptionalAttr<I64Attr>:$axis,
    OptionalAttr<DenseI64ArrayAttr>:$histogram,
    OptionalAttr<DenseF32ArrayAttr>:$histogram_range
  );
  let results = (outs Lowbit_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

def Lowbit_ObserveOp : Lowbit_Op<"observe", [SameOperandsAndResultType]> {
  let summary = "Marks an activation whose statistics calibration collects";
  let description = [{
    Returns its input unchanged. `lowbit-insert-observers` puts one on every
    activation calibration should measure; the calibration runner executes
    the model over a calibration set, collects the minimum and maximum of
    each observed tensor (per channel along `axis` when given) and a
    histogram, and replaces each `lowbit.observe` by a `lowbit.stats`
    holding them. `id` numbers the observers of a module (unique, from 0);
    statistics files refer to observers by it. The op is not `Pure`, so
    cleanups do not drop or merge observers.
    ```mlir
    %0 = lowbit.observe %x {id = 3 : i64} : tensor<1x120xf32>
    %1 = lowbit.observe %y {id = 4 : i64, axis = 1 : i64} : tensor<1x6x28x28xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_FloatTensor:$input,
    I64Attr:$id,
    OptionalAttr<I64Attr>:$axis
  );
  let results = (outs Lowbit_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

class Lowbit_QuantParamsOp<string mnemonic, list<Trait> traits = []>
    : Lowbit_Op<mnemonic, !listconcat(traits,
        [Pure, AttrSizedOperandSegments])> {
  let hasVerifier = 1;
}

def Lowbit_QuantizeOp : Lowbit_QuantParamsOp<"quantize"> {
  let summary = "Real values to integer codes under a scheme";
  let description = [{
    Quantizes each element `x` of `input` with the parameters of its group
    (see `#lowbit.scheme` for the granularity and parameter shapes):

    * `symmetric`: `q = clamp(R(x / s), qmin, qmax)`
    * `affine`:    `q = clamp(R(x / s) + z, qmin, qmax)`
    * `min_scale`: `q = clamp(R((x - m) / s * (qmax - qmin)) + qmin, qmin, qmax)`
    * with a codebook: the index of the level nearest to `x / s`
      (`symmetric`) or to `vlo + (x - m) / s * (vhi - vlo)` (`min_scale`);
      ties take the lower index.

    `R` is the scheme's rounding (nearest-even by default). Results saturate:
    no code ever wraps. The result holds codes as signless integers whose
    width is at least the scheme's bit width. Scales must be positive and
    finite; other scales make the result poison. `zero_points` (integer) is
    required by and only allowed with `affine`, `mins` (float) with
    `min_scale`. Zero points are read with the scheme's signedness: for a
    `u8` scheme an `i8` zero point holding the bits of 200 means 200 (wider
    types such as `i32` simply hold the value).

    ```mlir
    %q = lowbit.quantize %w scales(%s : tensor<64x4xf32>)
           {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>}
           : tensor<64x128xf32> -> tensor<64x128xi8>
    ```
  }];
  let arguments = (ins
    Lowbit_FloatTensor:$input,
    Lowbit_FloatTensor:$scales,
    Optional<Lowbit_IntTensor>:$zero_points,
    Optional<Lowbit_FloatTensor>:$mins,
    Lowbit_SchemeAttr:$scheme
  );
  let results = (outs Lowbit_IntTensor:$result);
  let assemblyFormat = [{
    $input `scales` `(` $scales `:` type($scales) `)`
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    (`mins` `(` $mins^ `:` type($mins) `)`)?
    attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Lowbit_DequantizeOp : Lowbit_QuantParamsOp<"dequantize"> {
  let summary = "Integer codes to real values under a scheme";
  let description = [{
    Reconstructs each code `q` of `input` with the parameters of its group:

    * `symmetric`: `x = v(q) * s`
    * `affine`:    `x = (q - z) * s`
    * `min_scale`: `x = (v(q) - vlo) / (vhi - vlo) * s + m`

    where `v(q)` is `codebook[q]` with a codebook and `q` otherwise. Codes are
    read as signed or unsigned as the scheme says; arithmetic is in f32 and
    the result is rounded once to the result element type.

    **Superblock parameters.** With a `min_scale` scheme in groups of `g`
    along the last axis, `scales` may instead be an `i8` tensor of
    parameter bytes, one row of `P(K)` bytes per row of `K` codes, and
    `mins` absent. Each row is cut like `radix_superblock(L)` (`L` the
    scheme's number of levels, `n` = digits per 32-bit word): segments of
    `n` groups, then a tail of the remaining groups. A segment of `r`
    groups has `4 + 2r` bytes: `d` and `e` (fp16, little endian), then `r`
    unsigned scale codes `a_j`, then `r` signed min codes `b_j`; group `j`
    has `s = a_j * d` and `m = b_j * e` (in f32). `P(K)` is the sum over
    the segments; e.g. 30 bytes for `K = 1300`, `g = 128`, `L = 11`.

    ```mlir
    %w = lowbit.dequantize %c scales(%p : tensor<64x30xi8>)
           {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128),
                                    codebook = <linspace(-1.0, 1.0, 11)>>}
           : tensor<64x1300xi8> -> tensor<64x1300xf32>
    ```

    ```mlir
    %w = lowbit.dequantize %q scales(%s : tensor<64x4xf16>) mins(%m : tensor<64x4xf16>)
           {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 32)>}
           : tensor<64x128xi8> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_IntTensor:$input,
    Lowbit_ParamTensor:$scales,
    Optional<Lowbit_IntTensor>:$zero_points,
    Optional<Lowbit_FloatTensor>:$mins,
    Lowbit_SchemeAttr:$scheme
  );
  let results = (outs Lowbit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `scales` `(` $scales `:` type($scales) `)`
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    (`mins` `(` $mins^ `:` type($mins) `)`)?
    attr-dict `:` type($input) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

def Lowbit_RequantizeOp : Lowbit_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Integer accumulators to narrow codes with a fixed-point multiplier";
  let description = [{
    Rescales each `i32` element `x` (TOSA `rescale` with single rounding):

    ```
    y = clamp(((x - input_zero_point) * multiplier + 2^(shift - 1)) >> shift
              + output_zero_point, clamp_min, clamp_max)
    ```

    computed exactly in 64-bit integers; `>>` is an arithmetic shift, so the
    rounding is half-way cases toward positive infinity. `multiplier`
    (`0 <= M < 2^31`) and `shift` (`1 <= shift <= 62`) hold one value (per
    tensor) or, with `axis`, one value per index of that dimension. The
    clamp bounds default to the full signed range of the result type; a
    fused ReLU is `clamp_min = output_zero_point`.

    ```mlir
    %y = lowbit.requantize %acc {multiplier = array<i32: 1518500250>,
                                 shift = array<i32: 38>, output_zero_point = -3 : i32}
           : tensor<1x120xi32> -> tensor<1x120xi8>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[I32]>:$input,
    DenseI32ArrayAttr:$multiplier,
    DenseI32ArrayAttr:$shift,
    OptionalAttr<I64Attr>:$axis,
    DefaultValuedAttr<I32Attr, "0">:$input_zero_point,
    DefaultValuedAttr<I32Attr, "0">:$output_zero_point,
    OptionalAttr<I32Attr>:$clamp_min,
    OptionalAttr<I32Attr>:$clamp_max
  );
  let results = (outs Lowbit_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

def Lowbit_PackOp : Lowbit_Op<"pack", [Pure]> {
  let summary = "Integer codes to packed storage under a layout";
  let description = [{
    Packs the codes of each row (the last dimension) into storage units as
    `layout` describes; leading dimensions are kept. The result's last
    dimension is the number of storage units per row (`i8` for byte layouts,
    `i32` for word layouts). Codes must be representable in the layout:
    `[-2^(b-1), 2^(b-1))` with `signed_codes`, `[0, 2^b)` (or `[0, radix)`)
    without; a code outside that range makes the result poison.

    ```mlir
    %p = lowbit.pack %q {layout = #lowbit.layout<int4>, signed_codes}
           : tensor<64x128xi8> -> tensor<64x64xi8>
    %r = lowbit.pack %c {layout = #lowbit.layout<radix(11), block = 128>}
           : tensor<64x256xi8> -> tensor<64x30xi32>
    ```
  }];
  let arguments = (ins
    Lowbit_IntTensor:$input,
    Lowbit_LayoutAttr:$layout,
    UnitAttr:$signed_codes
  );
  let results = (outs Lowbit_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_UnpackOp : Lowbit_Op<"unpack", [Pure]> {
  let summary = "Packed storage back to integer codes";
  let description = [{
    The inverse of `lowbit.pack`: reads the codes of each row from storage
    units laid out as `layout` says. The row length (the result's last
    dimension) cannot be recovered from padded storage, so it is taken from
    the result type. With `signed_codes` codes are sign-extended from the
    layout's code width, otherwise zero-extended.

    ```mlir
    %q = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes}
           : tensor<64x64xi8> -> tensor<64x128xi8>
    ```
  }];
  let arguments = (ins
    Lowbit_IntTensor:$input,
    Lowbit_LayoutAttr:$layout,
    UnitAttr:$signed_codes
  );
  let results = (outs Lowbit_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// PackedWeightOp
//===----------------------------------------------------------------------===//

def Lowbit_PackedWeightOp : Lowbit_Op<"packed_weight",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "A constant packed low-bit weight with its parameters";
  let description = [{
    A constant weight of logical shape `shape` (`[N, K]`: output features by
    reduction length), quantized under `scheme` and packed row by row under
    `layout`. It yields the packed storage (`[N, units(K)]`), the scales and,
    for `affine` / `min_scale` schemes, the zero points / minimums, as
    tensors typed after the attributes. The payloads may be `dense` or
    `dense_resource` constants.

    The weight means `W = dequantize(unpack(packed))` with the given
    parameters; `lowbit.matmul` consumes the results directly. Under the
    `radix_superblock` layout (and only there) `scales` holds superblock
    parameter bytes (`i8`, see `lowbit.dequantize`) and there are no mins;
    the verifier decodes them and checks every scale and min. The verifier
    checks the parameter values too: scales positive and finite, minimums
    finite, zero points (read with the scheme's signedness) inside the
    scheme's code range.

    ```mlir
    %w:2 = lowbit.packed_weight {
      data = dense_resource<fc1_w4> : tensor<120x200xi8>,
      scales = dense_resource<fc1_s> : tensor<120x13xf16>,
      shape = array<i64: 120, 400>,
      scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>,
      layout = #lowbit.layout<int4>} : tensor<120x200xi8>, tensor<120x13xf16>
    ```
  }];
  let arguments = (ins
    ElementsAttr:$data,
    ElementsAttr:$scales,
    OptionalAttr<ElementsAttr>:$zero_points,
    OptionalAttr<ElementsAttr>:$mins,
    DenseI64ArrayAttr:$shape,
    Lowbit_SchemeAttr:$scheme,
    Lowbit_LayoutAttr:$layout
  );
  let results = (outs
    Lowbit_IntTensor:$packed,
    Lowbit_ParamTensor:$scale_values,
    Optional<RankedTensorOf<[AnySignlessInteger, AnyFloat]>>:$offset_values
  );
  let assemblyFormat = "attr-dict `:` type(results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_MatmulOp : Lowbit_Op<"matmul", [Pure, AttrSizedOperandSegments,
                                            IsolatedFromAbove]> {
  let summary = "Activations times packed low-bit weights";
  let description = [{
    Computes `out[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n])` where `W` is
    the `[N, K]` weight `dequantize(unpack(packed))` under `scheme` and
    `layout` with the given parameters (K is the last dimension of `input`).
    The scheme's granularity must be per-tensor, per-channel along axis 0
    (output features) or per-group along axis 1 (the reduction). The result
    has the activation element type. Under the `radix_superblock` layout,
    `scales` are superblock parameter bytes (see `lowbit.dequantize`). When `packed` comes from a
    `lowbit.packed_weight`, its `shape` must be `[N, K]` and its scheme and
    layout this op's (padded storage alone cannot tell K from K - 1).
    How the sum is ordered is the
    implementation's choice (it is vectorized), so results may differ from a
    sequential sum by floating-point reassociation.

    With `dynamic_int8_activations` (weight schemes: signed, symmetric, no
    codebook; any scheme on `int3`, `int2`, `int2_planes`, `radix`, `int3_panel`, `int2_panel`, `radix_panel`), each
    activation row is quantized on the fly to int8 with
    `s_x[m] = max_k |x[m, k]| / 127` (1 for an all-zero row) and
    `q_x = clamp(round_even(x / s_x), -127, 127)`, and the products are
    integer dot products:
    `out[m, n] = s_x[m] * sum_k q_x[m, k] * W[n, k] (+ bias[n])`, i.e.
    `s_x[m] * sum_g s_w[n, g] * sum_{k in g} q_x[m, k] * q_w[n, k]` for
    symmetric weights; a group's minimum (min/scale schemes) meets the
    group's sum of `q_x` once. Partial sums of products within a group (at least the
    four consecutive products one lane of `vpdpbusd` (x86 VNNI) or `sdot`
    (AArch64) computes) are exact in i32; how those partial sums are scaled
    and added (in f32) is the implementation's choice, like the order of the
    float sum.

    ```mlir
    %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<120x13xf16>) bias(%b : tensor<120xf32>)
           {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>,
            layout = #lowbit.layout<int4>}
           : tensor<1x400xf32>, tensor<120x200xi8> -> tensor<1x120xf32>
    ```

    With `activation_type = bf16` (f32 input and result), the activations
    are 16-bit: every `x[m, k]` is rounded to bfloat16 where the op reads it
    (round to nearest, ties to even; NaN stays a quiet NaN, infinities stay,
    finite values rounding past the largest bf16 become infinities, f32
    denormals become zeros of the same sign, as AVX512-BF16 treats them).
    The integer weight codes (|q| <= 256) are exact in bf16, products of
    the two are exact in f32 and accumulate in f32; each group's scale (and
    minimum) is applied to the group's sum in f32:
    `out[m, n] = sum_k bf16(x[m, k]) * W[n, k] (+ bias[n])`, summed in an
    order of the implementation's choice (AVX512-BF16 `vdpbf16ps`, or f32
    multiply-adds on the rounded activations). The weight
    schemes are those of the weight-only kernels (`w8a16`: int8 per channel,
    `w4a16`: int4 in groups of 32, `c11a16`: the 11-level codebook).

    ```mlir
    %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<120x13xf16>)
           {activation_type = bf16,
            scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>,
            layout = #lowbit.layout<int4_interleaved, block = 32>}
           : tensor<1x400xf32>, tensor<120x200xi8> -> tensor<1x120xf32>
    ```

    An optional `epilogue` maps every output element before it is stored:
    what a following elementwise op (an activation, a residual addition)
    would compute in a second pass over memory. Its single block takes the
    output value (after the bias, of the result element type) and one
    scalar per `epilogue_inputs` operand, the element of that operand at the
    same position: operands are `[M, N]` like the result, or `[N]` (one
    value per output column, broadcast along the rows). The block holds only
    side-effect free scalar `arith` and `math` ops and ends with
    `lowbit.yield` of the result element type; it captures nothing (constants
    are defined inside). `lowbit-fuse-matmul-epilogue` folds consumers into
    it; the vector kernels apply it to the outputs of each column block
    while they are in cache.

    ```mlir
    // gelu(x W^T + b) + r, with the residual r: tensor<64x1024xf32>
    %y = lowbit.matmul %x, %p scales(%s : tensor<1024x8xf16>) bias(%b : tensor<1024xf32>)
           epilogue_inputs(%r : tensor<64x1024xf32>) epilogue {
         ^bb0(%v: f32, %res: f32):
           %half = arith.constant 0.5 : f32
           %one = arith.constant 1.0 : f32
           %rsqrt2 = arith.constant 0.707106769 : f32
           %t = arith.mulf %v, %rsqrt2 : f32
           %e = math.erf %t : f32
           %u = arith.addf %e, %one : f32
           %h = arith.mulf %v, %half : f32
           %g = arith.mulf %h, %u : f32
           %o = arith.addf %g, %res : f32
           lowbit.yield %o : f32
         } {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>,
            layout = #lowbit.layout<int4_interleaved, block = 32>}
           : tensor<64x256xf32>, tensor<1024x128xi8> -> tensor<64x1024xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_FloatTensor:$input,
    Lowbit_IntTensor:$packed,
    Lowbit_ParamTensor:$scales,
    Optional<Lowbit_IntTensor>:$zero_points,
    Optional<Lowbit_FloatTensor>:$mins,
    Optional<Lowbit_FloatTensor>:$bias,
    Variadic<Lowbit_FloatTensor>:$epilogue_inputs,
    Lowbit_SchemeAttr:$scheme,
    Lowbit_LayoutAttr:$layout,
    UnitAttr:$dynamic_int8_activations,
    OptionalAttr<TypeAttr>:$activation_type
  );
  let results = (outs Lowbit_FloatTensor:$result);
  let regions = (region MaxSizedRegion<1>:$epilogue);
  let assemblyFormat = [{
    $input `,` $packed `scales` `(` $scales `:` type($scales) `)`
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    (`mins` `(` $mins^ `:` type($mins) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`epilogue_inputs` `(` $epilogue_inputs^ `:` type($epilogue_inputs) `)`)?
    (`epilogue` $epilogue^)?
    attr-dict `:` type($input) `,` type($packed) `->` type($result)
  }];
  let builders = [
    // Without an epilogue.
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
      "::mlir::Value":$packed, "::mlir::Value":$scales,
      "::mlir::Value":$zero_points, "::mlir::Value":$mins,
      "::mlir::Value":$bias, "SchemeAttr":$scheme, "LayoutAttr":$layout), [{
      build($_builder, $_state, result, input, packed, scales, zero_points,
            mins, bias, ::mlir::ValueRange(), scheme, layout,
            /*dynamic_int8_activations=*/false,
            /*activation_type=*/nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Whether the op has an epilogue (a non-empty region).
    bool hasEpilogue() { return !getEpilogue().empty(); }
    /// Whether the activations are rounded to bf16 (`activation_type`).
    bool hasBf16Activations() {
      return getActivationType() && getActivationType()->isBF16();
    }
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

def Lowbit_YieldOp : Lowbit_Op<"yield", [Pure, Terminator,
                                         HasParent<"MatmulOp">]> {
  let summary = "The value a lowbit.matmul epilogue stores";
  let description = [{
    Ends the epilogue of a `lowbit.matmul`: `value`, of the result element
    type, is the output element.

    ```mlir
    lowbit.yield %o : f32
    ```
  }];
  let arguments = (ins AnyFloat:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// IntegerMatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_IntegerMatmulOp : Lowbit_Op<"integer_matmul", [Pure]> {
  let summary = "int8 activations times int8 weights into int32 accumulators";
  let description = [{
    The integer core of a statically quantized fully-connected layer:
    ```
    out[m, n] = sum_k (input[m, k] - input_zero_point) * weights[n, k]
                (+ bias[n])
    ```
    exactly in `i32` (both operands are signed `i8`; `weights` is `[N, K]`,
    one row per output feature, with zero point 0). With activation scale
    `s_x` and weight scales `s_w[n]`, `out * s_x * s_w[n]` is the real
    result, so `bias` holds the real bias quantized at `s_x * s_w[n]`.
    `lowbit.requantize` then brings `out` to the next layer's int8 codes.
    `lowbit-vectorize-integer-matmul` lowers it to the target's int8 dot
    products (`vpdpbusd`, `sdot`); `lowbit-integerize` folds the zero-point
    correction `input_zero_point * sum_k weights[n, k]` into `bias`, so its
    kernels see zero.
    ```mlir
    %acc = lowbit.integer_matmul %xq, %w bias(%b : tensor<120xi32>)
             {input_zero_point = -128 : i32}
             : tensor<1x400xi8>, tensor<120x400xi8> -> tensor<1x120xi32>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[I8]>:$input,
    RankedTensorOf<[I8]>:$weights,
    Optional<RankedTensorOf<[I32]>>:$bias,
    DefaultValuedAttr<I32Attr, "0">:$input_zero_point
  );
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` type($input) `,` type($weights) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DotI8Op
//===----------------------------------------------------------------------===//

def Lowbit_DotI8Op : Lowbit_Op<"dot_i8", [Pure, AllTypesMatch<["acc", "result"]>,
                                           AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Four-way int8 dot products accumulated into int32 lanes";
  let description = [{
    `result[i] = acc[i] + sum_{j < 4} lhs[4i + j] * rhs[4i + j]`, exactly in
    i32, with `rhs` signed and `lhs` signed or, with `unsigned_lhs`,
    unsigned. The vector form of x86 `vpdpbusd` (unsigned x signed) and
    AArch64 `sdot` (signed x signed); `lowbit-lower-dot-i8` picks the
    instruction for the target or plain widening arithmetic.

    `pairs_fit_i16` states that every sum of two adjacent products,
    `lhs[2i] * rhs[2i] + lhs[2i + 1] * rhs[2i + 1]`, lies in i16 (the
    producer knows the operands' ranges), so that the x86 AVX2 form, whose
    `vpmaddubsw` saturates those pair sums to i16, is exact. Without it the
    AVX2 form is not used; operands that break the promise give saturated,
    wrong sums there.

    ```mlir
    %r = lowbit.dot_i8 %acc, %a, %w {unsigned_lhs} : vector<16xi32>, vector<64xi8>
    %s = lowbit.dot_i8 %acc, %u4, %x {pairs_fit_i16, unsigned_lhs} : vector<8xi32>, vector<32xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs,
                       UnitAttr:$unsigned_lhs,
                       UnitAttr:$pairs_fit_i16);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// LookupBytesOp
//===----------------------------------------------------------------------===//

def Lowbit_LookupBytesOp : Lowbit_Op<"lookup_bytes", [Pure,
    AllTypesMatch<["indices", "result"]>]> {
  let summary = "Byte table lookups within 16-byte lanes or in 128 bytes";
  let description = [{
    With a table of the indices' type, `result[i] = table[16 * (i / 16) +
    indices[i]]`: each 16-byte lane of `indices` reads the same lane of
    `table`, a table of 16 bytes. Indices must lie in [0, 16); others give
    an unspecified byte (x86 `vpshufb` reads their low 4 bits or gives 0,
    AArch64 `tbl` gives 0). The vector form of x86 `vpshufb` (SSSE3, AVX2,
    AVX512BW) and AArch64 `tbl`, which the lookup-table matmul kernels
    (`int2_planes`) use to read sums of activation subsets.

    With a table of 128 bytes and indices of another length, `result[i] =
    table[indices[i]]` over the whole table: indices must lie in [0, 128);
    others give an unspecified byte. x86 AVX512-VBMI `vpermi2b` does 64
    bytes at a time; the radix(11) kernels read digit pairs through it.
    (A 128-byte index vector reads 16-byte lanes: split it.)

    `lowbit-lower-lookup-bytes` picks the instruction for the target after
    bufferization (an intrinsic call before it would stop one-shot-bufferize)
    or compares and selects elsewhere.

    ```mlir
    %r = lowbit.lookup_bytes %table, %indices : vector<64xi8>
    %d = lowbit.lookup_bytes %table128, %pairs : vector<128xi8>, vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$table,
                       VectorOfRankAndType<[1], [I8]>:$indices);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:`
      custom<LookupTypes>(type($table), type($indices))
  }];
  let extraClassDeclaration = [{
    /// Whether every index reads the whole 128-byte table (vpermi2b), not
    /// its own 16-byte lane.
    bool isWholeTable() { return getTable().getType() != getType(); }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MultishiftBytesOp
//===----------------------------------------------------------------------===//

def Lowbit_MultishiftBytesOp : Lowbit_Op<"multishift_bytes", [Pure,
    AllTypesMatch<["controls", "data", "result"]>]> {
  let summary = "Unaligned bytes of each 64-bit lane, picked by bit offset";
  let description = [{
    Within each 64-bit lane `q` (bytes `8q` to `8q + 7`, little-endian) of
    `data`, result byte `8q + j` is the 8 bits of the lane starting at bit
    `controls[8q + j] & 63`, wrapping around the lane's top:
    `result[8q + j] = trunc_i8(rotr(data_q, controls[8q + j] & 63))`. Only
    the low 6 bits of a control byte count. The vector form of x86
    `vpmultishiftqb` (AVX512-VBMI), which spreads bit fields into bytes in
    one instruction (the int3 word decode: control `3 (4p + t)`, plus 32
    for the odd word of a lane, gives field `4p + t` in the low bits of
    byte `t`). `lowbit-lower-multishift-bytes` picks the instruction after
    bufferization (an intrinsic call before it would stop
    one-shot-bufferize) or shifts and ors on every other target.

    ```mlir
    %r = lowbit.multishift_bytes %controls, %data : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$controls,
                       VectorOfRankAndType<[1], [I8]>:$data);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $controls `,` $data attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DotBf16Op
//===----------------------------------------------------------------------===//

def Lowbit_DotBf16Op : Lowbit_Op<"dot_bf16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Pairwise bf16 dot products accumulated into f32 lanes";
  let description = [{
    `result[i] = acc[i] + lhs[2i] * rhs[2i] + lhs[2i + 1] * rhs[2i + 1]`
    in f32. A product of two bf16 values is exact in f32; the sums are
    rounded as the target's instruction rounds them: x86 `vdpbf16ps` and
    AArch64 `bfdot` flush denormal inputs and results to zero (`bfdot`
    also rounds the pair sum to odd before adding it), the portable form
    rounds each addition to nearest. The vector form of both instructions;
    `lowbit-lower-dot-bf16` picks the instruction for the target. Unlike
    `x86vector.avx512.dot` it stays out of the intrinsics until after
    bufferization.

    ```mlir
    %r = lowbit.dot_bf16 %acc, %x, %w : vector<16xf32>, vector<32xbf16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$acc,
                       VectorOfRankAndType<[1], [BF16]>:$lhs,
                       VectorOfRankAndType<[1], [BF16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MmlaBf16Op
//===----------------------------------------------------------------------===//

def Lowbit_MmlaBf16Op : Lowbit_Op<"mmla_bf16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "2x4 by 4x2 bf16 matrix products accumulated into 2x2 f32 tiles";
  let description = [{
    Tile `t` (lanes `4t` to `4t + 3` of `acc`, values `8t` to `8t + 7` of
    each operand) is a 2x2 f32 matrix, row-major, plus the product of two
    row-major 2x4 bf16 matrices, the second transposed:
    `result[4t + 2i + j] = acc[4t + 2i + j] + sum_{k < 4} lhs[8t + 4i + k] *
    rhs[8t + 4j + k]`. The vector form of AArch64 `bfmmla`; with activation
    rows as `lhs` and weight rows as `rhs`, lane `2i + j` is row i times
    column j.

    Numerics: a product of two bf16 values is exact in f32 (denormals
    aside). `bfmmla` (Arm ARM `BFMatMulAdd`) is two `bfdot` steps per lane:
    the products of k = 0, 1 are summed, the sum rounded and added to the
    accumulator, the addition rounded; then the same for k = 2, 3. Without
    FEAT_EBF16 (or with FPCR.EBF = 0, which lowbit leaves alone) both
    roundings are to odd (an error below 1 ulp, 2^-23 relative) and denormal
    inputs and results are flushed to zero; with FPCR.EBF = 1 they follow
    FPCR (nearest-even, half an ulp). Either way a lane accumulated over n
    products (n / 2 steps, two roundings of at most 2^-23 of the pair sum
    and of the running sum each) errs at most about n 2^-24 sum |products|,
    the bound of any order of n f32 additions. The portable form
    (`lowbit-lower-dot-bf16` on other targets) adds the same pair sums in
    the same order, rounding to nearest.

    ```mlir
    %r = lowbit.mmla_bf16 %acc, %x, %w : vector<4xf32>, vector<8xbf16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$acc,
                       VectorOfRankAndType<[1], [BF16]>:$lhs,
                       VectorOfRankAndType<[1], [BF16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)
  }];
  let hasVerifier = 1;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
