// Every option of lowbit-lower-to-llvm reaches the pass it configures: the
// defaults emit portable code; each target option below gives its own
// instructions. Unknown values are errors that list the choices.
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none})' | FileCheck %s --check-prefix=DEFAULT
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none int8-dot=avx512-vnni})' | FileCheck %s --check-prefix=VNNI
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none int8-dot=avx512-vnni vbmi=true})' | FileCheck %s --check-prefix=VBMI
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none int8-dot=arm-dotprod})' | FileCheck %s --check-prefix=SDOT
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none int8-dot=arm-dotprod i8mm=true})' | FileCheck %s --check-prefix=I8MM
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none byte-lookup=avx512bw})' | FileCheck %s --check-prefix=LOOKUP
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none bf16-dot=avx512-bf16})' | FileCheck %s --check-prefix=BF16
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none vector-bits=256})' | FileCheck %s --check-prefix=NARROW
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none expand-rounding=true expand-bf16=true})' | FileCheck %s --check-prefix=EXPAND
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{int8-dot=avx9})' 2>&1 | FileCheck %s --check-prefix=BAD-INT8
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{bf16-dot=amx})' 2>&1 | FileCheck %s --check-prefix=BAD-BF16
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{byte-lookup=sve})' 2>&1 | FileCheck %s --check-prefix=BAD-LOOKUP
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{vector-bits=wide})' 2>&1 | FileCheck %s --check-prefix=BAD-BITS
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{vbmi=maybe})' 2>&1 | FileCheck %s --check-prefix=BAD-VBMI

// BAD-INT8: unknown int8-dot='avx9' (expected generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod)
// BAD-BF16: unknown bf16-dot='amx' (expected none, avx512-bf16 or arm-bf16)
// BAD-LOOKUP: unknown byte-lookup='sve' (expected generic, ssse3, avx2, avx512bw, avx512vbmi or neon)
// BAD-BITS: for the --vector-bits option: 'wide' value invalid
// BAD-VBMI: 'maybe' is invalid value for boolean argument

// DEFAULT-NOT: llvm.x86.
// DEFAULT-NOT: arm_neon.
// DEFAULT-NOT: vector<8xf32>
// VNNI-NOT: llvm.x86.avx512.pmultishift.qb.512
// SDOT-NOT: arm_neon.intr.smmla
// LOOKUP-NOT: llvm.x86.avx512.pmultishift.qb.512

// Dynamic int8 activations on int3 words: vpdpbusd with int8-dot, and the
// fields spread by vpmultishiftqb with vbmi; accumulators of 8 lanes with
// vector-bits=256.
// VNNI-LABEL: llvm.func @lowbit_int3_with_workspace(
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VBMI-LABEL: llvm.func @lowbit_int3_with_workspace(
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// SDOT-LABEL: llvm.func @lowbit_int3_with_workspace(
// SDOT: arm_neon.intr.sdot
// NARROW-LABEL: llvm.func @lowbit_int3_with_workspace(
// NARROW: llvm.fmul %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<contract>} : vector<8xf32>
func.func @int3(%x: tensor<1x128xf32>, %p: tensor<2x14xi32>, %s: tensor<2x2xf16>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x2xf16>) {scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>, layout = #lowbit.layout<int3, block = 64>, dynamic_int8_activations} : tensor<1x128xf32>, tensor<2x14xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// An integer matmul of two rows: smmla blocks with i8mm.
// I8MM-LABEL: llvm.func @integer(
// I8MM: arm_neon.intr.smmla
func.func @integer(%x: tensor<2x100xi8>, %w: tensor<3x100xi8>, %b: tensor<3xi32>) -> tensor<2x3xi32> {
  %y = lowbit.integer_matmul %x, %w bias(%b : tensor<3xi32>) : tensor<2x100xi8>, tensor<3x100xi8> -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// Lookup-table kernel: vpshufb with byte-lookup=avx512bw.
// LOOKUP-LABEL: llvm.func @lowbit_planes_with_workspace(
// LOOKUP: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"
func.func @planes(%x: tensor<3x40xf32>, %p: tensor<2x192xi8>, %s: tensor<20x2xf16>, %m: tensor<20x2xf16>) -> tensor<3x20xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<20x2xf16>) mins(%m : tensor<20x2xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2_planes, block = 32>, dynamic_int8_activations} : tensor<3x40xf32>, tensor<2x192xi8> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// bf16 activations: vdpbf16ps with bf16-dot=avx512-bf16.
// BF16-LABEL: llvm.func @lowbit_int4_with_workspace(
// BF16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
func.func @int4(%x: tensor<2x100xf32>, %p: tensor<3x64xi8>, %s: tensor<3x4xf16>) -> tensor<2x3xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<3x4xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x100xf32>, tensor<3x64xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// Rounding and bf16 conversions are instructions by default, integer
// arithmetic when expanded.
// DEFAULT-LABEL: llvm.func @lowbit_floor_with_workspace(
// DEFAULT: llvm.intr.floor
// EXPAND-LABEL: llvm.func @lowbit_floor_with_workspace(
// EXPAND-NOT: llvm.intr.floor
// EXPAND: llvm.return
func.func @floor(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = math.floor %x : tensor<16xf32>
  return %y : tensor<16xf32>
}

// DEFAULT-LABEL: llvm.func @lowbit_tobf16_with_workspace(
// DEFAULT: llvm.fptrunc %{{.*}} : f32 to bf16
// EXPAND-LABEL: llvm.func @lowbit_tobf16_with_workspace(
// EXPAND-NOT: llvm.fptrunc
// EXPAND: llvm.return
func.func @tobf16(%x: tensor<16xf32>) -> tensor<16xbf16> {
  %y = arith.truncf %x : tensor<16xf32> to tensor<16xbf16>
  return %y : tensor<16xbf16>
}
