//===- LowbitDialect.td - lowbit dialect definition --------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD

include "mlir/IR/DialectBase.td"

def Lowbit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::lowbit";
  let summary = "Quantization with packed low-bit weights";
  let description = [{
    The `lowbit` dialect models quantization of tensors to integer codes
    (`lowbit.quantize` / `lowbit.dequantize`), calibration statistics
    (`lowbit.stats`), fixed-point requantization (`lowbit.requantize`), and
    low-bit weights packed into the storage layouts that vectorized kernels
    read (`lowbit.pack` / `lowbit.unpack`, `lowbit.packed_weight`,
    `lowbit.matmul`).

    Quantization parameters (scales, zero points, group minimums) are
    **operands or attributes of ops**, never part of a type: a 4096x4096
    weight at group size 32 has 524,288 scales. The *shape* of the scheme
    (bit width, signedness, parameter form, granularity, rounding, optional
    codebook) is a small attribute, `#lowbit.scheme`, and the storage layout
    of packed codes is `#lowbit.layout`.

    Element types stay builtin: codes are signless integers (`i8`, or `i4`
    etc.) whose signedness the scheme states; packed storage is `i8` (byte
    layouts) or `i32` (word layouts).
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
