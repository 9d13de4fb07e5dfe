//===- PackingTest.cpp - Packer layouts and round trips -------------------===//

#include "lowbit/Numerics/Packing.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace lowbit::numerics;

namespace {

PackFormat fmt(PackKind kind, int64_t block = 0, unsigned radix = 0) {
  PackFormat f;
  f.kind = kind;
  f.block = block;
  f.radix = radix;
  return f;
}

std::string describe(const PackFormat &f, int64_t len) {
  return std::string(stringifyPackKind(f.kind)) + " radix=" +
         std::to_string(f.radix) + " block=" + std::to_string(f.block) +
         " len=" + std::to_string(len);
}

unsigned codeLimit(const PackFormat &f) {
  return f.kind == PackKind::Radix || f.kind == PackKind::RadixFields
             ? f.radix
             : (1u << bitsPerCode(f));
}

/// An independent, bit-by-bit statement of the documented layouts: for row
/// position p returns (unit index, bit offset) for the bit-field kinds.
struct BitPos {
  int64_t unit;
  unsigned shift;
};
BitPos locate(const PackFormat &f, int64_t rowLength, int64_t p) {
  int64_t cpu = codesPerUnit(f);
  int64_t block = f.block > 0 ? f.block : rowLength;
  int64_t unitsPerBlock = (block + cpu - 1) / cpu;
  int64_t b = p / block, k = p % block;
  int64_t base = f.block > 0 ? b * unitsPerBlock : 0;
  switch (f.kind) {
  case PackKind::Int8:
    return {base + k, 0};
  case PackKind::Int4:
    return {base + k / 2, unsigned(4 * (k % 2))};
  case PackKind::Int4Interleaved: {
    int64_t half = block / 2;
    return k < half ? BitPos{base + k, 0} : BitPos{base + k - half, 4};
  }
  case PackKind::Int2:
    return {base + k / 4, unsigned(2 * (k % 4))};
  case PackKind::Int3:
    return {base + k / 10, unsigned(3 * (k % 10))};
  case PackKind::Radix:
  case PackKind::Int8Panel:
  case PackKind::Int4Panel:
  case PackKind::Int2Planes:
  case PackKind::Int2Panel:
  case PackKind::Int3Panel:
  case PackKind::RadixSuperblock:
  case PackKind::RadixPanel:
  case PackKind::RadixFields:
    break;
  }
  ADD_FAILURE() << "no row bit position for radix and panel formats";
  return {0, 0};
}

/// Reference packing straight from the documented formulas.
std::vector<uint64_t> referencePack(const PackFormat &f,
                                    const std::vector<uint8_t> &codes) {
  int64_t len = codes.size();
  std::vector<uint64_t> units(packedUnitsPerRow(f, len), 0);
  if (f.kind == PackKind::RadixFields) {
    // Word j of block b: code 9j + i of the block times r^(i mod 4) at bit
    // 14 (i / 4), i < 9 (code 8 alone at bit 28).
    int64_t block = f.block > 0 ? f.block : len;
    int64_t wordsPerBlock = (block + 8) / 9;
    for (int64_t w = 0; w < int64_t(units.size()); ++w) {
      int64_t b = w / wordsPerBlock, j = w % wordsPerBlock;
      for (int64_t i = 0; i < 9; ++i) {
        int64_t k = 9 * j + i, p = b * block + k;
        uint64_t c = (k < block && p < len) ? codes[p] : 0;
        uint64_t power = 1;
        for (int64_t e = 0; e < i % 4; ++e)
          power *= f.radix;
        units[w] += c * power << (14 * (i / 4));
      }
    }
    return units;
  }
  if (f.kind != PackKind::Radix) {
    for (int64_t p = 0; p < len; ++p) {
      BitPos pos = locate(f, len, p);
      units[pos.unit] |= uint64_t(codes[p]) << pos.shift;
    }
    return units;
  }
  // Radix: word j of block b holds codes of that block, first most
  // significant, q = ceil(v * 2^32 / r^n).
  int64_t n = digitsPerWord(f.radix);
  int64_t block = f.block > 0 ? f.block : len;
  int64_t wordsPerBlock = (block + n - 1) / n;
  uint64_t mod = 1;
  for (int64_t i = 0; i < n; ++i)
    mod *= f.radix;
  for (int64_t w = 0; w < int64_t(units.size()); ++w) {
    int64_t b = w / wordsPerBlock, j = w % wordsPerBlock;
    uint64_t v = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t k = j * n + i; // position in block
      int64_t p = b * block + k;
      uint64_t c = (k < block && p < len) ? codes[p] : 0;
      v = v * f.radix + c;
    }
    // ceil(v * 2^32 / mod) via 128-bit arithmetic.
    unsigned __int128 num = (unsigned __int128)v << 32;
    units[w] = uint64_t((num + mod - 1) / mod);
  }
  return units;
}

