//===- SuperblockRadix.h - radix digits in superblocks, 2-level params -*- C++
//-*-===//
//
// A tighter layout for codebook / min-scale codes of radix R (the 11-level
// "3.5-bit" scheme): no wasted digit slots in whole superblocks, and group
// parameters quantized against per-superblock fp16 factors (as in ggml's
// K-quants). At R = 11 and groups of 128 it takes 3.71 bits per weight
// where the per-group layout (`radix(11), block = 128`, f16 min and scale)
// takes 4.0. The rules below are normative.
//
// Segments
// --------
// With n = digitsPerWord(R) (9 for R = 11) and group size g, a row of K codes
// is cut into F = floor(K / (n g)) full superblocks of n g codes, followed by
// one tail segment of T = K - F n g codes when T > 0. A segment of L codes
// takes W = ceil(L / n) 32-bit words; word w of the segment holds, as digit
// i (i = 0 the most significant, the first the multiply decode yields, see
// Packing.h), code i W + w of the segment, or 0 when i W + w >= L. Digits are
// encoded into words exactly like PackKind::Radix.
//
// In a full superblock W = g: digit i of word w is code w of group i, so
// slot i of a vector of consecutive words is consecutive codes of one group
// (one scale per decoded vector, activations read contiguously). In the
// tail the "stripes" of W codes cross group boundaries; the tail wastes at
// most n - 1 slots, which keeps short rows (K = 256, 1024) cheap.
//
// Parameters
// ----------
// Group j of a row covers codes [j g, min(K, (j + 1) g)). A segment holding
// r groups (r = n for full superblocks, ceil(T / g) for the tail) has
// 4 + 2 r parameter bytes:
//   [0, 2)         d, the scale factor (fp16 bits, little endian)
//   [2, 4)         e, the min factor   (fp16 bits, little endian)
//   [4, 4 + r)     a_j, unsigned 8-bit scale codes, 1 <= a_j <= 255
//   [4 + r, 4 + 2r) b_j, signed 8-bit min codes, -127 <= b_j <= 127
// and group j of the segment has scale s = float(a_j) * d and min
// m = float(b_j) * e (both exact in f32), reconstructing x^ = T[c] * s + m
// (the MinScale rule of Quantize.h). A row's parameter bytes are its
// segments' bytes in order.
//
// Bits per weight of a row: (32 * words + 8 * parameter bytes) / K.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_SUPERBLOCKRADIX_H
#define LOWBIT_NUMERICS_SUPERBLOCKRADIX_H

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::numerics {

struct SuperblockFormat {
  /// Levels per code, 2..256; n = digitsPerWord(radix) groups per superblock.
  unsigned radix = 11;
  /// Codes per parameter group (> 0).
  int64_t groupSize = 128;
};

/// The superblock format of a PackKind::RadixSuperblock pack format (its
/// block is the group size).
inline SuperblockFormat getSuperblockFormat(const PackFormat &format) {
  return SuperblockFormat{format.radix, format.block};
}

/// std::nullopt if valid, else why not.
std::optional<std::string> verifySuperblockFormat(const SuperblockFormat &f);

/// One segment of a row (a full superblock or the tail).
struct SuperblockSegment {
  int64_t firstCode = 0, numCodes = 0;
  int64_t firstWord = 0, numWords = 0;
  int64_t firstGroup = 0, numGroups = 0;
  int64_t firstParamByte = 0, numParamBytes = 0;
};

/// The segments of a row of `rowLength` codes, in order.
llvm::SmallVector<SuperblockSegment>
getSuperblockSegments(const SuperblockFormat &format, int64_t rowLength);
int64_t superblockWordsPerRow(const SuperblockFormat &format,
                              int64_t rowLength);
int64_t superblockParamBytesPerRow(const SuperblockFormat &format,
                                   int64_t rowLength);
/// (32 * words + 8 * parameter bytes) / rowLength; 0 for an empty row.
double superblockBitsPerWeight(const SuperblockFormat &format,
                               int64_t rowLength);

/// Packs a row of codes (each < radix) into superblockWordsPerRow words.
void packSuperblockRow(const SuperblockFormat &format,
                       llvm::ArrayRef<uint8_t> codes,
                       llvm::MutableArrayRef<uint32_t> words);
/// The inverse; the row length is codes.size().
void unpackSuperblockRow(const SuperblockFormat &format,
                         llvm::ArrayRef<uint32_t> words,
                         llvm::MutableArrayRef<uint8_t> codes);

/// The scale and min of every group of a row from its parameter bytes
/// (scales/mins hold ceil(rowLength / groupSize) values).
void decodeSuperblockParams(const SuperblockFormat &format, int64_t rowLength,
                            llvm::ArrayRef<uint8_t> paramBytes,
                            llvm::MutableArrayRef<float> scales,
                            llvm::MutableArrayRef<float> mins);

/// A [rows, depth] weight in the layout: codes (row-major, for tests and
/// packers of other forms), packed words and parameter bytes, row after row.
struct SuperblockTensor {
  int64_t rows = 0, depth = 0;
  std::vector<uint8_t> codes;
  std::vector<uint32_t> words;
  std::vector<uint8_t> params;
};

/// Quantizes a row-major [rows, depth] tensor. `scheme` must be a MinScale
/// scheme whose codes are 0..levels-1 with levels <= format.radix (the
/// 11-level codebook, or unsigned uniform codes); its paramStorage is
/// ignored. Each group's min and scale are chosen as by quantizeTensor
/// (min-max or MSE clipping) in f32; the superblock factors are the fp16
/// values d >= max scale / 255 and e >= max |min| / 127 nearest to those
/// bounds (groups with min == max take no part in d); then each group's
/// codes (a, b) are chosen among b in {floor(m / e), floor(m / e) + 1} and
/// a in {round(s / d), ceil((max - b e) / d)} (clamped) to minimize the
/// group's squared error (the first candidate wins ties), and the codes are
/// quantized against the dequantized parameters. Rejects NaN/Inf
/// (NonFinite) and factors that overflow fp16 (ParamOverflow).
Result<SuperblockTensor>
quantizeSuperblockTensor(llvm::ArrayRef<float> values, int64_t rows,
                         int64_t depth, const Scheme &scheme,
                         const SuperblockFormat &format,
                         const ClippingOptions &clipping = {});

/// The reference dequantization of packed words and parameter bytes.
Result<std::vector<float>>
dequantizeSuperblockTensor(llvm::ArrayRef<uint32_t> words,
                           llvm::ArrayRef<uint8_t> params, int64_t rows,
                           int64_t depth, const Scheme &scheme,
                           const SuperblockFormat &format);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_SUPERBLOCKRADIX_H
