//===- SanitizerDefaults.cpp - ASan options of the fuzz targets -----------===//
//
// The instrumented project inlines LLVM's BumpPtrAllocator, which then
// poisons the unused part of its slabs; the uninstrumented libMLIR.so
// allocates from the same slabs without unpoisoning. Manual poisoning must
// be off, or ASan reports a use-after-poison that is not there. Leaks are not
// findings (MLIR keeps process-wide state). utils/run-sanitized-tests.sh
// sets the same options for the tools.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0:detect_leaks=0";
}
