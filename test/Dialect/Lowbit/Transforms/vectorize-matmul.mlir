// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=int8-dot=avx512-vnni | FileCheck %s --check-prefix=VNNI
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=int8-dot=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul="int8-dot=arm-dotprod i8mm=true" | FileCheck %s --check-prefix=I8MM

// Interleaved int4, groups of 32 = blocks of 32: per segment, 16 bytes are
// loaded; the low nibbles are shifted into the high half of the byte and the
// high nibbles masked in place, so both convert as 16 * q with no sign
// extension; x . (16 q) is summed over the segment from zero and scaled
// once, and the row's total is divided by 16 (exact) after the reduction.
// One activation row reads one weight row at a time; the segment loop
// prefetches the next weight row (and its scales) once per 64 bytes of
// weights, i.e. it takes segments in pairs (32 bytes here: K = 70 has only
// two whole segments), each pair member with its own accumulator; the
// pair's scales are one vector load and conversion. The partial third
// segment reads activations under masks (6 valid low lanes, 0 high).
// CHECK-LABEL: func @int4_interleaved
// CHECK: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<3x48xi8> to memref<3x48xi8>
// CHECK: %[[S:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<3x3xf16> to memref<3x3xf16>
// CHECK: scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: %[[NEXT:.*]] = arith.minsi
// CHECK: %[[ACC:.*]]:2 = scf.for %[[SEG:.*]] = %{{.*}} to %c2 step %c2 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK: memref.prefetch %[[W]][%[[NEXT]], %{{.*}}], read, locality<3>, data
// CHECK: memref.prefetch %[[S]][%[[NEXT]], %[[SEG]]], read, locality<3>, data
// CHECK: %[[SCALES:.*]] = vector.transfer_read %{{.*}}[%[[N]], %[[SEG]]], %{{.*}} {in_bounds = [true]} : tensor<3x3xf16>, vector<2xf16>
// CHECK: %[[SCALES32:.*]] = arith.extf %[[SCALES]] : vector<2xf16> to vector<2xf32>
// CHECK: vector.extract %[[SCALES32]][0]
// CHECK: vector.transfer_read %{{.*}}[%[[M]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x70xf32>, vector<16xf32>
// CHECK: vector.transfer_read %{{.*}}[%[[M]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x70xf32>, vector<16xf32>
// CHECK: %[[BYTES:.*]] = vector.transfer_read %{{.*}}[%[[N]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x48xi8>, vector<16xi8>
// CHECK: arith.shli %[[BYTES]], %{{.*}} : vector<16xi8>
// CHECK: arith.andi %[[BYTES]], %{{.*}} : vector<16xi8>
// CHECK: arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: arith.mulf %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: arith.addf %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: vector.extract %[[SCALES32]][1]
// CHECK: scf.yield
// CHECK: %[[PAIR:.*]] = arith.addf %[[ACC]]#0, %[[ACC]]#1 : vector<16xf32>
// CHECK: tensor.extract %{{.*}}[%[[N]], %c2] : tensor<3x3xf16>
// CHECK: vector.create_mask %c6 : vector<16xi1>
// CHECK: vector.transfer_read %{{.*}}[%[[M]], %c64], %{{.*}}, %{{.*}} : tensor<2x70xf32>, vector<16xf32>
// CHECK: vector.create_mask %c0 : vector<16xi1>
// CHECK: %[[TOTAL:.*]] = arith.addf %[[PAIR]], %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: %[[B:.*]] = tensor.extract %{{.*}}[%[[N]]] : tensor<3xf32>
// CHECK: %[[SUM:.*]] = vector.reduction <add>, %[[TOTAL]] fastmath<reassoc> : vector<16xf32> into f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[SUM]], %{{.*}} : f32
// CHECK: arith.addf %[[SCALED]], %[[B]]
// CHECK: tensor.insert
// CHECK-NOT: lowbit.matmul
func.func @int4_interleaved(%x: tensor<2x70xf32>, %p: tensor<3x48xi8>, %s: tensor<3x3xf16>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x3xf16>) bias(%b : tensor<3xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x70xf32>, tensor<3x48xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Radix-11 words: activations are first regrouped per digit (x[w * 9 + i]
// for the 15 words, padded to 16 lanes with zeros) with each segment's sum.
// Digit i of word q is (u_i * 11) >> 32 with u_0 = q and
// u_{i+1} = (u_i * 11) mod 2^32: the 16 words are taken as 8 i64 lanes of
// an even and an odd word, whose 32 x 32 -> 64 products with 11 hold the
// digits in their high halves and the next u in their low halves; the
// digits of all words then meet a contiguous activation load. A second
// chain of u starts at digit 4 from (q * 11^4) mod 2^32 (a 32-bit
// multiply of the words, split like them). Min/scale
// with the evenly spaced codebook: sum x * k is scaled by s / 10 once per
// segment; the minimums meet the segments' activation sums after the
// segment loop, 16 segments at a time.
// CHECK-LABEL: func @radix
// CHECK-DAG: %[[HIGH:.*]] = arith.constant dense<-4294967296> : vector<8xi64>
// CHECK-DAG: %[[R:.*]] = arith.constant dense<11> : vector<8xi64>
// CHECK-DAG: %[[C32:.*]] = arith.constant dense<32> : vector<8xi64>
// CHECK-DAG: %[[LOW:.*]] = arith.constant dense<4294967295> : vector<8xi64>
// CHECK-DAG: %[[R4:.*]] = arith.constant dense<14641> : vector<16xi32>
// CHECK: scf.for {{.*}} -> (tensor<1x144xf32>, tensor<1x1xf32>)
// CHECK: %[[X:.*]] = vector.transfer_read %{{.*}} : tensor<1x128xf32>, vector<135xf32>
// CHECK: vector.shuffle %[[X]], %{{.*}} [0, 9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 99, 108, 117, 126, 135]
// CHECK: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<1x144xf32>
// CHECK: vector.shuffle %[[X]], %{{.*}} [8, 17, 26, 35, 44, 53, 62, 71, 80, 89, 98, 107, 116, 125, 134, 135]
// CHECK: %[[XSUM:.*]] = vector.reduction <add>, %[[X]] : vector<135xf32> into f32
// CHECK: tensor.insert %[[XSUM]]
// The single block (K = 128) is the bounds-checked last one, after an
// empty loop over whole segments.
// CHECK: scf.for %{{.*}} = %c0 to %c0 step %c1 {{.*}} -> (vector<16xf32>)
// CHECK: scf.yield %{{.*}} : vector<16xf32>
// CHECK: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x15xi32>, vector<16xi32>
// CHECK: %[[PAIRS:.*]] = vector.bitcast %[[WORDS]] : vector<16xi32> to vector<8xi64>
// CHECK: %[[EVEN:.*]] = arith.andi %[[PAIRS]], %[[LOW]] : vector<8xi64>
// CHECK: %[[ODD:.*]] = arith.shrui %[[PAIRS]], %[[C32]] : vector<8xi64>
// CHECK: %[[WORDS4:.*]] = arith.muli %[[WORDS]], %[[R4]] : vector<16xi32>
// CHECK: %[[PAIRS4:.*]] = vector.bitcast %[[WORDS4]] : vector<16xi32> to vector<8xi64>
// CHECK: %[[U4:.*]] = arith.andi %[[PAIRS4]], %[[LOW]] : vector<8xi64>
// CHECK: arith.shrui %[[PAIRS4]], %[[C32]] : vector<8xi64>
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<1x144xf32>, vector<16xf32>
// CHECK: %[[PE:.*]] = arith.muli %[[EVEN]], %[[R]] : vector<8xi64>
// CHECK: %[[PO:.*]] = arith.muli %[[ODD]], %[[R]] : vector<8xi64>
// CHECK: %[[DE:.*]] = arith.shrui %[[PE]], %[[C32]] : vector<8xi64>
// CHECK: %[[DO:.*]] = arith.andi %[[PO]], %[[HIGH]] : vector<8xi64>
// CHECK: %[[D:.*]] = arith.ori %[[DE]], %[[DO]] : vector<8xi64>
// CHECK: %[[DIGITS:.*]] = vector.bitcast %[[D]] : vector<8xi64> to vector<16xi32>
// CHECK: arith.andi %[[PE]], %[[LOW]] : vector<8xi64>
// CHECK: arith.andi %[[PO]], %[[LOW]] : vector<8xi64>
// CHECK: arith.sitofp %[[DIGITS]] : vector<16xi32> to vector<16xf32>
// CHECK-COUNT-3: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.muli %[[U4]], %[[R]] : vector<8xi64>
// CHECK-COUNT-5: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK-NOT: arith.sitofp
// CHECK: vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: arith.mulf %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: %[[SCALED:.*]] = arith.addf %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: %[[OFFSETS:.*]] = scf.for %{{.*}} step %c16 iter_args({{.*}}) -> (vector<16xf32>)
// CHECK: %[[MINS:.*]] = vector.transfer_read %{{.*}} : tensor<2x1xf16>, vector<16xf16>
// CHECK: arith.extf %[[MINS]] : vector<16xf16> to vector<16xf32>
// CHECK: vector.transfer_read %{{.*}} : tensor<1x1xf32>, vector<16xf32>
// CHECK: scf.yield
// CHECK: %[[OFFSET:.*]] = vector.reduction <add>, %[[OFFSETS]] fastmath<reassoc>
// CHECK: %[[DOT:.*]] = vector.reduction <add>, %[[SCALED]] fastmath<reassoc>
// CHECK: arith.addf %[[DOT]], %[[OFFSET]] : f32
func.func @radix(%x: tensor<1x128xf32>, %p: tensor<2x15xi32>, %s: tensor<2x1xf16>, %m: tensor<2x1xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>} : tensor<1x128xf32>, tensor<2x15xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// int8 per channel, affine: segments of 64 codes; q - z is taken exactly in
// i32 (codes read with the scheme's signedness), then scaled.
// CHECK-LABEL: func @int8_affine
// CHECK: scf.for {{.*}} -> (vector<64xf32>)
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xf32>
// CHECK: %[[Z:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xi32>
// CHECK: %[[CODES:.*]] = vector.transfer_read %{{.*}} : tensor<4x100xi8>, vector<64xi8>
// CHECK: %[[WIDE:.*]] = arith.extui %[[CODES]] : vector<64xi8> to vector<64xi32>
// CHECK: %[[ZV:.*]] = vector.broadcast %[[Z]] : i32 to vector<64xi32>
// CHECK: %[[DIFF:.*]] = arith.subi %[[WIDE]], %[[ZV]] : vector<64xi32>
// CHECK: %[[F:.*]] = arith.sitofp %[[DIFF]] : vector<64xi32> to vector<64xf32>
// CHECK: %[[SV:.*]] = vector.broadcast %[[S]] : f32 to vector<64xf32>
// CHECK: arith.mulf %[[F]], %[[SV]] : vector<64xf32>
func.func @int8_affine(%x: tensor<1x100xf32>, %p: tensor<4x100xi8>, %s: tensor<4xf32>, %z: tensor<4xi32>) -> tensor<1x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>) {scheme = #lowbit.scheme<u8, affine, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x100xf32>, tensor<4x100xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// int2 (four codes per byte) is decoded slot by slot: (byte >> 2i) & 3,
// sign-extended, against activations regrouped per slot. Groups that are
// not the packing blocks are left for the generic lowering.
// CHECK-LABEL: func @left_alone
// CHECK: scf.for {{.*}} -> (tensor<1x64xf32>, tensor<1x2xf32>)
// CHECK: arith.shrui %{{.*}} : vector<8xi8>
// CHECK: arith.andi %{{.*}} : vector<8xi8>
// CHECK: arith.xori
// CHECK: arith.extsi %{{.*}} : vector<8xi8> to vector<8xi32>
// CHECK: lowbit.matmul
// CHECK-NOT: lowbit.matmul
func.func @left_alone(%x: tensor<1x64xf32>, %p: tensor<2x16xi8>, %s: tensor<2x2xf16>, %q: tensor<2x32xi8>, %t: tensor<2x4xf16>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %a = lowbit.matmul %x, %p scales(%s : tensor<2x2xf16>) {scheme = #lowbit.scheme<i2, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>} : tensor<1x64xf32>, tensor<2x16xi8> -> tensor<1x2xf32>
  %b = lowbit.matmul %x, %q scales(%t : tensor<2x4xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 16)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<1x64xf32>, tensor<2x32xi8> -> tensor<1x2xf32>
  return %a, %b : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// Rows go in tiles of four that share each decoded segment; the fifth row
// runs alone. A row tile takes two columns at a time: 4 x 2 accumulators,
// one segment per iteration (int8 is not prefetched). The per-channel scale (no
// offset) multiplies each row's total once, after the reduction. The
// activations are first copied into rows of 128 floats (K rounded up to 16,
// plus 16: a stride that is not a multiple of 4 KiB, so that rows read at
// the same offset do not share L1 sets), 16 at a time, masked past K.
// CHECK-LABEL: func @row_tiles
// CHECK-NOT: memref.prefetch
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<5x128xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[PADDED]]) -> (tensor<5x128xf32>)
// CHECK: vector.transfer_read %{{.*}}, %{{.*}} : tensor<5x100xf32>, vector<16xf32>
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<5x128xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c2
// CHECK: scf.for {{.*}} step %c1 {{.*}} -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK-COUNT-4: vector.transfer_read %{{.*}} : tensor<5x128xf32>, vector<64xf32>
// CHECK: %[[S:.*]] = tensor.extract %{{.*}} : tensor<4xf32>
// CHECK-COUNT-4: vector.reduction <add>
// CHECK-NEXT: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK-COUNT-8: tensor.insert
// CHECK: scf.for %{{.*}} = %c4 to %c5 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for {{.*}} -> (vector<64xf32>)
func.func @row_tiles(%x: tensor<5x100xf32>, %p: tensor<4x100xi8>, %s: tensor<4xf32>) -> tensor<5x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<5x100xf32>, tensor<4x100xi8> -> tensor<5x4xf32>
  return %y : tensor<5x4xf32>
}

// -----

// Int4 weights take tiles of 8 rows (here one tile and a single row) and two
// columns (here one pair and a single column): each column's segment is
// dequantized once (w = 16 q * s) and meets the 8 rows with multiply-adds
// into 16 accumulators.
// CHECK-LABEL: func @int4_row_tiles
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c2
// CHECK: scf.for {{.*}} step %c1 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-16: vector.transfer_read %{{.*}} : tensor<9x80xf32>, vector<16xf32>
// CHECK: %[[LOW:.*]] = arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: %[[W:.*]] = arith.mulf %[[LOW]], %{{.*}} : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %[[W]] fastmath<contract> : vector<16xf32>
// CHECK: scf.for %{{.*}} = %c2 to %c3 step %c1
// CHECK: scf.for %{{.*}} = %c8 to %c9 step %c1
func.func @int4_row_tiles(%x: tensor<9x64xf32>, %p: tensor<3x32xi8>, %s: tensor<3x2xf16>) -> tensor<9x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x2xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<9x64xf32>, tensor<3x32xi8> -> tensor<9x3xf32>
  return %y : tensor<9x3xf32>
}

