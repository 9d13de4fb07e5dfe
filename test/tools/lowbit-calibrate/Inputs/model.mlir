// The model of errors.test: one observed input and one observed output.
func.func @model(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %e = tensor.empty() : tensor<1x1x4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x1x4x4xf32>) outs(%e : tensor<1x1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
