//===- Packing.h - Integer code packers -------------------------*- C++ -*-===//
//
// MLIR-free packers between integer codes and packed storage units. These
// layouts are the contract between the constant folder (which packs weights
// at compile time) and the vectorized kernels (which unpack them in
// registers); the rules below are normative.
//
// Codes
// -----
// A code is a *bit pattern* 0 <= c < 2^bitsPerCode (signed codes are passed as
// their low `bits` bits in two's complement; use signExtend() to recover the
// value), or 0 <= c < radix for PackKind::Radix. Padding codes are always 0.
//
// Rows and blocks
// ---------------
// Packing works one row (a contiguous run of `rowLength` codes) at a time.
// A row is split into consecutive blocks of `block` codes; the last block may
// be partial. Every block starts on a fresh storage unit and occupies
// ceil(block / codesPerUnit) units; a partial last block is padded with zero
// codes to a full block (so every block of a row has the same packed size).
// block == 0 means the whole row is one block: the row occupies
// ceil(rowLength / codesPerUnit) units and is padded with zero codes only up
// to the end of its last unit. Within a block, code k of the block is code
// (blockIndex * block + k) of the row, and its position is given per kind:
//
//   Int8  (unit = byte):  code k is byte k.
//   Int4  (unit = byte):  byte j holds code 2j in bits [0,4) (low nibble) and
//                         code 2j+1 in bits [4,8) (high nibble).
//                         Example: codes {1,2} -> byte 0x21.
//   Int4Interleaved (unit = byte): requires block > 0 and block even. With
//                         H = block/2, byte j (0 <= j < H) holds code j in the
//                         low nibble and code j+H in the high nibble, so
//                         `b & 0xF` yields codes [0,H) and `b >> 4` yields
//                         codes [H,2H) of the block, each contiguous.
//                         Example (block 4): {1,2,3,4} -> bytes {0x31, 0x42}.
//   Int2  (unit = byte):  byte j holds code 4j+i in bits [2i, 2i+2), i < 4.
//   Int3  (unit = 32-bit word): word j holds code 10j+i in bits [3i, 3i+3),
//                         i < 10; bits 30 and 31 are zero.
//   Radix (unit = 32-bit word): with r = radix, n = digitsPerWord(r) (the
//                         largest n with r^n <= 2^32) and N = r^n, word j
//                         holds codes c_0..c_{n-1} = codes nj..nj+n-1 as
//                            v = sum_{i<n} c_i * r^(n-1-i)   (c_0 most
//                            significant) q = ceil(v * 2^32 / N)          (the
//                            stored word)
//                         so that the division-free decode
//                            c_i = ((uint64_t)(uint32_t)(q * r^i) * r) >> 32
//                         yields c_0 first. Equivalently v = floor(q * N /
//                         2^32) and the c_i are the base-r digits of v.
//                         Example: radix 11, n = 9, N = 11^9 = 2357947691.
//   RadixSuperblock (unit = 32-bit word): requires block > 0, the group
//                         size g. Radix words, but a row is cut into
//                         superblocks of n g codes (and a tail) whose word w
//                         holds code w of each of the n groups, so no digit
//                         slot is wasted (SuperblockRadix.h has the rules).
//   RadixFields (unit = 32-bit word): radix r in [2, 11] (so r^4 <= 2^14),
//                         nine codes per word: word j holds codes c_0..c_8
//                         = codes 9j..9j+8 as two base-r numbers of four
//                         digits, least significant first, and c_8:
//                            bits [0, 14):  c_0 + c_1 r + c_2 r^2 + c_3 r^3
//                            bits [14, 28): c_4 + c_5 r + c_6 r^2 + c_7 r^3
//                            bits [28, 32): c_8
//                         The kernels split each field into base-r^2 pairs
//                         in 16-bit lanes, with no 32-bit multiply
//                         (RadixFields.h). Example: radix 11, codes
//                         {1,2,0,0,0,0,0,0,3} -> 0x30000017.
//
// Panels
// ------
// Panel kinds (Int8Panel, Int4Panel, Int2Panel, Int3Panel) pack a whole
// [N, K] matrix of codes (row n = output column n of a matmul, K its
// reduction) for outer-product kernels, whose vector lanes are 16 rows
// (output columns): panels of 16 rows (panel p = rows [16p, 16p + 16), the
// last one padded with zero rows); K is padded with zero codes to Kp =
// panelPaddedDepth(format, K): whole blocks when block > 0 (each block of a
// row starts on a fresh 64-byte vector), else a multiple of 4 (int8), 8
// (int4), 16 (int2) or 32 (int3). A panel is stored contiguously, quad by
// quad (a quad = 4 consecutive k); storage is [ceil(N / 16), panelBytes]:
//
//   Int8Panel: code (n, k) is byte 64 * (k / 4) + 4 * (n % 16) + k % 4 of
//              panel n / 16: each 64-byte vector holds quad k / 4 of all 16
//              rows, the 4 bytes of a row side by side (what one 32-bit lane
//              of vpdpbusd / sdot multiplies). panelBytes = 16 * Kp.
//   Int4Panel: each 64-byte vector holds two quads: code (n, k) is in byte
//              64 * (k / 8) + 4 * (n % 16) + k % 4 of panel n / 16, in the
//              low nibble for even quads (k / 4 even), the high nibble for
//              odd ones: `b & 0xF` is quad 2j, `b >> 4` quad 2j + 1.
//              panelBytes = 8 * Kp.
//   Int2Panel: each 64-byte vector holds four quads: code (n, k) is in byte
//              64 * (k / 16) + 4 * (n % 16) + k % 4 of panel n / 16, bits
//              [2t, 2t + 2) with t = (k / 4) % 4: `(b >> 2t) & 3` is quad
//              4j + t. panelBytes = 4 * Kp.
//   Int3Panel: a 2-bit plane and a 1-bit plane (as ggml's Q3_K): every 32
//              k (8 quads) take 192 bytes, two 64-byte vectors of the low
//              two bits of each code as in Int2Panel (quads 0-3, 4-7) and
//              one of the high bits. Code (n, k), with u = 192 * (k / 32) +
//              4 * (n % 16) + k % 4 and t = (k / 4) % 8: bits [0, 2) at
//              bits [2 (t % 4), 2 (t % 4) + 2) of byte u + 64 * (t / 4),
//              bit 2 at bit t of byte u + 128. Decoding a quad is two
//              shifts and two masks in any lane width, no cross-byte moves.
//              panelBytes = 6 * Kp.
//   RadixPanel: nine-digit radix words (radix 10, 11), block > 0: each
//              block of a row takes W = radixPanelWords(block) words, word w
//              of row n at bytes 64 W (k / block) + 64 w + 4 (n % 16) of
//              panel n / 16 (little-endian), codes placed as RadixPanel.h
//              says. panelBytes = 64 W Kp / block (960 per 128 codes).
//
// Exactness of the multiply decode. For any 32-bit q let v = floor(q*N/2^32)
// and q*N = v*2^32 + e with 0 <= e < 2^32 (for encoded words e < N).
// Then (q*r^i mod 2^32)/2^32 = w_i/N + e*r^i/(N*2^32), where w_i = (v*r^i mod
// N) is a multiple of r^i not exceeding N - r^i, so the fraction stays below 1;
// multiplying by r gives c_i + w_{i+1}/N + e*r^(i+1)/(N*2^32) with
// w_{i+1} <= N - r^(i+1) and e < 2^32, which is < c_i + 1. Hence the decode
// yields the digits of v for every 32-bit word and every radix with
// r^n <= 2^32, i.e. for all
// radices 2..256 (isRadixMultiplyDecodeExact() returns true for all of them;
// unpackRow still falls back to division for any radix it would report as not
// exact). The unit tests check radix 11 on 10^7 random words plus the boundary
// words, and every radix on random words.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_PACKING_H
#define LOWBIT_NUMERICS_PACKING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace lowbit::numerics {

