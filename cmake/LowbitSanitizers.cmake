# Sanitized builds (clang only), in a build directory of their own
# (utils/sanitize.sh): the project's code is instrumented, the MLIR/LLVM
# libraries it links and the code it compiles or JITs are not.
#
#   LOWBIT_SANITIZE  AddressSanitizer + UndefinedBehaviorSanitizer; any
#                    report aborts (-fno-sanitize-recover).
#   LOWBIT_FUZZ      also coverage for libFuzzer, and the fuzz targets in
#                    fuzz/ (implies LOWBIT_SANITIZE).
option(LOWBIT_SANITIZE "Build with ASan and UBSan" OFF)
option(LOWBIT_FUZZ "Build the libFuzzer targets in fuzz/ (with ASan/UBSan)"
  OFF)

if(LOWBIT_SANITIZE OR LOWBIT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LOWBIT_SANITIZE / LOWBIT_FUZZ need clang")
  endif()
  # As LLVM's own sanitized builds: no vptr/function checks, whose type
  # information crosses into the uninstrumented libMLIR.so and JIT'd code.
  set(LOWBIT_SANITIZER_FLAGS -fsanitize=address,undefined
    -fno-sanitize=vptr,function -fno-sanitize-recover=all
    -fno-omit-frame-pointer -gline-tables-only)
  add_compile_options(${LOWBIT_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
  if(LOWBIT_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()
