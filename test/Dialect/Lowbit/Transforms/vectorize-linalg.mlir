// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-linalg -canonicalize | FileCheck %s

// A transposed constant weight is transposed at compile time; the matmul is
// tiled by divisors of N = 20 and K = 12 (10 and 12) into vector.contract.
// CHECK-LABEL: func @fc
// CHECK-NOT: linalg.
// CHECK: %[[W:.*]] = arith.constant dense_resource<lowbit_transposed> : tensor<3x2xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c20 step %c10
// CHECK: vector.contract {{.*}} : vector<1x12xf32>, vector<12x10xf32> into vector<1x10xf32>
// CHECK: return {{.*}}, %[[W]]
// The folded transpose holds [[1, 4], [2, 5], [3, 6]] (f32, little endian).
// CHECK: lowbit_transposed: "0x040000000000803F00008040000000400000A040000040400000C040"
func.func @fc(%x: tensor<1x12xf32>) -> (tensor<1x20xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %w2 = arith.constant dense<1.0> : tensor<12x20xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x20xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x20xf32>) -> tensor<1x20xf32>
  %y = linalg.matmul ins(%x, %w2 : tensor<1x12xf32>, tensor<12x20xf32>) outs(%acc : tensor<1x20xf32>) -> tensor<1x20xf32>
  return %y, %t : tensor<1x20xf32>, tensor<3x2xf32>
}

// -----

// Convolution and pooling: one output row at a time as 1-D operations,
// vectorized.
// CHECK-LABEL: func @conv_pool
// CHECK-NOT: linalg.conv
// CHECK-NOT: linalg.pooling
// CHECK: scf.for
// CHECK: vector.contract
// CHECK: scf.for
// CHECK: vector.transfer_read
func.func @conv_pool(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%acc : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<1x3x2x2xf32>
  %pacc = linalg.fill ins(%zero : f32) outs(%pe : tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %p = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%y, %window : tensor<1x3x4x4xf32>, tensor<2x2xf32>) outs(%pacc : tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  return %p : tensor<1x3x2x2xf32>
}

// -----

// A row reduction over the innermost dimension (LayerNorm's mean, softmax's
// maximum) is split into 16 interleaved partial reductions: each row is read
// as 16 vectors of 16 lanes reduced lane by lane, then the 16 lanes of each
// row are combined.
// CHECK-LABEL: func @row_max
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [8, 16, 16] : tensor<8x256xf32> into tensor<8x16x16xf32>
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x16x16xf32>, vector<1x16x16xf32>
// CHECK: vector.multi_reduction <maximumf>, %{{.*}}, %{{.*}} [1] : vector<1x16x16xf32> to vector<1x16xf32>
// CHECK: scf.for
// CHECK: vector.multi_reduction <maximumf>, %{{.*}}, %{{.*}} [1] : vector<1x16xf32> to vector<1xf32>
// CHECK-NOT: linalg.generic
func.func @row_max(%x: tensor<8x256xf32>) -> tensor<8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x256xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// LayerNorm's variance: an input broadcast along the row (the mean) does not
// stop the split; it is read once per row, not per lane.
// CHECK-LABEL: func @row_variance
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [8, 16, 16] : tensor<8x256xf32> into tensor<8x16x16xf32>
// CHECK: scf.for
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x16x16xf32> to vector<1x16xf32>
// CHECK: scf.for
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x16xf32> to vector<1xf32>
// CHECK-NOT: linalg.generic
func.func @row_variance(%x: tensor<8x256xf32>, %mean: tensor<8xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<8x256xf32>, tensor<8xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %s = arith.mulf %d, %d : f32
    %t = arith.addf %o, %s : f32
    linalg.yield %t : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// A reduction whose input is read with the reduced dimension outermost
// (a column sum) is not split; it is still vectorized.
// CHECK-LABEL: func @column_sum
// CHECK-NOT: tensor.expand_shape
// CHECK: vector.multi_reduction <add>
func.func @column_sum(%x: tensor<32x8xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<32x8xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Attention's batched products are tiled one batch at a time and become
// vector.contract like a matmul.
// CHECK-LABEL: func @attention_scores
// CHECK: scf.for
// CHECK: vector.contract
// CHECK-SAME: vector<1x8x16xf32>, vector<1x16x16xf32> into vector<1x8x16xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @attention_scores(%q: tensor<4x64x64xf32>, %k: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  %s = linalg.batch_matmul ins(%q, %k : tensor<4x64x64xf32>, tensor<4x64x64xf32>) outs(%f : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  return %s : tensor<4x64x64xf32>
}

// -----

// linalg.softmax is decomposed (upstream AggregatedOpInterface) into a row
// maximum, exp(x - max), a row sum and a division, each vectorized; the two
// row reductions are split into 16 lanes.
// CHECK-LABEL: func @softmax
// CHECK-NOT: linalg.softmax
// CHECK: vector.multi_reduction <maxnumf>, %{{.*}}, %{{.*}} [1] : vector<1x4x16xf32> to vector<1x16xf32>
// CHECK: math.exp %{{.*}} : vector<1x64xf32>
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x4x16xf32> to vector<1x16xf32>
// CHECK: arith.divf %{{.*}} : vector<1x64xf32>
func.func @softmax(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %e = tensor.empty() : tensor<2x64xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<2x64xf32>) outs(%e : tensor<2x64xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// An elementwise chain (exact GELU, then a residual add) becomes one loop
// that reads x and r and writes the result once; erf stays a vector op for
// lowbit-approximate-math.
// CHECK-LABEL: func @gelu
// CHECK: scf.for
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<1x64xf32>, vector<1x64xf32>
// CHECK: math.erf %{{.*}} : vector<1x64xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: vector.transfer_write
func.func @gelu(%x: tensor<4x64xf32>, %r: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %rs2 = arith.constant 0.70710678 : f32
  %e = tensor.empty() : tensor<4x64xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %t = arith.mulf %in, %rs2 : f32
    %f = math.erf %t : f32
    linalg.yield %f : f32
  } -> tensor<4x64xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %a : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %p = arith.addf %f, %one : f32
    %q = arith.mulf %in, %p : f32
    %s = arith.mulf %q, %half : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b, %r : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %y = arith.addf %in, %s : f32
    linalg.yield %y : f32
  } -> tensor<4x64xf32>
  return %c : tensor<4x64xf32>
}

// -----

// A producer with another user, or feeding a reduction, is not fused: it
// would be computed twice, or once per partial sum.
// CHECK-LABEL: func @shared_producer
// CHECK-COUNT-2: vector.transfer_write
func.func @shared_producer(%x: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %t = math.exp %in : f32
    linalg.yield %t : f32
  } -> tensor<4x64xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %t = arith.mulf %in, %in : f32
    linalg.yield %t : f32
  } -> tensor<4x64xf32>
  return %a, %b : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// A producer read through a broadcast (a per-row value, such as LayerNorm's
// reciprocal standard deviation) is not fused: its rsqrt would run once per
// element instead of once per row.
// CHECK-LABEL: func @broadcast_producer
// CHECK: math.rsqrt %{{.*}} : vector<8xf32>
// CHECK-NOT: math.rsqrt
func.func @broadcast_producer(%x: tensor<8x256xf32>, %v: tensor<8xf32>) -> tensor<8x256xf32> {
  %e1 = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%v : tensor<8xf32>) outs(%e1 : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.rsqrt %a : f32
    linalg.yield %t : f32
  } -> tensor<8xf32>
  %e2 = tensor.empty() : tensor<8x256xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<8x256xf32>, tensor<8xf32>) outs(%e2 : tensor<8x256xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}
