// RUN: lowbit-opt %s -split-input-file -pass-pipeline="builtin.module(lowbit-vectorize-matmul{parallel=true},lowbit-vectorize-integer-matmul{parallel=true},func.func(lowbit-vectorize-linalg{parallel=true}))" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -pass-pipeline="builtin.module(lowbit-vectorize-matmul,lowbit-vectorize-integer-matmul,func.func(lowbit-vectorize-linalg))" | FileCheck %s --check-prefix=SERIAL

// SERIAL-NOT: scf.forall

// One activation row, 256K multiply-adds: chunks of 16 weight rows (16 KiB
// of int8 codes) are the iterations of an scf.forall, each writing its slice
// of the output, with the output column relative to the chunk's first.
// CHECK-LABEL: func @gemv
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<1x256xf32>
// CHECK: scf.forall (%[[I:.*]]) in (16) shared_outs(%[[SHARED:.*]] = %[[OUT]]) -> (tensor<1x256xf32>)
// CHECK: %[[FIRST:.*]] = arith.muli %[[I]], %c16
// CHECK: %[[END:.*]] = arith.minsi
// CHECK: %[[SIZE:.*]] = arith.subi %[[END]], %[[FIRST]]
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[SHARED]][0, %[[FIRST]]] [1, %[[SIZE]]] [1, 1] : tensor<1x256xf32> to tensor<1x?xf32>
// CHECK: scf.for %[[N:.*]] = %[[FIRST]] to %[[END]] step %c1
// CHECK: vector.transfer_read %{{.*}}[%[[N]], %{{.*}}]{{.*}} : tensor<256x1024xi8>, vector<64xi8>
// CHECK: %[[COLUMN:.*]] = arith.subi %[[N]], %[[FIRST]]
// CHECK: tensor.insert %{{.*}}[%{{.*}}, %[[COLUMN]]] : tensor<1x?xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %{{.*}} into %[[SHARED]][0, %[[FIRST]]] [1, %[[SIZE]]] [1, 1] : tensor<1x?xf32> into tensor<1x256xf32>
func.func @gemv(%x: tensor<1x1024xf32>, %p: tensor<256x1024xi8>, %s: tensor<256xf32>) -> tensor<1x256xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<256xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x1024xf32>, tensor<256x1024xi8> -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

// Dynamic int8 activations are quantized once, before the parallel loop;
// the chunks take pairs of column tiles (the whole weight is one column
// block).
// CHECK-LABEL: func @gemm_dynamic
// CHECK: %[[CODES:.*]]:2 = scf.for {{.*}} -> (tensor<8x512xi8>, tensor<8xf32>)
// CHECK: scf.forall (%{{.*}}) in (64) shared_outs({{.*}}) -> (tensor<8x256xf32>)
// CHECK: tensor.extract_slice {{.*}} to tensor<8x?xf32>
// CHECK: vector.transfer_read %[[CODES]]#0
// CHECK: lowbit.dot_i8
// CHECK: tensor.parallel_insert_slice
func.func @gemm_dynamic(%x: tensor<8x512xf32>, %p: tensor<256x256xi8>, %s: tensor<256x16xf16>) -> tensor<8x256xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<256x16xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<8x512xf32>, tensor<256x256xi8> -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

