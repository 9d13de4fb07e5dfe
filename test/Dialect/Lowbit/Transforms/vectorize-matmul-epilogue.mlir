// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul="int8-dot=arm-dotprod i8mm=true" | FileCheck %s --check-prefix=I8MM
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul="parallel=true" | FileCheck %s --check-prefix=PAR

// The epilogue maps a column block's outputs after the kernel's loops,
// while they are in cache: rows in fours, one vector register of columns
// (16 lanes at vector-bits=512) at a time, then the last columns under a
// mask. Its [M, N] inputs are read at the same positions, [N] ones once per
// vector of columns, constants are broadcast; math ops stay math ops
// (lowbit-approximate-math expands them later).
// CHECK-LABEL: func @block
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<4x20xf32>, %[[C:[a-z0-9]+]]: tensor<20xf32>)
// CHECK-DAG: %[[RSQRT2:.*]] = arith.constant dense<0.707106769> : vector<16xf32>
// CHECK: tensor.insert
// CHECK: %[[EPI:.*]] = scf.for %[[M:.*]] = %c0 to %c4 step %c4 iter_args(%[[OUT:.*]] = %{{.*}})
// CHECK: %[[WHOLE:.*]] = scf.for %[[N:.*]] = %c0 to %c16 step %c16 iter_args(%[[T:.*]] = %[[OUT]])
// CHECK: %[[F:.*]] = vector.transfer_read %[[C]][%[[N]]], %{{.*}} {in_bounds = [true]} : tensor<20xf32>, vector<16xf32>
// CHECK: %[[V:.*]] = vector.transfer_read %[[T]][%[[M]], %[[N]]], %{{.*}} {in_bounds = [true]} : tensor<4x20xf32>, vector<16xf32>
// CHECK: %[[RES:.*]] = vector.transfer_read %[[R]][%[[M]], %[[N]]], %{{.*}} {in_bounds = [true]} : tensor<4x20xf32>, vector<16xf32>
// CHECK: %[[X:.*]] = arith.mulf %[[V]], %[[RSQRT2]] : vector<16xf32>
// CHECK: %[[ERF:.*]] = math.erf %[[X]] : vector<16xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[ERF]], %[[RES]] : vector<16xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[SUM]], %[[F]] : vector<16xf32>
// CHECK: vector.transfer_write %[[Y]], %[[T]][%[[M]], %[[N]]] {in_bounds = [true]} : vector<16xf32>, tensor<4x20xf32>
// CHECK-COUNT-3: math.erf
// CHECK: scf.yield
// CHECK: %[[MASK:.*]] = vector.create_mask %c4 : vector<16xi1>
// CHECK: vector.transfer_read %[[C]][%c16], %{{.*}}, %[[MASK]] {in_bounds = [true]} : tensor<20xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[WHOLE]][%[[M]], %c16], %{{.*}}, %[[MASK]] {in_bounds = [true]}
// CHECK: math.erf
// CHECK: vector.transfer_write %{{.*}}, %[[WHOLE]][%[[M]], %c16], %[[MASK]] {in_bounds = [true]}
// CHECK: return %[[EPI]]
func.func @block(%x: tensor<4x64xf32>, %p: tensor<20x64xi8>, %s: tensor<20xf32>, %b: tensor<20xf32>, %r: tensor<4x20xf32>, %c: tensor<20xf32>) -> tensor<4x20xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<20xf32>) bias(%b : tensor<20xf32>) epilogue_inputs(%r, %c : tensor<4x20xf32>, tensor<20xf32>) epilogue {
  ^bb0(%v: f32, %res: f32, %f: f32):
    %rsqrt2 = arith.constant 0.707106769 : f32
    %t = arith.mulf %v, %rsqrt2 : f32
    %erf = math.erf %t : f32
    %sum = arith.addf %erf, %res : f32
    %scaled = arith.mulf %sum, %f : f32
    lowbit.yield %scaled : f32
  } {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<4x64xf32>, tensor<20x64xi8> -> tensor<4x20xf32>
  return %y : tensor<4x20xf32>
}

// -----