/// Packs with the library and returns the units widened to 64 bits.
std::vector<uint64_t> libraryPack(const PackFormat &f,
                                  const std::vector<uint8_t> &codes) {
  int64_t units = packedUnitsPerRow(f, codes.size());
  std::vector<uint64_t> out;
  if (unitBits(f) == 8) {
    std::vector<uint8_t> packed(units, 0xAA); // garbage: packer must overwrite
    packRow(f, codes, packed);
    out.assign(packed.begin(), packed.end());
  } else {
    std::vector<uint32_t> packed(units, 0xDEADBEEF);
    packRow(f, codes, packed);
    out.assign(packed.begin(), packed.end());
  }
  return out;
}

std::vector<uint8_t> libraryUnpack(const PackFormat &f,
                                   const std::vector<uint64_t> &units,
                                   int64_t len) {
  std::vector<uint8_t> codes(len, 0xEE);
  if (unitBits(f) == 8) {
    std::vector<uint8_t> packed(units.begin(), units.end());
    unpackRow(f, packed, codes);
  } else {
    std::vector<uint32_t> packed(units.begin(), units.end());
    unpackRow(f, packed, codes);
  }
  return codes;
}

std::vector<PackFormat> allTestFormats() {
  std::vector<PackFormat> formats;
  for (PackKind k : {PackKind::Int8, PackKind::Int4, PackKind::Int2,
                     PackKind::Int3})
    for (int64_t block : {0, 1, 2, 3, 5, 8, 13, 32})
      formats.push_back(fmt(k, block));
  for (int64_t block : {2, 4, 6, 10, 32})
    formats.push_back(fmt(PackKind::Int4Interleaved, block));
  for (unsigned radix : {2u, 3u, 5u, 7u, 11u, 16u, 17u, 255u, 256u})
    for (int64_t block : {0, 1, 7, 9, 10, 20, 128})
      formats.push_back(fmt(PackKind::Radix, block, radix));
  for (unsigned radix : {2u, 3u, 7u, 10u, 11u})
    for (int64_t block : {0, 1, 7, 9, 10, 20, 128})
      formats.push_back(fmt(PackKind::RadixFields, block, radix));
  return formats;
}

} // namespace

TEST(PackingTest, Metadata) {
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Int8)), 8u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Int4)), 4u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Int4Interleaved, 32)), 4u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Int2)), 2u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Int3)), 3u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 11)), 4u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 2)), 1u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 3)), 2u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 16)), 4u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 17)), 5u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::Radix, 0, 256)), 8u);

  EXPECT_EQ(unitBits(fmt(PackKind::Int8)), 8u);
  EXPECT_EQ(unitBits(fmt(PackKind::Int4)), 8u);
  EXPECT_EQ(unitBits(fmt(PackKind::Int4Interleaved, 2)), 8u);
  EXPECT_EQ(unitBits(fmt(PackKind::Int2)), 8u);
  EXPECT_EQ(unitBits(fmt(PackKind::Int3)), 32u);
  EXPECT_EQ(unitBits(fmt(PackKind::Radix, 0, 11)), 32u);

  EXPECT_EQ(codesPerUnit(fmt(PackKind::Int8)), 1u);
  EXPECT_EQ(codesPerUnit(fmt(PackKind::Int4)), 2u);
  EXPECT_EQ(codesPerUnit(fmt(PackKind::Int4Interleaved, 2)), 2u);
  EXPECT_EQ(codesPerUnit(fmt(PackKind::Int2)), 4u);
  EXPECT_EQ(codesPerUnit(fmt(PackKind::Int3)), 10u);
  EXPECT_EQ(codesPerUnit(fmt(PackKind::Radix, 0, 11)), 9u);

  EXPECT_EQ(digitsPerWord(11), 9u);
  EXPECT_EQ(digitsPerWord(3), 20u);
  EXPECT_EQ(digitsPerWord(2), 32u);
  EXPECT_EQ(digitsPerWord(4), 16u);
  EXPECT_EQ(digitsPerWord(255), 4u);
  EXPECT_EQ(digitsPerWord(256), 4u);
  EXPECT_EQ(radixWordModulus(11), 2357947691ull);
  EXPECT_EQ(radixWordModulus(3), 3486784401ull);
  EXPECT_EQ(radixWordModulus(2), 1ull << 32);
  // Brute force: radix^n <= 2^32 < radix^(n+1).
  for (unsigned r = 2; r <= 256; ++r) {
    unsigned __int128 p = 1;
    for (unsigned i = 0; i < digitsPerWord(r); ++i)
      p *= r;
    EXPECT_LE(p, (unsigned __int128)1 << 32) << r;
    EXPECT_GT(p * r, (unsigned __int128)1 << 32) << r;
  }
}

