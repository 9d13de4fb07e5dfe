// The integer core of a fully-connected layer with five rows: odd M, N and
// K (100 = 12 x 8 + 4, 64 + 36), so every remainder path runs.
func.func @integer_matmul(%x: tensor<5x100xi8>, %w: tensor<7x100xi8>, %b: tensor<7xi32>) -> tensor<5x7xi32> {
  %y = lowbit.integer_matmul %x, %w bias(%b : tensor<7xi32>) : tensor<5x100xi8>, tensor<7x100xi8> -> tensor<5x7xi32>
  return %y : tensor<5x7xi32>
}
