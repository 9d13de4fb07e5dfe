// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// int4: code j sits in byte j / 2 at bit 4 * (j % 2); signed codes are
// sign-extended from 4 bits as (p ^ 8) - 8. Static byte layouts unpack as
// one elementwise generic over [rows, bytes, codes per byte] (each byte read
// once per slot, no gather), collapsed back to rows.

// CHECK-DAG: #[[BYTE:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @unpack_int4_signed
// CHECK-SAME:    (%[[P:.*]]: tensor<4x8xi8>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8x2xi8>
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[BYTE]], #[[ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[P]] : tensor<4x8xi8>) outs(%[[E]] : tensor<4x8x2xi8>)
// CHECK:           ^bb0(%[[B:.*]]: i8, %{{.*}}: i8):
// CHECK:           %[[W:.*]] = arith.extui %[[B]] : i8 to i32
// CHECK:           %[[SLOT:.*]] = linalg.index 2 : index
// CHECK:           %[[SLOT32:.*]] = arith.index_castui %[[SLOT]] : index to i32
// CHECK:           %[[C4:.*]] = arith.constant 4 : i32
// CHECK:           %[[SH:.*]] = arith.muli %[[SLOT32]], %[[C4]] : i32
// CHECK:           %[[S:.*]] = arith.shrui %[[W]], %[[SH]] : i32
// CHECK:           %[[MASK:.*]] = arith.constant 15 : i32
// CHECK:           %[[PAT:.*]] = arith.andi %[[S]], %[[MASK]] : i32
// CHECK:           %[[SIGN:.*]] = arith.constant 8 : i32
// CHECK:           %[[X:.*]] = arith.xori %[[PAT]], %[[SIGN]] : i32
// CHECK:           %[[V:.*]] = arith.subi %[[X]], %[[SIGN]] : i32
// CHECK:           %[[T:.*]] = arith.trunci %[[V]] : i32 to i8
// CHECK:           linalg.yield %[[T]] : i8
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<4x8x2xi8> into tensor<4x16xi8>
// CHECK:         return %[[C]]
// CHECK-NOT:     lowbit.
func.func @unpack_int4_signed(%p: tensor<4x8xi8>) -> tensor<4x16xi8> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes} : tensor<4x8xi8> -> tensor<4x16xi8>
  return %c : tensor<4x16xi8>
}

// -----

// int4_interleaved, block 8 (H = 4): code k of block b is in byte
// 4 * b + k % 4, low nibble for k < 4. Dynamic leading dimensions come from
// the packed storage; unsigned codes are zero-extended.

// CHECK-LABEL: func @unpack_int4_interleaved_block
// CHECK-SAME:    (%[[P:.*]]: tensor<?x20xi8>)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[P]], %[[C0]] : tensor<?x20xi8>
// CHECK:         %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x40xi32>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<?x40xi32>)
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[C8:.*]] = arith.constant 8 : index
// CHECK:           %[[BLK:.*]] = arith.divui %[[J]], %[[C8]] : index
// CHECK:           %[[UPB:.*]] = arith.constant 4 : index
// CHECK:           %[[BASE:.*]] = arith.muli %[[BLK]], %[[UPB]] : index
// CHECK:           %[[K:.*]] = arith.remui %[[J]], %[[C8]] : index
// CHECK:           %[[H:.*]] = arith.constant 4 : index
// CHECK:           %[[OFF:.*]] = arith.remui %[[K]], %[[H]] : index
// CHECK:           %[[U:.*]] = arith.addi %[[BASE]], %[[OFF]] : index
// CHECK:           tensor.extract %[[P]][%[[I]], %[[U]]] : tensor<?x20xi8>
// CHECK:           %[[HALF:.*]] = arith.divui %[[K]], %[[H]] : index
// CHECK:           arith.muli %[[HALF]], %{{.*}} : index
// CHECK:           arith.shrui
// CHECK:           %[[PAT:.*]] = arith.andi
// CHECK-NOT:       arith.xori
// CHECK:           linalg.yield %[[PAT]] : i32
func.func @unpack_int4_interleaved_block(%p: tensor<?x20xi8>) -> tensor<?x40xi32> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<int4_interleaved, block = 8>} : tensor<?x20xi8> -> tensor<?x40xi32>
  return %c : tensor<?x40xi32>
}

// -----

// int3, block 16: two words per block (ceil(16 / 10)), code k at bits
// 3 * (k % 10) of word k / 10; i32 units are used as they are.