// A single row: one masked vector for its three columns.
// CHECK-LABEL: func @gemv
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<1x3xf32>)
// CHECK: tensor.insert
// CHECK: scf.for %[[M:.*]] = %c0 to %c1 step %c1 iter_args(%[[OUT:.*]] = %{{.*}})
// CHECK: %[[MASK:.*]] = vector.create_mask %c3 : vector<16xi1>
// CHECK: %[[V:.*]] = vector.transfer_read %[[OUT]][%[[M]], %c0], %{{.*}}, %[[MASK]]
// CHECK: %[[RES:.*]] = vector.transfer_read %[[R]][%[[M]], %c0], %{{.*}}, %[[MASK]]
// CHECK: %[[T:.*]] = math.tanh %[[V]] : vector<16xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[T]], %[[RES]] : vector<16xf32>
// CHECK: vector.transfer_write %[[SUM]], %[[OUT]][%[[M]], %c0], %[[MASK]]
func.func @gemv(%x: tensor<1x64xf32>, %p: tensor<3x32xi8>, %s: tensor<3x2xf16>, %r: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x2xf16>) epilogue_inputs(%r : tensor<1x3xf32>) epilogue {
  ^bb0(%v: f32, %res: f32):
    %t = math.tanh %v : f32
    %sum = arith.addf %t, %res : f32
    lowbit.yield %sum : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<1x64xf32>, tensor<3x32xi8> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// Dynamic int8 activations (integer dot products, or smmla blocks with
// i8mm) take the same epilogue.
// CHECK-LABEL: func @dynamic
// CHECK: lowbit.dot_i8
// CHECK: tensor.insert
// CHECK: %[[V:.*]] = vector.transfer_read
// CHECK-NEXT: arith.maximumf %[[V]], %{{.*}} : vector<16xf32>
// I8MM-LABEL: func @dynamic
// I8MM: arm_neon.intr.smmla
// I8MM: %[[V:.*]] = vector.transfer_read
// I8MM-NEXT: arith.maximumf %[[V]], %{{.*}} : vector<16xf32>
func.func @dynamic(%x: tensor<4x64xf32>, %p: tensor<2x64xi8>, %s: tensor<2xf32>) -> tensor<4x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2xf32>) epilogue {
  ^bb0(%v: f32):
    %zero = arith.constant 0.0 : f32
    %relu = arith.maximumf %v, %zero : f32
    lowbit.yield %relu : f32
  } {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<4x64xf32>, tensor<2x64xi8> -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A parallel chunk maps its own columns after its kernel (its slice of the
// output starts at the chunk's first column); the chunk's bounds are not
// static, so the masked last vector runs only when it has columns.
// PAR-LABEL: func @parallel
// PAR-SAME: %[[R:[a-z0-9]+]]: tensor<4x128xf32>)
// PAR: scf.forall
// PAR: %[[FIRST:.*]] = arith.muli
// PAR: tensor.insert
// PAR: scf.for %[[M:.*]] = %c0 to %c4 step %c4
// PAR: scf.for %[[N:.*]] = %[[FIRST]] to %{{.*}} step %c16
// PAR: %[[LOCAL:.*]] = arith.subi %[[N]], %[[FIRST]] : index
// PAR: vector.transfer_read %{{.*}}[%[[M]], %[[LOCAL]]]
// PAR: vector.transfer_read %[[R]][%[[M]], %[[N]]]
// PAR: scf.if
// PAR: vector.create_mask
// PAR: tensor.parallel_insert_slice
func.func @parallel(%x: tensor<4x512xf32>, %p: tensor<128x512xi8>, %s: tensor<128xf32>, %r: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<128xf32>) epilogue_inputs(%r : tensor<4x128xf32>) epilogue {
  ^bb0(%v: f32, %res: f32):
    %sum = arith.addf %v, %res : f32
    lowbit.yield %sum : f32
  } {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<4x512xf32>, tensor<128x512xi8> -> tensor<4x128xf32>
  return %y : tensor<4x128xf32>
}

// -----

// The outer-product kernels on panel layouts apply it the same way, after
// their loops.
// CHECK-LABEL: func @panel
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<64x20xf32>)
// CHECK: lowbit.dot_i8
// CHECK: vector.transfer_write
// CHECK: scf.for %[[M:.*]] = %c0 to %c64 step %c4 iter_args(%{{.*}} = %{{[0-9]+}})
// CHECK: scf.for %[[N:.*]] = %c0 to %c16 step %c16
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}}[%[[M]], %[[N]]]
// CHECK: %[[RES:.*]] = vector.transfer_read %[[R]][%[[M]], %[[N]]]
// CHECK: arith.addf %[[V]], %[[RES]] : vector<16xf32>
// CHECK: vector.create_mask %c4 : vector<16xi1>
func.func @panel(%x: tensor<64x40xf32>, %p: tensor<2x512xi8>, %s: tensor<20x2xf16>, %r: tensor<64x20xf32>) -> tensor<64x20xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<20x2xf16>) epilogue_inputs(%r : tensor<64x20xf32>) epilogue {
  ^bb0(%v: f32, %res: f32):
    %sum = arith.addf %v, %res : f32
    lowbit.yield %sum : f32
  } {dynamic_int8_activations, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_panel, block = 32>} : tensor<64x40xf32>, tensor<2x512xi8> -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}