// -----

// Dynamic int8 activations: every row is quantized once (max |x| / 127,
// round half to even by the 1.5 * 2^23 trick, clamp to [-127, 127]), then
// each segment is an integer dot product; with one scale per row the dot
// products accumulate in i32 over the row, and the exact total is converted
// once and scaled by the weight and activation scales.
// CHECK-LABEL: func @dynamic_int8
// CHECK-DAG: %[[MAGIC:.*]] = arith.constant dense<0x4B400000> : vector<64xf32>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<1.270000e+02> : vector<64xf32>
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<-1.270000e+02> : vector<64xf32>
// CHECK: %[[Q:.*]]:2 = scf.for {{.*}} -> (tensor<1x128xi8>, tensor<1xf32>)
// max|x| as an integer max of the bits with the sign cleared:
// CHECK: %[[BITS:.*]] = vector.bitcast %{{.*}} : vector<64xf32> to vector<64xi32>
// CHECK: %[[MAG:.*]] = arith.andi %[[BITS]], %{{.*}} : vector<64xi32>
// CHECK: arith.maxsi %{{.*}}, %[[MAG]] : vector<64xi32>
// CHECK: %[[MAX:.*]] = vector.reduction <maxsi>, %{{.*}} : vector<64xi32> into i32
// CHECK: arith.bitcast %[[MAX]] : i32 to f32
// CHECK: arith.divf
// CHECK: arith.maximumf %{{.*}}, %[[LO]]
// CHECK: arith.minimumf %{{.*}}, %[[HI]]
// CHECK: arith.addf %{{.*}}, %[[MAGIC]]
// CHECK: arith.subf %{{.*}}, %[[MAGIC]]
// CHECK: arith.fptosi %{{.*}} : vector<64xf32> to vector<64xi8>
// CHECK: vector.transfer_write %{{.*}} : vector<64xi8>, tensor<1x128xi8>
// CHECK: tensor.insert %{{.*}} : tensor<1xf32>
// CHECK: scf.for {{.*}} -> (vector<16xi32>)
// CHECK-NOT: unsigned_lhs
// CHECK: %[[DOT:.*]] = lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
// CHECK: arith.addi %{{.*}}, %[[DOT]] : vector<16xi32>
// CHECK: %[[SUM:.*]] = vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// CHECK: arith.sitofp %[[SUM]] : i32 to f32
// CHECK: tensor.extract %[[Q]]#1
// With VNNI (unsigned x signed bytes) the weights enter as q + 128 (xor
// 0x80, once per weight segment) and every lane's sum starts from the
// precomputed -128 * (sum of its four activations): one dot per segment.
// VNNI-LABEL: func @dynamic_int8
// VNNI-DAG: %[[MINUS128:.*]] = arith.constant dense<-128> : vector<16xi32>
// VNNI-DAG: %[[SIGN:.*]] = arith.constant dense<-128> : vector<64xi8>
// VNNI: %[[Q:.*]]:3 = scf.for {{.*}} -> (tensor<1x128xi8>, tensor<1xf32>, tensor<1x32xi32>)
// VNNI: %[[WIDE:.*]] = arith.extsi %{{.*}} : vector<64xi8> to vector<64xi32>
// VNNI: %[[GRID:.*]] = vector.shape_cast %[[WIDE]] : vector<64xi32> to vector<1x16x4xi32>
// VNNI: %[[SUMS:.*]] = vector.multi_reduction <add>, %[[GRID]], %{{.*}} [0, 2] : vector<1x16x4xi32> to vector<16xi32>
// VNNI: arith.muli %[[SUMS]], %[[MINUS128]] : vector<16xi32>
// VNNI: scf.for {{.*}} -> (vector<16xi32>)
// VNNI: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<4x100xi8>, vector<64xi8>
// VNNI: %[[OFFSET:.*]] = arith.xori %[[W]], %[[SIGN]] : vector<64xi8>
// VNNI: %[[CORR:.*]] = vector.transfer_read %[[Q]]#2
// VNNI: %[[X:.*]] = vector.transfer_read %[[Q]]#0
// VNNI: %[[DOT:.*]] = lowbit.dot_i8 %[[CORR]], %[[OFFSET]], %[[X]] {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// VNNI-NOT: lowbit.dot_i8
// VNNI: arith.addi %{{.*}}, %[[DOT]] : vector<16xi32>
// Under int8-dot=avx2 (vpmaddubsw sums pairs of products in i16), int8
// weights enter as |q| and the activations take q's sign: |pair| <= 2 * 128
// * 127 fits i16, which the dot product is told; no corrections.
// AVX2-LABEL: func @dynamic_int8
// AVX2-NOT: tensor<1x32xi32>
// AVX2: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<4x100xi8>, vector<64xi8>
// AVX2: %[[ABS:.*]] = math.absi %[[W]] : vector<64xi8>
// AVX2: %[[NEG:.*]] = arith.cmpi slt, %[[W]], %{{.*}} : vector<64xi8>
// AVX2: %[[X:.*]] = vector.transfer_read
// AVX2: %[[MINUS:.*]] = arith.subi %{{.*}}, %[[X]] : vector<64xi8>
// AVX2: %[[SIGNED:.*]] = arith.select %[[NEG]], %[[MINUS]], %[[X]] : vector<64xi1>, vector<64xi8>
// AVX2: lowbit.dot_i8 %{{.*}}, %[[ABS]], %[[SIGNED]] {pairs_fit_i16, unsigned_lhs} : vector<16xi32>, vector<64xi8>
func.func @dynamic_int8(%x: tensor<1x100xf32>, %p: tensor<4x100xi8>, %s: tensor<4xf32>) -> tensor<1x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<1x100xf32>, tensor<4x100xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Dynamic int8 on interleaved int4 (groups of 32): a segment is four blocks
// (64 bytes); its low nibbles and then its high nibbles are each one 64-byte
// dot product, against activations stored regrouped to match (every block's
// codes [0, 16), then every block's codes [16, 32)); the four group scales
// are spread over the lanes (4 lanes per block). K = 160: one whole segment
// and a partial one (one block) whose bytes and scales are read with
// padding (scale 0).
// CHECK-LABEL: func @dynamic_int4
// CHECK: vector.shuffle %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 32, 33,
// CHECK-SAME: 111, 16, 17,
// CHECK-SAME: 126, 127] : vector<128xi8>, vector<128xi8>
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: %[[S:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x5xf16>, vector<4xf16>
// CHECK: %[[S32:.*]] = arith.extf %[[S]] : vector<4xf16> to vector<4xf32>
// CHECK: %[[LANES:.*]] = vector.shuffle %[[S32]], %[[S32]] [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
// CHECK: %[[W:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x80xi8>, vector<64xi8>
// CHECK: %[[LOW:.*]] = arith.andi %[[W]]
// CHECK: arith.xori %[[LOW]]
// CHECK: %[[HIGH:.*]] = arith.shrui %[[W]]
// CHECK: arith.xori %[[HIGH]]
// CHECK: %[[D1:.*]] = lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
// CHECK: %[[D2:.*]] = lowbit.dot_i8 %[[D1]], %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
// CHECK: %[[F:.*]] = arith.sitofp %[[D2]] : vector<16xi32> to vector<16xf32>
// CHECK: arith.mulf %[[F]], %[[LANES]]
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %c4], %{{.*}} : tensor<2x5xf16>, vector<4xf16>
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %c64], %{{.*}} : tensor<2x80xi8>, vector<64xi8>
// Under avx512-vnni, q + 8 = nibble xor 8 (one xor with 0x88 for both nibbles),
// unsigned, and the lanes start from -8 * (their activations' sum).
// VNNI-LABEL: func @dynamic_int4
// VNNI-DAG: %[[MINUS8:.*]] = arith.constant dense<-8> : vector<16xi32>
// VNNI-DAG: %[[X88:.*]] = arith.constant dense<-120> : vector<64xi8>
// VNNI: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [0, 2] : vector<2x16x4xi32> to vector<16xi32>
// VNNI: arith.muli %{{.*}}, %[[MINUS8]] : vector<16xi32>
// VNNI: %[[OFFSET:.*]] = arith.xori %{{.*}}, %[[X88]] : vector<64xi8>
// VNNI: %[[LOW:.*]] = arith.andi %[[OFFSET]]
// VNNI: %[[HIGH:.*]] = arith.shrui %[[OFFSET]]
// VNNI: %[[CORR:.*]] = vector.transfer_read {{.*}} : tensor<1x32xi32>, vector<16xi32>
// VNNI: %[[D1:.*]] = lowbit.dot_i8 %[[CORR]], %[[LOW]], %{{.*}} {unsigned_lhs}
// VNNI: lowbit.dot_i8 %[[D1]], %[[HIGH]], %{{.*}} {unsigned_lhs}
// Under int8-dot=avx2 int4 weights take the same q + 8 form (pairs: 2 * 15 *
// 127 fit i16).
// AVX2-LABEL: func @dynamic_int4
// AVX2: %[[CORR:.*]] = vector.transfer_read {{.*}} : tensor<1x32xi32>, vector<16xi32>
// AVX2: %[[D1:.*]] = lowbit.dot_i8 %[[CORR]], %{{.*}}, %{{.*}} {pairs_fit_i16, unsigned_lhs}
// AVX2: lowbit.dot_i8 %[[D1]], %{{.*}}, %{{.*}} {pairs_fit_i16, unsigned_lhs}
func.func @dynamic_int4(%x: tensor<1x160xf32>, %p: tensor<2x80xi8>, %s: tensor<2x5xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x5xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<1x160xf32>, tensor<2x80xi8> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A single row (GEMV) with several four-group segments: each iteration
// takes four segments, reads their 16 scales as one vector converted once,
// spreads them to each segment's lanes by a shuffle, and accumulates each
// segment in its own accumulator (four independent chains). The partial
// last segment (one group of 33) reads its own scales.
// VNNI-LABEL: func @dynamic_int4_gemv
// VNNI: scf.for %{{.*}} = %c0 to %c8 step %c4 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// VNNI: %[[S:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x33xf16>, vector<16xf16>
// VNNI: %[[S32:.*]] = arith.extf %[[S]] : vector<16xf16> to vector<16xf32>
// VNNI: %[[L0:.*]] = vector.shuffle %[[S32]], %[[S32]] [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
// VNNI-COUNT-2: lowbit.dot_i8
// VNNI: arith.mulf %{{.*}}, %[[L0]]
// VNNI-NOT: arith.extf
// VNNI: vector.shuffle %[[S32]], %[[S32]] [4, 4, 4, 4, 5, 5, 5, 5,
// VNNI-NOT: arith.extf
// VNNI: vector.shuffle %[[S32]], %[[S32]] [8, 8, 8, 8, 9, 9, 9, 9,
// VNNI-NOT: arith.extf
// VNNI: vector.shuffle %[[S32]], %[[S32]] [12, 12, 12, 12, 13, 13, 13, 13,
// VNNI: scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
// VNNI: vector.transfer_read %{{.*}}[%{{.*}}, %c32], %{{.*}} : tensor<2x33xf16>, vector<4xf16>
func.func @dynamic_int4_gemv(%x: tensor<1x1056xf32>, %p: tensor<2x528xi8>, %s: tensor<2x33xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x33xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<1x1056xf32>, tensor<2x528xi8> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// With i8mm, the tile of four rows meets the pair of columns in 2x2 smmla
// blocks: per 8 bytes, the two columns' bytes side by side against each
// pair of rows'; the two smmla chains of a group (low then high nibbles,
// two 8-byte chunks each) are summed exactly in i32, then scaled by
// [s(c0, g), s(c1, g), s(c0, g), s(c1, g)] into f32 lanes
// [r0.c0, r0.c1, r1.c0, r1.c1].
// I8MM-LABEL: func @dynamic_int4_rows
// I8MM: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>)
// I8MM: %[[W:.*]] = vector.shuffle %[[C0:.*]], %[[C1:.*]] [0, 1, 2, 3, 4, 5, 6, 7, 64, 65, 66, 67, 68, 69, 70, 71] : vector<64xi8>, vector<64xi8>
// I8MM: %[[X:.*]] = vector.shuffle %[[R0:.*]], %[[R1:.*]] [0, 1, 2, 3, 4, 5, 6, 7, 64, 65, 66, 67, 68, 69, 70, 71] : vector<64xi8>, vector<64xi8>
// I8MM: %[[S:.*]] = arm_neon.intr.smmla %{{.*}}, %[[X]], %[[W]] : vector<16xi8> to vector<4xi32>
// I8MM: vector.shuffle %[[C0]], %[[C1]] [8, 9, 10, 11, 12, 13, 14, 15, 72,
// I8MM: vector.shuffle %[[R0]], %[[R1]] [8, 9, 10, 11, 12, 13, 14, 15, 72,
// I8MM: arm_neon.intr.smmla %[[S]]
// I8MM-COUNT-2: arm_neon.intr.smmla
// I8MM: %[[S0:.*]] = arith.extf %{{.*}} : f16 to f32
// I8MM: %[[S1:.*]] = arith.extf %{{.*}} : f16 to f32
// I8MM: %[[SCALES:.*]] = vector.from_elements %[[S0]], %[[S1]], %[[S0]], %[[S1]] : vector<4xf32>
// I8MM: %[[F:.*]] = arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// I8MM: arith.mulf %[[F]], %[[SCALES]]
// The partial segment (one block of four) clamps its blocks' group index
// to the last group: every scale it reads is group 4's.
// I8MM-COUNT-8: tensor.extract %{{.*}}[%{{.*}}, %c4] : tensor<2x5xf16>
// I8MM: vector.extract %{{.*}}[1] : f32 from vector<4xf32>
// No smmla for the odd activation rows or columns: none here (4 x 2).
// I8MM-NOT: lowbit.dot_i8
func.func @dynamic_int4_rows(%x: tensor<4x160xf32>, %p: tensor<2x80xi8>, %s: tensor<2x5xf16>) -> tensor<4x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x5xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<4x160xf32>, tensor<2x80xi8> -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Several activation rows walk the weight rows in blocks of about 256 KiB
// (here 128 rows of 2048 bytes), so that each block stays in cache for every
// row tile; inside a block, column pairs and then the odd column left over.
// CHECK-LABEL: func @column_blocks
// CHECK: scf.for %[[FIRST:.*]] = %c0 to %c201 step %c128
// CHECK: %[[END:.*]] = arith.minsi %{{.*}}, %c201 : index
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c4
// CHECK: %[[WIDTH:.*]] = arith.subi %[[END]], %[[FIRST]] : index
// CHECK: %[[REST:.*]] = arith.remui %[[WIDTH]], %c2 : index
// CHECK: %[[PAIRS:.*]] = arith.subi %[[END]], %[[REST]] : index
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %[[PAIRS]] step %c2
// CHECK: scf.for %{{.*}} = %[[PAIRS]] to %[[END]] step %c1
func.func @column_blocks(%x: tensor<4x2048xf32>, %p: tensor<201x2048xi8>, %s: tensor<201xf32>) -> tensor<4x201xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<201xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<4x2048xf32>, tensor<201x2048xi8> -> tensor<4x201xf32>
  return %y : tensor<4x201xf32>
}

// -----

// A GEMV streams the packed matrix from DRAM one weight row after the other.
// Once per weight row it touches one line of every 4 KiB page 16 KiB ahead
// (rows of 9000 bytes: two rows ahead, clamped to the last row, at offsets
// 0, 4096 and 8192), so that the page walks start before the stream gets
// there. Row tiles (M > 1) do not. The segment loop then prefetches every
// line it reads 4 KiB ahead, rounded up to whole rows (here the next row):
// one line per 64-byte segment.
// I8MM-LABEL: func @gemv_page_prefetch
// VNNI-LABEL: func @gemv_page_prefetch
// VNNI: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4x9000xi8> to memref<4x9000xi8>
// VNNI: scf.for %[[N:.*]] = %c0 to %c4 step %c1
// VNNI: %[[AHEAD:.*]] = arith.addi %[[N]], %c2 : index
// VNNI: %[[ROW:.*]] = arith.minsi %[[AHEAD]], %c3 : index
// VNNI: memref.prefetch %[[W]][%[[ROW]], %c0], read, locality<3>, data
// VNNI: memref.prefetch %[[W]][%[[ROW]], %c4096], read, locality<3>, data
// VNNI: memref.prefetch %[[W]][%[[ROW]], %c8192], read, locality<3>, data
// VNNI: %[[NEXT:.*]] = arith.addi %[[N]], %c1 : index
// VNNI: %[[LINEROW:.*]] = arith.minsi %[[NEXT]], %c3 : index
// VNNI: scf.for %[[SEG:.*]] = %c0 to %c140 step %c1
// VNNI: %[[UNIT:.*]] = arith.muli %[[SEG]], %c64 : index
// VNNI-NEXT: memref.prefetch %[[W]][%[[LINEROW]], %[[UNIT]]], read, locality<3>, data
// VNNI-NOT: memref.prefetch
// VNNI: return
func.func @gemv_page_prefetch(%x: tensor<1x9000xf32>, %p: tensor<4x9000xi8>, %s: tensor<4xf32>) -> tensor<1x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<1x9000xf32>, tensor<4x9000xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// Rows shorter than a page (w2a8 at K = 4096: 1 KiB) prefetch only in the
// iterations where a page starts (the row's last byte lies fewer than 1024
// bytes past a page boundary), one line 16 rows (16 KiB) ahead.
// VNNI-LABEL: func @gemv_short_rows_page_prefetch
// VNNI: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<8x1024xi8> to memref<8x1024xi8>
// VNNI: scf.for %[[N:.*]] = %c0 to %c8 step %c1
// VNNI: %[[NEXT:.*]] = arith.addi %[[N]], %c1 : index
// VNNI: %[[END:.*]] = arith.muli %[[NEXT]], %c1024 : index
// VNNI: %[[LAST:.*]] = arith.subi %[[END]], %c1 : index
// VNNI: %[[INPAGE:.*]] = arith.remui %[[LAST]], %c4096 : index
// VNNI: %[[STARTS:.*]] = arith.cmpi ult, %[[INPAGE]], %c1024 : index
// VNNI: scf.if %[[STARTS]] {
// VNNI: %[[AHEAD:.*]] = arith.addi %[[N]], %c16 : index
// VNNI: %[[ROW:.*]] = arith.minsi %[[AHEAD]], %c7 : index
// VNNI: memref.prefetch %[[W]][%[[ROW]], %c0], read, locality<3>, data
// VNNI-NEXT: }
// VNNI-NOT: memref.prefetch
// VNNI: return
func.func @gemv_short_rows_page_prefetch(%x: tensor<1x4096xf32>, %p: tensor<8x1024xi8>, %s: tensor<8x128xf16>, %m: tensor<8x128xf16>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x128xf16>) mins(%m : tensor<8x128xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>, dynamic_int8_activations} : tensor<1x4096xf32>, tensor<8x1024xi8> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// VNNI-LABEL: func @row_tiles_no_page_prefetch
// VNNI-NOT: memref.prefetch
// VNNI: return
func.func @row_tiles_no_page_prefetch(%x: tensor<4x9000xf32>, %p: tensor<4x9000xi8>, %s: tensor<4xf32>) -> tensor<4x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<4x9000xf32>, tensor<4x9000xi8> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
