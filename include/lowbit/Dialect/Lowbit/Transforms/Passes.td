//===- Passes.td - lowbit transformation passes ------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitStripStats : Pass<"lowbit-strip-stats"> {
  let summary = "Remove calibration statistics (`lowbit.stats`)";
  let description = [{
    Replaces every `lowbit.stats` op by its input. Use it to run or compile
    the plain float model from IR that carries calibration observers, or to
    drop stale statistics before calibrating again.

    Before:
    ```mlir
    %0 = lowbit.stats %x {max = array<f32: 4.0>, min = array<f32: -1.5>} : tensor<1x84xf32>
    %1 = arith.addf %0, %0 : tensor<1x84xf32>
    ```
    After:
    ```mlir
    %1 = arith.addf %x, %x : tensor<1x84xf32>
    ```
  }];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

// The scheme options of the weight quantization passes (lowbit-quantize-
// weights, lowbit-gptq, lowbit-awq), read by getWeightSchemeOptions
// (WeightOptions.h).
defvar WeightSchemeOptions = [
    Option<"bits", "bits", "unsigned", "8", "Bits per code (2..8)">,
    Option<"symmetric", "symmetric", "bool", "true",
           "Symmetric (x = q * s) rather than asymmetric codes">,
    Option<"asymmetricForm", "asymmetric-form", "std::string", "\"affine\"",
           "Asymmetric form: affine (integer zero point) or min-scale (float group minimum)">,
    Option<"narrowRange", "narrow-range", "bool", "false",
           "Symmetric codes in [-(2^(b-1)-1), 2^(b-1)-1]">,
    Option<"granularity", "granularity", "std::string", "\"per-channel\"",
           "per-tensor, per-channel (one set per output channel) or per-group (groups along the reduction)">,
    Option<"groupSize", "group-size", "int64_t", "32",
           "Elements per group along the reduction for per-group">,
    Option<"rounding", "rounding", "std::string", "\"nearest-even\"",
           "nearest-even, nearest-away or toward-zero">,
    Option<"codebook", "codebook", "std::string", "\"\"",
           "Optional codebook: 'linspace(LO,HI,N)' or a comma-separated ascending list of levels">,
    Option<"clipping", "clipping", "std::string", "\"minmax\"",
           "Range per group: minmax, or mse (search the clipping that minimizes squared error)">,
    Option<"paramType", "param-type", "std::string", "\"f32\"",
           "Element type of scales and minimums: f32 or f16 (parameters are rounded before codes are computed), "
           "or superblock (lowbit-quantize-weights, min-scale groups: i8 parameter bytes of radix superblocks, "
           "SuperblockRadix.h)">
];

// Which weights a weight quantization pass takes (WeightAnalysis.h).
defvar WeightSelectionOptions = [
    Option<"minElements", "min-elements", "int64_t", "1",
           "Weights with fewer elements stay float">,
    ListOption<"ops", "ops", "std::string",
               "Only weights of these ops (e.g. linalg.matmul); empty: all supported ops">,
    Option<"filter", "filter", "std::string", "\"\"",
           "Only weights whose name (resource key or name location) matches this regex">,
    Option<"report", "report", "bool", "false",
           "Emit a remark per weight: shape, scheme, bytes, MSE, max abs error, SQNR; "
           "a remark per matmul/convolution left in float for any reason; a summary">,
    Option<"maxConstantBytes", "max-constant-bytes", "uint64_t", "4294967296",
           "Largest weight (bytes once expanded: a splat counts every element) "
           "the pass reads; a larger one is an error">,
    Option<"numThreads", "num-threads", "unsigned", "0",
           "Threads for quantizing large weights (0: all; results do not depend on it)">
];

