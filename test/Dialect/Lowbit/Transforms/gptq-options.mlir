// Bad options are errors at the module.
// RUN: not lowbit-opt %s -lowbit-gptq="dampening=-1" 2>&1 | FileCheck %s --check-prefix=DAMP
// RUN: not lowbit-opt %s -lowbit-gptq="block-size=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not lowbit-opt %s -lowbit-gptq="param-type=f64" 2>&1 | FileCheck %s --check-prefix=PARAM
// Without statistics and require-statistics=false: round to nearest, with a
// remark.
// RUN: lowbit-opt %s -lowbit-gptq="require-statistics=false" 2>&1 | FileCheck %s --check-prefix=RTN
// DAMP: error: dampening must be a finite number >= 0, got -1
// BLOCK: error: block-size must be positive, got 0
// PARAM: error: unknown param-type 'f64' (expected f32, f16 or superblock)
// RTN: remark: weight 'w' has no layer input statistics: lowbit-gptq rounds it to nearest
// RTN: lowbit.dequantize
func.func @f(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}
