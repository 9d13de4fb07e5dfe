// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=bf16-dot=avx512-bf16 | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=bf16-dot=none | FileCheck %s --check-prefix=NONE
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=bf16-dot=arm-bf16 | FileCheck %s --check-prefix=ARM
// RUN: lowbitc %s --mcpu=znver4 --threading=none --quiet --emit=asm -o - | FileCheck %s --check-prefix=ASM

// bf16 activations with vdpbf16ps: codes become bf16 in 16-bit lanes
// (0x4300 | u is 128 + u), never through f32. int4 in blocks of 32 goes four
// blocks (64 bytes) per segment: bytes interleaved with zeros in 128-bit
// lanes (vpunpck{l,h}bw) so that a vector of words holds 8 bytes of every
// block; its low nibbles (xor 8: u = q + 8) make one dot product, its high
// nibbles another, against activations stored in that order; lanes 4K-4K+3
// take block K's scale (one multiply-add per segment). 136 times each
// block's activation sum is subtracted after the loop.
// CHECK-LABEL: func @int4
// CHECK-DAG: %[[NIBBLE:.*]] = arith.constant dense<15> : vector<32xi16>
// CHECK-DAG: %[[CODE:.*]] = arith.constant dense<17160> : vector<32xi16>
// CHECK-DAG: %[[C136:.*]] = arith.constant dense<1.360000e+02> : vector<128xf32>
// CHECK-DAG: %[[MINUS:.*]] = arith.constant dense<-1.000000e+00> : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %[[C136]] : vector<128xf32>
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<4x32xf32> to vector<4xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 32, 33, 34, 35, 36, 37, 38, 39, 64, {{.*}} : vector<128xbf16>, vector<128xbf16>
// CHECK: scf.for
// CHECK: %[[BYTES:.*]] = vector.transfer_read %{{.*}} : tensor<3x64xi8>, vector<64xi8>
// CHECK: %[[PAIRS:.*]] = vector.shuffle %[[BYTES]], %[[ZERO:.*]] [0, 64, 1, 64, 2, 64, 3, 64, 4, 64, 5, 64, 6, 64, 7, 64, 16, 64, 17, 64, {{.*}}, 55, 64] : vector<64xi8>, vector<64xi8>
// CHECK: %[[WORDS:.*]] = vector.bitcast %[[PAIRS]] : vector<64xi8> to vector<32xi16>
// CHECK: arith.shrui %[[WORDS]]
// CHECK: %[[HIGHBF16:.*]] = arith.bitcast %{{.*}} : vector<32xi16> to vector<32xbf16>
// CHECK: %[[LOW:.*]] = arith.andi %[[WORDS]], %[[NIBBLE]] : vector<32xi16>
// CHECK: %[[LOWCODE:.*]] = arith.xori %[[LOW]], %[[CODE]] : vector<32xi16>
// CHECK: %[[LOWBF16:.*]] = arith.bitcast %[[LOWCODE]] : vector<32xi16> to vector<32xbf16>
// CHECK: vector.shuffle %[[BYTES]], %[[ZERO]] [8, 64, 9, 64, {{.*}}, 63, 64] : vector<64xi8>, vector<64xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3] : vector<4xf32>, vector<4xf32>
// CHECK: %[[DOT:.*]] = x86vector.avx512.dot %{{.*}}, %[[LOWBF16]], %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: %[[DOT2:.*]] = x86vector.avx512.dot %[[DOT]], %[[HIGHBF16]], %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: %[[DOT3:.*]] = x86vector.avx512.dot %[[DOT2]], %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: %[[DOT4:.*]] = x86vector.avx512.dot %[[DOT3]], %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: arith.mulf %[[DOT4]], %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK-NOT: arith.truncf
// CHECK: %[[SCALES:.*]] = arith.extf %{{.*}} : vector<16xf16> to vector<16xf32>
// CHECK: arith.mulf %[[SCALES]], %[[MINUS]] : vector<16xf32>
// NONE-LABEL: func @int4
// NONE-NOT: x86vector
// NONE-NOT: lowbit.dot_bf16
// AArch64 bfdot: the same codes into lowbit.dot_bf16 (lowered after
// bufferization).
// ARM-LABEL: func @int4
// ARM: arith.xori %{{.*}}, %{{.*}} : vector<32xi16>
// ARM: %[[DOT:.*]] = lowbit.dot_bf16 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>, vector<32xbf16>
// ARM: lowbit.dot_bf16 %[[DOT]], %{{.*}}, %{{.*}} : vector<16xf32>, vector<32xbf16>
// ARM-NOT: x86vector
// ASM-LABEL: lowbit_int4_with_workspace:
// ASM-NOT: vcvtdq2ps
// ASM-NOT: vpmovzxbw
// ASM-NOT: vshufi64x2
// ASM: vpunpcklbw
// ASM: vpunpckhbw
// ASM: vpternlog
// ASM: vpsrlw $4
// ASM: vdpbf16ps
// ASM-NOT: vcvtneps2bf16
// ASM: .size lowbit_int4_with_workspace
func.func @int4(%x: tensor<2x100xf32>, %p: tensor<3x64xi8>, %s: tensor<3x4xf16>) -> tensor<2x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x4xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x100xf32>, tensor<3x64xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// int8: per 32 bytes, the low nibbles of q + 128 as 128 + l (0x4300) and
// the high ones as 16 * (128 + h) (0x4500, xor 8 for h = (q >> 4) + 8),
// both against the same 32 activations, into two halves of 32 lanes; the
// per-channel scale multiplies the total less 2304 times the row's sum.
// CHECK-LABEL: func @int8
// CHECK-DAG: %[[LOWTOP:.*]] = arith.constant dense<17152> : vector<32xi16>
// CHECK-DAG: %[[HIGHTOP:.*]] = arith.constant dense<17672> : vector<32xi16>
// CHECK-DAG: arith.constant dense<2.304000e+03> : vector<32xf32>
// CHECK-DAG: %[[MINUS:.*]] = arith.constant dense<-1.000000e+00> : vector<16xf32>
// CHECK: scf.for
// CHECK: %[[WORDS:.*]] = arith.extui %{{.*}} : vector<32xi8> to vector<32xi16>
// CHECK: arith.xori %{{.*}}, %[[LOWTOP]] : vector<32xi16>
// CHECK: arith.shrui %[[WORDS]]
// CHECK: arith.xori %{{.*}}, %[[HIGHTOP]] : vector<32xi16>
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [16], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// CHECK: x86vector.avx512.dot
// CHECK: x86vector.avx512.dot
// CHECK: arith.mulf %{{.*}}, %[[MINUS]] fastmath<contract> : vector<16xf32>
// ASM-LABEL: lowbit_int8_with_workspace:
// ASM-NOT: vcvtdq2ps
// ASM: vpmovzxbw
// ASM: vpsrlw $4
// ASM: vdpbf16ps
// ASM: vdpbf16ps
// ASM-NOT: vcvtneps2bf16
// ASM: .size lowbit_int8_with_workspace
func.func @int8(%x: tensor<1x100xf32>, %p: tensor<3x100xi8>, %s: tensor<3xf32>) -> tensor<1x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3xf32>) {activation_type = bf16, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x100xf32>, tensor<3x100xi8> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// AArch64 +bf16 with tiles of rows: pairs of rows and pairs of columns meet
// in bfmmla (lowbit.mmla_bf16), 4 codes of each of two columns side by side
// against 4 activations of each of two rows; an int4 segment's 32 quads of
// codes go to the accumulator of their block, each block scaled once per
// segment as [s(c0), s(c1), s(c0), s(c1)]. The column left over (N = 3)
// takes bfdot; x86 never sees the tile form.
// ARM-LABEL: func @int4_tiles
// ARM: scf.for
// ARM: %[[W:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 32, 33, 34, 35] : vector<32xbf16>, vector<32xbf16>
// ARM: %[[X:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 32, 33, 34, 35] : vector<32xbf16>, vector<32xbf16>
// ARM: lowbit.mmla_bf16 %{{.*}}, %[[X]], %[[W]] : vector<4xf32>, vector<8xbf16>
// ARM-COUNT-63: lowbit.mmla_bf16
// ARM-NOT: lowbit.mmla_bf16
// ARM: vector.from_elements %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf32>
// ARM: arith.mulf %{{.*}} fastmath<contract> : vector<4xf32>
// ARM: scf.yield
// ARM: lowbit.dot_bf16
// ARM-LABEL: func @int8_tiles
// ARM: lowbit.mmla_bf16
// CHECK-LABEL: func @int4_tiles
// CHECK-NOT: lowbit.mmla_bf16
// CHECK: x86vector.avx512.dot
// NONE-LABEL: func @int4_tiles
// NONE-NOT: lowbit.mmla_bf16
func.func @int4_tiles(%x: tensor<4x100xf32>, %p: tensor<3x64xi8>, %s: tensor<3x4xf16>) -> tensor<4x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x4xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<4x100xf32>, tensor<3x64xi8> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

func.func @int8_tiles(%x: tensor<4x100xf32>, %p: tensor<3x100xi8>, %s: tensor<3xf32>) -> tensor<4x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3xf32>) {activation_type = bf16, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<4x100xf32>, tensor<3x100xi8> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// c11 radix words (c11a16): the 16-bit chunked decode's int8 quads
// [d5 d6 d0 d1], [d7 d8 d2 d3], [- - d4 -]; their even and odd bytes or-ed into
// 0x4300 are bf16 128 + d in 16-bit lanes: five dot products per group of
// 15 words (read as 16), alternating two chains, against activations
// stored in the chunks' order (zeros where a lane holds no code: 160 per
// group). No per-slot regrouping, no 64-bit multiplies. After the loop,
// alpha = 0.1 times the total, plus (m / 128 - 0.1 s) times 128 times each
// group's activation sum.
// CHECK-LABEL: func @radix
// CHECK-DAG: %[[MASK:.*]] = arith.constant dense<16711935> : vector<16xi32>
// CHECK-DAG: %[[TOP:.*]] = arith.constant dense<1124090624> : vector<16xi32>
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant dense<-1.000000e-01> : vector<16xf32>
// CHECK-DAG: %[[INV:.*]] = arith.constant dense<7.812500e-03> : vector<16xf32>
// CHECK-DAG: %[[C128:.*]] = arith.constant dense<1.280000e+02> : vector<128xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [5, 0, 14, 9, 23, 18, {{.*}}, 128, 4, 128, 13, {{.*}}] : vector<128xbf16>, vector<128xbf16>
// CHECK: tensor<1x192xbf16>
// CHECK: scf.for
// CHECK: %[[WORDS:.*]] = vector.transfer_read %{{.*}} : tensor<2x15xi32>, vector<16xi32>
// CHECK: arith.mului_extended
// CHECK-NOT: vector<8xi64>
// CHECK: %[[EVEN:.*]] = arith.andi %{{.*}}, %[[MASK]] : vector<16xi32>
// CHECK: %[[CODES:.*]] = arith.ori %[[EVEN]], %[[TOP]] : vector<16xi32>
// CHECK: vector.bitcast %[[CODES]] : vector<16xi32> to vector<32xbf16>
// CHECK-COUNT-5: x86vector.avx512.dot
// CHECK: arith.mulf %{{.*}}, %[[ALPHA]] : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %[[INV]] fastmath<contract> : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// NONE-LABEL: func @radix
// NONE-NOT: x86vector
// ARM-LABEL: func @radix
// ARM-COUNT-5: lowbit.dot_bf16
// ASM-LABEL: lowbit_radix_with_workspace:
// ASM-NOT: vpmuludq
// ASM: vpmulhuw
// ASM: vdpbf16ps
// ASM-NOT: vpmuludq
// ASM: .size lowbit_radix_with_workspace
func.func @radix(%x: tensor<1x128xf32>, %p: tensor<2x15xi32>, %s: tensor<2x1xf16>, %m: tensor<2x1xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {activation_type = bf16, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>} : tensor<1x128xf32>, tensor<2x15xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A GEMV on bf16 dots also touches the pages ahead of its stream, beside the
// row prefetches: 2 KiB rows, so once every two rows (where a page starts),
// one line 8 rows (16 KiB) ahead, clamped to the last row. Its segment loop
// prefetches every line it reads 4 KiB (two rows) ahead, then the next
// row's line as before.
// CHECK-LABEL: func @int4_gemv_page_prefetch
// CHECK: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4x2048xi8> to memref<4x2048xi8>
// CHECK: scf.for %[[N:.*]] = %c0 to %c4 step %c1
// CHECK: %[[INPAGE:.*]] = arith.remui %{{.*}}, %c4096 : index
// CHECK: %[[STARTS:.*]] = arith.cmpi ult, %[[INPAGE]], %c2048 : index
// CHECK: scf.if %[[STARTS]] {
// CHECK: %[[AHEAD:.*]] = arith.addi %[[N]], %c8 : index
// CHECK: %[[ROW:.*]] = arith.minsi %[[AHEAD]], %c3 : index
// CHECK: memref.prefetch %[[W]][%[[ROW]], %c0], read, locality<3>, data
// CHECK-NEXT: }
// CHECK: %[[LINEAHEAD:.*]] = arith.addi %[[N]], %c2 : index
// CHECK: %[[LINEROW:.*]] = arith.minsi %[[LINEAHEAD]], %c3 : index
// CHECK: scf.for %[[SEG:.*]] = %c0 to %c32 step %c1
// CHECK-NEXT: %[[UNIT:.*]] = arith.muli %[[SEG]], %c64 : index
// CHECK-NEXT: memref.prefetch %[[W]][%[[LINEROW]], %[[UNIT]]], read, locality<3>, data
// CHECK: memref.prefetch %[[W]]
func.func @int4_gemv_page_prefetch(%x: tensor<1x4096xf32>, %p: tensor<4x2048xi8>, %s: tensor<4x128xf16>) -> tensor<1x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4x128xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<1x4096xf32>, tensor<4x2048xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// The radix codes, bound by their decode, touch neither pages nor every
// line ahead: one weight prefetch per segment, the next row's.
// CHECK-LABEL: func @radix_gemv_no_page_prefetch
// CHECK-NOT: scf.if
// CHECK: memref.prefetch %{{.*}} : memref<4x480xi32>
// CHECK-NOT: memref.prefetch %{{.*}} : memref<4x480xi32>
// CHECK-NOT: scf.if
// CHECK: return
func.func @radix_gemv_no_page_prefetch(%x: tensor<1x4096xf32>, %p: tensor<4x480xi32>, %s: tensor<4x32xf16>, %m: tensor<4x32xf16>) -> tensor<1x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4x32xf16>) mins(%m : tensor<4x32xf16>) {activation_type = bf16, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>} : tensor<1x4096xf32>, tensor<4x480xi32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Row tiles read their stored bf16 activations once per column pair. At
// K = 4096, 4 rows (32 KiB) fit in L1 and 8 do not: tiles of 4 rows, 8
// accumulators (4 rows x 2 columns). At K = 2048 8 rows fit: tiles of 8.
// At K = 16384 neither fits: 8 rows halve the decodes per dot product.
// CHECK-LABEL: func @int4_tiles_fit_l1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4 iter_args(%{{.*}}) -> (tensor<16x8xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c2
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-NOT: step %c8
// CHECK: return
func.func @int4_tiles_fit_l1(%x: tensor<16x4096xf32>, %p: tensor<8x2048xi8>, %s: tensor<8x128xf16>) -> tensor<16x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x128xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<16x4096xf32>, tensor<8x2048xi8> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// CHECK-LABEL: func @int4_eight_row_tiles_fit_l1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8 iter_args(%{{.*}}) -> (tensor<16x8xf32>)
func.func @int4_eight_row_tiles_fit_l1(%x: tensor<16x2048xf32>, %p: tensor<8x1024xi8>, %s: tensor<8x64xf16>) -> tensor<16x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x64xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<16x2048xf32>, tensor<8x1024xi8> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// CHECK-LABEL: func @int4_no_row_tile_fits_l1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8 iter_args(%{{.*}}) -> (tensor<16x8xf32>)
func.func @int4_no_row_tile_fits_l1(%x: tensor<16x16384xf32>, %p: tensor<8x8192xi8>, %s: tensor<8x512xf16>) -> tensor<16x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x512xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<16x16384xf32>, tensor<8x8192xi8> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}
