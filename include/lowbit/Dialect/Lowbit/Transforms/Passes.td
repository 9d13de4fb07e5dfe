//===- Passes.td - lowbit transformation passes ------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitStripStats : Pass<"lowbit-strip-stats"> {
  let summary = "Remove calibration statistics (`lowbit.stats`)";
  let description = [{
    Replaces every `lowbit.stats` op by its input. Use it to run or compile
    the plain float model from IR that carries calibration observers, or to
    drop stale statistics before calibrating again.

    Before:
    ```mlir
    %0 = lowbit.stats %x {max = array<f32: 4.0>, min = array<f32: -1.5>} : tensor<1x84xf32>
    %1 = arith.addf %0, %0 : tensor<1x84xf32>
    ```
    After:
    ```mlir
    %1 = arith.addf %x, %x : tensor<1x84xf32>
    ```
  }];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
