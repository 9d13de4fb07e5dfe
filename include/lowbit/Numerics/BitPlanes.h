//===- BitPlanes.h - bit-plane weights and lookup-table GEMV ----*- C++ -*-===//
//
// The lookup-table (T-MAC style) form of a matmul with b-bit unsigned weight
// codes (1 <= b <= 4) and dynamically quantized int8 activations. Instead of
// multiplying codes, the kernel precomputes, for every quad of 4 activations
// a[4j .. 4j + 3], the 16 sums of its subsets
//
//   T_j[i] = sum_{r < 4} bit_r(i) * a[4j + r]      (i = 0..15)
//
// and splits each weight code c = sum_p 2^p bit_p(c) into b bit planes, so
// that a quad's contribution to an output is sum_p 2^p T_j[i_p] with i_p the
// 4-bit index formed by bit p of the quad's four codes. With |a| <= 127 a
// table entry lies in [-508, 508]: exact in int16 (and needs both bytes, so
// byte-shuffle kernels look up a low-byte and a high-byte table).
//
// Layout (normative). The weight is an [N, K] matrix of codes (row n = output
// column n), stored in panels of 16 rows like the other panel layouts
// (panel t = rows [16t, 16t + 16), the last padded with zero codes); K is
// padded with zero codes to Kp = bitPlanePaddedDepth(K), a multiple of 16,
// i.e. whole blocks of four quads. Planes go in pairs, one per nibble: with
// H = ceil(b / 2) vectors per block, a panel is stored block by block:
//
//   byte  64 * (H * J + p / 2) + 16 * (j % 4) + (n % 16)   of panel n / 16
//   holds i_p of row n and quad j (J = j / 4) in its low nibble for even p,
//   in its high nibble for odd p.
//
// So a 64-byte vector holds two planes of four consecutive quads for 16
// rows: one 128-bit lane per quad (what `vpshufb` / `tbl` index with that
// quad's table), `b & 0xF` plane 2h and `b >> 4` plane 2h + 1. A panel takes
// 4 H Kp bytes: at 2 and 4 bits no wasted bit but the padding (1 and 3 bits
// leave a nibble plane empty). PackKind::Int2Planes is this layout at 2 bits.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_BITPLANES_H
#define LOWBIT_NUMERICS_BITPLANES_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace lowbit::numerics {

/// Rows per panel, activations per quad, quads per block.
constexpr int64_t kBitPlanePanelRows = 16;
constexpr int64_t kBitPlaneQuad = 4;
constexpr int64_t kBitPlaneBlockQuads = 4;
/// The largest |table entry| for int8 activations in [-127, 127].
constexpr int32_t kBitPlaneTableBound = 4 * 127;

/// K rounded up to whole blocks (16 codes).
int64_t bitPlanePaddedDepth(int64_t K);
/// Bytes of one panel of 16 rows: 4 * ceil(bits / 2) * bitPlanePaddedDepth(K).
int64_t bitPlanePanelBytes(unsigned bits, int64_t K);
/// Bytes of the whole [N, K] matrix: ceil(N / 16) panels.
int64_t bitPlaneBytes(unsigned bits, int64_t N, int64_t K);

/// Where plane `plane` of the quad holding code (n, k) is: its byte offset
/// from the matrix's start, and whether it is the high nibble.
struct BitPlanePosition {
  int64_t byte;
  bool high;
};
BitPlanePosition bitPlanePosition(unsigned bits, int64_t K, int64_t n,
                                  int64_t k, unsigned plane);

/// Packs row-major [N, K] codes (each < 2^bits) into the layout above.
std::vector<uint8_t> packBitPlanes(llvm::ArrayRef<uint8_t> codes, unsigned bits,
                                   int64_t N, int64_t K);
/// The inverse: the [N, K] codes of a packed matrix.
std::vector<uint8_t> unpackBitPlanes(llvm::ArrayRef<uint8_t> packed,
                                     unsigned bits, int64_t N, int64_t K);

/// The tables of one quantized activation row q (K values, read as zero past
/// K): 16 int16 entries per quad, bitPlanePaddedDepth(K) / 4 quads.
std::vector<int16_t> buildLookupTables(llvm::ArrayRef<int8_t> q);

/// sum_{k in [k0, k1)} c[n, k] * q[k] through the tables: for every quad of
/// the range, sum_p 2^p T_j[i_p]. k0 and k1 must be multiples of 4 (or
/// k1 == K). Exact in int32 for any K <= 2^20.
int32_t lookupDot(llvm::ArrayRef<uint8_t> packed, unsigned bits, int64_t K,
                  llvm::ArrayRef<int16_t> tables, int64_t n, int64_t k0,
                  int64_t k1);

/// The matmul of lowbit.matmul with dynamic int8 activations on b-bit
/// uniform min/scale codes (x^ = T[c] * s + m, T[c] = c / (2^b - 1)) through
/// the tables:
///
///   out[m, n] = s_x[m] * sum_g (step[n, g] * C[n, g] + min[n, g] * A[m, g])
///               (+ bias[n])
///
/// with C = sum_{k in g} c[n, k] q_x[m, k] (lookupDot), A = sum_{k in g}
/// q_x[m, k] (both exact), q_x and s_x from quantizeActivationRow, and the
/// rest in double, rounded once. `steps` and `mins` are [N, ceil(K / G)]
/// (G = groupSize, a multiple of 4 or >= K); step = float(T[1] * s), the
/// dequantized weight of code 1 minus the min. This equals
/// referenceMatmulDynamicInt8Dequantized on the dequantized weights whenever
/// the dequantization is linear in the code, T[c] * s == c * step in f32
/// (e.g. s = (2^b - 1) 2^e at 1 and 2 bits), and the double sums are exact;
/// otherwise they differ by the dequantization's rounding, at most
/// s_x * sum_k |q_x[k]| * 2^-23 * |T[c] s| per output.
void referenceLutMatmul(llvm::ArrayRef<float> x, llvm::ArrayRef<uint8_t> packed,
                        unsigned bits, llvm::ArrayRef<float> steps,
                        llvm::ArrayRef<float> mins, int64_t groupSize,
                        llvm::ArrayRef<float> bias, int64_t M, int64_t N,
                        int64_t K, llvm::MutableArrayRef<float> out);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_BITPLANES_H