enum class PackKind : uint8_t {
  Int8,
  Int4,
  Int4Interleaved,
  Int2,
  Int3,
  Radix,
  Int8Panel,
  Int4Panel,
  Int2Planes,
  Int2Panel,
  Int3Panel,
  /// Radix digits in superblocks of digitsPerWord(radix) groups of `block`
  /// codes (SuperblockRadix.h); its parameters are superblock bytes.
  RadixSuperblock,
  /// Nine-digit radix words (radix 10 or 11) in panels (RadixPanel.h).
  RadixPanel,
  /// Nine radix digits per word in two 14-bit fields and a nibble.
  RadixFields
};

struct PackFormat {
  PackKind kind = PackKind::Int8;
  /// Only for the radix kinds: the number of levels, 2..256 (2..11 for
  /// RadixFields).
  unsigned radix = 0;
  /// Codes per independently packed block along a row; 0 = the whole row is
  /// one block.
  int64_t block = 0;

  friend bool operator==(const PackFormat &a, const PackFormat &b) {
    return a.kind == b.kind && a.radix == b.radix && a.block == b.block;
  }
  friend bool operator!=(const PackFormat &a, const PackFormat &b) {
    return !(a == b);
  }
};

/// A short lowercase name of the kind ("int8", "int4", "int4_interleaved",
/// "int2", "int3", "radix", "int8_panel", "int4_panel", "int2_planes",
/// "int2_panel", "int3_panel", "radix_superblock", "radix_panel",
/// "radix_fields").
const char *stringifyPackKind(PackKind kind);
/// Inverse of stringifyPackKind.
std::optional<PackKind> symbolizePackKind(llvm::StringRef name);

