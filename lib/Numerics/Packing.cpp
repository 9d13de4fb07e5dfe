//===- Packing.cpp - Integer code packers ---------------------------------===//
//
// See Packing.h for the normative layouts.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/SuperblockRadix.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cassert>
#include <cstring>

using namespace lowbit::numerics;

const char *lowbit::numerics::stringifyPackKind(PackKind kind) {
  switch (kind) {
  case PackKind::Int8:
    return "int8";
  case PackKind::Int4:
    return "int4";
  case PackKind::Int4Interleaved:
    return "int4_interleaved";
  case PackKind::Int2:
    return "int2";
  case PackKind::Int3:
    return "int3";
  case PackKind::Radix:
    return "radix";
  case PackKind::RadixSuperblock:
    return "radix_superblock";
  case PackKind::Int8Panel:
    return "int8_panel";
  case PackKind::Int4Panel:
    return "int4_panel";
  case PackKind::Int2Planes:
    return "int2_planes";
  case PackKind::Int2Panel:
    return "int2_panel";
  case PackKind::Int3Panel:
    return "int3_panel";
  case PackKind::RadixPanel:
    return "radix_panel";
  case PackKind::RadixFields:
    return "radix_fields";
  }
  return "unknown";
}

std::optional<PackKind> lowbit::numerics::symbolizePackKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<PackKind>>(name)
      .Case("int8", PackKind::Int8)
      .Case("int4", PackKind::Int4)
      .Case("int4_interleaved", PackKind::Int4Interleaved)
      .Case("int2", PackKind::Int2)
      .Case("int3", PackKind::Int3)
      .Case("radix", PackKind::Radix)
      .Case("radix_superblock", PackKind::RadixSuperblock)
      .Case("int8_panel", PackKind::Int8Panel)
      .Case("int4_panel", PackKind::Int4Panel)
      .Case("int2_planes", PackKind::Int2Planes)
      .Case("int2_panel", PackKind::Int2Panel)
      .Case("int3_panel", PackKind::Int3Panel)
      .Case("radix_panel", PackKind::RadixPanel)
      .Case("radix_fields", PackKind::RadixFields)
      .Default(std::nullopt);
}

std::optional<std::string>
lowbit::numerics::verifyPackFormat(const PackFormat &format) {
  switch (format.kind) {
  case PackKind::Int8:
  case PackKind::Int4:
  case PackKind::Int4Interleaved:
  case PackKind::Int2:
  case PackKind::Int3:
  case PackKind::Int8Panel:
  case PackKind::Int4Panel:
  case PackKind::Int2Planes:
  case PackKind::Int2Panel:
  case PackKind::Int3Panel:
    if (format.radix != 0)
      return std::string("radix must be 0 unless the pack kind is radix");
    break;
  case PackKind::Radix:
  case PackKind::RadixSuperblock:
    if (format.radix < 2 || format.radix > 256)
      return "radix must be in [2, 256], got " + std::to_string(format.radix);
    break;
  case PackKind::RadixPanel:
    if (format.radix != 10 && format.radix != 11)
      return "radix_panel needs radix 10 or 11, got " +
             std::to_string(format.radix);
    if (format.block <= 0 || format.block % 4 != 0)
      return "radix_panel needs a positive block that is a multiple of 4, "
             "got " +
             std::to_string(format.block);
    break;
  case PackKind::RadixFields:
    // Four digits below r^4 <= 2^14 per field, the ninth below 16.
    if (format.radix < 2 || format.radix > 11)
      return "radix_fields needs radix in [2, 11], got " +
             std::to_string(format.radix);
    break;
  }
  if (format.kind == PackKind::RadixSuperblock && format.block <= 0)
    return "radix_superblock needs a positive block (the group size), got " +
           std::to_string(format.block);
  if (format.block < 0)
    return "block must be >= 0, got " + std::to_string(format.block);
  if (format.kind == PackKind::Int4Interleaved &&
      (format.block <= 0 || format.block % 2 != 0))
    return "int4_interleaved needs a positive even block, got " +
           std::to_string(format.block);
  if (isPanelFormat(format) && format.block % panelUnitDepth(format) != 0)
    return std::string(stringifyPackKind(format.kind)) +
           " needs a block that is a multiple of " +
           std::to_string(panelUnitDepth(format)) + ", got " +
           std::to_string(format.block);
  return std::nullopt;
}

unsigned lowbit::numerics::digitsPerWord(unsigned radix) {
  assert(radix >= 2 && radix <= 256 && "radix out of range");
  if (radix < 2)
    return 0;
  uint64_t p = 1;
  unsigned n = 0;
  while (p * radix <= (uint64_t(1) << 32)) {
    p *= radix;
    ++n;
  }
  return n;
}

