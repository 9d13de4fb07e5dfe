// A model whose input has no elements (samples.test).
func.func @model(%x: tensor<1x0x4xf32>) -> tensor<1x0x4xf32> {
  return %x : tensor<1x0x4xf32>
}