// On panel layouts (the outer-product kernels) from 16K activation elements
// the rows are quantized in parallel chunks too: one forall over rows writing
// the codes and the row scales, then one over column panels.
// CHECK-LABEL: func @gemm_panels
// CHECK: %[[Q:.*]]:2 = scf.forall (%{{.*}}) in (64) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<64x128xi32>, tensor<64xf32>)
// CHECK: scf.for {{.*}} -> (tensor<?x128xi32>, tensor<?xf32>)
// CHECK: tensor.parallel_insert_slice {{.*}} into %{{.*}}[%{{.*}}, 0] [%{{.*}}, 128] [1, 1] : tensor<?x128xi32> into tensor<64x128xi32>
// CHECK: tensor.parallel_insert_slice {{.*}} into %{{.*}}[%{{.*}}] [%{{.*}}] [1] : tensor<?xf32> into tensor<64xf32>
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs({{.*}}) -> (tensor<64x64xf32>)
// CHECK: tensor.extract %[[Q]]#0
// SERIAL-LABEL: func @gemm_panels
// SERIAL-NOT: scf.forall
func.func @gemm_panels(%x: tensor<64x512xf32>, %p: tensor<4x8192xi8>, %s: tensor<64xf32>) -> tensor<64x64xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<64xf32>) {dynamic_int8_activations, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8_panel>} : tensor<64x512xf32>, tensor<4x8192xi8> -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// Below 256K multiply-adds a kernel stays serial: a fork would cost more
// than it saves.
// CHECK-LABEL: func @small
// CHECK-NOT: scf.forall
// CHECK: return
func.func @small(%x: tensor<1x512xf32>, %p: tensor<256x512xi8>, %s: tensor<256xf32>) -> tensor<1x256xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<256xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x512xf32>, tensor<256x512xi8> -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

// Integer matmuls split the longer output dimension, here 64 rows in 32
// chunks of two.
// CHECK-LABEL: func @integer
// CHECK: scf.forall (%[[I:.*]]) in (32) shared_outs(%[[SHARED:.*]] = %{{.*}}) -> (tensor<64x32xi32>)
// CHECK: %[[FIRST:.*]] = arith.muli %[[I]], %c2
// CHECK: tensor.extract_slice %[[SHARED]][%[[FIRST]], 0] [%{{.*}}, 32] [1, 1] : tensor<64x32xi32> to tensor<?x32xi32>
// CHECK: scf.for %[[ROW:.*]] = %[[FIRST]] to
// CHECK: lowbit.dot_i8
// CHECK: %[[R:.*]] = arith.subi %[[ROW]], %[[FIRST]]
// CHECK: tensor.insert %{{.*}}[%[[R]], %{{.*}}] : tensor<?x32xi32>
// CHECK: tensor.parallel_insert_slice
func.func @integer(%x: tensor<64x256xi8>, %w: tensor<32x256xi8>) -> tensor<64x32xi32> {
  %y = lowbit.integer_matmul %x, %w {input_zero_point = 0 : i32} : tensor<64x256xi8>, tensor<32x256xi8> -> tensor<64x32xi32>
  return %y : tensor<64x32xi32>
}

// -----

// Float linalg ops: chunks of whole tiles of the outermost parallel loop the
// tiling cuts (rows of 8 for this matmul), each then tiled as the whole op
// would be; the small fill stays serial.
// CHECK-LABEL: func @float_matmul
// CHECK-NOT: scf.forall
// CHECK: vector.transfer_write %{{.*}} : vector<1x64xf32>, tensor<1x64xf32>
// CHECK: scf.forall (%[[I:.*]]) = (0) to (16) step (8) shared_outs
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 256] [1, 1] : tensor<16x256xf32> to tensor<8x256xf32>
// CHECK: scf.for
// CHECK: vector.contract
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[I]], 0] [8, 128] [1, 1] : tensor<8x128xf32> into tensor<16x128xf32>
func.func @float_matmul(%a: tensor<16x256xf32>, %b: tensor<256x128xf32>) -> tensor<16x128xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x128xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x128xf32>) -> tensor<16x128xf32>
  %y = linalg.matmul ins(%a, %b : tensor<16x256xf32>, tensor<256x128xf32>) outs(%f : tensor<16x128xf32>) -> tensor<16x128xf32>
  return %y : tensor<16x128xf32>
}

// -----

// Elementwise ops need 1M iterations: 64 chunks of 16 rows here.
// CHECK-LABEL: func @add
// CHECK: scf.forall (%{{.*}}) = (0) to (1024) step (16)
// CHECK: arith.addf %{{.*}} : vector<1x64xf32>
func.func @add(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %e = tensor.empty() : tensor<1024x1024xf32>
  %y = linalg.add ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %y : tensor<1024x1024xf32>
}
