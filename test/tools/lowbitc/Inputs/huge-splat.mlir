// A 300-byte model whose weight splat declares 16 GiB.
func.func @fc(%x: tensor<1x4294967296xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x4294967296xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<1x4294967296xf32>, tensor<1x4294967296xf32>) outs(%acc : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
