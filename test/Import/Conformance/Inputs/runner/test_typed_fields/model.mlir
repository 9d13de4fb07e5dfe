func.func @main(%x: tensor<4xf32>, %i: tensor<4xi64>, %p: tensor<4xi1>,
                %d: tensor<4xf64>, %h: tensor<4xf16>)
    -> (tensor<4xf32>, tensor<4xi64>, tensor<4xi1>, tensor<4xf64>, tensor<4xf16>) {
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %one = arith.constant dense<1> : tensor<4xi64>
  %true = arith.constant dense<true> : tensor<4xi1>
  %half = arith.constant dense<0.5> : tensor<4xf64>
  %x2 = arith.mulf %x, %two : tensor<4xf32>
  %i1 = arith.addi %i, %one : tensor<4xi64>
  %np = arith.xori %p, %true : tensor<4xi1>
  %dh = arith.mulf %d, %half : tensor<4xf64>
  %hh = arith.addf %h, %h : tensor<4xf16>
  return %x2, %i1, %np, %dh, %hh : tensor<4xf32>, tensor<4xi64>, tensor<4xi1>, tensor<4xf64>, tensor<4xf16>
}