def LowbitQuantizeWeights : Pass<"lowbit-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Quantize constant weights of matmuls and convolutions";
  let description = [{
    Finds constant weights (`dense` or `dense_resource`) feeding the weight
    operand of `linalg.matmul`, `linalg.batch_matmul`, `linalg.matvec`,
    `linalg.conv_2d_nchw_fchw`, `linalg.conv_2d_nhwc_hwcf` and contraction
    `linalg.generic`s, directly or through a `linalg.transpose` (TOSA
    models: run `tosa-to-linalg-named` and `tosa-to-linalg` first, as the
    `lowbit-quantize` pipeline does). Each such weight is quantized under the
    chosen scheme and replaced by integer codes and parameters feeding
    `lowbit.dequantize`, so the program means the same up to quantization
    error.

    Weights are brought into the canonical `[N, K]` form first: the
    dimensions that the consumer iterates in parallel (output channels) are
    collapsed into N and the reduction dimensions into K, in their original
    order (a `linalg.transpose` is emitted back when the reduction
    dimensions came first). Per-channel parameters are then per row of
    `[N, K]` and groups run along K, which is also the axis packing works
    on. A dimension that is not a multiple of the group size ends in a
    partial group.

    Before:
    ```mlir
    %w = arith.constant dense_resource<fc1> : tensor<120x400xf32>
    %t = linalg.transpose ins(%w : tensor<120x400xf32>) outs(%e : tensor<400x120xf32>) permutation = [1, 0]
    %y = linalg.matmul ins(%x, %t : tensor<1x400xf32>, tensor<400x120xf32>) outs(%acc : tensor<1x120xf32>) -> tensor<1x120xf32>
    ```
    After (`bits=4 granularity=per-group group-size=32`):
    ```mlir
    %codes = arith.constant dense_resource<fc1_codes> : tensor<120x400xi8>
    %scales = arith.constant dense_resource<fc1_scales> : tensor<120x13xf16>
    %w = lowbit.dequantize %codes scales(%scales : tensor<120x13xf16>)
           {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>}
           : tensor<120x400xi8> -> tensor<120x400xf32>
    %t = linalg.transpose ins(%w : ...) ...
    ```

    NaN or Inf in a weight is an error at the weight's location naming the
    tensor and the first bad index, and so is a weight larger than
    `max-constant-bytes` once expanded (default 4 GiB: a 300-byte splat may
    declare 16 GiB). Every matmul or convolution left in float gets a remark
    saying why: its weight is a function argument rather than a constant,
    has no elements or fewer than `min-elements`, has a dynamic or
    unsupported shape. Weights already quantized (`lowbit.dequantize`) are
    not remarked, nor, unless `report` is set, products of two computed
    values (attention). With `report`, a remark per weight gives its shape,
    scheme, bytes before and after (codes at the scheme's bit width plus
    parameters), MSE, max abs error and SQNR, and a final remark on the
    module counts the matmuls/convolutions quantized and left in float.
  }];
  let options = !listconcat(WeightSchemeOptions, WeightSelectionOptions);
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowbitPackWeights : Pass<"lowbit-pack-weights", "::mlir::ModuleOp"> {
  let summary = "Pack constant integer weight codes into a kernel layout";
  let description = [{
    Rewrites `lowbit.dequantize` of constant `[N, K]` codes with constant
    parameters into a `lowbit.packed_weight` (codes packed row by row under
    a `#lowbit.layout`) followed by `lowbit.unpack` and the same
    `lowbit.dequantize`, so the program keeps its meaning while the weight
    is stored packed. The layout is `layout` or, with `layout=auto`, the one
    the kernels prefer for the scheme: `int8` for 5 to 8 bits,
    `int4_interleaved` (block = group size when even, else 32) for 4 bits,
    `int3` and `int2`, and `radix(L)` for codebooks of L <= 16 levels whose
    radix words are denser than plain bits (e.g. 11 levels: 9 per 32-bit
    word, 3.56 bits per code; with `dynamic-int8-activations`, nine-digit
    codebooks take `radix_fields(L)` instead: as dense, and cheaper for the
    int8 kernels to decode). Per-group schemes pack each group as its own
    block so groups start on storage-unit boundaries. Superblock parameters
    (`i8` scales from `param-type=superblock`) take
    `radix_superblock(L), block = group size`, which wastes no digit slot.

    Before:
    ```mlir
    %w = lowbit.dequantize %codes scales(%s : tensor<120x13xf16>) {scheme = ...} : tensor<120x400xi8> -> tensor<120x400xf32>
    ```
    After:
    ```mlir
    %p, %sc = lowbit.packed_weight {data = dense_resource<...> : tensor<120x208xi8>, ...}
    %c = lowbit.unpack %p {layout = #lowbit.layout<int4_interleaved, block = 32>, signed_codes} : tensor<120x208xi8> -> tensor<120x400xi8>
    %w = lowbit.dequantize %c scales(%sc : tensor<120x13xf16>) {scheme = ...} : tensor<120x400xi8> -> tensor<120x400xf32>
    ```

    With `dynamic-int8-activations` and `panel-min-rows=R > 0`, the weights
    of matmuls whose activations will be quantized to int8 at run time and
    which all have a static M >= R rows (every use of the weight a
    `linalg.matmul` reading it transposed) are packed for the
    outer-product kernels instead: `int8_panel` for signed symmetric 8-bit
    codes per tensor or channel, `int4_panel` (block = group size) for
    4-bit groups that are a multiple of 8, `int3_panel` for signed
    symmetric 3-bit groups that are a multiple of 32 (`w3g64`) and
    `int2_panel` for 2-bit groups that are a multiple of 16, symmetric or
    min/scale (`w2g32`), `radix_panel(R)` for min/scale codes of an evenly
    spaced 10- or 11-level codebook in groups that are a multiple of 4
    (`c11g128`). With few rows the dot-form kernels, which stream
    each weight row once, stay.

    With `report`, a remark per weight gives the packed bytes (storage plus
    parameters) against the f32 bytes.
  }];
  let options = [
    Option<"layout", "layout", "std::string", "\"auto\"",
           "auto, int8, int4, int4-interleaved, int2, int2-planes (bit "
           "planes for the lookup-table kernels), int3, int8-panel, "
           "int4-panel, int3-panel, int2-panel, radix-panel, radix (base = "
           "codebook size), radix-fields (codebooks of 2 to 11 levels) "
           "or radix-superblock (the only one, and auto's choice, for "
           "superblock parameters)">,
    Option<"dynamicInt8Activations", "dynamic-int8-activations", "bool",
           "false",
           "The matmuls will quantize their activations to int8 at run time "
           "(lowbit-fuse-matmul's option of the same name)">,
    Option<"panelMinRows", "panel-min-rows", "unsigned", "0",
           "With dynamic-int8-activations: pack weights of matmuls with at "
           "least this many (static) rows in panel layouts (0: never)">,
    Option<"report", "report", "bool", "false",
           "Emit a remark per packed weight with its byte counts">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect", "::mlir::arith::ArithDialect"];
}

def LowbitImportQuant : Pass<"lowbit-import-quant", "::mlir::ModuleOp"> {
  let summary = "Convert upstream quant.qcast / quant.dcast to lowbit ops";
  let description = [{
    Rewrites `quant.qcast` / `quant.dcast` / `quant.scast` on tensors of
    `!quant.uniform` types (per-tensor, per-axis and sub-channel with one
    blocked dimension) into `lowbit.quantize` / `lowbit.dequantize` with the
    scales and zero points as constant operands, and quantized tensor types
    (including those of function signatures) into their storage types.

    The meaning is upstream's, except that values are rounded to nearest
    even and saturated to the storage range (upstream `lower-quant-ops`
    truncates and does not saturate full-range storage).

    Before:
    ```mlir
    %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:3>>
    ```
    After:
    ```mlir
    %s = arith.constant dense<5.000000e-01> : tensor<f32>
    %z = arith.constant dense<3> : tensor<i8>
    %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>)
           {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<4xf32> -> tensor<4xi8>
    ```

    `quant.scast` is the identity on storage values. With
    `require-paired-storage-casts` (what `lowbitc` and the `lowbit-quantize`
    pipeline use), a `quant.scast` whose quantized value neither comes from
    a `quant.qcast` nor feeds a `quant.dcast` is an error: its scale and
    zero point would never be applied, so the model would silently compute
    on raw integer codes.
  }];
  let options = [
    Option<"requirePairedStorageCasts", "require-paired-storage-casts",
           "bool", "false",
           "Reject a quant.scast whose quantized side meets no quant.qcast "
           "or quant.dcast">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect", "::mlir::arith::ArithDialect"];
}

def LowbitExportCInterface : Pass<"lowbit-export-c-interface", "::mlir::ModuleOp"> {
  let summary = "Wrap public functions in plain C entry points";
  let description = [{
    For every public `func.func @NAME` whose arguments and results are
    statically shaped tensors, adds a public function `@lowbit_NAME` that
    takes one buffer per argument followed by one buffer per result
    (`memref`s of the same static shapes, dense row-major), calls `@NAME`,
    writes the results into the result buffers and returns `0 : i32`. The
    original function becomes private (and is usually inlined). Lowered with
    the bare-pointer calling convention, `@lowbit_lenet` is the C function

    ```c
    int lowbit_lenet(const float *in0, float *out0);
    ```

    Before:
    ```mlir
    func.func @lenet(%x: tensor<1x1x32x32xf32>) -> tensor<1x10xf32>
    ```
    After:
    ```mlir
    func.func private @lenet(%x: tensor<1x1x32x32xf32>) -> tensor<1x10xf32>
    func.func @lowbit_lenet(%in0: memref<1x1x32x32xf32>, %out0: memref<1x10xf32>) -> i32
        attributes {lowbit.entry_point} {
      %0 = bufferization.to_tensor %in0 restrict : memref<1x1x32x32xf32> to tensor<1x1x32x32xf32>
      %1 = call @lenet(%0) : (tensor<1x1x32x32xf32>) -> tensor<1x10xf32>
      bufferization.materialize_in_destination %1 in restrict writable %out0 : (tensor<1x10xf32>, memref<1x10xf32>) -> ()
      %c0 = arith.constant 0 : i32
      return %c0 : i32
    }
    ```

    A public function with a dynamic shape, an unranked tensor or a
    non-tensor argument is an error at the function: it has no plain C form.
  }];
  let options = [
    Option<"prefix", "prefix", "std::string", "\"lowbit_\"",
           "Prefix of the exported C function names">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowbitPlanWorkspace : Pass<"lowbit-plan-workspace", "::mlir::ModuleOp"> {
  let summary = "Plan a C entry point's intermediate buffers into one workspace";
  let description = [{
    Runs on buffers, after bufferization and before deallocation. For every
    C entry point made by `lowbit-export-c-interface` (`@lowbit_NAME`), the
    statically shaped `memref.alloc`s in the function's body (not in loops)
    are given offsets in one workspace, planned at compile time:

    * each buffer lives from its allocation to the last top-level operation
      that uses it or any view of it (subviews, reshapes, casts, loops that
      carry it); a use inside a loop keeps it alive for the whole loop;
    * buffers whose lifetimes overlap get disjoint bytes; the others share
      (greedy placement, largest buffer first, each at the lowest offset
      that is free for its lifetime; offsets are multiples of 64 bytes);
    * every planned allocation becomes a `memref.view` of the workspace and
      its deallocations disappear.

    The entry point then exists in three forms:

    ```c
    size_t lowbit_NAME_workspace_size(void);          /* bytes, >= 64 */
    int lowbit_NAME_with_workspace(const float *in0, ..., float *out0,
                                   void *workspace);  /* 64-byte aligned */
    int lowbit_NAME(const float *in0, ..., float *out0);
    ```

    The first two allocate nothing; the last allocates the workspace with
    `malloc` for the call and frees it. Buffers that cannot be planned
    (dynamic shapes, allocations inside loops) stay heap allocations, and
    the pass says so with a remark. The sizes are also recorded on the
    module as `lowbit.workspace_sizes = {lowbit_NAME = BYTES : i64}`.

    Before:
    ```mlir
    func.func @lowbit_f(%in0: memref<64xf32>, %out0: memref<64xf32>) -> i32
        attributes {lowbit.entry_point} {
      %a = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
      ...
    }
    ```
    After:
    ```mlir
    func.func @lowbit_f_with_workspace(%in0: memref<64xf32>,
        %out0: memref<64xf32>, %ws: memref<256xi8>) -> i32 {
      %c0 = arith.constant 0 : index
      %a = memref.view %ws[%c0][] : memref<256xi8> to memref<64xf32>
      ...
    }
    func.func @lowbit_f(%in0: memref<64xf32>, %out0: memref<64xf32>) -> i32 {
      %ws = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
      %0 = call @lowbit_f_with_workspace(%in0, %out0, %ws) : ...
      memref.dealloc %ws : memref<256xi8>
      return %0 : i32
    }
    func.func @lowbit_f_workspace_size() -> i64 {
      %c = arith.constant 256 : i64
      return %c : i64
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowbitExternalizeConstants
    : Pass<"lowbit-externalize-constants", "::mlir::ModuleOp"> {
  let summary = "Move constant globals into a weights buffer the caller passes";
  let description = [{
    Runs on buffers, after bufferization and before `lowbit-plan-workspace`
    (`lowbitc --weights=external`). Every constant `memref.global` with an
    initial value (packed weights, scales, tables) gets a 64-byte aligned
    offset in one weights buffer laid out as the weights file of
    `lowbit/Numerics/WeightsFile.h` (a 64-byte header, then the constants);
    each `memref.get_global` of it becomes a `memref.view` of a new first
    argument `memref<TOTALxi8>`, and the globals disappear. The argument is
    threaded through every function that reads a constant or calls one that
    does, and given to every C entry point (`lowbit.entry_point`), which
    thus take `const void *weights` first in all their forms.

    For each entry point `@lowbit_NAME` the pass adds
    `@lowbit_NAME_weights_size() -> i64` (the file's size) and
    `@lowbit_NAME_check_weights(memref<TOTALxi8>, i64) -> i32`, which checks
    the size, magic, version, total and fingerprint of a loaded file and
    folds its content into the fingerprint again (0 when it matches; the
    codes of `numerics::WeightsCheck` otherwise). The file's size,
    fingerprint, offsets and the constants themselves are recorded on the
    module as `lowbit.external_weights`, from which lowbitc writes the file.

    Constants that the file cannot hold (dynamic shapes, non-identity
    layouts, element types that are not whole bytes, values that are not
    dense) are errors at the global.

    Before:
    ```mlir
    memref.global "private" constant @w : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    func.func @lowbit_f(%in0: memref<4xf32>, %out0: memref<4xf32>) -> i32
        attributes {lowbit.entry_point} {
      %w = memref.get_global @w : memref<4xf32>
      ...
    }
    ```
    After:
    ```mlir
    func.func @lowbit_f(%weights: memref<128xi8>, %in0: memref<4xf32>,
        %out0: memref<4xf32>) -> i32 attributes {lowbit.entry_point} {
      %c64 = arith.constant 64 : index
      %w = memref.view %weights[%c64][] : memref<128xi8> to memref<4xf32>
      ...
    }
    func.func @lowbit_f_weights_size() -> i64 { ... 128 ... }
    func.func @lowbit_f_check_weights(%weights: memref<128xi8>, %size: i64)
        -> i32 { ... }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def LowbitFuseMatmul : Pass<"lowbit-fuse-matmul", "::mlir::ModuleOp"> {
  let summary = "Fuse dequantized packed weights and matmul into lowbit.matmul";
  let description = [{
    Rewrites `linalg.matmul` whose right operand is the transpose of a
    `lowbit.dequantize` of a `lowbit.unpack` of a `lowbit.packed_weight`
    (the form `lowbit-quantize` leaves fully-connected layers in), on a
    zero-filled accumulator, into `lowbit.matmul` on the packed weight. A
    following bias addition (`linalg.generic` adding a `[N]` vector
    broadcast along rows, the fully-connected pattern of exported models)
    becomes the op's `bias`. The kernels then unpack weights in registers
    instead of materializing the float weight.

    Before:
    ```mlir
    %p, %s = lowbit.packed_weight {...} : tensor<120x208xi8>, tensor<120x13xf16>
    %c = lowbit.unpack %p {...} : tensor<120x208xi8> -> tensor<120x400xi8>
    %w = lowbit.dequantize %c scales(%s : tensor<120x13xf16>) {...} : tensor<120x400xi8> -> tensor<120x400xf32>
    %t = linalg.transpose ins(%w : tensor<120x400xf32>) outs(%e : tensor<400x120xf32>) permutation = [1, 0]
    %y = linalg.matmul ins(%x, %t : tensor<1x400xf32>, tensor<400x120xf32>) outs(%zero : tensor<1x120xf32>) -> tensor<1x120xf32>
    %z = linalg.generic {...} ins(%y, %b : tensor<1x120xf32>, tensor<120xf32>) ... { arith.addf }
    ```
    After:
    ```mlir
    %z = lowbit.matmul %x, %p scales(%s : tensor<120x13xf16>) bias(%b : tensor<120xf32>) {...}
           : tensor<1x400xf32>, tensor<120x208xi8> -> tensor<1x120xf32>
    ```

    With `dynamic-int8-activations`, fused matmuls whose weights are signed,
    symmetric, without a codebook and packed as `int8`,
    `int4_interleaved`, `int8_panel` or `int4_panel`, and those of any
    scheme packed as `int3`, `int2`, `radix`, `int3_panel` or
    `int2_panel` (codes enter the dot
    products unsigned; offsets and mins meet per-group activation sums),
    get `dynamic_int8_activations`. With `bf16-activations`, every fused
    matmul on a weight-only layout gets `activation_type = bf16`.
  }];
  let options = [
    Option<"dynamicInt8Activations", "dynamic-int8-activations", "bool",
           "false",
           "Quantize activations per row to int8 at run time where the "
           "weights allow integer dot products">,
    Option<"bf16Activations", "bf16-activations", "bool", "false",
           "Round the fused matmuls' activations to bf16 (activation_type)">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

def LowbitFuseMatmulEpilogue
    : Pass<"lowbit-fuse-matmul-epilogue", "::mlir::ModuleOp"> {
  let summary = "Fold elementwise consumers of lowbit.matmul into its epilogue";
  let description = [{
    A `lowbit.matmul` whose only user is an elementwise `linalg.generic`
    (an activation such as GELU, ReLU or SiLU, a residual addition, a
    scaling) takes that op's body as its `epilogue`, so that the kernels
    apply it to each output value in registers instead of a second pass
    over memory. The generic qualifies when all its loops are parallel, it
    reads the matmul result with the identity map, its other inputs are
    float tensors of the result's shape read with the identity map or `[N]`
    tensors read as `(m, n) -> (n)` (these become `epilogue_inputs`), it
    does not read its output, its result has the matmul's type, and its
    body holds only side-effect free scalar `arith` and `math` ops (using
    block arguments and constants). Chains fold one op at a time; a plain
    bias addition after a matmul without bias or epilogue becomes its
    `bias` instead.

    Before:
    ```mlir
    %y = lowbit.matmul %x, %p scales(%s : tensor<1024x8xf16>) bias(%b : tensor<1024xf32>) {...}
           : tensor<64x256xf32>, tensor<1024x128xi8> -> tensor<64x1024xf32>
    %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
           ins(%y : tensor<64x1024xf32>) outs(%e : tensor<64x1024xf32>) {
    ^bb0(%in: f32, %out: f32):
      %t = arith.mulf %in, %cst_rsqrt2 : f32
      %erf = math.erf %t : f32
      ...
      linalg.yield %gelu : f32
    } -> tensor<64x1024xf32>
    ```
    After:
    ```mlir
    %g = lowbit.matmul %x, %p scales(%s : tensor<1024x8xf16>) bias(%b : tensor<1024xf32>) epilogue {
    ^bb0(%in: f32):
      %cst_rsqrt2 = arith.constant 0.707106769 : f32
      %t = arith.mulf %in, %cst_rsqrt2 : f32
      %erf = math.erf %t : f32
      ...
      lowbit.yield %gelu : f32
    } {...} : tensor<64x256xf32>, tensor<1024x128xi8> -> tensor<64x1024xf32>
    ```
  }];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

def LowbitVectorizeMatmul : Pass<"lowbit-vectorize-matmul", "::mlir::ModuleOp"> {
  let summary = "Lower lowbit.matmul to vector loops that unpack in registers";
  let description = [{
    Replaces `lowbit.matmul` on packed weights of every layout (per-tensor,
    per-channel, or per-group with groups equal to the packing blocks;
    codebooks must be evenly spaced) by `scf.for`
    loops over the output whose inner loop walks the packed row one segment
    at a time: a vector load of the segment's storage units, unpacking in
    registers (nibble masks and shifts; for `int4`, `int3`, `int2` and
    `radix(R)` slot by slot, bit fields or the multiply-only radix decode
    `((q * R^i mod 2^32) * R) >> 32`, against activations regrouped per slot
    once per call), dequantization with the segment's
    scale (and zero point or minimum), and a multiply-add into a vector
    accumulator that is reduced once per output element. Activations past K
    are masked to zero, so padding codes contribute nothing.

    The code is target-independent `vector`/`arith`; LLVM picks AVX2,
    AVX-512 or NEON instructions for the target CPU. Groups that are not the
    packing blocks, and uneven codebooks, are left to the generic lowering
    (unpack + dequantize + matmul).

    With `dynamic_int8_activations` (int8, int4_interleaved, int3, int2 or
    radix weights; on the last three the codes of a word, or one slot of
    every byte, make each dot product, see docs/Lowering.md; int2_planes
    weights take the lookup-table kernels instead: per quad of activations
    a table of its 16 subset sums, read with `lowbit.lookup_bytes`), the
    activation rows are first quantized to int8 (one scale per row), and
    each segment is a `lowbit.dot_i8` integer dot product; an int4 segment
    is four blocks, whose low and then high nibbles meet activations stored
    regrouped to match (one 64-byte dot product each). With
    `int8-dot=avx512-vnni` (or `avx-vnni`) the weights enter as unsigned
    bytes q + 128
    (int8) or q + 8 (int4) and every lane starts from the matching
    correction, -offset times the sum of its activations, precomputed per
    row: the form `vpdpbusd` computes. With `int8-dot=avx2` int4 weights do
    the same (their 16-bit pair sums cannot saturate `vpmaddubsw`), int8
    weights enter as |q| against activations carrying q's sign; otherwise
    both sides stay signed (`sdot`, or generic widening code). With `i8mm`,
    tiles of activation rows meet pairs of weight rows in 2x2 blocks of
    AArch64 `smmla` (8 bytes of each of the four rows per instruction),
    each group's block sums scaled per column. With `vbmi` (AVX512-VBMI),
    the four fields of each quad of `int3` words are spread into bytes by
    one `lowbit.multishift_bytes` (`vpmultishiftqb`) and a mask.
    `lowbit-lower-dot-i8` then picks the instructions; lowbitc chooses the
    options from the CPU's features.

    With `parallel`, kernels of at least 256K multiply-adds split their
    output columns into chunks fixed at compile time, the iterations of an
    `scf.forall` that writes one slice of the output each (the lowering
    runs them on OpenMP threads): with several activation rows the chunks are
    the column blocks, with one row ranges of at least 16 KiB of weights (at
    most 64 chunks). Activations are quantized or regrouped once, before the
    loop; every output is computed the same way for any thread count.

    Before:
    ```mlir
    %y = lowbit.matmul %x, %p scales(%s : tensor<120x13xf16>) {...} : tensor<1x400xf32>, tensor<120x208xi8> -> tensor<1x120xf32>
    ```
    After (sketch):
    ```mlir
    scf.for %m ... { scf.for %n ... {
      %acc = scf.for %seg ... iter_args(%a = %zero : vector<16xf32>) {
        %bytes = vector.transfer_read %p[%n, %unit] ... : tensor<120x208xi8>, vector<16xi8>
        %lo = arith.andi %bytes, %c15 ...   %hi = arith.shrui %bytes, %c4 ...
        ... arith.mulf / arith.addf {fastmath<contract>} ...
      }
      %sum = vector.reduction <add>, %acc : vector<16xf32> into f32
    } }
    ```
  }];
  let options = [
    Option<"int8Dot", "int8-dot", "std::string", "\"generic\"",
           "Integer dot products for dynamic int8 activations: generic, "
           "avx512-vnni (needs AVX512-VNNI and AVX512-VL), avx-vnni, avx2 "
           "ssse3, sse2 or arm-dotprod">,
    Option<"i8mm", "i8mm", "bool", "false",
           "Dynamic int8 activations: AArch64 smmla for pairs of rows and "
           "columns (needs +i8mm)">,
    Option<"vbmi", "vbmi", "bool", "false",
           "AVX512-VBMI byte permutes and multishifts (vpermb, vpermi2b, "
           "vpmultishiftqb)">,
    Option<"parallel", "parallel", "bool", "false",
           "Split large kernels' output columns across threads (scf.forall)">,
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Width of the target's vector registers (128: SSE or NEON, 256: "
           "AVX2, 512: AVX-512); below 512, accumulators are one register "
           "wide and row tiles fit 16 registers">,
    Option<"bf16Dot", "bf16-dot", "std::string", "\"none\"",
           "Dot products of matmuls with activation_type = bf16: none (f32 "
           "multiply-adds on the rounded activations), avx512-bf16 "
           "(vdpbf16ps, x86vector.avx512.dot) or arm-bf16 (AArch64 bfdot, "
           "lowbit.dot_bf16)">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::arm_neon::ArmNeonDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitLowerDotI8 : Pass<"lowbit-lower-dot-i8"> {
  let summary = "Lower lowbit.dot_i8 to the target's int8 dot instructions";
  let description = [{
    Rewrites `lowbit.dot_i8` into `llvm.x86.avx512.vpdpbusd.{128,256,512}`
    (`isa=avx512-vnni`, unsigned x signed bytes, up to 64 bytes at once;
    `isa=avx-vnni`: up to 32, which LLVM encodes with VEX), into
    `llvm.x86.avx2.pmadd.ub.sw` + `llvm.x86.avx2.pmadd.wd` by ones per 32
    bytes (`isa=avx2`, unsigned x signed with `pairs_fit_i16`; the SSSE3/SSE2
    forms for a 16-byte remainder, and only them with `isa=ssse3`), into
    `llvm.x86.sse2.pmadd.wd` on operands widened to i16 per 16 bytes, the
    pair sums of both halves then added into quads (`isa=sse2`, any signs),
    into
    `arm_neon.intr.sdot` per 16 bytes (`isa=arm-dotprod`, signed x signed),
    or into widening multiplies and a four-way `vector.multi_reduction`
    (`isa=generic`, and whatever an ISA cannot take). Runs after
    bufferization: the intrinsic calls have no declared memory effects.

    Before:
    ```mlir
    %r = lowbit.dot_i8 %acc, %a, %w {unsigned_lhs} : vector<16xi32>, vector<64xi8>
    ```
    After (`isa=avx512-vnni`):
    ```mlir
    %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %a, %w) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"generic\"",
           "generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::arm_neon::ArmNeonDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitLowerDotBf16 : Pass<"lowbit-lower-dot-bf16"> {
  let summary = "Lower lowbit.dot_bf16 and lowbit.mmla_bf16 to the target's "
                "bf16 dot instructions";
  let description = [{
    Rewrites `lowbit.dot_bf16` into `llvm.aarch64.neon.bfdot.v4f32.v8bf16`
    per 4 lanes (`isa=arm-bf16`, AArch64 with +bf16), into
    `x86vector.avx512.dot` (`vdpbf16ps`) per 16 lanes (`isa=avx512-bf16`),
    or into f32 multiplies and adds of the even and odd products
    (`isa=none`, and lane counts an instruction cannot take). Rewrites
    `lowbit.mmla_bf16` into `llvm.aarch64.neon.bfmmla` per 2x2 tile
    (`isa=arm-bf16`), elsewhere into f32 products whose pair sums are added
    to the accumulator in `bfmmla`'s order. Runs after bufferization: the
    intrinsic calls have no declared memory effects.

    Before:
    ```mlir
    %r = lowbit.dot_bf16 %acc, %x, %w : vector<4xf32>, vector<8xbf16>
    ```
    After (`isa=arm-bf16`):
    ```mlir
    %r = llvm.call_intrinsic "llvm.aarch64.neon.bfdot.v4f32.v8bf16"(%acc, %x, %w) : (vector<4xf32>, vector<8xbf16>, vector<8xbf16>) -> vector<4xf32>
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"none\"",
           "none, avx512-bf16 or arm-bf16">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def LowbitLowerLookupBytes : Pass<"lowbit-lower-lookup-bytes"> {
  let summary = "Lower lowbit.lookup_bytes to the target's byte shuffles";
  let description = [{
    Rewrites `lowbit.lookup_bytes` into `vpshufb` per 64 bytes
    (`isa=avx512bw`: `llvm.x86.avx512.pshuf.b.512`), per 32
    (`isa=avx2`: `llvm.x86.avx2.pshuf.b`) or per 16 (`isa=ssse3`:
    `llvm.x86.ssse3.pshuf.b.128`), into AArch64 `tbl` per 16
    (`isa=neon`: `llvm.aarch64.neon.tbl1.v16i8`), or, with `isa=generic`
    (x86-64 without SSSE3, any other target), into 16 compares and
    selects against each lane's table entries broadcast. Lookups in a
    whole 128-byte table become `vpermi2b` per 64 bytes of indices
    (`isa=avx512vbmi`: `llvm.x86.avx512.vpermi2var.qi.512`, the table's
    halves as its two table operands; 16-byte lanes as with `avx512bw`),
    elsewhere 128 compares and selects. Runs after bufferization: the
    intrinsic calls have no declared memory effects.

    Before:
    ```mlir
    %r = lowbit.lookup_bytes %t, %i : vector<32xi8>
    ```
    After (`isa=avx2`):
    ```mlir
    %r = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%t, %i) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"generic\"",
           "generic, ssse3, avx2, avx512bw, avx512vbmi (vpshufb and, for "
           "128-byte tables, vpermi2b) or neon">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitLowerMultishiftBytes : Pass<"lowbit-lower-multishift-bytes"> {
  let summary = "Lower lowbit.multishift_bytes to vpmultishiftqb or shifts";
  let description = [{
    Rewrites `lowbit.multishift_bytes` into one x86 `vpmultishiftqb` per 64
    bytes (`vbmi`: `llvm.x86.avx512.pmultishift.qb.512`, AVX512-VBMI), or,
    without `vbmi` and for vectors that are not whole 64-byte chunks, into
    code any target runs: each 64-bit lane repeated for its eight result
    bytes, rotated right by the control's low 6 bits (two shifts and an or
    on 64-bit lanes) and truncated. Runs after bufferization: the intrinsic
    call has no declared memory effects.

    Before:
    ```mlir
    %r = lowbit.multishift_bytes %c, %d : vector<64xi8>
    ```
    After (`vbmi`):
    ```mlir
    %r = llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%c, %d) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
    ```
  }];
  let options = [
    Option<"vbmi", "vbmi", "bool", "false",
           "AVX512-VBMI byte permutes and multishifts (vpermb, vpermi2b, "
           "vpmultishiftqb)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitOrderConstantGlobals
    : Pass<"lowbit-order-constant-globals", "::mlir::ModuleOp"> {
  let summary = "Name and place bufferization's constant globals by first use";
  let description = [{
    One-shot module bufferization turns every tensor constant into a private
    `memref.global` named `__constant_<shape>` (with `_0`, `_1`, ... for
    repeated shapes) in the order it visits the functions, and functions
    that call nothing are visited in an unspecified order. With several
    functions the names and placement of the globals, and so the object
    file's bytes, changed from run to run.

    This pass makes them a function of the module's text alone: the private
    constant globals whose names start with `__constant_` are renamed in the
    order of their first `memref.get_global` in a walk of the module (the
    first of a shape keeps the plain name, the next ones get `_1`, `_2`,
    ...), and moved, in that order, before the module's first other
    operation. Globals that nothing reads come last, in name order. Runs right
    after `one-shot-bufferize`.

    Before (`@b`'s constant was visited first):
    ```mlir
    memref.global "private" constant @__constant_2xf32_0 : memref<2xf32> = dense<[1.0, 2.0]>
    memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[3.0, 4.0]>
    func.func @a() { %0 = memref.get_global @__constant_2xf32_0 : memref<2xf32> ... }
    func.func @b() { %0 = memref.get_global @__constant_2xf32 : memref<2xf32> ... }
    ```
    After:
    ```mlir
    memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]>
    memref.global "private" constant @__constant_2xf32_1 : memref<2xf32> = dense<[3.0, 4.0]>
    func.func @a() { %0 = memref.get_global @__constant_2xf32 : memref<2xf32> ... }
    func.func @b() { %0 = memref.get_global @__constant_2xf32_1 : memref<2xf32> ... }
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def LowbitLowerStridedCopies : Pass<"lowbit-lower-strided-copies"> {
  let summary = "Lower non-contiguous memref.copy to vector loops";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to `llvm.memcpy` but any other copy to a call of `memrefCopy`, a
    function of MLIR's runtime library that a self-contained object cannot
    reference. Bufferization produces such copies for `tensor.pad` and
    `tensor.insert_slice` (a copy into a strided subview), and so can
    `buffer-results-to-out-params` and `bufferization.clone`.

    This pass rewrites every copy that is not contiguous on both sides
    (contiguous copies stay as they are): the trailing dimensions that both
    buffers can collapse are merged into one row (`memref.collapse_shape`),
    `scf.for` loops walk the other dimensions, and each row moves in 1-D
    `vector.transfer_read` / `vector.transfer_write` chunks of 512 bits plus
    one static remainder, all in bounds. Where the innermost stride is not 1,
    the row length is dynamic, or the element is not a whole number of bytes
    (`i1`, `i4`), elements are copied one by one (`memref.load` /
    `memref.store`). Copies of unranked memrefs are errors. Runs after
    bufferization, before `convert-scf-to-cf`.

    Before:
    ```mlir
    memref.copy %arg0, %subview : memref<2x4xf32> to memref<2x4xf32, strided<[6, 1], offset: 7>>
    ```
    After:
    ```mlir
    scf.for %i = %c0 to %c2 step %c1 {
      %row = vector.transfer_read %arg0[%i, %c0], %pad {in_bounds = [true]} : memref<2x4xf32>, vector<4xf32>
      vector.transfer_write %row, %subview[%i, %c0] {in_bounds = [true]} : vector<4xf32>, memref<2x4xf32, strided<[6, 1], offset: 7>>
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitInsertObservers : Pass<"lowbit-insert-observers", "::mlir::ModuleOp"> {
  let summary = "Mark the activations calibration measures with lowbit.observe";
  let description = [{
    Inserts a `lowbit.observe` on each activation a static quantization
    needs statistics for, numbering them in program order (`id` 0, 1, ...):

    * every floating-point tensor argument (of rank >= 1) of a public
      function (the model inputs);
    * the data input of every convolution and contraction (`linalg` ops
      implementing the convolution or contraction interface whose operand
      is not computed from constants alone);
    * every layer output: the result of such an op after the chain of
      single-use elementwise ops that follows it (bias addition,
      activation), and every returned value.

    Only public functions (the entry points calibration runs) are
    instrumented; private ones are inlined into them by the lowering. A
    value is observed once. With `per-channel`, observers of tensors of
    rank >= 2 carry `axis = 1` (the channel of NCHW and the feature of
    `[M, N]`), so per-channel minimums and maximums are collected too.
    Modules that already hold `lowbit.observe` or `lowbit.stats` are left
    alone (with a remark), so the pass is idempotent.

    Before:
    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<1x400xf32>, tensor<400x120xf32>) outs(%z : tensor<1x120xf32>) -> tensor<1x120xf32>
    ```
    After:
    ```mlir
    %0 = lowbit.observe %x {id = 1 : i64} : tensor<1x400xf32>
    %y = linalg.matmul ins(%0, %w : ...) ...
    %1 = lowbit.observe %y {id = 2 : i64} : tensor<1x120xf32>
    ```
  }];
  let options = [
    Option<"perChannel", "per-channel", "bool", "false",
           "Also collect per-channel min/max (axis 1) for rank >= 2 tensors">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

def LowbitFoldCalibration : Pass<"lowbit-fold-calibration"> {
  let summary = "Turn calibration statistics into activation quantize/dequantize pairs";
  let description = [{
    Replaces each `lowbit.stats` by a `lowbit.quantize` to signed 8-bit codes
    (affine, nearest-even) and the matching `lowbit.dequantize`, with
    constant scale and zero point computed from the statistics by the
    chosen calibrator (numerics/Calibration.h):

    * `minmax`: the observed `[min, max]`;
    * `percentile`: the `percentile`-th and `(100 - percentile)`-th
      percentiles of the histogram;
    * `entropy`: the TensorRT-style search for the clipping threshold that
      minimizes the KL divergence between the clipped histogram and its
      quantized version;
    * `mse`: the clipping range minimizing the histogram's expected squared
      quantization error.

    Statistics of a model input (a function argument) keep their min-max
    range under every method: inputs are data in a known format, and
    clipping them loses information no later layer can recover.

    Ranges are widened to contain 0, so zero (and zero padding) is exact. A
    zero-width range (a constant-zero activation) gets scale 1; scales are
    never zero, NaN or infinite. Per-channel statistics (`axis`) give
    per-channel parameters from the channel minimums and maximums
    (histograms are per-tensor, so other methods apply to per-tensor
    statistics only; per-channel ones fall back to min-max with a remark).
    Statistics on constants fold away with the quantize.

    Before:
    ```mlir
    %s = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 6.0>} : tensor<1x84xf32>
    ```
    After:
    ```mlir
    %q = lowbit.quantize %x scales(%c0 : tensor<f32>) zero_points(%c1 : tensor<i32>)
           {scheme = #lowbit.scheme<i8, affine>} : tensor<1x84xf32> -> tensor<1x84xi8>
    %s = lowbit.dequantize %q scales(%c0 : tensor<f32>) zero_points(%c1 : tensor<i32>)
           {scheme = #lowbit.scheme<i8, affine>} : tensor<1x84xi8> -> tensor<1x84xf32>
    ```
  }];
  let options = [
    Option<"method", "method", "std::string", "\"minmax\"",
           "Calibrator: minmax, percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percentile kept by method=percentile, in (50, 100]">,
    Option<"requireStatistics", "require-statistics", "bool", "false",
           "Fail when a function has no lowbit.stats (static activation "
           "quantization without calibration)">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowbitFoldBatchNorm : Pass<"lowbit-fold-batchnorm"> {
  let summary = "Fold inference batch normalization into the preceding weights";
  let description = [{
    An inference-form batch normalization after a convolution or
    fully-connected layer is a per-channel affine map `y = x * a[c] + b[c]`
    with constant `a` and `b`. This pass folds it into the layer's constant
    weights and bias before weight quantization, so the quantized weights
    include it:

    * `W'[c, ...] = W[c, ...] * a[c]` (output channel `c`),
    * `bias'[c] = bias[c] * a[c] + b[c]` (a missing bias counts as 0).

    Recognized layers: `linalg.conv_2d_nchw_fchw` with a bias broadcast into
    its output (or a zero fill), and `linalg.matmul` with a transposed
    constant weight (`[N, K]` stored, the exported-model form), followed
    optionally by a bias addition. The normalization is one
    `linalg.generic` computing `x * a + b` or `(x - m) * a + b` (operands of
    the multiplication and addition in either order), with `a`, `b`, `m`
    constant vectors indexed by the channel dimension (1 for NCHW and
    `[M, N]`).

    Before:
    ```mlir
    %y = linalg.conv_2d_nchw_fchw ins(%x, %w : ...) outs(%bias : ...) -> tensor<1x6x28x28xf32>
    %n = linalg.generic {...} ins(%y, %a, %b : tensor<1x6x28x28xf32>, tensor<6xf32>, tensor<6xf32>) ... {
      arith.mulf, arith.addf }
    ```
    After:
    ```mlir
    %n = linalg.conv_2d_nchw_fchw ins(%x, %w_folded : ...) outs(%bias_folded : ...) -> tensor<1x6x28x28xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowbitIntegerize : Pass<"lowbit-integerize"> {
  let summary = "Run statically quantized layers in integer arithmetic";
  let description = [{
    Rewrites a convolution or fully-connected layer whose activation input
    is `lowbit.dequantize` of per-tensor int8 codes (from
    `lowbit-fold-calibration`) and whose weights are `lowbit.dequantize` of
    constant signed 8-bit symmetric per-output-channel codes (from
    `lowbit-quantize-weights`) into integer arithmetic:

    * the products are int8 x int8 into i32: `lowbit.integer_matmul` for
      `linalg.matmul` (weights `[N, K]`), an i8 `linalg.conv_2d_nchw_fchw`
      into i32 for convolutions;
    * the bias is quantized to i32 at `s_x * s_w[c]`, and the activation
      zero-point correction `z_x * sum(W[c])` is folded into it at compile
      time;
    * when the layer output (after an optional ReLU) is quantized again per
      tensor to int8, the float round trip becomes `lowbit.requantize` with
      the multiplier `s_x * s_w[c] / s_y` as a fixed-point multiplier and
      shift (per channel), rounding half up (TOSA `rescale`, single
      rounding), and the ReLU a clamp at the output zero point;
    * otherwise the accumulator is dequantized to f32 (`acc * s_x * s_w[c]`)
      and the rest of the layer stays in float.

    Layers that do not fit (per-group weights, per-channel activations, an
    output quantize that rounds toward zero, a bias that overflows i32, a
    rescale outside [2^-32, 2^30)) are left in float; `-debug` shows why.
    The requantize clamps to the output quantize's code range (narrow or
    not).

    Before:
    ```mlir
    %x = lowbit.dequantize %xq scales(%sx ...) zero_points(%zx ...) ... -> tensor<1x400xf32>
    %w = lowbit.dequantize %wq scales(%sw ...) ... : tensor<120x400xi8> -> tensor<120x400xf32>
    ... linalg.transpose, linalg.matmul, bias add, ReLU ...
    %yq = lowbit.quantize %r scales(%sy ...) zero_points(%zy ...) ... -> tensor<1x120xi8>
    ```
    After:
    ```mlir
    %acc = lowbit.integer_matmul %xq, %wq bias(%b : tensor<120xi32>) : tensor<1x400xi8>, tensor<120x400xi8> -> tensor<1x120xi32>
    %yq = lowbit.requantize %acc {axis = 1 : i64, multiplier = array<i32: ...>, shift = array<i32: ...>,
                                  output_zero_point = -128 : i32, clamp_min = -128 : i32} : tensor<1x120xi32> -> tensor<1x120xi8>
    ```
  }];
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowbitVectorizeIntegerMatmul : Pass<"lowbit-vectorize-integer-matmul", "::mlir::ModuleOp"> {
  let summary = "Lower lowbit.integer_matmul to int8 dot-product vector loops";
  let description = [{
    Replaces `lowbit.integer_matmul` with input zero point 0 (the form
    `lowbit-integerize` produces) by `scf.for` loops over rows and output
    features whose inner loop reads segments of 64 bytes (16 with
    `int8-dot=arm-dotprod`) of an activation row and a weight row and
    accumulates `lowbit.dot_i8` into i32 lanes, reduced once per output.
    The last partial segment reads zeros past K. With
    `int8-dot=avx512-vnni` activations are offset to unsigned bytes
    (`x xor 0x80`) and `128 * sum(w)` subtracted, the form `vpdpbusd`
    computes. Other zero points are left to the generic lowering.

    With `i8mm` (AArch64 FEAT_I8MM), pairs of rows and pairs of output
    features are computed in 2x2 blocks of `arm_neon.intr.smmla`, each
    multiplying 8 bytes of two activation rows by 8 bytes of two weight
    rows; an odd last row or column takes the dot-product path.

    With `parallel`, matmuls of at least 256K multiply-adds split their
    output rows (or columns, when there are more of them) into at most 64
    chunks fixed at compile time, the iterations of an `scf.forall` (OpenMP
    threads after lowering); each output is computed the same way for any
    thread count.

    Before:
    ```mlir
    %acc = lowbit.integer_matmul %xq, %w bias(%b : tensor<120xi32>) : tensor<1x400xi8>, tensor<120x400xi8> -> tensor<1x120xi32>
    ```
    After (sketch):
    ```mlir
    scf.for %m ... { scf.for %n ... {
      %a = scf.for %seg ... iter_args(%acc = %zero : vector<16xi32>) {
        %x = vector.transfer_read %xq[%m, %k] ... : tensor<1x400xi8>, vector<64xi8>
        %w = vector.transfer_read %w[%n, %k] ... : tensor<120x400xi8>, vector<64xi8>
        %d = lowbit.dot_i8 %acc, %x, %w : vector<16xi32>, vector<64xi8>
      }
      %sum = vector.reduction <add>, %a : vector<16xi32> into i32
    } }
    ```
  }];
  let options = [
    Option<"int8Dot", "int8-dot", "std::string", "\"generic\"",
           "generic, avx512-vnni, avx-vnni, avx2 or arm-dotprod">,
    Option<"i8mm", "i8mm", "bool", "false",
           "Use AArch64 smmla for pairs of rows and columns">,
    Option<"parallel", "parallel", "bool", "false",
           "Split large matmuls' output across threads (scf.forall)">
  ];
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::arm_neon::ArmNeonDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitVectorizeLinalg : Pass<"lowbit-vectorize-linalg"> {
  let summary = "Vectorize the float linalg ops of a model with upstream MLIR";
  let description = [{
    Runs upstream linalg tiling and vectorization over the ops that
    quantization leaves in float:

    * transposes of f32 constants (transposed weights, `dense` or
      `dense_resource`) are folded into new constants, so they cost nothing
      at run time;
    * `linalg.conv_2d_nchw_fchw` and NCHW pooling are tiled to one output
      row and one kernel row, decomposed to their 1-D forms
      (`linalg::populateDecomposeConvolutionPatterns`) and vectorized;
    * `linalg.matmul` is tiled m x n x k (the largest divisors of M, N and
      K up to 8, 16 and 16) and vectorized to `vector.contract`;
      `linalg.batch_matmul` (attention) likewise, one batch at a time;
    * elementwise ops, fills, broadcasts and transposes are tiled to rows of
      their innermost dimension (cut to a divisor of at most 64 lanes) and
      vectorized.
    * aggregate ops (`linalg.softmax`) are decomposed into the generics they
      stand for (upstream `AggregatedOpInterface`);
    * elementwise chains are fused (upstream elementwise fusion) where the
      producer has one use, both ops are all-parallel and the consumer
      reads the producer element for element (a broadcast would recompute
      it per element), so that GELU's
      multiply, erf, add and multiply and a following residual add load and
      store each element once;
    * reductions over the innermost, contiguous dimension (row sums and
      maxima of softmax and normalization; inputs may also be broadcast
      along the row, as LayerNorm's mean is in its variance) are split into 16 interleaved
      partial reductions (upstream `linalg::splitReduction`), so that each
      row is reduced 16 lanes at a time and the lanes combined at the end;
      other reductions are tiled a row at a time and vectorized.

    Tiles always divide their loops, so every vector is static.

    With `parallel`, ops of at least 256K loop iterations (multiply-adds of
    contractions, convolutions and pooling; 1M for elementwise ops) are
    first tiled along their outermost parallel loop of at least two tiles
    (preferring loops the tiling above cuts) into at most 64 chunks of whole
    tiles that divide the loop, as an `scf.forall` (OpenMP threads after
    lowering); each chunk is then tiled and vectorized as above, so every
    output is computed the same way for any thread count.

    Ops with dynamic shapes, and anything the vectorizer rejects, stay as
    they are and become loops.

    Two kinds of input are errors at the op rather than crashes: a linalg
    op on a tensor with a zero-sized dimension (lowbit does not compile
    tensors without elements; `lowbit-export-c-interface` rejects them at
    the C boundary too), and a constant larger than `max-constant-bytes`
    once expanded (default 4 GiB; a splat of a huge declared shape is
    small in the file but expanded by folding and by the LLVM lowering).
  }];
  let options = [
    Option<"parallel", "parallel", "bool", "false",
           "Split large ops across threads (scf.forall)">,
    Option<"maxConstantBytes", "max-constant-bytes", "uint64_t", "4294967296",
           "Largest constant (bytes once expanded: a splat counts every "
           "element) the pass and the lowering may materialize; a larger one "
           "is an error">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitApproximateMath : Pass<"lowbit-approximate-math"> {
  let summary = "Rewrite math ops into arith/vector code that needs no libm";
  let description = [{
    Rewrites the `math` ops a model may contain, on scalars and on vectors,
    into `arith`, `vector` and the few `math` ops that are instructions on
    every target (`sqrt`, `absf`, `copysign`), so that a compiled object calls
    no library function (`expf`, `tanhf`, `erff`, `__powisf2`, `floorf`,
    `fmaf`, ...):

    * `exp`, `expm1`, `log`, `log2`, `log1p`, `tanh`, `erf`, `erfc`,
      `asin`, `acos`, `cbrt`: upstream polynomial approximations
      (`populateMathPolynomialApproximationPatterns`), with what upstream
      gets wrong fixed around them (denormal inputs of `log`/`log2` and
      results of `exp`, `erf(-0)`, `cbrt` of infinities and denormals);
    * `sin`, `cos`, `tan` (three-part argument reduction), `atan`, `atan2`:
      written here (upstream's lose accuracy or give NaN for large
      arguments, or are 40 ulp off);
    * `exp2`, `log10`, `sinh`, `cosh`, `asinh`, `acosh`, `atanh`, `powf`,
      `fpowi`, `ipowi` (constant or vector exponents), `rsqrt`
      (`1 / sqrt(x)`): written here in terms of the above, keeping accuracy
      where the textbook identities lose it (small arguments, overflow
      edges, signed zeros, negative bases);
    * `fma` becomes a multiply and an add marked `contract` (one fused
      instruction where the target has it, no `fmaf` call where it does not);
    * with `expand-rounding`, `floor`, `ceil`, `trunc`, `round` and
      `roundeven` become exact arithmetic (for x86-64 CPUs without SSE4.1,
      where LLVM calls `floorf` & co.);
    * f16 and bf16 ops are computed in f32.

    Tensor-typed math ops are left alone (run the pass after bufferization
    and vectorization). The measured accuracy of every function is in
    `docs/Math.md`.

    Before:
    ```mlir
    %y = math.erf %x : vector<16xf32>
    ```
    After (abridged):
    ```mlir
    %a = math.absf %x : vector<16xf32>
    %p = arith.mulf %a, %c0 : vector<16xf32>
    ...
    %y = math.copysign %r, %x : vector<16xf32>
    ```
  }];
  let options = [
    Option<"expandRounding", "expand-rounding", "bool", "false",
           "Expand floor, ceil, trunc, round and roundeven into arithmetic "
           "(targets without rounding instructions, e.g. x86-64 without "
           "SSE4.1)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowbitGptq : Pass<"lowbit-gptq", "::mlir::ModuleOp"> {
  let summary = "Quantize constant weights with GPTQ against layer input statistics";
  let description = [{
    Quantizes the same weights as `lowbit-quantize-weights`, under the same
    scheme options, into the same IR (codes and parameters feeding
    `lowbit.dequantize`), but chooses the codes with GPTQ: each weight, in
    its canonical `[N, K]` form, is quantized column by column and every
    column's rounding error is fed back into the columns not yet quantized
    through the inverse of the layer's input statistics H = sum x^T x, so
    the layer's output error on the calibration data, rather than the weight
    error, is minimized (numerics: `lowbit/Numerics/Gptq.h`).

    H comes from the module attribute `lowbit.layer_stats` (one entry per
    weight name, written by `lowbit-calibrate --layer-stats` or by `lowbitc`
    from calibration samples): `{NAME = {rows = R, hessian = KxKxf64,
    mean_abs = Kxf32}}`. The damping `dampening * mean(diag H)` is added to
    the diagonal; inputs never active (zero diagonal) are decoupled. Blocks
    of `block-size` columns receive their update lazily. Group parameters are
    chosen when a group's first column is reached (from its current or
    original values, whichever loses less); with `act-order`, columns are
    visited in decreasing diag(H) and group parameters are fixed from the
    original weight first, so codes stay in the original order and the packed
    layout and kernels are unchanged. Every scheme works: symmetric, affine
    and min/scale integers of 2 to 8 bits and codebooks (nearest level, then
    error feedback).

    A selected weight without statistics is an error (or, with
    `require-statistics=false`, rounded to nearest with a remark); so are
    statistics of the wrong size or with a non-finite value. The pass drops
    `lowbit.layer_stats` when done.

    Before:
    ```mlir
    module attributes {lowbit.layer_stats = {fc = {hessian = dense<...> : tensor<64x64xf64>, mean_abs = dense<...> : tensor<64xf32>, rows = 4096 : i64}}} {
      %w = arith.constant dense<...> : tensor<16x64xf32> loc("fc")
      %y = linalg.matmul ins(%x, %t ...)
    ```
    After (`bits=3 granularity=per-group group-size=64 param-type=f16`):
    ```mlir
    module {
      %codes = arith.constant dense<...> : tensor<16x64xi8>
      %scales = arith.constant dense<...> : tensor<16x1xf16>
      %w = lowbit.dequantize %codes scales(%scales : tensor<16x1xf16>) {scheme = #lowbit.scheme<i3, ...>} ...
    ```
    With `report`, a remark per weight gives the layer output error
    (sum over calibration rows of ||(W - W^) x||^2) of GPTQ and of
    round-to-nearest.
  }];
  let options = !listconcat(WeightSchemeOptions, [
    Option<"dampening", "dampening", "double", "0.01",
           "Damping added to diag(H), as a fraction of its mean">,
    Option<"blockSize", "block-size", "int64_t", "128",
           "Columns per lazily updated block">,
    Option<"actOrder", "act-order", "bool", "false",
           "Quantize columns in decreasing diag(H) (group parameters from the original weight)">,
    Option<"requireStatistics", "require-statistics", "bool", "true",
           "A weight without lowbit.layer_stats is an error (else: rounded to nearest, with a remark)">
  ], WeightSelectionOptions);
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowbitAwq : Pass<"lowbit-awq", "::mlir::ModuleOp"> {
  let summary = "Activation-aware weight scaling, then round-to-nearest quantization";
  let description = [{
    AWQ: for the layers that read the same input x (e.g. the projections
    after one LayerNorm), per input channel scales s = mean|x|^alpha are
    chosen, with alpha searched on a grid of `grid` points in [0, 1) to
    minimize the layers' summed output error on the calibration data
    (sum_n d_n^T H d_n with H = sum x^T x; alpha = 0 is plain
    round-to-nearest, so the choice is never worse on that data). Each
    weight becomes Q(W diag(s)) under the scheme options (as
    `lowbit-quantize-weights`), and the input is divided by s:

    * folded into the producer when it is an elementwise `linalg.generic`
      ending in `x * gamma + beta` or `x * gamma` with constant per-channel
      gamma / beta (LayerNorm and RMSNorm affine) and no other user;
    * otherwise by an explicit elementwise multiply by 1/s (a
      `linalg.generic`) in front of the layers.

    With `clip-search` (default), each group's range is then shrunk by the
    factor (1 down to 0.5 in 20 steps) that minimizes the group's output
    error d^T H_gg d on the calibration data, as AWQ does.

    Statistics come from `lowbit.layer_stats` (see `lowbit-gptq`); the layers
    of one input must all have them (else error, or with
    `require-statistics=false` round-to-nearest with a remark). Scales apply
    along one input dimension: convolutions with a window (K over several
    input dimensions) are rounded to nearest with a remark.

    Before:
    ```mlir
    %n = linalg.generic ... ins(%x, %mean, %rstd, %gamma, %beta ...) {
      ... %w = arith.mulf %c, %g : f32
      %s = arith.addf %w, %b : f32
      linalg.yield %s : f32 }
    %y = linalg.matmul ins(%n, %W ...)
    ```
    After: `%gamma` and `%beta` are new constants divided by s, and `%W`
    is `lowbit.dequantize` of the codes of W diag(s).
  }];
  let options = !listconcat(WeightSchemeOptions, [
    Option<"grid", "grid", "unsigned", "20",
           "Grid points for alpha (i / grid, i = 0 .. grid - 1)">,
    Option<"clipSearch", "clip-search", "bool", "true",
           "Then choose each group's clipping by its output error (AWQ's clip search) instead of `clipping`">,
    Option<"requireStatistics", "require-statistics", "bool", "true",
           "A weight without lowbit.layer_stats is an error (else: rounded to nearest, with a remark)">
  ], WeightSelectionOptions);
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowbitMixedPrecision : Pass<"lowbit-mixed-precision", "::mlir::ModuleOp"> {
  let summary = "Choose a weight scheme per layer under a bits-per-weight budget";
  let description = [{
    Quantizes every selected weight with one preset from `menu` (by default
    `w8`, `w4g32`, `c11g128`, `w3g64`, `w2g32`) so that the average storage
    per weight (packed codes in the preset's layout plus its scales and
    mins, over all selected weights) stays within `budget-bits`, and the
    summed sensitivity is least (`allocation=dp`, exact; or `greedy`: best
    error reduction per added bit first).

    The sensitivity of a layer under a preset is measured on the calibration
    data through `lowbit.layer_stats` (see `lowbit-gptq`):
    `sensitivity=output-error` (default) is the layer output error
    sum_n d_n^T H d_n of the quantized weight (quantized with `method`, rtn
    or gptq); `hessian-trace` is the proxy mean(diag H) * ||W - W^||^2.
    Each weight is then quantized with its chosen preset and `method` (and
    packed later in that preset's layout by `lowbit-pack-weights
    layout=auto`). With `report`, a remark per weight names the chosen preset
    and its error, and a summary gives the bits per weight reached.

    Before:
    ```mlir
    %w = arith.constant dense_resource<fc1> : tensor<1024x256xf32>
    ```
    After (`budget-bits=3.5`):
    ```mlir
    %w = lowbit.dequantize %codes scales(%s : tensor<1024x2xf16>) mins(%m ...) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = ...>} ...
    ```
    A budget below the smallest menu entry, an unknown preset, a preset with
    activation quantization, and a weight without statistics are errors.
  }];
  let options = !listconcat([
    Option<"budgetBits", "budget-bits", "double", "4.0",
           "Average bits per weight (codes and parameters) over the selected weights">,
    ListOption<"menu", "menu", "std::string",
               "Presets to choose from (default: w8, w4g32, c11g128, w3g64, w2g32)">,
    Option<"method", "method", "std::string", "\"gptq\"",
           "How each candidate is quantized: rtn or gptq">,
    Option<"sensitivity", "sensitivity", "std::string", "\"output-error\"",
           "output-error or hessian-trace">,
    Option<"allocation", "allocation", "std::string", "\"dp\"",
           "dp or greedy">,
    Option<"dampening", "dampening", "double", "0.01",
           "method=gptq: damping added to diag(H), as a fraction of its mean">
  ], WeightSelectionOptions);
  let dependentDialects = ["::lowbit::LowbitDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
