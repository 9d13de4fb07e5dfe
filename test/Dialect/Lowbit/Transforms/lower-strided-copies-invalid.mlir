// RUN: lowbit-opt %s -lowbit-lower-strided-copies -verify-diagnostics

// Copies of unranked memrefs have no lowering without MLIR's runtime library.
func.func @unranked(%a: memref<*xf32>, %b: memref<*xf32>) {
  // expected-error@+1 {{'memref.copy' op on unranked memrefs would need MLIR's runtime library (memrefCopy)}}
  memref.copy %a, %b : memref<*xf32> to memref<*xf32>
  return
}
