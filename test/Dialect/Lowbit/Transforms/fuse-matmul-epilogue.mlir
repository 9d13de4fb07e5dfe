// RUN: lowbit-opt %s -split-input-file -lowbit-fuse-matmul-epilogue | FileCheck %s

// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), with constants from outside the
// body: the body becomes the epilogue, the constants are defined inside.
// CHECK-LABEL: func @gelu
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<f32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[T:.*]] = arith.mulf %[[V]], %[[RSQRT2]] : f32
// CHECK: %[[ERF:.*]] = math.erf %[[T]] : f32
// CHECK: %[[U:.*]] = arith.addf %[[ERF]], %[[ONE]] : f32
// CHECK: %[[H:.*]] = arith.mulf %[[V]], %[[HALF]] : f32
// CHECK: %[[G:.*]] = arith.mulf %[[H]], %[[U]] : f32
// CHECK: lowbit.yield %[[G]] : f32
// CHECK: } {layout = #lowbit.layout<int4>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#id = affine_map<(m, n) -> (m, n)>
func.func @gelu(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %rsqrt2 = arith.constant 0.707106769 : f32
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.mulf %in, %rsqrt2 : f32
    %erf = math.erf %t : f32
    %u = arith.addf %erf, %one : f32
    %h = arith.mulf %in, %half : f32
    %r = arith.mulf %h, %u : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  return %g : tensor<2x4xf32>
}

// -----

// A residual addition reading the matmul as its second input: the residual
// becomes an [M, N] epilogue input; operand order is kept.
// CHECK-LABEL: func @residual
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<2x4xf32>)
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<f32>) bias(%{{.*}} : tensor<4xf32>) epilogue_inputs(%[[R]] : tensor<2x4xf32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[RES:.*]]: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[RES]], %[[V]] : f32
// CHECK-NEXT: lowbit.yield %[[SUM]] : f32
// CHECK-NOT: linalg.generic
#id = affine_map<(m, n) -> (m, n)>
func.func @residual(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %b: tensor<4xf32>, %res: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) bias(%b : tensor<4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%res, %y : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %in: f32, %out: f32):
    %sum = arith.addf %a, %in : f32
    linalg.yield %sum : f32
  } -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// A per-column factor ([N], broadcast along the rows) becomes an [N]
// epilogue input.
// CHECK-LABEL: func @per_column
// CHECK-SAME: %[[C:[a-z0-9]+]]: tensor<4xf32>)
// CHECK: lowbit.matmul {{.*}} epilogue_inputs(%[[C]] : tensor<4xf32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[F:.*]]: f32):
// CHECK-NEXT: arith.mulf %[[V]], %[[F]] : f32
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
func.func @per_column(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %c : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %f: f32, %out: f32):
    %m = arith.mulf %in, %f : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// Chains fold completely: the bias addition becomes the bias, then SiLU
// (x * sigmoid(x)) and a residual addition the epilogue, in order.
// CHECK-LABEL: func @chain
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<4xf32>, %[[R:[a-z0-9]+]]: tensor<2x4xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<f32>) bias(%[[B]] : tensor<4xf32>) epilogue_inputs(%[[R]] : tensor<2x4xf32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[RES:.*]]: f32):
// CHECK: %[[NEG:.*]] = arith.negf %[[V]] : f32
// CHECK: %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[DEN:.*]] = arith.addf %[[EXP]], %{{.*}} : f32
// CHECK: %[[SILU:.*]] = arith.divf %[[V]], %[[DEN]] : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[SILU]], %[[RES]] : f32
// CHECK: lowbit.yield %[[SUM]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
func.func @chain(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %b: tensor<4xf32>, %res: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %one = arith.constant 1.0 : f32
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %biased = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %sum = arith.addf %in, %bias : f32
    linalg.yield %sum : f32
  } -> tensor<2x4xf32>
  %silu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%biased : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %neg = arith.negf %in : f32
    %exp = math.exp %neg : f32
    %den = arith.addf %exp, %one : f32
    %r = arith.divf %in, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%silu, %res : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %a: f32, %out: f32):
    %sum = arith.addf %in, %a : f32
    linalg.yield %sum : f32
  } -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// Not folded: the matmul result has another user.
// CHECK-LABEL: func @two_users
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: linalg.generic
#id = affine_map<(m, n) -> (m, n)>
func.func @two_users(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  return %y, %z : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Not folded: the matmul result is read transposed.
// CHECK-LABEL: func @transposed
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: linalg.generic
#id = affine_map<(m, n) -> (m, n)>
#t = affine_map<(m, n) -> (n, m)>
func.func @transposed(%x: tensor<4x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<4x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x16xf32>, tensor<4x8xi8> -> tensor<4x4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  return %z : tensor<4x4xf32>
}

// -----

// Not folded: a reduction loop (a row sum).
// CHECK-LABEL: func @reduction
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: linalg.generic
#id = affine_map<(m, n) -> (m, n)>
#rows = affine_map<(m, n) -> (m)>
func.func @reduction(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %init: tensor<2xf32>) -> tensor<2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<2x4xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

// Not folded: an op with side effects in the body.
// CHECK-LABEL: func @side_effect
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: linalg.generic
// CHECK: vector.print
#id = affine_map<(m, n) -> (m, n)>
func.func @side_effect(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    vector.print %in : f32
    linalg.yield %in : f32
  } -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// Not folded: an input broadcast along the columns ([M], (m, n) -> (m)), a
// value from outside that is not a constant, a body reading its output.
// CHECK-LABEL: func @other_forms
// CHECK-NOT: epilogue
// CHECK-COUNT-3: linalg.generic
#id = affine_map<(m, n) -> (m, n)>
#rows = affine_map<(m, n) -> (m)>
func.func @other_forms(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %r: tensor<2xf32>, %f: f32, %o: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %y0 = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %y1 = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %y2 = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %z0 = linalg.generic {indexing_maps = [#id, #rows, #id], iterator_types = ["parallel", "parallel"]} ins(%y0, %r : tensor<2x4xf32>, tensor<2xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %a: f32, %out: f32):
    %v = arith.mulf %in, %a : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %z1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y1 : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.mulf %in, %f : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %z2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y2 : tensor<2x4xf32>) outs(%o : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  return %z0, %z1, %z2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}
