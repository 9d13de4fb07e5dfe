// linalg.softmax over rows (as TOSA and torch front ends produce it).
func.func @softmax(%x: tensor<8x80xf32>) -> tensor<8x80xf32> {
  %e = tensor.empty() : tensor<8x80xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<8x80xf32>) outs(%e : tensor<8x80xf32>) -> tensor<8x80xf32>
  return %y : tensor<8x80xf32>
}
