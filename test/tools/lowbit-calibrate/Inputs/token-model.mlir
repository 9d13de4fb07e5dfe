// A tiny language model: 4 token ids -> embedding rows E[id] (2 wide) -> a
// [2 -> 3] fully-connected layer. E = [[1, 0], [0, 1], [1, 1]].
func.func @lm(%ids: tensor<4xi32>) -> tensor<4x3xf32> {
  %table = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<4xi32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%id: i32, %o: f32):
    %i = arith.index_cast %id : i32 to index
    %j = linalg.index 1 : index
    %v = tensor.extract %table[%i, %j] : tensor<3x2xf32>
    linalg.yield %v : f32
  } -> tensor<4x2xf32>
  %w = arith.constant dense_resource<fc> : tensor<3x2xf32>
  %t = tensor.empty() : tensor<2x3xf32>
  %wt = linalg.transpose ins(%w : tensor<3x2xf32>) outs(%t : tensor<2x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<4x2xf32>, tensor<2x3xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc: "0x040000000000803F000000BF0000003F0000803F000040400000C0BF"
    }
  }
#-}
