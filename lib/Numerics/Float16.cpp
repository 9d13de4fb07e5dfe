//===- Float16.cpp - IEEE binary16 conversions ----------------------------===//

#include "lowbit/Numerics/Float16.h"

#include <cstring>

using namespace lowbit::numerics;

uint16_t lowbit::numerics::floatToHalfBits(float value) {
  uint32_t f;
  std::memcpy(&f, &value, sizeof(f));
  uint32_t sign = (f >> 16) & 0x8000u;
  uint32_t absBits = f & 0x7FFFFFFFu;
  if (absBits >= 0x7F800000u) {
    // Inf or NaN. NaN: keep the top payload bits and force quiet.
    if (absBits == 0x7F800000u)
      return uint16_t(sign | 0x7C00u);
    return uint16_t(sign | 0x7E00u | ((absBits >> 13) & 0x3FFu));
  }
  int32_t exp = int32_t(absBits >> 23) - 127; // unbiased
  uint32_t mant = absBits & 0x7FFFFFu;
  if (exp > 15)
    return uint16_t(sign | 0x7C00u); // overflow
  if (exp >= -14) {
    // Normal half: 10 mantissa bits, round the 13 dropped bits to nearest even.
    uint32_t halfBits = (uint32_t(exp + 15) << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (halfBits & 1u)))
      ++halfBits; // may carry into the exponent, up to infinity: correct
    return uint16_t(sign | halfBits);
  }
  if (exp < -25)
    return uint16_t(sign); // below half the smallest subnormal: rounds to 0
  // Subnormal half: value = m * 2^-24 with m = full mantissa >> shift.
  uint32_t full = mant | 0x800000u; // 24-bit significand, value = full*2^(exp-23)
  unsigned shift = unsigned(-exp - 14 + 13); // 14..24
  uint32_t halfBits = full >> shift;
  uint32_t rest = full & ((1u << shift) - 1u);
  uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (halfBits & 1u)))
    ++halfBits; // may become the smallest normal: correct
  return uint16_t(sign | halfBits);
}

float lowbit::numerics::halfBitsToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1Fu;
  uint32_t mant = bits & 0x3FFu;
  uint32_t f;
  if (exp == 0x1F) {
    f = sign | 0x7F800000u | (mant << 13);
  } else if (exp != 0) {
    f = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  } else if (mant == 0) {
    f = sign;
  } else {
    // Subnormal: normalize.
    int e = -14;
    while (!(mant & 0x400u)) {
      mant <<= 1;
      --e;
    }
    mant &= 0x3FFu;
    f = sign | (uint32_t(e + 127) << 23) | (mant << 13);
  }
  float out;
  std::memcpy(&out, &f, sizeof(out));
  return out;
}

uint16_t lowbit::numerics::floatToBf16Bits(float value) {
  uint32_t f;
  std::memcpy(&f, &value, sizeof(f));
  uint32_t sign = f & 0x80000000u;
  uint32_t absBits = f & 0x7FFFFFFFu;
  if (absBits > 0x7F800000u) // NaN: quiet, sign kept
    return uint16_t((sign >> 16) | 0x7FC0u);
  if (absBits < 0x00800000u) // zero or denormal: signed zero
    return uint16_t(sign >> 16);
  // Round the 16 dropped bits to nearest even (a carry may reach infinity,
  // which is the correctly rounded result; infinity itself is unchanged).
  uint32_t rounded = f + 0x7FFFu + ((f >> 16) & 1u);
  return uint16_t(rounded >> 16);
}

float lowbit::numerics::bf16BitsToFloat(uint16_t bits) {
  uint32_t f = uint32_t(bits) << 16;
  float out;
  std::memcpy(&out, &f, sizeof(out));
  return out;
}
