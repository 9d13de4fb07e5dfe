// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// int4, block 7 (4 bytes per block): byte u holds codes 2j and 2j + 1 of
// block u / 4 (j = u % 4). A slot is a code only if it lies inside the block
// (k < 7) and the row (c < 15); other slots are zero padding.

// CHECK-LABEL: func @pack_int4_block
// CHECK-SAME:    (%[[C:.*]]: tensor<2x15xi8>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x12xi8>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<2x12xi8>)
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[U:.*]] = linalg.index 1 : index
// CHECK:           %[[C4:.*]] = arith.constant 4 : index
// CHECK:           %[[BLK:.*]] = arith.divui %[[U]], %[[C4]] : index
// CHECK:           %[[C7:.*]] = arith.constant 7 : index
// CHECK:           %[[FIRST:.*]] = arith.muli %[[BLK]], %[[C7]] : index
// CHECK:           %[[J:.*]] = arith.remui %[[U]], %[[C4]] : index
// CHECK:           %[[MASK:.*]] = arith.constant 15 : i32
// CHECK:           %[[K0:.*]] = arith.muli %[[J]], %{{.*}} : index
// CHECK:           %[[C0:.*]] = arith.addi %[[FIRST]], %[[K0]] : index
// CHECK:           %[[INROW:.*]] = arith.cmpi ult, %[[C0]], %{{.*}} : index
// CHECK:           %[[INBLK:.*]] = arith.cmpi ult, %[[K0]], %{{.*}} : index
// CHECK:           %[[VALID:.*]] = arith.andi %[[INROW]], %[[INBLK]] : i1
// CHECK:           %[[AT:.*]] = arith.select %[[VALID]], %[[C0]], %{{.*}} : index
// CHECK:           %[[CODE:.*]] = tensor.extract %[[C]][%[[I]], %[[AT]]] : tensor<2x15xi8>
// CHECK:           %[[W:.*]] = arith.extui %[[CODE]] : i8 to i32
// CHECK:           %[[PAT:.*]] = arith.andi %[[W]], %[[MASK]] : i32
// CHECK:           %[[LO:.*]] = arith.select %[[VALID]], %[[PAT]], %{{.*}} : i32
// CHECK:           tensor.extract %[[C]]
// CHECK:           %[[HI:.*]] = arith.select
// CHECK:           %[[FOUR:.*]] = arith.constant 4 : i32
// CHECK:           %[[HISH:.*]] = arith.shli %[[HI]], %[[FOUR]] : i32
// CHECK:           %[[BYTE:.*]] = arith.ori %[[LO]], %[[HISH]] : i32
// CHECK:           %[[T:.*]] = arith.trunci %[[BYTE]] : i32 to i8
// CHECK:           linalg.yield %[[T]] : i8
func.func @pack_int4_block(%c: tensor<2x15xi8>) -> tensor<2x12xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<int4, block = 7>, signed_codes} : tensor<2x15xi8> -> tensor<2x12xi8>
  return %p : tensor<2x12xi8>
}

// -----

// int4_interleaved, block 32: byte j of a block holds code j (low nibble)
// and code j + 16 (high nibble); every slot is inside the block.

// CHECK-LABEL: func @pack_int4_interleaved
// CHECK:         linalg.generic
// CHECK:           %[[U:.*]] = linalg.index 1 : index
// CHECK:           %[[C16:.*]] = arith.constant 16 : index
// CHECK:           %[[BLK:.*]] = arith.divui %[[U]], %[[C16]] : index
// CHECK:           %[[C32:.*]] = arith.constant 32 : index
// CHECK:           arith.muli %[[BLK]], %[[C32]] : index
// CHECK:           %[[J:.*]] = arith.remui %[[U]], %[[C16]] : index
// CHECK:           arith.cmpi ult
// CHECK-NOT:       arith.andi %{{.*}} : i1
// CHECK:           %[[LO:.*]] = arith.select %{{.*}} : i32
// CHECK:           %[[H:.*]] = arith.constant 16 : index
// CHECK:           arith.addi %[[J]], %[[H]] : index
// CHECK:           %[[HI:.*]] = arith.select %{{.*}} : i32
// CHECK:           %[[FOUR:.*]] = arith.constant 4 : i32
// CHECK:           %[[HISH:.*]] = arith.shli %[[HI]], %[[FOUR]] : i32
// CHECK:           arith.ori %[[LO]], %[[HISH]] : i32
func.func @pack_int4_interleaved(%c: tensor<4x32xi8>) -> tensor<4x16xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<4x32xi8> -> tensor<4x16xi8>
  return %p : tensor<4x16xi8>
}

// -----

// radix(3): 20 digits per word, v = sum c_i 3^(19 - i) by Horner, stored as
// ceil(v * 2^32 / 3^20) = ((v << 32) + 3^20 - 1) / 3^20 (unsigned).

// CHECK-LABEL: func @pack_radix3
// CHECK-SAME:    (%[[C:.*]]: tensor<?x25xi8>)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[C]], %[[C0]] : tensor<?x25xi8>
// CHECK:         %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2xi32>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<?x2xi32>)
// CHECK:           %[[U:.*]] = linalg.index 1 : index
// CHECK:           %[[C20:.*]] = arith.constant 20 : index
// CHECK:           arith.muli %[[U]], %[[C20]] : index
// CHECK:           %[[R:.*]] = arith.constant 3 : i64
// CHECK:           %[[D0:.*]] = arith.extui %{{.*}} : i32 to i64
// CHECK:           %[[D1:.*]] = arith.extui %{{.*}} : i32 to i64
// CHECK:           %[[M:.*]] = arith.muli %[[D0]], %[[R]] : i64
// CHECK:           arith.addi %[[M]], %[[D1]] : i64
// CHECK-COUNT-18:  arith.muli %{{.*}}, %[[R]] : i64
// CHECK:           %[[V:.*]] = arith.addi %{{.*}} : i64
// CHECK:           %[[C32:.*]] = arith.constant 32 : i64
// CHECK:           %[[SH:.*]] = arith.shli %[[V]], %[[C32]] : i64
// CHECK:           %[[NM1:.*]] = arith.constant 3486784400 : i64
// CHECK:           %[[NUM:.*]] = arith.addi %[[SH]], %[[NM1]] : i64
// CHECK:           %[[NMOD:.*]] = arith.constant 3486784401 : i64
// CHECK:           %[[Q:.*]] = arith.divui %[[NUM]], %[[NMOD]] : i64
// CHECK:           %[[W:.*]] = arith.trunci %[[Q]] : i64 to i32
// CHECK:           linalg.yield %[[W]] : i32
func.func @pack_radix3(%c: tensor<?x25xi8>) -> tensor<?x2xi32> {
  %p = lowbit.pack %c {layout = #lowbit.layout<radix(3)>} : tensor<?x25xi8> -> tensor<?x2xi32>
  return %p : tensor<?x2xi32>
}
