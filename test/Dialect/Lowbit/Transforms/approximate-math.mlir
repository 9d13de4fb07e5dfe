// RUN: lowbit-opt %s -split-input-file -lowbit-approximate-math | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-approximate-math=expand-rounding=true | FileCheck %s --check-prefix=EXPAND

// Every math op becomes arith/vector code: on vectors (what
// lowbit-vectorize-linalg makes) and on scalars (convert-linalg-to-loops).
// Only sqrt, absf, copysign and (unless expand-rounding) floor and round,
// instructions on the target, remain.
// Accuracy is measured by unittests/Math, see docs/Math.md.

// CHECK-LABEL: func @exp_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @exp_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @exp_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @exp_scalar(%x: f32) -> f32 {
  %y = math.exp %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @exp2_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @exp2_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp2 %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @exp2_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @exp2_scalar(%x: f32) -> f32 {
  %y = math.exp2 %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @expm1_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @expm1_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.expm1 %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @expm1_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @expm1_scalar(%x: f32) -> f32 {
  %y = math.expm1 %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @log_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.log %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @log_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log_scalar(%x: f32) -> f32 {
  %y = math.log %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @log2_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log2_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.log2 %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @log2_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log2_scalar(%x: f32) -> f32 {
  %y = math.log2 %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @log10_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log10_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.log10 %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @log10_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log10_scalar(%x: f32) -> f32 {
  %y = math.log10 %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @log1p_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log1p_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.log1p %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @log1p_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @log1p_scalar(%x: f32) -> f32 {
  %y = math.log1p %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @tanh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @tanh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.tanh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @tanh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @tanh_scalar(%x: f32) -> f32 {
  %y = math.tanh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @sinh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @sinh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.sinh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @sinh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @sinh_scalar(%x: f32) -> f32 {
  %y = math.sinh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @cosh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cosh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.cosh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @cosh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cosh_scalar(%x: f32) -> f32 {
  %y = math.cosh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @erf_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: math.copysign %{{.*}}, %arg0 : vector<16xf32>
// CHECK: return
func.func @erf_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.erf %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @erf_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: math.copysign %{{.*}}, %arg0 : f32
// CHECK: return
func.func @erf_scalar(%x: f32) -> f32 {
  %y = math.erf %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @erfc_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @erfc_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.erfc %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @erfc_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @erfc_scalar(%x: f32) -> f32 {
  %y = math.erfc %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @sin_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @sin_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.sin %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @sin_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @sin_scalar(%x: f32) -> f32 {
  %y = math.sin %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @cos_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cos_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.cos %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @cos_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cos_scalar(%x: f32) -> f32 {
  %y = math.cos %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @tan_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @tan_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.tan %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @tan_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @tan_scalar(%x: f32) -> f32 {
  %y = math.tan %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @atan_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atan_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.atan %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @atan_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atan_scalar(%x: f32) -> f32 {
  %y = math.atan %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @asin_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @asin_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.asin %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @asin_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @asin_scalar(%x: f32) -> f32 {
  %y = math.asin %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @acos_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @acos_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.acos %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @acos_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @acos_scalar(%x: f32) -> f32 {
  %y = math.acos %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @asinh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @asinh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.asinh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @asinh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @asinh_scalar(%x: f32) -> f32 {
  %y = math.asinh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @acosh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @acosh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.acosh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @acosh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @acosh_scalar(%x: f32) -> f32 {
  %y = math.acosh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @atanh_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atanh_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.atanh %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @atanh_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atanh_scalar(%x: f32) -> f32 {
  %y = math.atanh %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @rsqrt_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: %[[S:.*]] = math.sqrt %{{.*}} : vector<16xf32>
// CHECK: arith.divf %{{.*}}, %[[S]] : vector<16xf32>
// CHECK: return
func.func @rsqrt_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.rsqrt %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @rsqrt_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: %[[S:.*]] = math.sqrt %{{.*}} : f32
// CHECK: arith.divf %{{.*}}, %[[S]] : f32
// CHECK: return
func.func @rsqrt_scalar(%x: f32) -> f32 {
  %y = math.rsqrt %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @cbrt_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cbrt_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.cbrt %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @cbrt_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @cbrt_scalar(%x: f32) -> f32 {
  %y = math.cbrt %x : f32
  return %y : f32
}

// -----

// CHECK-LABEL: func @atan2_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atan2_vector(%x: vector<16xf32>, %y: vector<16xf32>) -> vector<16xf32> {
  %z = math.atan2 %x, %y : vector<16xf32>
  return %z : vector<16xf32>
}

// -----

// CHECK-LABEL: func @atan2_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @atan2_scalar(%x: f32, %y: f32) -> f32 {
  %z = math.atan2 %x, %y : f32
  return %z : f32
}

// -----

// CHECK-LABEL: func @powf_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @powf_vector(%x: vector<16xf32>, %y: vector<16xf32>) -> vector<16xf32> {
  %z = math.powf %x, %y : vector<16xf32>
  return %z : vector<16xf32>
}

// -----

// CHECK-LABEL: func @powf_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: return
func.func @powf_scalar(%x: f32, %y: f32) -> f32 {
  %z = math.powf %x, %y : f32
  return %z : f32
}

// -----

// A vector exponent (no llvm.powi, which takes only a scalar one): one
// multiply and select per bit of the exponent.
// CHECK-LABEL: func @fpowi_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: arith.shrui %{{.*}} : vector<16xi32>
// CHECK: arith.select %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: return
func.func @fpowi_vector(%x: vector<16xf32>, %n: vector<16xi32>) -> vector<16xf32> {
  %y = math.fpowi %x, %n : vector<16xf32>, vector<16xi32>
  return %y : vector<16xf32>
}

// -----

// A constant exponent: multiplications only (x^5 = x * (x^2)^2), 1/x^5.
// CHECK-LABEL: func @fpowi_constant
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: %[[X2:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK: %[[X4:.*]] = arith.mulf %[[X2]], %[[X2]] : f32
// CHECK: %[[X5:.*]] = arith.mulf %[[X]], %[[X4]] : f32
// CHECK: arith.divf %{{.*}}, %[[X5]] : f32
func.func @fpowi_constant(%x: f32) -> f32 {
  %n = arith.constant -5 : i32
  %y = math.fpowi %x, %n : f32, i32
  return %y : f32
}

// -----

// CHECK-LABEL: func @ipowi_vector
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: arith.muli %{{.*}} : vector<8xi32>
// CHECK: return
func.func @ipowi_vector(%x: vector<8xi32>, %n: vector<8xi32>) -> vector<8xi32> {
  %y = math.ipowi %x, %n : vector<8xi32>
  return %y : vector<8xi32>
}

// -----

// CHECK-LABEL: func @ipowi_scalar
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: arith.muli %{{.*}} : i64
// CHECK: return
func.func @ipowi_scalar(%x: i64, %n: i64) -> i64 {
  %y = math.ipowi %x, %n : i64
  return %y : i64
}

// -----

// fma: a multiply-add LLVM may fuse (no fmaf call without FMA).
// CHECK-LABEL: func @fma
// CHECK-SAME: (%[[A:.*]]: vector<16xf32>, %[[B:.*]]: vector<16xf32>, %[[C:.*]]: vector<16xf32>)
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[B]] fastmath<contract> : vector<16xf32>
// CHECK: arith.addf %[[P]], %[[C]] fastmath<contract> : vector<16xf32>
func.func @fma(%a: vector<16xf32>, %b: vector<16xf32>, %c: vector<16xf32>) -> vector<16xf32> {
  %y = math.fma %a, %b, %c : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// f16 and bf16 are computed in f32.
// CHECK-LABEL: func @exp_f16
// CHECK: arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
func.func @exp_f16(%x: vector<8xf16>) -> vector<8xf16> {
  %y = math.exp %x : vector<8xf16>
  return %y : vector<8xf16>
}

// -----

// CHECK-LABEL: func @tanh_bf16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK-NOT: math.{{(exp|log|tanh|sinh|cosh|erf|sin|cos|tan|atan|asin|acos|rsqrt|cbrt|powf|fpowi|ipowi|fma)}}
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @tanh_bf16(%x: bf16) -> bf16 {
  %y = math.tanh %x : bf16
  return %y : bf16
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @floor_vector
// CHECK: math.floor %{{.*}} : vector<16xf32>
// EXPAND-LABEL: func @floor_vector
// EXPAND-NOT: math.floor
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @floor_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.floor %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @floor_scalar
// CHECK: math.floor %{{.*}} : f32
// EXPAND-LABEL: func @floor_scalar
// EXPAND-NOT: math.floor
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @floor_scalar(%x: f32) -> f32 {
  %y = math.floor %x : f32
  return %y : f32
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @ceil_vector
// CHECK: math.ceil %{{.*}} : vector<16xf32>
// EXPAND-LABEL: func @ceil_vector
// EXPAND-NOT: math.ceil
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @ceil_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.ceil %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @ceil_scalar
// CHECK: math.ceil %{{.*}} : f32
// EXPAND-LABEL: func @ceil_scalar
// EXPAND-NOT: math.ceil
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @ceil_scalar(%x: f32) -> f32 {
  %y = math.ceil %x : f32
  return %y : f32
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @trunc_vector
// CHECK: math.trunc %{{.*}} : vector<16xf32>
// EXPAND-LABEL: func @trunc_vector
// EXPAND-NOT: math.trunc
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @trunc_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.trunc %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @trunc_scalar
// CHECK: math.trunc %{{.*}} : f32
// EXPAND-LABEL: func @trunc_scalar
// EXPAND-NOT: math.trunc
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @trunc_scalar(%x: f32) -> f32 {
  %y = math.trunc %x : f32
  return %y : f32
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @round_vector
// CHECK: math.round %{{.*}} : vector<16xf32>
// EXPAND-LABEL: func @round_vector
// EXPAND-NOT: math.round
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @round_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.round %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @round_scalar
// CHECK: math.round %{{.*}} : f32
// EXPAND-LABEL: func @round_scalar
// EXPAND-NOT: math.round
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @round_scalar(%x: f32) -> f32 {
  %y = math.round %x : f32
  return %y : f32
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @roundeven_vector
// CHECK: math.roundeven %{{.*}} : vector<16xf32>
// EXPAND-LABEL: func @roundeven_vector
// EXPAND-NOT: math.roundeven
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @roundeven_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.roundeven %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Rounding stays an instruction unless the target has none.
// CHECK-LABEL: func @roundeven_scalar
// CHECK: math.roundeven %{{.*}} : f32
// EXPAND-LABEL: func @roundeven_scalar
// EXPAND-NOT: math.roundeven
// EXPAND: arith.select
// EXPAND: math.copysign
func.func @roundeven_scalar(%x: f32) -> f32 {
  %y = math.roundeven %x : f32
  return %y : f32
}

// -----

// Tensors are left alone (the pass runs after bufferization).
// CHECK-LABEL: func @tensor
// CHECK: math.erf %{{.*}} : tensor<4xf32>
func.func @tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.erf %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
