//===- RadixDigitCases.h - digit patterns for radix decode tests -*- C++
//-*-===//
//
// The words the radix decode tests (chunks, pairs) check exhaustively.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_NUMERICS_RADIXDIGITCASES_H
#define LOWBIT_UNITTESTS_NUMERICS_RADIXDIGITCASES_H

#include "gtest/gtest.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <random>

namespace lowbit::numerics::test {

/// `check` on every head (d0..d3) and every tail (d5..d8) of nine radix
/// digits, against backgrounds of zero, maximal and random other digits,
/// with d4 at its extremes; the first failure.
inline ::testing::AssertionResult forEveryHeadAndTail(
    unsigned radix,
    llvm::function_ref<::testing::AssertionResult(const uint8_t (&)[9])>
        check) {
  std::mt19937 rng(radix);
  std::uniform_int_distribution<unsigned> digit(0, radix - 1);
  unsigned values = radix * radix * radix * radix;
  for (unsigned value = 0; value < values; ++value) {
    uint8_t chunk[4];
    for (unsigned j = 0, v = value; j < 4; ++j, v /= radix)
      chunk[3 - j] = uint8_t(v % radix);
    for (int background = 0; background < 3; ++background)
      for (uint8_t middle : {uint8_t(0), uint8_t(radix - 1)}) {
        uint8_t other[4];
        for (uint8_t &d : other)
          d = background == 0   ? 0
              : background == 1 ? uint8_t(radix - 1)
                                : uint8_t(digit(rng));
        uint8_t head[9] = {chunk[0], chunk[1], chunk[2], chunk[3], middle,
                           other[0], other[1], other[2], other[3]};
        uint8_t tail[9] = {other[0], other[1], other[2], other[3], middle,
                           chunk[0], chunk[1], chunk[2], chunk[3]};
        for (const uint8_t(*digits)[9] : {&head, &tail})
          if (::testing::AssertionResult result = check(*digits); !result)
            return result;
      }
  }
  return ::testing::AssertionSuccess();
}

} // namespace lowbit::numerics::test

#endif // LOWBIT_UNITTESTS_NUMERICS_RADIXDIGITCASES_H
