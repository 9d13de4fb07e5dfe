//===- LowbitAttributes.td - lowbit attributes -------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRIBUTES_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRIBUTES_TD

include "lowbit/Dialect/Lowbit/IR/LowbitDialect.td"
include "lowbit/Dialect/Lowbit/IR/LowbitEnums.td"
include "mlir/IR/AttrTypeBase.td"

class Lowbit_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Lowbit_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Lowbit_CodebookAttr : Lowbit_Attr<"Codebook", "codebook"> {
  let summary = "A sorted table of real levels that integer codes index";
  let description = [{
    A codebook of `L` strictly ascending, finite levels (2 <= L <= 256).
    Under a scheme with a codebook, code `c` stands for `levels[c]` instead of
    `c` itself. Quantization picks the nearest level; a value exactly half-way
    between two levels takes the **lower** code.

    ```mlir
    #lowbit.codebook<[-1.0, 0.0, 1.0]>
    // Parser shorthand for evenly spaced levels (printed as the full list):
    #lowbit.codebook<linspace(-1.0, 1.0, 11)>
    ```
  }];
  let parameters = (ins "::mlir::DenseF32ArrayAttr":$levels);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of levels.
    size_t size() const { return getLevels().size(); }
    /// The levels as floats.
    ::llvm::ArrayRef<float> getValues() const { return getLevels().asArrayRef(); }
  }];
}