TEST(PackingTest, PackedUnitsPerRow) {
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int4), 7), 4);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int4), 0), 0);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int4, 5), 7), 6); // 2 blocks x 3
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int4Interleaved, 32), 4096), 2048);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int4Interleaved, 32), 33), 32);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int2), 9), 3);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int3), 21), 3);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Int3, 64), 128), 14);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Radix, 0, 11), 18), 2);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Radix, 0, 11), 19), 3);
  // Group 128 of base-11 codes: 15 words (135 digit slots, 7 padding digits).
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Radix, 128, 11), 128), 15);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::Radix, 128, 11), 11008), 86 * 15);
  EXPECT_EQ(packedBytesPerRow(fmt(PackKind::Radix, 128, 11), 128), 60);
  EXPECT_EQ(packedBytesPerRow(fmt(PackKind::Int4), 7), 4);
  // radix_fields: nine codes per word whatever the radix.
  EXPECT_EQ(codesPerUnit(fmt(PackKind::RadixFields, 0, 3)), 9u);
  EXPECT_EQ(unitBits(fmt(PackKind::RadixFields, 0, 11)), 32u);
  EXPECT_EQ(bitsPerCode(fmt(PackKind::RadixFields, 0, 11)), 4u);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::RadixFields, 128, 11), 11008),
            86 * 15);
  EXPECT_EQ(packedUnitsPerRow(fmt(PackKind::RadixFields, 0, 10), 19), 3);
}

TEST(PackingTest, VerifyFormat) {
  EXPECT_FALSE(verifyPackFormat(fmt(PackKind::Int4)));
  EXPECT_FALSE(verifyPackFormat(fmt(PackKind::Int4Interleaved, 32)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Int4Interleaved, 0)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Int4Interleaved, 7)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Int4, -1)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Radix, 0, 1)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Radix, 0, 257)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::Int8, 0, 11)));
  EXPECT_FALSE(verifyPackFormat(fmt(PackKind::Radix, 128, 11)));
  // Four base-r digits must fit 14 bits.
  EXPECT_FALSE(verifyPackFormat(fmt(PackKind::RadixFields, 128, 11)));
  EXPECT_FALSE(verifyPackFormat(fmt(PackKind::RadixFields, 0, 2)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::RadixFields, 128, 12)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::RadixFields, 128, 1)));
  EXPECT_TRUE(verifyPackFormat(fmt(PackKind::RadixFields, -1, 11)));
  for (PackKind k :
       {PackKind::Int8, PackKind::Int4, PackKind::Int4Interleaved,
        PackKind::Int2, PackKind::Int3, PackKind::Radix, PackKind::RadixFields})
    EXPECT_EQ(symbolizePackKind(stringifyPackKind(k)), k);
  EXPECT_FALSE(symbolizePackKind("int5"));
}

TEST(PackingTest, HandWrittenInt8) {
  std::vector<uint8_t> out(6);
  packRow(fmt(PackKind::Int8, 3), std::vector<uint8_t>{1, 2, 3, 250}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3, 250, 0, 0}));
}

TEST(PackingTest, HandWrittenInt4) {
  std::vector<uint8_t> out(1);
  packRow(fmt(PackKind::Int4), std::vector<uint8_t>{1, 2}, out);
  EXPECT_EQ(out[0], 0x21);
  out.assign(2, 0xFF);
  packRow(fmt(PackKind::Int4), std::vector<uint8_t>{1, 2, 0xF}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x21, 0x0F}));
  // Block 3: {a,b,c | d} -> {ba, 0c, 0d, 00}.
  out.assign(4, 0xFF);
  packRow(fmt(PackKind::Int4, 3), std::vector<uint8_t>{1, 2, 3, 4}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x21, 0x03, 0x04, 0x00}));
}

