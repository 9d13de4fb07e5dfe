func.func @main(%a: tensor<1xf32>) -> tensor<1xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %step = arith.constant 1 : i32
  %one = arith.constant 1.0 : f32
  %x = tensor.extract %a[%c0] : tensor<1xf32>
  %count = scf.while (%i = %zero) : (i32) -> i32 {
    %same = arith.cmpf oeq, %x, %one : f32
    scf.condition(%same) %i : i32
  } do {
  ^bb0(%j: i32):
    %next = arith.addi %j, %step : i32
    scf.yield %next : i32
  }
  %r = arith.sitofp %count : i32 to f32
  %y = tensor.from_elements %r : tensor<1xf32>
  return %y : tensor<1xf32>
}
