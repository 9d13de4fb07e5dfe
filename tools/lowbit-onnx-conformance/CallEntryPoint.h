//===- CallEntryPoint.h - call `int f(void *, ...)` with N pointers -*- C++
//-*-//
//
// A compiled model's entry point takes one bare pointer per input and per
// output (`int lowbit_main(const T0 *in0, ..., T *out0, ...)`) and returns 0.
// Every pointer is passed the same way whatever it points to, so the call is
// made through a function type with N `void *` parameters, chosen at run
// time from a table generated for N = 0 .. kMaxEntryPointArgs.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_ONNXCONFORMANCE_CALLENTRYPOINT_H
#define LOWBIT_TOOLS_ONNXCONFORMANCE_CALLENTRYPOINT_H

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <optional>
#include <utility>

namespace lowbit::onnx_conformance {

constexpr size_t kMaxEntryPointArgs = 64;

namespace detail {
template <size_t I> using VoidPointer = void *;

template <size_t... I>
int callWithPointers(void *function, void *const *args,
                     std::index_sequence<I...>) {
  using Function = int (*)(VoidPointer<I>...);
  return reinterpret_cast<Function>(function)(args[I]...);
}

template <size_t N> int callN(void *function, void *const *args) {
  return callWithPointers(function, args, std::make_index_sequence<N>());
}

using Caller = int (*)(void *, void *const *);

template <size_t... N>
constexpr std::array<Caller, sizeof...(N)>
makeCallers(std::index_sequence<N...>) {
  return {&callN<N>...};
}
} // namespace detail

/// Calls `function` with `args`; nullopt when there are more than
/// kMaxEntryPointArgs of them.
inline std::optional<int> callEntryPoint(void *function,
                                         llvm::ArrayRef<void *> args) {
  static constexpr auto callers =
      detail::makeCallers(std::make_index_sequence<kMaxEntryPointArgs + 1>());
  if (args.size() > kMaxEntryPointArgs)
    return std::nullopt;
  return callers[args.size()](function, args.data());
}

} // namespace lowbit::onnx_conformance

#endif // LOWBIT_TOOLS_ONNXCONFORMANCE_CALLENTRYPOINT_H