/// Returns std::nullopt if the format is valid, else a message saying why not:
/// radix must be in [2, 256] for Radix and RadixSuperblock and 0 otherwise;
/// block must be >= 0 (> 0 for RadixSuperblock);
/// Int4Interleaved needs block > 0 and even; Int8Panel a block that is a
/// multiple of 4, Int4Panel of 8, Int2Panel of 16, Int3Panel of 32 (0
/// allowed); RadixPanel a positive multiple of 4 and radix 10 or 11;
/// RadixFields radix in [2, 11].
std::optional<std::string> verifyPackFormat(const PackFormat &format);

/// 8, 4, 4, 2, 3, ceil(log2(radix)), 8, 4, 2, 3 for Int8, Int4,
/// Int4Interleaved, Int2, Int3, Radix, Int8Panel, Int4Panel, Int2Panel,
/// Int3Panel.
unsigned bitsPerCode(const PackFormat &format);
/// Storage unit width: 32 for Int3 and the radix word kinds, 8 for the
/// others.
unsigned unitBits(const PackFormat &format);
/// 1, 2, 2, 4, 10, digitsPerWord(radix), 1, 2, 4, 1 (Int3Panel: a byte
/// of each plane holds 4 and 8 codes' bits; see panelBytes); 9 for
/// RadixFields.
unsigned codesPerUnit(const PackFormat &format);
/// The largest n with radix^n <= 2^32 (11 -> 9, 3 -> 20, 2 -> 32, 256 -> 4).
/// Meant for 2 <= radix <= 256; returns 0 for radix < 2 (asserts in debug).
unsigned digitsPerWord(unsigned radix);
/// radix^digitsPerWord(radix) as a 64-bit number (<= 2^32).
uint64_t radixWordModulus(unsigned radix);

/// Storage units used by one row of `rowLength` codes (see the block rules);
/// 0 for a Radix format with radix < 2. For panel formats, the units of one
/// panel (16 rows) of `rowLength` codes: panelBytes(format, rowLength).
int64_t packedUnitsPerRow(const PackFormat &format, int64_t rowLength);
/// packedUnitsPerRow * unitBits / 8.
int64_t packedBytesPerRow(const PackFormat &format, int64_t rowLength);

/// Index of the first code that is not valid for the format (code >= 2^bits,
/// or code >= radix for the radix kinds), or std::nullopt if all are valid.
std::optional<int64_t> findInvalidCode(const PackFormat &format,
                                       llvm::ArrayRef<uint8_t> codes);

/// Whether integer dot-product kernels take the kind's codes unsigned
/// whatever the scheme (the sub-4-bit slotted and panel kinds: signed
/// symmetric codes offset by 2^(bits - 1), and offsets and mins meet
/// per-group sums of the activations).
bool takesUnsignedDotCodes(PackKind kind);

/// Sign-extends the low `bits` bits of `pattern` (1 <= bits <= 8).
inline int32_t signExtend(uint8_t pattern, unsigned bits) {
  uint32_t v = pattern & ((1u << bits) - 1u);
  uint32_t sign = 1u << (bits - 1);
  return static_cast<int32_t>(v ^ sign) - static_cast<int32_t>(sign);
}
/// The low `bits` bits of `value` in two's complement.
inline uint8_t toBitPattern(int32_t value, unsigned bits) {
  return static_cast<uint8_t>(static_cast<uint32_t>(value) &
                              ((1u << bits) - 1u));
}

//===----------------------------------------------------------------------===//
// Row packers. Preconditions (checked with assert only): the format is valid,
// every code is valid, codes.size() is the row length, and the packed array
// has exactly packedUnitsPerRow(format, rowLength) units. unpackRow takes the
// row length from codes.size().
//===----------------------------------------------------------------------===//

/// Byte-unit kinds (unitBits == 8): Int8, Int4, Int4Interleaved, Int2.
void packRow(const PackFormat &format, llvm::ArrayRef<uint8_t> codes,
             llvm::MutableArrayRef<uint8_t> out);
void unpackRow(const PackFormat &format, llvm::ArrayRef<uint8_t> packed,
               llvm::MutableArrayRef<uint8_t> codes);

/// Word-unit kinds (unitBits == 32): Int3, Radix, RadixSuperblock,
/// RadixFields.
void packRow(const PackFormat &format, llvm::ArrayRef<uint8_t> codes,
             llvm::MutableArrayRef<uint32_t> out);
void unpackRow(const PackFormat &format, llvm::ArrayRef<uint32_t> packed,
               llvm::MutableArrayRef<uint8_t> codes);

//===----------------------------------------------------------------------===//
// Panels (see "Panels" above). Preconditions as for the row packers.
//===----------------------------------------------------------------------===//

