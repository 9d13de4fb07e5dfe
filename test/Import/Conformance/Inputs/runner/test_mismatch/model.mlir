func.func @main(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = arith.negf %a : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