TEST(PackingTest, HandWrittenInt4Interleaved) {
  std::vector<uint8_t> out(2);
  packRow(fmt(PackKind::Int4Interleaved, 4), std::vector<uint8_t>{1, 2, 3, 4},
          out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x31, 0x42}));
  // A partial last block is padded to a full block of 4: {5,0,0,0}.
  out.assign(4, 0xFF);
  packRow(fmt(PackKind::Int4Interleaved, 4),
          std::vector<uint8_t>{1, 2, 3, 4, 5}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x31, 0x42, 0x05, 0x00}));
  out.assign(4, 0xFF);
  packRow(fmt(PackKind::Int4Interleaved, 4),
          std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x31, 0x42, 0x75, 0x06}));
  // Block 32: byte j = code j | code (j+16) << 4.
  std::vector<uint8_t> codes(32);
  for (int i = 0; i < 32; ++i)
    codes[i] = i % 16;
  out.assign(16, 0);
  packRow(fmt(PackKind::Int4Interleaved, 32), codes, out);
  for (int j = 0; j < 16; ++j)
    EXPECT_EQ(out[j], uint8_t(j | (j << 4)));
}

TEST(PackingTest, HandWrittenInt2) {
  std::vector<uint8_t> out(2);
  packRow(fmt(PackKind::Int2), std::vector<uint8_t>{1, 2, 3, 0, 3}, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x39, 0x03}));
}

TEST(PackingTest, HandWrittenInt3) {
  std::vector<uint32_t> out(2);
  std::vector<uint8_t> codes = {1, 2, 3, 4, 5, 6, 7, 0, 1, 7, 5};
  packRow(fmt(PackKind::Int3), codes, out);
  uint32_t w0 = 0;
  for (int i = 0; i < 10; ++i)
    w0 |= uint32_t(codes[i]) << (3 * i);
  EXPECT_EQ(w0, 0x391F58D1u);
  EXPECT_EQ(out[0], w0);
  EXPECT_EQ(out[0] >> 30, 0u);
  EXPECT_EQ(out[1], 5u);
  // All sevens: bits 0..29 set, 30..31 clear.
  std::vector<uint8_t> sevens(10, 7);
  std::vector<uint32_t> one(1);
  packRow(fmt(PackKind::Int3), sevens, one);
  EXPECT_EQ(one[0], 0x3FFFFFFFu);
}

TEST(PackingTest, HandWrittenRadixFields11) {
  PackFormat f = fmt(PackKind::RadixFields, 0, 11);
  std::vector<uint32_t> out(1);
  // Least significant digit first in each 14-bit field; code 8 at bit 28.
  packRow(f, std::vector<uint8_t>{1, 2, 0, 0, 0, 0, 0, 0, 3}, out);
  EXPECT_EQ(out[0], 0x30000017u);
  // All tens: both fields 11^4 - 1 = 0x3930.
  packRow(f, std::vector<uint8_t>(9, 10), out);
  EXPECT_EQ(out[0], 0xAE4C3930u);
  // Codes 1..9: fields 1 + 2*11 + 3*121 + 4*1331 = 5710 and 11566.
  packRow(f, std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}, out);
  EXPECT_EQ(out[0], 5710u + (11566u << 14) + (9u << 28));
  std::vector<uint8_t> codes(9);
  unpackRow(f, out, codes);
  EXPECT_EQ(codes, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(PackingTest, HandWrittenRadix11) {
  PackFormat f = fmt(PackKind::Radix, 0, 11);
  std::vector<uint32_t> out(1);
  // First digit most significant: v = 11^8 = 214358881, q = ceil(2^32 / 11).
  packRow(f, std::vector<uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0}, out);
  EXPECT_EQ(out[0], 390451573u);
  // Last digit least significant: v = 1, q = ceil(2^32 / 11^9) = 2.
  packRow(f, std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 1}, out);
  EXPECT_EQ(out[0], 2u);
  // A short row is padded with zero (least significant) digits: {1} == {1,0..}.
  packRow(f, std::vector<uint8_t>{1}, out);
  EXPECT_EQ(out[0], 390451573u);
  // All tens: v = 11^9 - 1.
  packRow(f, std::vector<uint8_t>(9, 10), out);
  EXPECT_EQ(out[0], 4294967295u);
  // A known word: digits 1..9 -> v = 123456789 in base 11.
  std::vector<uint8_t> digits = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  uint64_t v = 0;
  for (uint8_t d : digits)
    v = v * 11 + d;
  EXPECT_EQ(v, 259374245ull); // 1*11^8 + 2*11^7 + ... + 9
  packRow(f, digits, out);
  EXPECT_EQ(out[0], uint32_t((((unsigned __int128)v << 32) + 2357947690ull) /
                             2357947691ull));
  EXPECT_EQ(out[0], 472446401u);
  EXPECT_EQ(radixWordValue(out[0], 11), v);
  std::vector<uint8_t> back(9);
  decodeRadixWordByMultiply(out[0], 11, back);
  EXPECT_EQ(back, digits);
  decodeRadixWordByDivision(out[0], 11, back);
  EXPECT_EQ(back, digits);
}

