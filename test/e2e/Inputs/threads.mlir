// Kernels large enough to run on several threads, their weights as
// arguments (threads.c fills them): a w4a8-dynamic GEMV on packed
// interleaved int4 weights (4096 x 1024, groups of 32: chunks of weight
// rows), the same weights for 9 activation rows (column blocks), and an fp32
// layer through linalg (rows of 8 per chunk) followed by a ReLU.
func.func @gemv(%x: tensor<1x1024xf32>, %p: tensor<4096x512xi8>, %s: tensor<4096x32xf16>) -> tensor<1x4096xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4096x32xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<1x1024xf32>, tensor<4096x512xi8> -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}

func.func @gemm(%x: tensor<9x1024xf32>, %p: tensor<4096x512xi8>, %s: tensor<4096x32xf16>) -> tensor<9x4096xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4096x32xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<9x1024xf32>, tensor<4096x512xi8> -> tensor<9x4096xf32>
  return %y : tensor<9x4096xf32>
}

func.func @dense(%x: tensor<16x512xf32>, %w: tensor<512x256xf32>) -> tensor<16x256xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<16x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<16x256xf32>) -> tensor<16x256xf32>
  %y = linalg.matmul ins(%x, %w : tensor<16x512xf32>, tensor<512x256xf32>) outs(%init : tensor<16x256xf32>) -> tensor<16x256xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<16x256xf32>) outs(%empty : tensor<16x256xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<16x256xf32>
  return %relu : tensor<16x256xf32>
}