// CHECK-LABEL: func @unpack_int3_block
// CHECK-SAME:    (%[[P:.*]]: tensor<2x6xi32>)
// CHECK:         linalg.generic
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[C16:.*]] = arith.constant 16 : index
// CHECK:           %[[BLK:.*]] = arith.divui %[[J]], %[[C16]] : index
// CHECK:           %[[C2:.*]] = arith.constant 2 : index
// CHECK:           %[[BASE:.*]] = arith.muli %[[BLK]], %[[C2]] : index
// CHECK:           %[[K:.*]] = arith.remui %[[J]], %[[C16]] : index
// CHECK:           %[[C10:.*]] = arith.constant 10 : index
// CHECK:           %[[W:.*]] = arith.divui %[[K]], %[[C10]] : index
// CHECK:           %[[U:.*]] = arith.addi %[[BASE]], %[[W]] : index
// CHECK:           %[[WORD:.*]] = tensor.extract %[[P]][%{{.*}}, %[[U]]] : tensor<2x6xi32>
// CHECK:           %[[SLOT:.*]] = arith.remui %[[K]], %[[C10]] : index
// CHECK:           %[[C3:.*]] = arith.constant 3 : index
// CHECK:           arith.muli %[[SLOT]], %[[C3]] : index
// CHECK:           %[[MASK:.*]] = arith.constant 7 : i32
// CHECK:           %[[S:.*]] = arith.shrui %[[WORD]], %{{.*}} : i32
// CHECK:           %[[PAT:.*]] = arith.andi %[[S]], %[[MASK]] : i32
// CHECK:           %[[SIGN:.*]] = arith.constant 4 : i32
// CHECK:           arith.xori %[[PAT]], %[[SIGN]] : i32
func.func @unpack_int3_block(%p: tensor<2x6xi32>) -> tensor<2x45xi8> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<int3, block = 16>, signed_codes} : tensor<2x6xi32> -> tensor<2x45xi8>
  return %c : tensor<2x45xi8>
}

// -----

// int2: four codes per byte at bits 2 * (j % 4); 6 bytes hold 24 codes,
// of which the row keeps 23 (copied out of the slice into a dense tensor).

// CHECK-LABEL: func @unpack_int2
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.*}} : tensor<3x6x4xi8>)
// CHECK:           %[[C2:.*]] = arith.constant 2 : i32
// CHECK:           arith.muli %{{.*}}, %[[C2]] : i32
// CHECK:           arith.constant 3 : i32
// CHECK:         %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<3x6x4xi8> into tensor<3x24xi8>
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[C]][0, 0] [3, 23] [1, 1] : tensor<3x24xi8> to tensor<3x23xi8>
// CHECK:         %[[D:.*]] = linalg.copy ins(%[[S]] : tensor<3x23xi8>)
// CHECK:         return %[[D]]
func.func @unpack_int2(%p: tensor<3x6xi8>) -> tensor<3x23xi8> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<int2>} : tensor<3x6xi8> -> tensor<3x23xi8>
  return %c : tensor<3x23xi8>
}

// -----

// radix(11), block 128: 15 words per block, 9 digits per word; digit i of
// word q is ((uint64)(uint32)(q * 11^i) * 11) >> 32, with 11^i from a table.

// CHECK-LABEL: func @unpack_radix11
// CHECK-SAME:    (%[[P:.*]]: tensor<3x15xi32>)
// CHECK:         %[[POW:.*]] = arith.constant dense<[1, 11, 121, 1331, 14641, 161051, 1771561, 19487171, 214358881]> : tensor<9xi32>
// CHECK:         linalg.generic
// CHECK:           %[[C128:.*]] = arith.constant 128 : index
// CHECK:           %[[C15:.*]] = arith.constant 15 : index
// CHECK:           %[[K:.*]] = arith.remui %{{.*}}, %[[C128]] : index
// CHECK:           %[[C9:.*]] = arith.constant 9 : index
// CHECK:           arith.divui %[[K]], %[[C9]] : index
// CHECK:           %[[Q:.*]] = tensor.extract %[[P]]
// CHECK:           %[[I:.*]] = arith.remui %[[K]], %[[C9]] : index
// CHECK:           %[[RI:.*]] = tensor.extract %[[POW]][%[[I]]] : tensor<9xi32>
// CHECK:           %[[M:.*]] = arith.muli %[[Q]], %[[RI]] : i32
// CHECK:           %[[WIDE:.*]] = arith.extui %[[M]] : i32 to i64
// CHECK:           %[[C11:.*]] = arith.constant 11 : i64
// CHECK:           %[[PROD:.*]] = arith.muli %[[WIDE]], %[[C11]] : i64
// CHECK:           %[[C32:.*]] = arith.constant 32 : i64
// CHECK:           %[[D:.*]] = arith.shrui %[[PROD]], %[[C32]] : i64
// CHECK:           %[[D32:.*]] = arith.trunci %[[D]] : i64 to i32
// CHECK:           %[[D8:.*]] = arith.trunci %[[D32]] : i32 to i8
// CHECK:           linalg.yield %[[D8]] : i8
func.func @unpack_radix11(%p: tensor<3x15xi32>) -> tensor<3x128xi8> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<radix(11), block = 128>} : tensor<3x15xi32> -> tensor<3x128xi8>
  return %c : tensor<3x128xi8>
}

