//===- SuperblockRadix.cpp - radix digits in superblocks ------------------===//
//
// See SuperblockRadix.h for the normative layout.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/SuperblockRadix.h"

#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace lowbit::numerics;

std::optional<std::string>
lowbit::numerics::verifySuperblockFormat(const SuperblockFormat &f) {
  if (f.radix < 2 || f.radix > 256)
    return "radix must be in [2, 256], got " + std::to_string(f.radix);
  if (f.groupSize <= 0)
    return "group size must be positive, got " + std::to_string(f.groupSize);
  return std::nullopt;
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

llvm::SmallVector<SuperblockSegment>
lowbit::numerics::getSuperblockSegments(const SuperblockFormat &format,
                                        int64_t rowLength) {
  assert(!verifySuperblockFormat(format) && "invalid superblock format");
  int64_t n = digitsPerWord(format.radix), g = format.groupSize;
  llvm::SmallVector<SuperblockSegment> segments;
  SuperblockSegment next;
  for (int64_t code = 0; code < rowLength;) {
    SuperblockSegment s = next;
    s.numCodes = std::min(n * g, rowLength - code);
    s.numWords = ceilDiv(s.numCodes, n);
    s.numGroups = ceilDiv(s.numCodes, g);
    s.numParamBytes = 4 + 2 * s.numGroups;
    segments.push_back(s);
    code += s.numCodes;
    next.firstCode = code;
    next.firstWord = s.firstWord + s.numWords;
    next.firstGroup = s.firstGroup + s.numGroups;
    next.firstParamByte = s.firstParamByte + s.numParamBytes;
  }
  return segments;
}

int64_t lowbit::numerics::superblockWordsPerRow(const SuperblockFormat &format,
                                                int64_t rowLength) {
  int64_t words = 0;
  for (const SuperblockSegment &s : getSuperblockSegments(format, rowLength))
    words += s.numWords;
  return words;
}

int64_t
lowbit::numerics::superblockParamBytesPerRow(const SuperblockFormat &format,
                                             int64_t rowLength) {
  int64_t bytes = 0;
  for (const SuperblockSegment &s : getSuperblockSegments(format, rowLength))
    bytes += s.numParamBytes;
  return bytes;
}

double lowbit::numerics::superblockBitsPerWeight(const SuperblockFormat &format,
                                                 int64_t rowLength) {
  if (rowLength <= 0)
    return 0.0;
  return double(32 * superblockWordsPerRow(format, rowLength) +
                8 * superblockParamBytesPerRow(format, rowLength)) /
         double(rowLength);
}

namespace {
/// Calls fn(word index in the row, positions) for every word of a row, where
/// positions[i] is the row index of the code in digit i, or -1 for padding.
template <typename Fn>
void forEachWord(const SuperblockFormat &format, int64_t rowLength, Fn fn) {
  int64_t n = digitsPerWord(format.radix);
  int64_t positions[32];
  for (const SuperblockSegment &s : getSuperblockSegments(format, rowLength))
    for (int64_t w = 0; w < s.numWords; ++w) {
      for (int64_t i = 0; i < n; ++i) {
        int64_t k = i * s.numWords + w;
        positions[i] = k < s.numCodes ? s.firstCode + k : -1;
      }
      fn(s.firstWord + w, llvm::ArrayRef<int64_t>(positions, n));
    }
}
} // namespace

void lowbit::numerics::packSuperblockRow(
    const SuperblockFormat &format, llvm::ArrayRef<uint8_t> codes,
    llvm::MutableArrayRef<uint32_t> words) {
  assert(int64_t(words.size()) == superblockWordsPerRow(format, codes.size()) &&
         "packed row has the wrong size");
  uint8_t digits[32];
  forEachWord(format, codes.size(),
              [&](int64_t word, llvm::ArrayRef<int64_t> positions) {
                for (size_t i = 0; i < positions.size(); ++i) {
                  digits[i] = positions[i] < 0 ? 0 : codes[positions[i]];
                  assert(digits[i] < format.radix && "invalid code");
                }
                words[word] = encodeRadixWord(
                    llvm::ArrayRef<uint8_t>(digits, positions.size()),
                    format.radix);
              });
}

void lowbit::numerics::unpackSuperblockRow(
    const SuperblockFormat &format, llvm::ArrayRef<uint32_t> words,
    llvm::MutableArrayRef<uint8_t> codes) {
  assert(int64_t(words.size()) == superblockWordsPerRow(format, codes.size()) &&
         "packed row has the wrong size");
  uint8_t digits[32];
  forEachWord(format, codes.size(),
              [&](int64_t word, llvm::ArrayRef<int64_t> positions) {
                decodeRadixWordByMultiply(words[word], format.radix, digits);
                for (size_t i = 0; i < positions.size(); ++i)
                  if (positions[i] >= 0)
                    codes[positions[i]] = digits[i];
              });
}

static float halfAt(llvm::ArrayRef<uint8_t> bytes, int64_t at) {
  return halfBitsToFloat(uint16_t(bytes[at] | (bytes[at + 1] << 8)));
}

void lowbit::numerics::decodeSuperblockParams(
    const SuperblockFormat &format, int64_t rowLength,
    llvm::ArrayRef<uint8_t> paramBytes, llvm::MutableArrayRef<float> scales,
    llvm::MutableArrayRef<float> mins) {
  for (const SuperblockSegment &s : getSuperblockSegments(format, rowLength)) {
    int64_t p = s.firstParamByte, r = s.numGroups;
    float d = halfAt(paramBytes, p), e = halfAt(paramBytes, p + 2);
    for (int64_t j = 0; j < r; ++j) {
      scales[s.firstGroup + j] = float(paramBytes[p + 4 + j]) * d;
      mins[s.firstGroup + j] = float(int8_t(paramBytes[p + 4 + r + j])) * e;
    }
  }
}

namespace {

/// The smallest fp16 value h with h * levels >= bound (bound >= 0, finite),
/// at least the smallest positive half; std::nullopt if it overflows.
std::optional<uint16_t> factorCovering(float bound, float levels) {
  uint16_t bits = floatToHalfBits(bound / levels);
  float h = halfBitsToFloat(bits);
  if (h * levels < bound)
    h = halfBitsToFloat(++bits); // positive halves order like their bits
  if (h < kHalfMinSubnormal)
    bits = floatToHalfBits(kHalfMinSubnormal);
  if (!std::isfinite(halfBitsToFloat(bits)))
    return std::nullopt;
  return bits;
}

int64_t clampCode(double v, int64_t lo, int64_t hi) {
  return std::clamp<int64_t>(int64_t(v), lo, hi);
}

/// The f32-parameter quantizer of `scheme`, if the scheme and format fit
/// the layout.
Result<Quantizer> makeQuantizer(const Scheme &scheme,
                                const SuperblockFormat &format) {
  using Kind = QuantError::Kind;
  if (std::optional<std::string> why = verifySuperblockFormat(format))
    return QuantError{Kind::InvalidScheme, -1, *why};
  Scheme f32Scheme = scheme;
  f32Scheme.paramStorage = ParamStorage::F32;
  Result<Quantizer> created = Quantizer::create(f32Scheme);
  if (!created)
    return created.error();
  if (scheme.form != ParamForm::MinScale || created->getQmin() != 0 ||
      created->getQmax() >= int32_t(format.radix))
    return QuantError{Kind::InvalidScheme, -1,
                      "the superblock layout needs min/scale codes 0.." +
                          std::to_string(format.radix - 1)};
  return created;
}

} // namespace

Result<SuperblockTensor> lowbit::numerics::quantizeSuperblockTensor(
    llvm::ArrayRef<float> values, int64_t rows, int64_t depth,
    const Scheme &scheme, const SuperblockFormat &format,
    const ClippingOptions &clipping) {
  using Kind = QuantError::Kind;
  Result<Quantizer> created = makeQuantizer(scheme, format);
  if (!created)
    return created.error();
  const Quantizer &quantizer = *created;
  if (rows < 0 || depth < 0 || int64_t(values.size()) != rows * depth)
    return QuantError{Kind::InvalidShape, -1, "values do not match the shape"};
  if (std::optional<int64_t> bad = findNonFinite(values))
    return QuantError{Kind::NonFinite, *bad, "NaN or infinity in the weight"};

  SuperblockTensor t;
  t.rows = rows;
  t.depth = depth;
  t.codes.resize(values.size());
  int64_t wordsPerRow = superblockWordsPerRow(format, depth);
  int64_t bytesPerRow = superblockParamBytesPerRow(format, depth);
  t.words.resize(rows * wordsPerRow);
  t.params.resize(rows * bytesPerRow);
  llvm::SmallVector<SuperblockSegment> segments =
      getSuperblockSegments(format, depth);
  int64_t g = format.groupSize;

  struct Group {
    llvm::ArrayRef<float> values;
    QuantParams first; ///< first-level (f32) parameters
    float lo, hi;      ///< the group's value range
  };
  std::vector<Group> groups;
  for (int64_t row = 0; row < rows; ++row) {
    llvm::ArrayRef<float> rowValues = values.slice(row * depth, depth);
    uint8_t *rowCodes = t.codes.data() + row * depth;
    uint8_t *bytes = t.params.data() + row * bytesPerRow;
    for (const SuperblockSegment &s : segments) {
      groups.clear();
      float maxScale = 0.0f, maxAbsMin = 0.0f;
      for (int64_t j = 0; j < s.numGroups; ++j) {
        int64_t begin = s.firstCode + j * g;
        Group group;
        group.values = rowValues.slice(
            begin, std::min(g, s.firstCode + s.numCodes - begin));
        auto [lo, hi] =
            std::minmax_element(group.values.begin(), group.values.end());
        group.lo = *lo;
        group.hi = *hi;
        std::optional<QuantParams> p =
            quantizer.paramsForValues(group.values, clipping);
        if (!p)
          return QuantError{Kind::ParamOverflow,
                            row * ceilDiv(depth, g) + s.firstGroup + j,
                            "a group's range does not fit f32"};
        group.first = *p;
        if (group.lo != group.hi)
          maxScale = std::max(maxScale, p->scale);
        maxAbsMin = std::max(maxAbsMin, std::fabs(p->min));
        groups.push_back(group);
      }
      std::optional<uint16_t> dBits =
          maxScale > 0.0f ? factorCovering(maxScale, 255.0f)
                          : std::optional<uint16_t>(floatToHalfBits(1.0f));
      std::optional<uint16_t> eBits =
          maxAbsMin > 0.0f ? factorCovering(maxAbsMin, 127.0f)
                           : std::optional<uint16_t>(floatToHalfBits(1.0f));
      if (!dBits || !eBits)
        return QuantError{Kind::ParamOverflow,
                          row * ceilDiv(depth, g) + s.firstGroup,
                          "a superblock factor overflows fp16"};
      float d = halfBitsToFloat(*dBits), e = halfBitsToFloat(*eBits);
      uint8_t *p = bytes + s.firstParamByte;
      p[0] = uint8_t(*dBits);
      p[1] = uint8_t(*dBits >> 8);
      p[2] = uint8_t(*eBits);
      p[3] = uint8_t(*eBits >> 8);
      for (int64_t j = 0; j < s.numGroups; ++j) {
        const Group &group = groups[j];
        bool constant = group.lo == group.hi;
        double bFloor = std::floor(double(group.first.min) / double(e));
        QuantParams best;
        double bestError = INFINITY;
        int64_t bestA = 1, bestB = 0;
        for (int64_t b :
             {clampCode(bFloor, -127, 127), clampCode(bFloor + 1, -127, 127)}) {
          float m = float(b) * e;
          int64_t aRound = clampCode(
              std::nearbyint(double(group.first.scale) / double(d)), 1, 255);
          int64_t aCover = clampCode(
              std::ceil((double(group.hi) - double(m)) / double(d)), 1, 255);
          for (int64_t a : {constant ? int64_t(1) : aRound, aCover}) {
            QuantParams q{float(a) * d, 0, m};
            double error = quantizer.squaredError(group.values, q);
            if (error < bestError) {
              bestError = error;
              best = q;
              bestA = a;
              bestB = b;
            }
          }
        }
        p[4 + j] = uint8_t(bestA);
        p[4 + s.numGroups + j] = uint8_t(int8_t(bestB));
        int64_t begin = s.firstCode + j * g;
        quantizer.quantizeSpan(group.values, best,
                               llvm::MutableArrayRef<uint8_t>(
                                   rowCodes + begin, group.values.size()));
      }
    }
    packSuperblockRow(format, llvm::ArrayRef<uint8_t>(rowCodes, depth),
                      llvm::MutableArrayRef<uint32_t>(
                          t.words.data() + row * wordsPerRow, wordsPerRow));
  }
  return t;
}

Result<std::vector<float>> lowbit::numerics::dequantizeSuperblockTensor(
    llvm::ArrayRef<uint32_t> words, llvm::ArrayRef<uint8_t> params,
    int64_t rows, int64_t depth, const Scheme &scheme,
    const SuperblockFormat &format) {
  using Kind = QuantError::Kind;
  Result<Quantizer> created = makeQuantizer(scheme, format);
  if (!created)
    return created.error();
  int64_t wordsPerRow = superblockWordsPerRow(format, depth);
  int64_t bytesPerRow = superblockParamBytesPerRow(format, depth);
  if (rows < 0 || int64_t(words.size()) != rows * wordsPerRow ||
      int64_t(params.size()) != rows * bytesPerRow)
    return QuantError{Kind::InvalidShape, -1,
                      "packed words or parameters do not match the shape"};
  int64_t g = format.groupSize, numGroups = ceilDiv(depth, g);
  std::vector<float> out(rows * depth), scales(numGroups), mins(numGroups);
  std::vector<uint8_t> codes(depth);
  for (int64_t row = 0; row < rows; ++row) {
    unpackSuperblockRow(format, words.slice(row * wordsPerRow, wordsPerRow),
                        codes);
    decodeSuperblockParams(format, depth,
                           params.slice(row * bytesPerRow, bytesPerRow), scales,
                           mins);
    for (int64_t j = 0; j < numGroups; ++j) {
      int64_t begin = j * g, count = std::min(g, depth - begin);
      if (std::optional<int64_t> bad = findInvalidCode(
              PackFormat{PackKind::Radix, unsigned(created->getQmax() + 1), 0},
              llvm::ArrayRef<uint8_t>(codes).slice(begin, count)))
        return QuantError{Kind::InvalidCode, row * depth + begin + *bad,
                          "a code outside the scheme's levels"};
      created->dequantizeSpan(
          llvm::ArrayRef<uint8_t>(codes).slice(begin, count),
          {scales[j], 0, mins[j]},
          llvm::MutableArrayRef<float>(out.data() + row * depth + begin,
                                       count));
    }
  }
  return out;
}
