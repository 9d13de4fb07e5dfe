//===- LowbitEnums.td - lowbit enumerations ----------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD

include "mlir/IR/EnumAttr.td"

def Lowbit_RoundingMode : I32EnumAttr<"RoundingMode",
    "how a scaled value is rounded to an integer code", [
      I32EnumAttrCase<"NearestEven", 0, "nearest_even">,
      I32EnumAttrCase<"NearestAway", 1, "nearest_away">,
      I32EnumAttrCase<"TowardZero", 2, "toward_zero">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_ParamForm : I32EnumAttr<"ParamForm",
    "how codes map back to real values", [
      I32EnumAttrCase<"Symmetric", 0, "symmetric">,
      I32EnumAttrCase<"Affine", 1, "affine">,
      I32EnumAttrCase<"MinScale", 2, "min_scale">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_GranularityKind : I32EnumAttr<"GranularityKind",
    "which elements share one set of quantization parameters", [
      I32EnumAttrCase<"PerTensor", 0, "per_tensor">,
      I32EnumAttrCase<"PerChannel", 1, "per_channel">,
      I32EnumAttrCase<"PerGroup", 2, "per_group">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_LayoutKind : I32EnumAttr<"LayoutKind",
    "how integer codes sit in storage units", [
      I32EnumAttrCase<"Int8", 0, "int8">,
      I32EnumAttrCase<"Int4", 1, "int4">,
      I32EnumAttrCase<"Int4Interleaved", 2, "int4_interleaved">,
      I32EnumAttrCase<"Int2", 3, "int2">,
      I32EnumAttrCase<"Int3", 4, "int3">,
      I32EnumAttrCase<"Radix", 5, "radix">,
      I32EnumAttrCase<"Int8Panel", 6, "int8_panel">,
      I32EnumAttrCase<"Int4Panel", 7, "int4_panel">,
      I32EnumAttrCase<"Int2Planes", 8, "int2_planes">,
      I32EnumAttrCase<"Int2Panel", 9, "int2_panel">,
      I32EnumAttrCase<"Int3Panel", 10, "int3_panel">,
      I32EnumAttrCase<"RadixSuperblock", 11, "radix_superblock">,
      I32EnumAttrCase<"RadixPanel", 12, "radix_panel">,
      I32EnumAttrCase<"RadixFields", 13, "radix_fields">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