uint64_t lowbit::numerics::radixWordModulus(unsigned radix) {
  uint64_t p = 1;
  for (unsigned i = 0, n = digitsPerWord(radix); i < n; ++i)
    p *= radix;
  return p;
}

unsigned lowbit::numerics::bitsPerCode(const PackFormat &format) {
  switch (format.kind) {
  case PackKind::Int8:
  case PackKind::Int8Panel:
    return 8;
  case PackKind::Int4:
  case PackKind::Int4Interleaved:
  case PackKind::Int4Panel:
    return 4;
  case PackKind::Int2:
  case PackKind::Int2Planes:
  case PackKind::Int2Panel:
    return 2;
  case PackKind::Int3:
  case PackKind::Int3Panel:
    return 3;
  case PackKind::Radix:
  case PackKind::RadixSuperblock:
  case PackKind::RadixPanel:
  case PackKind::RadixFields: {
    unsigned bits = 0;
    while ((1u << bits) < format.radix)
      ++bits;
    return bits;
  }
  }
  return 0;
}

unsigned lowbit::numerics::unitBits(const PackFormat &format) {
  switch (format.kind) {
  case PackKind::Int3:
  case PackKind::Radix:
  case PackKind::RadixSuperblock:
  case PackKind::RadixFields:
    return 32;
  default:
    return 8;
  }
}

