// A model whose input (64 GiB) is too large for one sample (samples.test).
func.func @model(%x: tensor<1x4294967296x4xf32>) -> tensor<1x4294967296x4xf32> {
  return %x : tensor<1x4294967296x4xf32>
}
