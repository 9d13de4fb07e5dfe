// A boolean constant: its elements are bits, which a weights file cannot
// hold as the object would (see external-weights.mlir).
func.func @masked(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %m = arith.constant dense<[true, false, true, false]> : tensor<4xi1>
  %r = arith.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
  return %r : tensor<4xf32>
}
