// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=int8-dot=avx512-vnni | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=int8-dot=arm-dotprod | FileCheck %s --check-prefix=SDOT
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul="int8-dot=avx512-vnni vbmi=true" | FileCheck %s --check-prefix=VBMI

// Dynamic int8 activations on int2 bytes: a segment is 8 groups of 32 (64
// bytes); slot i of every byte is one shift and one mask and one 64-byte dot
// product against activations stored per slot (code 4j + i of each byte j).
// The codes enter unsigned (vpdpbusd's u8 operand; sdot reads them as the
// same signed bytes); each group's min meets its sum of q after the segment
// loop, the codebook step 1/3 multiplies the row's total.
// CHECK-LABEL: func @int2
// CHECK-DAG: %[[STEP:.*]] = arith.constant 0.333333343 : f32
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 4, 8, 12,
// CHECK: arith.shrui %{{.*}}, %{{.*}} : vector<64xi8>
// CHECK: arith.andi %{{.*}}, %{{.*}} : vector<64xi8>
// CHECK-COUNT-4: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %[[STEP]] : f32
// SDOT-LABEL: func @int2
// SDOT: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
// SDOT-NOT: unsigned_lhs
func.func @int2(%x: tensor<1x256xf32>, %p: tensor<2x64xi8>, %s: tensor<2x8xf16>, %m: tensor<2x8xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x8xf16>) mins(%m : tensor<2x8xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>, dynamic_int8_activations} : tensor<1x256xf32>, tensor<2x64xi8> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// int3 words (groups of 64 in 7 words, two groups per 16-word segment):
// the fields' sign bits are flipped once per word (q + 4), each quad of
// fields is spread into the bytes of its word's lane (t | t << 10, then
// a | a << 5), three 64-byte dot products per segment.
// CHECK-LABEL: func @int3
// CHECK-DAG: arith.constant dense<-4.000000e+00> : vector<16xf32>
// CHECK: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x14xi32>, vector<16xi32>
// CHECK: arith.xori %[[WORDS]], %{{.*}} : vector<16xi32>
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<64xi8>
// CHECK-COUNT-3: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// CHECK-NEXT: arith.sitofp
// With VBMI, byte t of word w (0 even, 1 odd) of each 64-bit lane of quad
// p is the lane's bits from 3 (4p + t) + 32 w on (one multishift), masked
// to the field and flipped to q + 4 (one ternary logic op); no shifts.
// VBMI-LABEL: func @int3
// VBMI-DAG: %[[Q2:.*]] = arith.constant dense<[24, 27, 30, 33, 56, 59, 62, 1, 24,
// VBMI-DAG: %[[Q1:.*]] = arith.constant dense<[12, 15, 18, 21, 44, 47, 50, 53, 12,
// VBMI-DAG: %[[Q0:.*]] = arith.constant dense<[0, 3, 6, 9, 32, 35, 38, 41, 0,
// VBMI-DAG: %[[SEVEN:.*]] = arith.constant dense<7> : vector<64xi8>
// VBMI-DAG: %[[FOUR:.*]] = arith.constant dense<4> : vector<64xi8>
// VBMI: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x14xi32>, vector<16xi32>
// VBMI-NEXT: %[[BYTES:.*]] = vector.bitcast %[[WORDS]] : vector<16xi32> to vector<64xi8>
// VBMI-NEXT: %[[M0:.*]] = lowbit.multishift_bytes %[[Q0]], %[[BYTES]] : vector<64xi8>
// VBMI-NEXT: %[[A0:.*]] = arith.andi %[[M0]], %[[SEVEN]] : vector<64xi8>
// VBMI-NEXT: %[[F0:.*]] = arith.xori %[[A0]], %[[FOUR]] : vector<64xi8>
// VBMI-NEXT: lowbit.multishift_bytes %[[Q1]], %[[BYTES]]
// VBMI: lowbit.multishift_bytes %[[Q2]], %[[BYTES]]
// VBMI-NOT: arith.shli
// VBMI: lowbit.dot_i8 %{{.*}}, %[[F0]], %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// VBMI-COUNT-2: lowbit.dot_i8
// VBMI-NEXT: arith.sitofp
func.func @int3(%x: tensor<1x128xf32>, %p: tensor<2x14xi32>, %s: tensor<2x2xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x2xf16>) {scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>, layout = #lowbit.layout<int3, block = 64>, dynamic_int8_activations} : tensor<1x128xf32>, tensor<2x14xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Base-11 words (c11g128: 15 words per group): digits in 16-bit chunks
// (RadixChunkQuads): u_4 = q * 11^4 and u_5 = q * 11^5 in 32-bit lanes,
// the fractions' carries as unsigned compares, the digit chains as 16-bit
// multiply-highs (odd steps by 256 * 11 = 2816), no 64-bit lane. The quads
// hold digits [5 6 0 1], [7 8 2 3], [- - 4 -] of each word (the head's
// fraction in the high half of the lane), and the quantized activations
// are gathered in that order.
// CHECK-LABEL: func @radix
// CHECK-DAG: arith.constant dense<2816> : vector<32xi16>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [5, 6, 0, 1, 14, 15, 9, 10,
// CHECK-SAME: 7, 8, 2, 3, 16, 17, 11, 12,
// CHECK-SAME: 128, 128, 4, 128, 128, 128, 13, 128,
// CHECK: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x15xi32>, vector<16xi32>
// CHECK: arith.muli %[[WORDS]], %{{.*}} : vector<16xi32>
// CHECK: arith.cmpi ult
// CHECK: arith.mului_extended %{{.*}}, %{{.*}} : vector<32xi16>
// CHECK-COUNT-3: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// CHECK-NEXT: arith.sitofp
// CHECK-NOT: vector<8xi64>
// CHECK-NOT: lowbit.lookup_bytes
// VBMI-LABEL: func @radix
// VBMI-DAG: %[[HIGH:.*]] = arith.constant dense<"0x00000000000000000000000101010101010101010101020202020202020202020203030303030303030303030404040404040404040404050505050505050505050506060606060606060606060707070707070707070707080808080808080808080809090909090909090909090A0A0A0A0A0A0A0A0A0A0A00000000000000"> : vector<128xi8>
// VBMI-DAG: %[[LOW:.*]] = arith.constant dense<"0x000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A000102030405060708090A00000000000000"> : vector<128xi8>
// VBMI-NOT: dense<2816>
// VBMI: vector.shuffle %{{.*}}, %{{.*}} [5, 7, 0, 2, 14, 16, 9, 11,
// VBMI-SAME: 6, 8, 1, 3, 15, 17, 10, 12,
// VBMI-SAME: 128, 128, 4, 128, 128, 128, 13, 128,
// VBMI: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x15xi32>, vector<16xi32>
// VBMI: arith.mului_extended %{{.*}}, %{{.*}} : vector<32xi16>
// VBMI: %[[PAIRS:.*]] = vector.bitcast %{{.*}} : vector<16xi32> to vector<64xi8>
// VBMI: %[[D0:.*]] = lowbit.lookup_bytes %[[HIGH]], %[[PAIRS]] : vector<128xi8>, vector<64xi8>
// VBMI: %[[D1:.*]] = lowbit.lookup_bytes %[[LOW]], %[[PAIRS]] : vector<128xi8>, vector<64xi8>
// VBMI: lowbit.dot_i8 %{{.*}}, %[[D0]], %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// VBMI: lowbit.dot_i8 %{{.*}}, %[[D1]], %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// VBMI: lowbit.dot_i8
// VBMI-NOT: lowbit.dot_i8
// VBMI: arith.sitofp
// The group's f16 scale (one group per segment) is broadcast before it is
// extended: one vpbroadcastw from memory and one vcvtph2ps, where a scalar
// extension before the broadcast takes three instructions.
// VBMI: %[[SCALE:.*]] = tensor.extract %{{.*}} : tensor<2x1xf16>
// VBMI: %[[SPLAT:.*]] = vector.broadcast %[[SCALE]] : f16 to vector<16xf16>
// VBMI: arith.extf %[[SPLAT]] : vector<16xf16> to vector<16xf32>
func.func @radix(%x: tensor<1x128xf32>, %p: tensor<2x15xi32>, %s: tensor<2x1xf16>, %m: tensor<2x1xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>, dynamic_int8_activations} : tensor<1x128xf32>, tensor<2x15xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Base-7 words (11 digits, no chunked decode): the radix decoder's 32-bit
// chains on pairs of words (64-bit lanes), digits 4p .. 4p + 3 per quad.
// CHECK-LABEL: func @radix7
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 11, 12, 13, 14,
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<8xi64>
// CHECK: arith.muli %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK-COUNT-3: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// CHECK-NEXT: arith.sitofp
func.func @radix7(%x: tensor<1x128xf32>, %p: tensor<2x12xi32>, %s: tensor<2x1xf16>, %m: tensor<2x1xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u3, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 7)>>, layout = #lowbit.layout<radix(7), block = 128>, dynamic_int8_activations} : tensor<1x128xf32>, tensor<2x12xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A GEMV on int3 words prefetches every line its segment loop reads, 4 KiB
// ahead rounded up to whole rows (224-byte rows: 19 rows, clamped to the
// last): an iteration of 3 segments (168 bytes) prefetches at its first
// unit and 16 and 32 words (64 and 128 bytes) on.
// VBMI-LABEL: func @int3_gemv_line_prefetch
// VBMI: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x56xi32> to memref<2x56xi32>
// VBMI: scf.for %[[N:.*]] = %c0 to %c2 step %c1
// VBMI: %[[AHEAD:.*]] = arith.addi %[[N]], %c19 : index
// VBMI: %[[ROW:.*]] = arith.minsi %[[AHEAD]], %c1 : index
// VBMI: scf.for %[[SEG:.*]] = %c0 to %c3 step %c3
// VBMI-NEXT: %[[UNIT:.*]] = arith.muli %[[SEG]], %c14 : index
// VBMI-NEXT: memref.prefetch %[[W]][%[[ROW]], %[[UNIT]]], read, locality<3>, data
// VBMI-NEXT: %[[U1:.*]] = arith.addi %[[UNIT]], %c16 : index
// VBMI-NEXT: memref.prefetch %[[W]][%[[ROW]], %[[U1]]], read, locality<3>, data
// VBMI-NEXT: %[[U2:.*]] = arith.addi %[[UNIT]], %c32 : index
// VBMI-NEXT: memref.prefetch %[[W]][%[[ROW]], %[[U2]]], read, locality<3>, data
// VBMI-NOT: memref.prefetch
// VBMI: return
func.func @int3_gemv_line_prefetch(%x: tensor<1x512xf32>, %p: tensor<2x56xi32>, %s: tensor<2x8xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x8xf16>) {scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>, layout = #lowbit.layout<int3, block = 64>, dynamic_int8_activations} : tensor<1x512xf32>, tensor<2x56xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
