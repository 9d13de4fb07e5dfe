// A module with no public function would compile to an object without an
// entry point: lowbitc says so and fails, writing no object and no header.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not lowbitc %s -o %t/private.o --header=%t/private.h 2>&1 | FileCheck %s --check-prefix=PRIVATE
// RUN: not test -e %t/private.o
// RUN: not test -e %t/private.h
// RUN: echo "" > %t/empty.mlir
// RUN: not lowbitc %t/empty.mlir -o %t/empty.o 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not test -e %t/empty.o

// PRIVATE: no-entry-point.mlir:[[@LINE+2]]:1: error: no public function to export: lowbitc compiles each public func.func into a C entry point, and this module has only private or external ones
// EMPTY: error: no public function to export: lowbitc compiles each public func.func into a C entry point, and this module has no functions
module {
  func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func private @declared(tensor<4xf32>) -> tensor<4xf32>
}