def Lowbit_SchemeAttr : Lowbit_Attr<"Scheme", "scheme"> {
  let summary = "A quantization scheme: bits, signedness, form, granularity, rounding";
  let description = [{
    Describes how real values map to integer codes. Parameters (scales, zero
    points, minimums) are never part of the scheme; ops take them as operands.

    Syntax:
    ```
    #lowbit.scheme<(i|u)BITS, FORM, GRANULARITY [, narrow] [, rounding = R] [, codebook = #lowbit.codebook<...>]>
    FORM        ::= symmetric | affine | min_scale
    GRANULARITY ::= per_tensor | per_channel(axis = A) | per_group(axis = A, size = G)
    R           ::= nearest_even (default) | nearest_away | toward_zero
    ```

    * `iB` / `uB` (2 <= B <= 8): codes are signed `[-2^(B-1), 2^(B-1)-1]` or
      unsigned `[0, 2^B-1]`; `narrow` drops the most negative code, making
      the signed range symmetric `[-(2^(B-1)-1), 2^(B-1)-1]`.
    * `symmetric`: `x ~= v(q) * s`. `affine`: `x ~= (q - z) * s` with an
      integer zero point `z`. `min_scale`: `x ~= t(q) * s + m` where
      `t(q) = (v(q) - vlo) / (vhi - vlo)` lies in `[0, 1]`, `s = max - min`
      and `m = min` of the group (the "min/scale" form; with the 11-level
      codebook in `[-1, 1]` this is `x ~= ((c + 1) / 2) * s + m`).
      Here `v(q)` is `codebook[q]` with a codebook and `q` without one;
      `vlo`/`vhi` are the smallest/largest representable `v`.
    * Granularity: one parameter set for the whole tensor; one per index of
      dimension `axis`; or one per run of `size` consecutive elements along
      `axis` (the last group of a dimension that is not a multiple of `size`
      is partial; no element is ever dropped).
    * Quantization computes `q = clamp(R(x / s) + z, qmin, qmax)` with the
      rounding `R` (nearest-even unless stated); codebook schemes pick the
      nearest level of `x / s` (symmetric) or of the normalized value
      (`min_scale`).

    Examples:
    ```mlir
    #lowbit.scheme<i8, symmetric, per_channel(axis = 0), narrow>
    #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>
    #lowbit.scheme<u8, affine, per_tensor, rounding = nearest_away>
    #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128),
                   codebook = <linspace(-1.0, 1.0, 11)>>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    "bool":$isSigned,
    "::lowbit::ParamForm":$form,
    "::lowbit::GranularityKind":$granularity,
    "int64_t":$axis,
    "int64_t":$groupSize,
    "bool":$narrowRange,
    "::lowbit::RoundingMode":$rounding,
    OptionalParameter<"::lowbit::CodebookAttr">:$codebook
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Smallest and largest integer code.
    int64_t getQmin() const;
    int64_t getQmax() const;
    /// Number of distinct codes the scheme uses (2^bits or the codebook size).
    int64_t getNumLevels() const;
    /// The shape the scale / zero-point / min tensor must have for a tensor
    /// of `shape` quantized under this scheme (dynamic sizes propagate).
    ::llvm::SmallVector<int64_t> getParamShape(::llvm::ArrayRef<int64_t> shape) const;
    /// The scheme as the numerics library sees it. Parameters are rounded to
    /// `paramType` (f16 or f32) before codes are computed.
    ::lowbit::numerics::Scheme getNumericsScheme(::mlir::Type paramType = {}) const;
    ::lowbit::numerics::Granularity getNumericsGranularity() const;
  }];
}

def Lowbit_LayoutAttr : Lowbit_Attr<"Layout", "layout"> {
  let summary = "How integer codes sit in packed storage";
  let description = [{
    A storage layout for integer codes along the **last** dimension of a
    tensor (the panel kinds: along the last two). Codes are bit patterns:
    the low `b` bits of each code (two's complement for signed codes), or a
    digit `< radix`.

    ```
    #lowbit.layout<KIND [, block = N]>
    KIND ::= int8 | int4 | int4_interleaved | int2 | int3 | radix(R)
           | int8_panel | int4_panel | int2_planes | int2_panel | int3_panel
           | radix_superblock(R) | radix_panel(R) | radix_fields(R)
    ```

    | kind | storage | codes per unit | placement |
    |---|---|---|---|
    | `int8` | `i8` | 1 | one code per byte |
    | `int4` | `i8` | 2 | code `2j` in the low nibble of byte `j`, `2j+1` in the high nibble |
    | `int4_interleaved` | `i8` | 2 | within a block of `B` codes, byte `j < B/2` holds code `j` (low nibble) and `j + B/2` (high nibble) |
    | `int2` | `i8` | 4 | code `4j+i` at bits `[2i, 2i+2)` of byte `j` |
    | `int3` | `i32` | 10 | code `i` at bits `[3i, 3i+3)`; bits 30-31 are zero |
    | `radix(R)` | `i32` | `n` = largest with `R^n <= 2^32` (9 for R = 11) | the word stores `ceil(v * 2^32 / R^n)` with `v = sum c_i R^(n-1-i)`, so code `i` is `((q * R^i mod 2^32) * R) >> 32`: decoding needs multiplies only |
    | `radix_fields(R)` | `i32` | 9 (`R` in 2..11) | two base-`R` numbers of four digits, least significant first, and a ninth digit: codes `c_0..c_8` of a word are `c_0 + c_1 R + c_2 R^2 + c_3 R^3` at bits `[0, 14)`, the same of `c_4..c_7` at bits `[14, 28)` and `c_8` at bits `[28, 32)`: each field splits into base-`R^2` pairs by one 16-bit multiply-high (`lowbit/Numerics/RadixFields.h`), no 32-bit multiply |
    | `int8_panel` | `i8` | 1 | `[N, K]` codes in panels of 16 rows: code `(n, k)` is byte `64 * (k / 4) + 4 * (n % 16) + k % 4` of panel `n / 16` |
    | `int4_panel` | `i8` | 2 | panels of 16 rows: code `(n, k)` is in byte `64 * (k / 8) + 4 * (n % 16) + k % 4` of panel `n / 16`, low nibble when `k / 4` is even, high nibble when odd |
    | `int2_planes` | `i8` | 4 | panels of 16 rows, bit planes: bit `p` of code `(n, k)` is bit `4 p + k % 4` of byte `64 * (k / 16) + 16 * (k / 4 % 4) + n % 16` of panel `n / 16` |
    | `int2_panel` | `i8` | 4 | panels of 16 rows: code `(n, k)` is at bits `[2t, 2t+2)`, `t = (k / 4) % 4`, of byte `64 * (k / 16) + 4 * (n % 16) + k % 4` of panel `n / 16` |
    | `int3_panel` | `i8` | - | panels of 16 rows, every 32 `k` in 192 bytes: with `u = 192 * (k / 32) + 4 * (n % 16) + k % 4` and `t = (k / 4) % 8`, code bits `[0, 2)` at bits `[2 (t % 4), 2 (t % 4) + 2)` of byte `u + 64 * (t / 4)`, bit 2 at bit `t` of byte `u + 128` (a 2-bit plane and a 1-bit plane) |
    | `radix_panel(R)` | `i8` | - | nine-digit radix words (R = 10, 11) in panels of 16 rows, a block of `block` codes (a positive multiple of 4) in `W` words (`W = 15` for 128): word `w` of row `n` in bytes `64 W (k / block) + 64 w + 4 (n % 16)` of panel `n / 16` (little-endian); quad `q` of a block (`g = q / 9`, `t = q % 9`) is digits `[5 6 0 1]` (`t` even) or `[7 8 2 3]` (`t` odd) of word `4 g + t / 2`, or digit 4 of words `4 g .. 4 g + 3` (`t = 8`): the order the chunked 16-bit decode yields them (`lowbit/Numerics/RadixPanel.h`) |
    | `radix_superblock(R)` | `i32` | `n` as `radix(R)` | radix words in superblocks of `n` groups of `block` codes: word `w` of a superblock holds code `w` of each of its `n` groups (digit `i` = group `i`); the rest of the row (`K mod n * block` codes) is a tail of `ceil(T / n)` words whose digit `i` of word `w` is code `i * W + w` of the tail |

    `block = N` packs each run of `N` codes of a row independently, padded
    with zero codes to whole units (so each quantization group of size `N`
    starts on a unit boundary: a group of 128 radix-11 codes takes 15 words).
    `block = 0` (the default) packs the whole row as one run.
    `radix_fields(11), block = 128` takes as many bits as `radix(11), block =
    128` (15 words per group); the dynamic int8 kernels decode it faster
    (`c11a8-dynamic` packs its GEMV weights so).
    `int4_interleaved` requires an even `block > 0`.

    `radix_superblock(R)` wastes no digit slot (a group of 128 radix-11
    codes takes 128 / 9 words on average, not 15) and requires `block > 0`,
    the scheme's group size, and `R` = the scheme's number of levels. Its
    parameters are not f16/f32 scales and mins but superblock parameter
    bytes (`i8`, see `lowbit.dequantize`): 3.72 bits per weight for
    11-level codes in groups of 128 at K = 4096, against 4.0 for
    `radix(11), block = 128` with f16 scales and mins. The normative rules
    are in `include/lowbit/Numerics/SuperblockRadix.h`.

    The panel kinds are for outer-product integer matmul kernels
    (`lowbit-pack-weights` picks them for `dynamic_int8_activations` with
    enough rows): the codes of an `[N, K]` matrix (rows are output
    columns) are stored as `[ceil(N / 16), P]` bytes, one contiguous panel
    per 16 rows, quad (4 consecutive `k`) by quad, so that one 64-byte
    vector holds the same quad of 16 rows (`int4_panel`: two quads, one per
    nibble; `int2_panel`: four; `int3_panel`: eight quads in three vectors):
    the operand of 16 `vpdpbusd` / `sdot` lanes against 4 broadcast
    activation bytes. K is padded with zero codes to whole blocks (`block`
    must be a multiple of 4 for `int8_panel`, 8 for `int4_panel`, 16 for
    `int2_panel`, 32 for `int3_panel`), or without a block to a multiple of
    4 (8, 16, 32); missing rows of the last panel are zero codes. `P` is 16
    (8, 4, 6) times the padded K. `radix_panel(R)` holds radix words
    instead (see the table), `P = 64 W` per block.

    `int2_planes` is the panel layout of the lookup-table kernels
    (T-MAC style, `lowbit/Numerics/BitPlanes.h`): each nibble is the 4-bit
    index that one bit plane of a quad of codes forms, so that one
    `vpshufb` / `tbl` of the quad's 16 activation subset sums reads 16 rows'
    partial dot products; a 64-byte vector holds four quads (one per
    128-bit lane) of 16 rows. K is padded to a multiple of 16 whatever the
    block (which must be a multiple of 16); `P` is 4 times the padded K.

    ```mlir
    #lowbit.layout<int4>
    #lowbit.layout<int4_interleaved, block = 32>
    #lowbit.layout<radix(11), block = 128>
    #lowbit.layout<radix_fields(11), block = 128>
    #lowbit.layout<int4_panel, block = 32>
    #lowbit.layout<int2_planes, block = 32>
    #lowbit.layout<radix_superblock(11), block = 128>
    ```
  }];
  let parameters = (ins
    "::lowbit::LayoutKind":$kind,
    "unsigned":$radix,
    "int64_t":$block
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bits of one storage unit (8 or 32).
    unsigned getUnitBits() const;
    /// Bits a code may use (8, 4, 2, 3, or ceil(log2(radix))).
    unsigned getCodeBits() const;
    /// Number of distinct code values the layout can hold.
    int64_t getCodeCapacity() const;
    /// Storage units needed for a row of `rowLength` codes (panel kinds:
    /// for a panel of 16 rows).
    int64_t getUnitsPerRow(int64_t rowLength) const;
    /// Whether codes are packed in panels of 16 rows (int8_panel,
    /// int4_panel, int2_planes) rather than row by row.
    bool isPanel() const;
    /// The shape of the packed storage of codes of shape `codesShape`
    /// (dynamic sizes propagate); panel kinds need rank >= 2.
    ::llvm::SmallVector<int64_t>
    getStorageShape(::llvm::ArrayRef<int64_t> codesShape) const;
    /// The layout as the numerics library's packers see it.
    ::lowbit::numerics::PackFormat getPackFormat() const;
  }];
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRIBUTES_TD