// Every packer round-trips every code value at every position for every row
// length from 1 to 3 storage units (or 3 blocks) plus one, and the packed bits
// equal the reference layout computed independently from the documentation.
TEST(PackingTest, ExhaustiveRoundTripAndLayout) {
  for (const PackFormat &f : allTestFormats()) {
    ASSERT_FALSE(verifyPackFormat(f)) << describe(f, 0);
    int64_t cpu = codesPerUnit(f);
    int64_t maxLen = std::max<int64_t>(3 * cpu, 3 * f.block) + 1;
    unsigned limit = codeLimit(f);
    for (int64_t len = 1; len <= maxLen; ++len) {
      for (unsigned shift = 0; shift < limit; ++shift) {
        std::vector<uint8_t> codes(len);
        for (int64_t p = 0; p < len; ++p)
          codes[p] = uint8_t((p * 7 + shift) % limit);
        // Every value at every position: for fixed p, (7p + shift) % limit
        // runs through all values as shift does.
        ASSERT_FALSE(findInvalidCode(f, codes));
        std::vector<uint64_t> packed = libraryPack(f, codes);
        ASSERT_EQ(packed, referencePack(f, codes)) << describe(f, len);
        ASSERT_EQ(libraryUnpack(f, packed, len), codes) << describe(f, len);
      }
    }
  }
}

TEST(PackingTest, FindInvalidCode) {
  EXPECT_FALSE(findInvalidCode(fmt(PackKind::Int8), std::vector<uint8_t>{255}));
  EXPECT_EQ(findInvalidCode(fmt(PackKind::Int4), std::vector<uint8_t>{1, 15, 16, 17}),
            2);
  EXPECT_EQ(findInvalidCode(fmt(PackKind::Int2), std::vector<uint8_t>{3, 4}), 1);
  EXPECT_EQ(findInvalidCode(fmt(PackKind::Int3), std::vector<uint8_t>{7, 7, 8}), 2);
  EXPECT_EQ(findInvalidCode(fmt(PackKind::Radix, 0, 11),
                            std::vector<uint8_t>{10, 0, 11}),
            2);
  EXPECT_FALSE(findInvalidCode(fmt(PackKind::Radix, 0, 256),
                               std::vector<uint8_t>{255}));
  EXPECT_EQ(findInvalidCode(fmt(PackKind::Radix, 0, 3), std::vector<uint8_t>{3}),
            0);
}

TEST(PackingTest, SignExtend) {
  EXPECT_EQ(signExtend(0x0F, 4), -1);
  EXPECT_EQ(signExtend(0x08, 4), -8);
  EXPECT_EQ(signExtend(0x07, 4), 7);
  EXPECT_EQ(signExtend(0xFF, 4), -1); // high bits ignored
  EXPECT_EQ(signExtend(0x3, 2), -1);
  EXPECT_EQ(signExtend(0x4, 3), -4);
  EXPECT_EQ(signExtend(0x80, 8), -128);
  EXPECT_EQ(signExtend(0x7F, 8), 127);
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (int v = -(1 << (bits - 1)); v < (1 << (bits - 1)); ++v)
      EXPECT_EQ(signExtend(toBitPattern(v, bits), bits), v);
}
