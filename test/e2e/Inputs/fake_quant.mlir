// A fully-connected layer exported with quantize/dequantize pairs, the way
// QAT tools (PyTorch, TFLite, ONNX) express quantization: int8 activations
// (affine), int8 weights per output channel (symmetric, narrow range) and a
// uint8 output (affine). Scales are powers of two, so every product and sum
// is exact in f32 and the C reference (fake_quant.c) can demand equality.
!x = !quant.uniform<i8:f32, 0.0625:-3>
!w = !quant.uniform<i8<-127:127>:f32:0, {0.03125, 0.0625, 0.125, 0.015625}>
!y = !quant.uniform<u8:f32, 0.25:128>
func.func @fake_quant(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %xq = quant.qcast %x : tensor<2x8xf32> to tensor<2x8x!x>
  %xd = quant.dcast %xq : tensor<2x8x!x> to tensor<2x8xf32>
  %w = arith.constant dense<[
    [0.11, -0.52, 0.93, -1.4, 1.87, -2.3, 2.75, -3.2],
    [0.2, 0.45, -0.7, 0.95, -1.2, 1.45, -1.7, 1.95],
    [3.1, -2.2, 1.3, -0.4, 0.5, -1.6, 2.7, -3.8],
    [0.01, 0.02, -0.03, 0.04, -0.05, 0.06, -0.07, 0.08]]> : tensor<4x8xf32>
  %wq = quant.qcast %w : tensor<4x8xf32> to tensor<4x8x!w>
  %wd = quant.dcast %wq : tensor<4x8x!w> to tensor<4x8xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %wt = linalg.transpose ins(%wd : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %acc = tensor.empty() : tensor<2x4xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mm = linalg.matmul ins(%xd, %wt : tensor<2x8xf32>, tensor<8x4xf32>) outs(%filled : tensor<2x4xf32>) -> tensor<2x4xf32>
  %bias = arith.constant dense<[0.5, -0.25, 0.125, 1.0]> : tensor<4xf32>
  %out = tensor.empty() : tensor<2x4xf32>
  %biased = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<2x4xf32>, tensor<4xf32>) outs(%out : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %yq = quant.qcast %biased : tensor<2x4xf32> to tensor<2x4x!y>
  %yd = quant.dcast %yq : tensor<2x4x!y> to tensor<2x4xf32>
  return %yd : tensor<2x4xf32>
}