// -----

// int8, unsigned into a wider type: zero extension.

// CHECK-LABEL: func @unpack_int8_unsigned
// CHECK-SAME:    (%[[P:.*]]: tensor<5xi8>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[P]] : tensor<5xi8>)
// CHECK:           %[[W:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK:           arith.constant 255 : i32
// CHECK:           %[[T:.*]] = arith.trunci %{{.*}} : i32 to i16
// CHECK:           linalg.yield %[[T]] : i16
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<5x1xi16> into tensor<5xi16>
func.func @unpack_int8_unsigned(%p: tensor<5xi8>) -> tensor<5xi16> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<int8>} : tensor<5xi8> -> tensor<5xi16>
  return %c : tensor<5xi16>
}

// -----

// int4_panel: code (n, k) is in byte 64 * (k / 8) + 4 * (n % 16) + k % 4 of
// panel n / 16, shifted right by 4 * ((k / 4) % 2): one generic over the
// codes reading the byte that holds each.
// CHECK-LABEL: func @unpack_int4_panel
// CHECK-SAME:    (%[[P:.*]]: tensor<2x256xi8>)
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.*}} : tensor<17x9xi8>)
// CHECK:           %[[N:.*]] = linalg.index 0 : index
// CHECK:           %[[K:.*]] = linalg.index 1 : index
// CHECK:           %[[NR:.*]] = arith.remui %[[N]], %{{.*}} : index
// CHECK:           %[[ROW:.*]] = arith.muli %[[NR]], %{{.*}} : index
// CHECK:           %[[J:.*]] = arith.remui %[[K]], %{{.*}} : index
// CHECK:           %[[LANE:.*]] = arith.addi %[[ROW]], %[[J]] : index
// CHECK:           %[[C4:.*]] = arith.constant 4 : index
// CHECK:           %[[QUAD:.*]] = arith.divui %[[K]], %[[C4]] : index
// CHECK:           %[[PANEL:.*]] = arith.divui %[[N]], %{{.*}} : index
// CHECK:           %[[C2:.*]] = arith.constant 2 : index
// CHECK:           %[[V:.*]] = arith.divui %[[QUAD]], %[[C2]] : index
// CHECK:           %[[C64:.*]] = arith.constant 64 : index
// CHECK:           %[[VB:.*]] = arith.muli %[[V]], %[[C64]] : index
// CHECK:           %[[BYTE:.*]] = arith.addi %[[VB]], %[[LANE]] : index
// CHECK:           tensor.extract %[[P]][%[[PANEL]], %[[BYTE]]] : tensor<2x256xi8>
// CHECK:           arith.shrui
// CHECK:           arith.andi
// CHECK:           arith.xori
// CHECK:           arith.subi
// CHECK:           linalg.yield
func.func @unpack_int4_panel(%p: tensor<2x256xi8>) -> tensor<17x9xi8> {
  %0 = lowbit.unpack %p {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<2x256xi8> -> tensor<17x9xi8>
  return %0 : tensor<17x9xi8>
}

// -----

// int3_panel: the low two bits of code (n, k) from plane (k / 16) % 2 of
// its 192-byte unit, bit 2 from plane 2 at bit (k / 4) % 8 (values checked
// against numerics::unpackPanels in LowbitToLinalgTest).
// CHECK-LABEL: func @unpack_int3_panel
// CHECK-SAME:    (%[[P:.*]]: tensor<2x384xi8>)
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.*}} : tensor<17x40xi8>)
// CHECK:           %[[C192:.*]] = arith.constant 192 : index
// CHECK:           tensor.extract %[[P]]
// CHECK:           %[[C128:.*]] = arith.constant 128 : index
// CHECK:           tensor.extract %[[P]]
// CHECK:           arith.shrui
// CHECK:           arith.andi
// CHECK:           arith.shrui
// CHECK:           arith.andi
// CHECK:           arith.shli
// CHECK:           arith.ori
// CHECK:           linalg.yield
func.func @unpack_int3_panel(%p: tensor<2x384xi8>) -> tensor<17x40xi8> {
  %0 = lowbit.unpack %p {layout = #lowbit.layout<int3_panel, block = 64>, signed_codes} : tensor<2x384xi8> -> tensor<17x40xi8>
  return %0 : tensor<17x40xi8>
}