unsigned lowbit::numerics::codesPerUnit(const PackFormat &format) {
  switch (format.kind) {
  case PackKind::Int8:
  case PackKind::Int8Panel:
    return 1;
  case PackKind::Int4:
  case PackKind::Int4Interleaved:
  case PackKind::Int4Panel:
    return 2;
  case PackKind::Int2:
  case PackKind::Int2Planes:
  case PackKind::Int2Panel:
    return 4;
  case PackKind::Int3Panel:
  case PackKind::RadixPanel: // bytes of words, see panelBytes
    return 1;
  case PackKind::Int3:
    return 10;
  case PackKind::Radix:
  case PackKind::RadixSuperblock:
    return digitsPerWord(format.radix);
  case PackKind::RadixFields:
    return kRadixFieldCodes;
  }
  return 1;
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t lowbit::numerics::packedUnitsPerRow(const PackFormat &format,
                                            int64_t rowLength) {
  assert(rowLength >= 0);
  if (isPanelFormat(format))
    return panelBytes(format, rowLength);
  int64_t cpu = codesPerUnit(format);
  if (cpu == 0)
    return 0; // invalid radix
  if (format.kind == PackKind::RadixSuperblock)
    return superblockWordsPerRow(getSuperblockFormat(format), rowLength);
  if (format.block <= 0)
    return ceilDiv(rowLength, cpu);
  return ceilDiv(rowLength, format.block) * ceilDiv(format.block, cpu);
}

int64_t lowbit::numerics::packedBytesPerRow(const PackFormat &format,
                                            int64_t rowLength) {
  return packedUnitsPerRow(format, rowLength) * (unitBits(format) / 8);
}

std::optional<int64_t>
lowbit::numerics::findInvalidCode(const PackFormat &format,
                                  llvm::ArrayRef<uint8_t> codes) {
  unsigned limit = format.kind == PackKind::Radix ||
                           format.kind == PackKind::RadixSuperblock ||
                           format.kind == PackKind::RadixPanel ||
                           format.kind == PackKind::RadixFields
                       ? format.radix
                       : (1u << bitsPerCode(format));
  if (limit >= 256)
    return std::nullopt;
  for (size_t i = 0, e = codes.size(); i < e; ++i)
    if (codes[i] >= limit)
      return static_cast<int64_t>(i);
  return std::nullopt;
}

bool lowbit::numerics::takesUnsignedDotCodes(PackKind kind) {
  switch (kind) {
  case PackKind::Int3:
  case PackKind::Int2:
  case PackKind::Radix:
  case PackKind::RadixFields:
  case PackKind::Int3Panel:
  case PackKind::Int2Panel:
  case PackKind::Int2Planes:
  case PackKind::RadixPanel:
    return true;
  case PackKind::Int8:
  case PackKind::Int4:
  case PackKind::Int4Interleaved:
  case PackKind::Int8Panel:
  case PackKind::Int4Panel:
  case PackKind::RadixSuperblock:
    return false;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Radix words
//===----------------------------------------------------------------------===//

uint32_t lowbit::numerics::encodeRadixWord(llvm::ArrayRef<uint8_t> digits,
                                           unsigned radix) {
  unsigned n = digitsPerWord(radix);
  assert(digits.size() <= n && "too many digits for one word");
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) {
    uint64_t d = i < digits.size() ? digits[i] : 0;
    assert(d < radix && "digit out of range");
    v = v * radix + d;
  }
  uint64_t modulus = radixWordModulus(radix);
  // v < modulus <= 2^32, so v * 2^32 + modulus - 1 < 2^64.
  return static_cast<uint32_t>(((v << 32) + modulus - 1) / modulus);
}

uint64_t lowbit::numerics::radixWordValue(uint32_t word, unsigned radix) {
  // word * modulus < 2^64 because both factors are <= 2^32 and word < 2^32.
  return (static_cast<uint64_t>(word) * radixWordModulus(radix)) >> 32;
}

void lowbit::numerics::decodeRadixWordByDivision(
    uint32_t word, unsigned radix, llvm::MutableArrayRef<uint8_t> digits) {
  unsigned n = digitsPerWord(radix);
  assert(digits.size() >= n);
  uint64_t v = radixWordValue(word, radix);
  for (unsigned i = n; i-- > 0;) {
    digits[i] = static_cast<uint8_t>(v % radix);
    v /= radix;
  }
}

void lowbit::numerics::decodeRadixWordByMultiply(
    uint32_t word, unsigned radix, llvm::MutableArrayRef<uint8_t> digits) {
  unsigned n = digitsPerWord(radix);
  assert(digits.size() >= n);
  uint32_t x = word; // word * radix^i mod 2^32
  for (unsigned i = 0; i < n; ++i) {
    digits[i] = static_cast<uint8_t>((static_cast<uint64_t>(x) * radix) >> 32);
    x *= radix;
  }
}

bool lowbit::numerics::isRadixMultiplyDecodeExact(unsigned radix) {
  // Proven in Packing.h for every radix whose word modulus fits 2^32, which
  // digitsPerWord guarantees.
  return radix >= 2 && radix <= 256 &&
         radixWordModulus(radix) <= (uint64_t(1) << 32);
}

uint32_t lowbit::numerics::encodeRadixFieldWord(llvm::ArrayRef<uint8_t> codes,
                                                unsigned radix) {
  assert(codes.size() <= kRadixFieldCodes && "too many codes for one word");
  uint32_t word = 0, power = 1;
  for (unsigned i = 0; i < codes.size(); ++i) {
    assert(codes[i] < radix && "digit out of range");
    unsigned digit = i % 4;
    if (digit == 0)
      power = 1;
    word += uint32_t(codes[i]) * power << (kRadixFieldBits * (i / 4));
    power *= radix;
  }
  return word;
}

void lowbit::numerics::decodeRadixFieldWord(
    uint32_t word, unsigned radix, llvm::MutableArrayRef<uint8_t> codes) {
  assert(codes.size() >= kRadixFieldCodes);
  for (unsigned f = 0; f < 2; ++f) {
    uint32_t field =
        (word >> (kRadixFieldBits * f)) & ((1u << kRadixFieldBits) - 1);
    for (unsigned i = 0; i < 4; ++i, field /= radix)
      codes[4 * f + i] = uint8_t(field % radix);
  }
  codes[8] = uint8_t(word >> (2 * kRadixFieldBits));
}

//===----------------------------------------------------------------------===//
// Byte-unit packers
//===----------------------------------------------------------------------===//

namespace {
/// Asserts what every row packer and unpacker takes for granted: a valid
/// format stored in units of `bits` bits, and a packed row of `packedUnits`
/// units, the size the format gives a row of `rowLength` codes.
void assertRowShape(const PackFormat &format, unsigned bits, int64_t rowLength,
                    size_t packedUnits) {
  assert(unitBits(format) == bits && "format stored in units of another width");
  assert(!verifyPackFormat(format) && "invalid pack format");
  assert(int64_t(packedUnits) == packedUnitsPerRow(format, rowLength) &&
         "packed row has the wrong size");
}

/// Iterates over the blocks of the row `codes` packed in `units`: calls
/// fn(codeBegin, codeCount, blockCodes, unitBegin, unitCount) where codeBegin
/// and unitBegin point at the block's first code and first unit and
/// blockCodes is the padded block size.
template <typename Codes, typename Units, typename Fn>
void forEachBlock(const PackFormat &format, Codes codes, Units units, Fn fn) {
  int64_t rowLength = codes.size();
  int64_t cpu = codesPerUnit(format);
  if (format.block <= 0) {
    fn(codes.data(), rowLength, rowLength, units.data(),
       ceilDiv(rowLength, cpu));
    return;
  }
  int64_t block = format.block;
  int64_t unitsPerBlock = ceilDiv(block, cpu);
  int64_t unit = 0;
  for (int64_t begin = 0; begin < rowLength; begin += block, unit += unitsPerBlock)
    fn(codes.data() + begin, std::min(block, rowLength - begin), block,
       units.data() + unit, unitsPerBlock);
}

/// Packs the row `codes` as words of `codesPerWord` consecutive codes of
/// each block: word w = encode(its codes), fewer past the block's end.
template <typename Encode>
void packWords(const PackFormat &format, llvm::ArrayRef<uint8_t> codes,
               llvm::MutableArrayRef<uint32_t> out, int64_t codesPerWord,
               Encode encode) {
  forEachBlock(format, codes, out,
               [&](const uint8_t *src, int64_t count, int64_t, uint32_t *dst,
                   int64_t units) {
                 for (int64_t w = 0; w < units; ++w) {
                   int64_t base = codesPerWord * w;
                   int64_t valid =
                       std::clamp<int64_t>(count - base, 0, codesPerWord);
                   dst[w] = encode(llvm::ArrayRef(src + base, size_t(valid)));
                 }
               });
}

/// The inverse: decode(word, digits) writes a word's codesPerWord (<= 32)
/// codes, of which those inside the row are kept.
template <typename Decode>
void unpackWords(const PackFormat &format, llvm::ArrayRef<uint32_t> packed,
                 llvm::MutableArrayRef<uint8_t> codes, int64_t codesPerWord,
                 Decode decode) {
  uint8_t digits[32];
  forEachBlock(format, codes, packed,
               [&](uint8_t *dst, int64_t count, int64_t, const uint32_t *src,
                   int64_t units) {
                 for (int64_t w = 0; w < units; ++w) {
                   int64_t base = codesPerWord * w;
                   if (base >= count)
                     break;
                   decode(src[w], digits);
                   std::memcpy(dst + base, digits,
                               std::min(codesPerWord, count - base));
                 }
               });
}
} // namespace

void lowbit::numerics::packRow(const PackFormat &format,
                               llvm::ArrayRef<uint8_t> codes,
                               llvm::MutableArrayRef<uint8_t> out) {
  int64_t rowLength = codes.size();
  assertRowShape(format, 8, rowLength, out.size());
  assert(!findInvalidCode(format, codes) && "invalid code");
  forEachBlock(
      format, codes, out,
      [&](const uint8_t *src, int64_t count, int64_t blockCodes, uint8_t *dst,
          int64_t units) {
        switch (format.kind) {
        case PackKind::Int8:
          std::memcpy(dst, src, count);
          std::memset(dst + count, 0, units - count);
          break;
        case PackKind::Int4: {
          int64_t full = count / 2;
          for (int64_t j = 0; j < full; ++j)
            dst[j] = static_cast<uint8_t>(src[2 * j] | (src[2 * j + 1] << 4));
          int64_t j = full;
          if (count % 2)
            dst[j++] = src[count - 1];
          std::memset(dst + j, 0, units - j);
          break;
        }
        case PackKind::Int4Interleaved: {
          int64_t half = blockCodes / 2;
          if (count == blockCodes) {
            for (int64_t j = 0; j < half; ++j)
              dst[j] = static_cast<uint8_t>(src[j] | (src[j + half] << 4));
          } else {
            for (int64_t j = 0; j < half; ++j) {
              uint8_t lo = j < count ? src[j] : 0;
              uint8_t hi = j + half < count ? src[j + half] : 0;
              dst[j] = static_cast<uint8_t>(lo | (hi << 4));
            }
          }
          break;
        }
        case PackKind::Int2: {
          int64_t full = count / 4;
          for (int64_t j = 0; j < full; ++j)
            dst[j] = static_cast<uint8_t>(src[4 * j] | (src[4 * j + 1] << 2) |
                                          (src[4 * j + 2] << 4) |
                                          (src[4 * j + 3] << 6));
          int64_t j = full;
          if (int64_t rem = count % 4) {
            uint8_t b = 0;
            for (int64_t i = 0; i < rem; ++i)
              b |= static_cast<uint8_t>(src[4 * full + i] << (2 * i));
            dst[j++] = b;
          }
          std::memset(dst + j, 0, units - j);
          break;
        }
        default:
          assert(false && "not a byte-unit kind");
        }
      });
}

void lowbit::numerics::unpackRow(const PackFormat &format,
                                 llvm::ArrayRef<uint8_t> packed,
                                 llvm::MutableArrayRef<uint8_t> codes) {
  int64_t rowLength = codes.size();
  assertRowShape(format, 8, rowLength, packed.size());
  forEachBlock(format, codes, packed,
               [&](uint8_t *dst, int64_t count, int64_t blockCodes,
                   const uint8_t *src, int64_t) {
                 switch (format.kind) {
                 case PackKind::Int8:
                   std::memcpy(dst, src, count);
                   break;
                 case PackKind::Int4:
                   for (int64_t i = 0; i < count; ++i)
                     dst[i] = (src[i / 2] >> (4 * (i % 2))) & 0xF;
                   break;
                 case PackKind::Int4Interleaved: {
                   int64_t half = blockCodes / 2;
                   for (int64_t i = 0; i < count; ++i)
                     dst[i] = i < half ? (src[i] & 0xF) : (src[i - half] >> 4);
                   break;
                 }
                 case PackKind::Int2:
                   for (int64_t i = 0; i < count; ++i)
                     dst[i] = (src[i / 4] >> (2 * (i % 4))) & 0x3;
                   break;
                 default:
                   assert(false && "not a byte-unit kind");
                 }
               });
}

//===----------------------------------------------------------------------===//
// Word-unit packers
//===----------------------------------------------------------------------===//

void lowbit::numerics::packRow(const PackFormat &format,
                               llvm::ArrayRef<uint8_t> codes,
                               llvm::MutableArrayRef<uint32_t> out) {
  int64_t rowLength = codes.size();
  assertRowShape(format, 32, rowLength, out.size());
  assert(!findInvalidCode(format, codes) && "invalid code");
  if (format.kind == PackKind::Int3)
    return packWords(format, codes, out, 10,
                     [](llvm::ArrayRef<uint8_t> fields) {
                       uint32_t word = 0;
                       for (auto [i, field] : llvm::enumerate(fields))
                         word |= static_cast<uint32_t>(field) << (3 * i);
                       return word;
                     });
  if (format.kind == PackKind::RadixSuperblock)
    return packSuperblockRow(getSuperblockFormat(format), codes, out);
  unsigned radix = format.radix;
  if (format.kind == PackKind::RadixFields)
    return packWords(format, codes, out, kRadixFieldCodes,
                     [&](llvm::ArrayRef<uint8_t> digits) {
                       return encodeRadixFieldWord(digits, radix);
                     });
  assert(format.kind == PackKind::Radix);
  // encodeRadixWord's formula with n and the modulus computed once per row.
  int64_t n = digitsPerWord(radix);
  uint64_t modulus = radixWordModulus(radix);
  packWords(format, codes, out, n, [&](llvm::ArrayRef<uint8_t> digits) {
    uint64_t v = 0;
    for (uint8_t digit : digits)
      v = v * radix + digit;
    for (int64_t i = digits.size(); i < n; ++i)
      v *= radix;
    return static_cast<uint32_t>(((v << 32) + modulus - 1) / modulus);
  });
}

void lowbit::numerics::unpackRow(const PackFormat &format,
                                 llvm::ArrayRef<uint32_t> packed,
                                 llvm::MutableArrayRef<uint8_t> codes) {
  int64_t rowLength = codes.size();
  assertRowShape(format, 32, rowLength, packed.size());
  if (format.kind == PackKind::Int3)
    return unpackWords(format, packed, codes, 10,
                       [](uint32_t word, uint8_t *fields) {
                         for (int i = 0; i < 10; ++i)
                           fields[i] = (word >> (3 * i)) & 0x7;
                       });
  if (format.kind == PackKind::RadixSuperblock)
    return unpackSuperblockRow(getSuperblockFormat(format), packed, codes);
  unsigned radix = format.radix;
  if (format.kind == PackKind::RadixFields)
    return unpackWords(
        format, packed, codes, kRadixFieldCodes,
        [&](uint32_t word, uint8_t *digits) {
          decodeRadixFieldWord(word, radix, {digits, kRadixFieldCodes});
        });
  assert(format.kind == PackKind::Radix);
  int64_t n = digitsPerWord(radix);
  bool multiply = isRadixMultiplyDecodeExact(radix);
  unpackWords(format, packed, codes, n, [&](uint32_t word, uint8_t *digits) {
    if (multiply)
      decodeRadixWordByMultiply(word, radix, {digits, size_t(n)});
    else
      decodeRadixWordByDivision(word, radix, {digits, size_t(n)});
  });
}