/// Rows (output columns) per panel, and codes per quad.
inline constexpr int64_t kPanelRows = 16;
inline constexpr int64_t kPanelQuad = 4;

/// Whether the format packs [N, K] matrices into panels (Int8Panel,
/// Int4Panel, Int2Panel, Int3Panel, Int2Planes: the bit planes of
/// BitPlanes.h at 2 bits).
inline bool isPanelFormat(const PackFormat &format) {
  return format.kind == PackKind::Int8Panel ||
         format.kind == PackKind::Int4Panel ||
         format.kind == PackKind::Int2Panel ||
         format.kind == PackKind::Int3Panel ||
         format.kind == PackKind::RadixPanel ||
         format.kind == PackKind::Int2Planes;
}
/// Codes of K per padding step and per unit of whole 64-byte vectors: 4
/// (Int8Panel), 8 (Int4Panel), 16 (Int2Panel), 32 (Int3Panel: 3 vectors),
/// the block (RadixPanel: radixPanelWords(block) vectors).
int64_t panelUnitDepth(const PackFormat &format);
/// Bytes of one such unit of a panel: 64, 192 for Int3Panel, 64 words for
/// RadixPanel.
int64_t panelUnitBytes(const PackFormat &format);
/// ceil(rows / 16).
int64_t panelCount(int64_t rows);
/// K padded with zero codes: to whole blocks when block > 0, else to a
/// multiple of panelUnitDepth.
int64_t panelPaddedDepth(const PackFormat &format, int64_t depth);
/// Bytes of one panel: 16 * Kp (Int8Panel), 8 * Kp (Int4Panel), 4 * Kp
/// (Int2Panel) or 6 * Kp (Int3Panel).
int64_t panelBytes(const PackFormat &format, int64_t depth);

/// Where code (n, k) sits: panel n / 16, byte `byte` of that panel, bits
/// [shift, shift + bitsPerCode); for Int3Panel bits [shift, shift + 2) hold
/// the code's low two bits and bit `highShift` of byte `highByte` its bit 2.
struct PanelPosition {
  int64_t panel;
  int64_t byte;
  unsigned shift;
  int64_t highByte = -1;
  unsigned highShift = 0;
};
PanelPosition panelPosition(const PackFormat &format, int64_t n, int64_t k);

/// Packs row-major [rows, depth] codes into panelCount(rows) panels of
/// panelBytes(format, depth) bytes each (padding is zero codes).
void packPanels(const PackFormat &format, llvm::ArrayRef<uint8_t> codes,
                int64_t rows, int64_t depth,
                llvm::MutableArrayRef<uint8_t> out);
/// The inverse: writes rows * depth codes (row-major).
void unpackPanels(const PackFormat &format, llvm::ArrayRef<uint8_t> packed,
                  int64_t rows, int64_t depth,
                  llvm::MutableArrayRef<uint8_t> codes);

//===----------------------------------------------------------------------===//
// Radix words.
//===----------------------------------------------------------------------===//

/// Encodes up to digitsPerWord(radix) digits (missing trailing digits are 0)
/// into a stored word q = ceil(v * 2^32 / N), v = sum c_i * radix^(n-1-i).
uint32_t encodeRadixWord(llvm::ArrayRef<uint8_t> digits, unsigned radix);
/// The value v = floor(q * N / 2^32) that a stored word represents (< N).
uint64_t radixWordValue(uint32_t word, unsigned radix);
/// Decodes all n = digitsPerWord(radix) digits (digits.size() >= n; only the
/// first n are written) by integer division of radixWordValue().
void decodeRadixWordByDivision(uint32_t word, unsigned radix,
                               llvm::MutableArrayRef<uint8_t> digits);
/// Decodes all n digits with the division-free multiply trick; digit i is
/// ((uint64_t)(uint32_t)(word * radix^i) * radix) >> 32.
void decodeRadixWordByMultiply(uint32_t word, unsigned radix,
                               llvm::MutableArrayRef<uint8_t> digits);
/// Whether decodeRadixWordByMultiply equals decodeRadixWordByDivision for every
/// 32-bit word (in particular every word produced by encodeRadixWord). True for all radices 2..256 (see
/// the proof at the top of this file).
bool isRadixMultiplyDecodeExact(unsigned radix);

/// Codes per RadixFields word, and the width of its two base-r fields.
inline constexpr unsigned kRadixFieldCodes = 9;
inline constexpr unsigned kRadixFieldBits = 14;
/// The RadixFields word of up to nine codes (missing ones are 0).
uint32_t encodeRadixFieldWord(llvm::ArrayRef<uint8_t> codes, unsigned radix);
/// Its nine codes (codes.size() >= 9), by division.
void decodeRadixFieldWord(uint32_t word, unsigned radix,
                          llvm::MutableArrayRef<uint8_t> codes);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_PACKING_H
