//===- LowbitToLinalgTest.cpp - convert-lowbit-to-linalg, run by the JIT --===//
//
// Builds small functions around one lowbit op, lowers them with
// convert-lowbit-to-linalg and an explicit upstream pipeline to LLVM, runs
// them with mlir::ExecutionEngine, and compares every element with the
// numerics library:
//   * unpack / pack: numerics::unpackRow / packRow, exactly;
//   * dequantize: numerics::dequantizeTensor, bit for bit;
//   * quantize: numerics::Quantizer::quantize (and quantizeTensorWithParams
//     on finite inputs), exactly, including NaN / Inf / ties;
//   * requantize: numerics::rescale (the op's formula, evaluated exactly),
//     exactly;
//   * matmul: numerics::referenceMatmul over the dequantized weight. The
//     lowering sums k ascending in f32 from 0 and adds the bias last, which
//     is exactly Accumulation::Float (checked bit for bit); against the
//     Double reference the error must stay within the classic bound for a
//     sequential float sum, (K + 2) * 2^-24 * (sum_k |x_k w_k| + |b|).
//
// Modules are optimized with LLVM -O2 and compiled for the host CPU (FMA
// available): no contraction or reassociation may change a bit.
//
// Inputs are function arguments (never constants), so no folder can
// compute a result instead of the lowered code; one matmul test uses
// lowbit.packed_weight constants on purpose.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Calibration.h"
#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/Reference.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>

using namespace mlir;
using namespace lowbit;
namespace nx = lowbit::numerics;

namespace {

//===----------------------------------------------------------------------===//
// Buffers and memref descriptors
//===----------------------------------------------------------------------===//

/// A dense row-major host buffer of `elemBytes`-byte elements.
struct Buffer {
  std::vector<int64_t> shape;
  size_t elemBytes = 0;
  std::vector<char> data;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  template <typename T>
  static Buffer of(std::vector<int64_t> shape, const std::vector<T> &values) {
    Buffer b;
    b.shape = std::move(shape);
    b.elemBytes = sizeof(T);
    EXPECT_EQ(b.numElements(), int64_t(values.size()));
    b.data.resize(values.size() * sizeof(T));
    std::memcpy(b.data.data(), values.data(), b.data.size());
    return b;
  }
  template <typename T> std::vector<T> as() const {
    EXPECT_EQ(sizeof(T), elemBytes);
    std::vector<T> out(data.size() / sizeof(T));
    std::memcpy(out.data(), data.data(), data.size());
    return out;
  }
};

/// The words of a rank-R memref descriptor: {allocated, aligned, offset,
/// sizes[R], strides[R]}.
std::vector<int64_t> describe(Buffer &buffer) {
  size_t rank = buffer.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  words[0] = words[1] = int64_t(reinterpret_cast<intptr_t>(buffer.data.data()));
  words[2] = 0;
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    words[3 + d] = buffer.shape[d];
    words[3 + rank + d] = stride;
    stride *= buffer.shape[d];
  }
  return words;
}

//===----------------------------------------------------------------------===//
// Module text
//===----------------------------------------------------------------------===//

std::string tensorType(const std::vector<int64_t> &shape, StringRef element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + element.str() + ">";
}

/// Replaces every `@KEY@` in `text`.
std::string fill(std::string text,
                 const std::map<std::string, std::string> &values) {
  for (const auto &[key, value] : values) {
    std::string pattern = "@" + key + "@";
    for (size_t pos = text.find(pattern); pos != std::string::npos;
         pos = text.find(pattern, pos + value.size()))
      text.replace(pos, pattern.size(), value);
  }
  return text;
}

/// A function `@name(%a0: args[0], ...) -> result` returning `%r`, defined
/// by `body`.
std::string function(StringRef name, const std::vector<std::string> &args,
                     const std::string &result, const std::string &body) {
  std::string s = "func.func @" + name.str() + "(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? ", %a" : "%a") + std::to_string(i) + ": " + args[i];
  s += ") -> " + result + " attributes {llvm.emit_c_interface} {\n" + body +
       "\n  return %r : " + result + "\n}\n";
  return s;
}

//===----------------------------------------------------------------------===//
// Fixture: compile and run
//===----------------------------------------------------------------------===//

const char *kPipeline =
    "builtin.module(convert-lowbit-to-linalg,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "convert-linalg-to-loops,lower-affine,convert-scf-to-cf,"
    "convert-math-to-llvm,expand-strided-metadata,finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-ub-to-llvm,convert-func-to-llvm,"
    "convert-cf-to-llvm,reconcile-unrealized-casts)";

class LowbitToLinalgJitTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static bool initialized = [] {
      llvm::InitializeNativeTarget();
      llvm::InitializeNativeTargetAsmPrinter();
      registerAllPasses();
      registerLowbitConversionPasses();
      return true;
    }();
    (void)initialized;
  }

  LowbitToLinalgJitTest() {
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registry.insert<LowbitDialect>();
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  template <typename AttrT> AttrT attr(StringRef text) {
    auto parsed = dyn_cast_if_present<AttrT>(parseAttribute(text, &context));
    EXPECT_TRUE(parsed) << text.str();
    return parsed;
  }

  /// Parses, lowers and JIT-compiles `source`; null (with a test failure)
  /// on any error.
  std::unique_ptr<ExecutionEngine> compile(const std::string &source) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    if (!module) {
      ADD_FAILURE() << "cannot parse:\n" << source;
      return nullptr;
    }
    FailureOr<OpPassManager> pipeline = parsePassPipeline(kPipeline);
    if (failed(pipeline)) {
      ADD_FAILURE() << "bad pipeline";
      return nullptr;
    }
    PassManager pm(&context);
    static_cast<OpPassManager &>(pm) = std::move(*pipeline);
    if (failed(pm.run(*module))) {
      ADD_FAILURE() << "lowering failed for:\n" << source;
      return nullptr;
    }
    // Optimize as a release build would (LLVM -O2, aggressive codegen for
    // the host CPU): the results must stay bit-exact. The transformer is a
    // function_ref in the options, so it lives in a local.
    std::function<llvm::Error(llvm::Module *)> transformer =
        makeOptimizingTransformer(/*optLevel=*/2, /*sizeLevel=*/0,
                                  /*targetMachine=*/nullptr);
    ExecutionEngineOptions options;
    options.transformer = transformer;
    options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
    auto engine = ExecutionEngine::create(*module, options);
    if (!engine) {
      ADD_FAILURE() << "JIT failed: " << llvm::toString(engine.takeError());
      return nullptr;
    }
    return std::move(*engine);
  }

  /// Calls `@name` with `inputs`; the result has rank `resultRank` and
  /// `resultBytes`-byte elements. (Result buffers are malloc'ed by the
  /// compiled code and intentionally leaked: a result may alias an input.)
  Buffer run(ExecutionEngine &engine, StringRef name, size_t resultRank,
             size_t resultBytes, std::vector<Buffer> &inputs) {
    std::vector<int64_t> out(3 + 2 * resultRank, 0);
    std::vector<std::vector<int64_t>> descriptors;
    for (Buffer &input : inputs)
      descriptors.push_back(describe(input));
    std::vector<void *> values;
    values.push_back(out.data());
    for (auto &d : descriptors)
      values.push_back(d.data());
    std::vector<void *> packed;
    for (void *&v : values)
      packed.push_back(&v);
    llvm::Error error =
        engine.invokePacked(("_mlir_ciface_" + name).str(), packed);
    Buffer result;
    result.elemBytes = resultBytes;
    if (error) {
      ADD_FAILURE() << "call failed: " << llvm::toString(std::move(error));
      return result;
    }
    const char *aligned = reinterpret_cast<const char *>(intptr_t(out[1]));
    int64_t offset = out[2];
    result.shape.assign(out.begin() + 3, out.begin() + 3 + resultRank);
    std::vector<int64_t> strides(out.begin() + 3 + resultRank, out.end());
    int64_t n = result.numElements();
    result.data.resize(n * resultBytes);
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, at = offset;
      for (size_t d = resultRank; d-- > 0;) {
        at += (rest % result.shape[d]) * strides[d];
        rest /= result.shape[d];
      }
      std::memcpy(result.data.data() + i * resultBytes,
                  aligned + at * resultBytes, resultBytes);
    }
    return result;
  }

  MLIRContext context{MLIRContext::Threading::DISABLED};
  std::mt19937 rng{20240611};
};

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

/// A float literal that reads back as exactly `v` (always with a point or an
/// exponent, as float parsers require).
std::string floatLiteral(float v) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s;
}

/// Random f32 value that is exact in f16 when `half`.
float randomParam(std::mt19937 &rng, float lo, float hi, bool half) {
  float v = std::uniform_real_distribution<float>(lo, hi)(rng);
  return half ? nx::roundToHalf(v) : v;
}

/// Stores values of an integer element type of `bytes` bytes (two's
/// complement truncation).
Buffer intBuffer(const std::vector<int64_t> &shape,
                 const std::vector<int64_t> &values, size_t bytes) {
  switch (bytes) {
  case 1: {
    std::vector<int8_t> v(values.begin(), values.end());
    for (size_t i = 0; i < values.size(); ++i)
      v[i] = int8_t(uint8_t(values[i]));
    return Buffer::of(shape, v);
  }
  case 2: {
    std::vector<int16_t> v(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      v[i] = int16_t(uint16_t(values[i]));
    return Buffer::of(shape, v);
  }
  case 4: {
    std::vector<int32_t> v(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      v[i] = int32_t(uint32_t(values[i]));
    return Buffer::of(shape, v);
  }
  default: {
    std::vector<int64_t> v(values.begin(), values.end());
    return Buffer::of(shape, v);
  }
  }
}

/// Reads integers of `bytes` bytes, sign-extended.
std::vector<int64_t> readInts(const Buffer &buffer) {
  std::vector<int64_t> out;
  int64_t n = buffer.numElements();
  for (int64_t i = 0; i < n; ++i) {
    const char *p = buffer.data.data() + i * buffer.elemBytes;
    switch (buffer.elemBytes) {
    case 1:
      out.push_back(*reinterpret_cast<const int8_t *>(p));
      break;
    case 2:
      out.push_back(*reinterpret_cast<const int16_t *>(p));
      break;
    case 4:
      out.push_back(*reinterpret_cast<const int32_t *>(p));
      break;
    default:
      out.push_back(*reinterpret_cast<const int64_t *>(p));
    }
  }
  return out;
}

/// Floats as f32 or f16 bits.
Buffer floatBuffer(const std::vector<int64_t> &shape,
                   const std::vector<float> &values, bool half) {
  if (!half)
    return Buffer::of(shape, values);
  std::vector<uint16_t> bits;
  for (float v : values)
    bits.push_back(nx::floatToHalfBits(v));
  return Buffer::of(shape, bits);
}

/// The value of a code pattern of `bits` bits, stored in an integer of
/// `bytes` bytes as the lowering produces it (sign- or zero-extended).
int64_t storedCode(uint8_t pattern, unsigned bits, bool isSigned,
                   size_t bytes) {
  int64_t value = isSigned ? nx::signExtend(pattern, bits) : pattern;
  // Truncate to the storage width and read back signed.
  unsigned width = 8 * bytes;
  if (width >= 64)
    return value;
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t u = uint64_t(value) & mask;
  if (u >> (width - 1))
    return int64_t(u | ~mask);
  return int64_t(u);
}

//===----------------------------------------------------------------------===//
// unpack / pack
//===----------------------------------------------------------------------===//

struct PackCase {
  const char *layout;
  bool isSigned;
  std::vector<int64_t> shape; ///< codes shape; rows along the last dim
  const char *codeType;       ///< i8, i16, i32 or i64
};

size_t intBytes(StringRef type) {
  unsigned width = 0;
  type.drop_front().getAsInteger(10, width);
  return width / 8;
}

TEST_F(LowbitToLinalgJitTest, UnpackAndPackEveryLayout) {
  std::vector<PackCase> cases = {
      {"#lowbit.layout<int8>", true, {3, 17}, "i8"},
      {"#lowbit.layout<int8>", false, {2, 5}, "i32"},
      {"#lowbit.layout<int8, block = 6>", true, {2, 15}, "i16"},
      {"#lowbit.layout<int4>", true, {3, 37}, "i8"},
      {"#lowbit.layout<int4>", false, {2, 2, 11}, "i8"},
      {"#lowbit.layout<int4, block = 7>", true, {3, 30}, "i32"},
      {"#lowbit.layout<int4_interleaved, block = 32>", true, {4, 64}, "i8"},
      {"#lowbit.layout<int4_interleaved, block = 8>", false, {3, 21}, "i8"},
      {"#lowbit.layout<int4_interleaved, block = 32>", true, {2, 20}, "i64"},
      {"#lowbit.layout<int2>", true, {3, 23}, "i8"},
      {"#lowbit.layout<int2, block = 6>", false, {2, 19}, "i8"},
      {"#lowbit.layout<int2, block = 32>", true, {5, 70}, "i8"},
      {"#lowbit.layout<int3>", true, {3, 41}, "i8"},
      {"#lowbit.layout<int3, block = 64>", true, {2, 150}, "i8"},
      {"#lowbit.layout<int3, block = 16>", false, {2, 2, 37}, "i32"},
      {"#lowbit.layout<radix(11)>", false, {3, 40}, "i8"},
      {"#lowbit.layout<radix(11), block = 128>", false, {2, 300}, "i8"},
      {"#lowbit.layout<radix(11), block = 20>", false, {2, 45}, "i32"},
      // Two base-R fields and a nibble: every slot, partial words and
      // blocks, radix 2 and 11 (the widest fields).
      {"#lowbit.layout<radix_fields(11)>", false, {3, 40}, "i8"},
      {"#lowbit.layout<radix_fields(11), block = 128>", false, {2, 300}, "i8"},
      {"#lowbit.layout<radix_fields(7), block = 20>", false, {2, 45}, "i32"},
      {"#lowbit.layout<radix_fields(2)>", false, {31}, "i8"},
      {"#lowbit.layout<radix(3)>", false, {2, 47}, "i8"},
      {"#lowbit.layout<radix(2), block = 40>", false, {2, 70}, "i8"},
      {"#lowbit.layout<radix(5)>", false, {33}, "i8"},
      {"#lowbit.layout<radix(256)>", false, {2, 13}, "i16"},
      {"#lowbit.layout<radix(200), block = 6>", false, {2, 13}, "i16"},
      // Radix superblocks: a tail alone, whole superblocks and a tail.
      {"#lowbit.layout<radix_superblock(11), block = 128>",
       false,
       {3, 100},
       "i8"},
      {"#lowbit.layout<radix_superblock(11), block = 128>",
       false,
       {2, 1300},
       "i8"},
      {"#lowbit.layout<radix_superblock(11), block = 16>",
       false,
       {2, 2, 311},
       "i32"},
      {"#lowbit.layout<radix_superblock(3), block = 5>", false, {2, 207}, "i8"},
      // Panels of 16 rows: odd N and K, padding rows and blocks, batches.
      {"#lowbit.layout<int8_panel>", true, {17, 9}, "i8"},
      {"#lowbit.layout<int8_panel, block = 32>", false, {5, 33}, "i32"},
      {"#lowbit.layout<int4_panel>", true, {33, 13}, "i8"},
      {"#lowbit.layout<int4_panel, block = 32>", true, {2, 16, 40}, "i16"},
      {"#lowbit.layout<int4_panel, block = 8>", false, {1, 7}, "i8"},
      // Bit planes in panels of 16 rows (K padded to 16).
      {"#lowbit.layout<int2_planes>", false, {17, 9}, "i8"},
      {"#lowbit.layout<int2_planes, block = 32>", false, {2, 33, 40}, "i16"},
      {"#lowbit.layout<int2_panel>", true, {17, 9}, "i8"},
      {"#lowbit.layout<int2_panel, block = 32>", false, {2, 5, 70}, "i32"},
      {"#lowbit.layout<int3_panel>", true, {33, 13}, "i8"},
      {"#lowbit.layout<int3_panel, block = 64>", true, {17, 150}, "i16"},
      {"#lowbit.layout<int3_panel, block = 32>", false, {2, 16, 40}, "i8"},
      // Radix words in panels (RadixPanel.h): a partial block, two blocks
      // of 128, batches, radix 10.
      {"#lowbit.layout<radix_panel(11), block = 128>", false, {17, 75}, "i8"},
      {"#lowbit.layout<radix_panel(11), block = 128>", false, {5, 256}, "i8"},
      {"#lowbit.layout<radix_panel(10), block = 36>", false, {2, 3, 40}, "i16"},
  };
  for (const PackCase &c : cases) {
    SCOPED_TRACE(std::string(c.layout) + (c.isSigned ? " signed " : " ") +
                 tensorType(c.shape, c.codeType));
    LayoutAttr layout = attr<LayoutAttr>(c.layout);
    ASSERT_TRUE(layout);
    nx::PackFormat format = layout.getPackFormat();
    unsigned bits = nx::bitsPerCode(format);
    unsigned unitBits = nx::unitBits(format);
    int64_t rowLength = c.shape.back();
    int64_t rows = product(c.shape) / rowLength;
    int64_t units = nx::packedUnitsPerRow(format, rowLength);
    std::vector<int64_t> packedShape;
    for (int64_t dim : layout.getStorageShape(c.shape))
      packedShape.push_back(dim);
    int64_t capacity = layout.getCodeCapacity();

    // Random valid patterns, packed by the numerics library.
    std::vector<uint8_t> patterns(product(c.shape));
    for (uint8_t &p : patterns)
      p = uint8_t(std::uniform_int_distribution<int64_t>(0, capacity - 1)(rng));
    std::vector<int64_t> packedWords;
    if (nx::isPanelFormat(format)) {
      // One [n, rowLength] matrix per index of the leading dimensions.
      int64_t n = c.shape[c.shape.size() - 2];
      for (int64_t i = 0; i < rows / n; ++i) {
        std::vector<uint8_t> out(nx::panelCount(n) * units);
        nx::packPanels(format,
                       llvm::ArrayRef<uint8_t>(patterns).slice(
                           i * n * rowLength, n * rowLength),
                       n, rowLength, out);
        packedWords.insert(packedWords.end(), out.begin(), out.end());
      }
    } else {
      packedWords.resize(rows * units);
    }
    for (int64_t r = 0; r < rows && !nx::isPanelFormat(format); ++r) {
      llvm::ArrayRef<uint8_t> row(patterns.data() + r * rowLength, rowLength);
      if (unitBits == 8) {
        std::vector<uint8_t> out(units);
        nx::packRow(format, row, out);
        for (int64_t u = 0; u < units; ++u)
          packedWords[r * units + u] = out[u];
      } else {
        std::vector<uint32_t> out(units);
        nx::packRow(format, row, out);
        for (int64_t u = 0; u < units; ++u)
          packedWords[r * units + u] = out[u];
      }
    }
    size_t codeBytes = intBytes(c.codeType);
    std::vector<int64_t> codes;
    for (uint8_t p : patterns)
      codes.push_back(storedCode(p, bits, c.isSigned, codeBytes));

    std::string packedType =
        tensorType(packedShape, unitBits == 8 ? "i8" : "i32");
    std::string codesType = tensorType(c.shape, c.codeType);
    std::map<std::string, std::string> keys = {
        {"L", c.layout},
        {"S", c.isSigned ? ", signed_codes" : ""},
        {"P", packedType},
        {"C", codesType}};
    std::string source =
        function("unpack", {packedType}, codesType,
                 fill("  %r = lowbit.unpack %a0 {layout = @L@@S@} : @P@ -> @C@",
                      keys)) +
        function("pack", {codesType}, packedType,
                 fill("  %r = lowbit.pack %a0 {layout = @L@@S@} : @C@ -> @P@",
                      keys));
    std::unique_ptr<ExecutionEngine> engine = compile(source);
    ASSERT_TRUE(engine);

    std::vector<Buffer> unpackInputs = {
        intBuffer(packedShape, packedWords, unitBits / 8)};
    Buffer unpacked =
        run(*engine, "unpack", c.shape.size(), codeBytes, unpackInputs);
    EXPECT_EQ(unpacked.shape, c.shape);
    EXPECT_EQ(readInts(unpacked), codes);

    std::vector<Buffer> packInputs = {intBuffer(c.shape, codes, codeBytes)};
    Buffer repacked =
        run(*engine, "pack", packedShape.size(), unitBits / 8, packInputs);
    EXPECT_EQ(repacked.shape, packedShape);
    std::vector<int64_t> got = readInts(repacked), expected;
    for (int64_t w : packedWords)
      expected.push_back(unitBits == 8 ? int64_t(int8_t(uint8_t(w)))
                                       : int64_t(int32_t(uint32_t(w))));
    EXPECT_EQ(got, expected);
  }
}

/// Every 32-bit word pattern class the multiply decode must handle: the
/// largest words, words just above encoded values, random words.
TEST_F(LowbitToLinalgJitTest, UnpackRadixArbitraryWords) {
  const int64_t words = 4096;
  std::vector<int64_t> shape = {words}, codesShape = {words * 9};
  std::string source = function(
      "unpack", {tensorType(shape, "i32")}, tensorType(codesShape, "i8"),
      "  %r = lowbit.unpack %a0 {layout = #lowbit.layout<radix(11)>} : " +
          tensorType(shape, "i32") + " -> " + tensorType(codesShape, "i8"));
  std::unique_ptr<ExecutionEngine> engine = compile(source);
  ASSERT_TRUE(engine);
  std::vector<int64_t> packed;
  std::vector<uint32_t> raw;
  for (int64_t i = 0; i < words; ++i) {
    uint32_t w = i < 16   ? uint32_t(0xFFFFFFFFu - i)
                 : i < 32 ? uint32_t(i - 16)
                          : uint32_t(rng());
    raw.push_back(w);
    packed.push_back(w);
  }
  std::vector<Buffer> inputs = {intBuffer(shape, packed, 4)};
  Buffer out = run(*engine, "unpack", 1, 1, inputs);
  std::vector<int64_t> got = readInts(out);
  ASSERT_EQ(int64_t(got.size()), words * 9);
  nx::PackFormat format;
  format.kind = nx::PackKind::Radix;
  format.radix = 11;
  std::vector<uint8_t> expected(words * 9);
  nx::unpackRow(format, raw, expected);
  for (int64_t i = 0; i < words * 9; ++i)
    ASSERT_EQ(got[i], int64_t(expected[i])) << "code " << i;
}

//===----------------------------------------------------------------------===//
// dequantize / quantize
//===----------------------------------------------------------------------===//

/// `type` with its first `count` dimensions made dynamic (rank-0 types and
/// `tensor<f32>` stay as they are).
std::string dynamicDims(const std::string &type, int count) {
  std::string out = "tensor<";
  size_t pos = out.size();
  for (int i = 0; i < count; ++i) {
    size_t x = type.find('x', pos);
    if (x == std::string::npos || !std::isdigit(type[pos]))
      break;
    out += "?x";
    pos = x + 1;
  }
  return out + type.substr(pos);
}

TEST(LowbitToLinalgTestHelpers, DynamicDims) {
  EXPECT_EQ(dynamicDims("tensor<4x70xi8>", 8), "tensor<?x?xi8>");
  EXPECT_EQ(dynamicDims("tensor<4x70xf32>", 1), "tensor<?x70xf32>");
  EXPECT_EQ(dynamicDims("tensor<5xf16>", 8), "tensor<?xf16>");
  EXPECT_EQ(dynamicDims("tensor<f32>", 8), "tensor<f32>");
}

struct QuantCase {
  const char *scheme;
  std::vector<int64_t> shape;
  const char *codeType;  ///< integer element type of the codes
  const char *paramType; ///< f32 or f16 (scales and mins)
  const char *zpType;    ///< integer type of zero points (affine)
  const char *floatType; ///< f32 or f16: dequantize result / quantize input
  bool dynamic = false;  ///< every dimension dynamic in the types
};

std::vector<QuantCase> quantCases() {
  return {
      {"#lowbit.scheme<i8, symmetric, per_channel(axis = 0)>",
       {5, 37},
       "i8",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<i8, symmetric, per_tensor, narrow>",
       {4, 9},
       "i32",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       {4, 70},
       "i8",
       "f16",
       "",
       "f32"},
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32), "
       "rounding = nearest_away>",
       {3, 40},
       "i8",
       "f32",
       "",
       "f16"},
      {"#lowbit.scheme<i3, symmetric, per_group(axis = 0, size = 3), "
       "rounding = toward_zero>",
       {7, 6},
       "i8",
       "f16",
       "",
       "f32"},
      {"#lowbit.scheme<i2, symmetric, per_channel(axis = 1)>",
       {3, 4, 5},
       "i8",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<u8, affine, per_tensor>",
       {6, 11},
       "i8",
       "f32",
       "i8",
       "f32"},
      {"#lowbit.scheme<i8, affine, per_channel(axis = 1)>",
       {6, 5},
       "i8",
       "f32",
       "i32",
       "f32"},
      {"#lowbit.scheme<u4, affine, per_group(axis = 0, size = 3), "
       "rounding = nearest_away>",
       {7, 5},
       "i8",
       "f16",
       "i8",
       "f32"},
      {"#lowbit.scheme<u8, affine, per_group(axis = 1, size = 4)>",
       {2, 10, 3},
       "i32",
       "f32",
       "i16",
       "f32"},
      {"#lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>",
       {3, 70},
       "i8",
       "f16",
       "",
       "f32"},
      {"#lowbit.scheme<i3, min_scale, per_group(axis = 2, size = 16), "
       "rounding = toward_zero>",
       {2, 3, 40},
       "i8",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<u8, min_scale, per_channel(axis = 0)>",
       {3, 33},
       "i8",
       "f32",
       "",
       "f16"},
      {"#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
       "codebook = <linspace(-1.0, 1.0, 11)>>",
       {3, 300},
       "i8",
       "f16",
       "",
       "f32"},
      {"#lowbit.scheme<u4, symmetric, per_group(axis = 1, size = 128), "
       "codebook = <linspace(-1.0, 1.0, 11)>>",
       {2, 130},
       "i8",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<u2, symmetric, per_channel(axis = 0), "
       "codebook = <[-1.5, -0.25, 0.5, 2.0]>>",
       {4, 9},
       "i32",
       "f32",
       "",
       "f32"},
      {"#lowbit.scheme<u2, min_scale, per_tensor, "
       "codebook = <[-1.0, 0.0, 3.0]>>",
       {5, 7},
       "i8",
       "f16",
       "",
       "f32"},
  };
}

/// A 40-level codebook (more midpoints than the unrolled form handles).
std::string bigCodebookScheme(StringRef form) {
  std::string s = "#lowbit.scheme<u6, " + form.str() +
                  ", per_group(axis = 1, size = 16), codebook = <[";
  float v = -3.0f;
  for (int i = 0; i < 40; ++i) {
    s += (i ? ", " : "") + floatLiteral(v);
    v += 0.03125f * float(1 + (i * 7) % 5);
  }
  return s + "]>>";
}

/// Random parameters for a case, as numerics arrays plus MLIR buffers.
struct Params {
  std::vector<int64_t> shape;
  std::vector<float> scales, mins;
  std::vector<int32_t> zeroPoints;
  std::vector<Buffer> buffers; ///< scales, then zero points or mins
  std::vector<std::string> types;
  std::string operandText; ///< ` scales(...) zero_points(...)` for %a1, %a2
};

/// ` scales(%a1 : T1) [zero_points|mins](%a2 : T2)` for argument types
/// {input, scales, offsets}.
std::string operandText(SchemeAttr scheme,
                        const std::vector<std::string> &argTypes) {
  std::string text = " scales(%a1 : " + argTypes[1] + ")";
  if (scheme.getForm() == ParamForm::Affine)
    text += " zero_points(%a2 : " + argTypes[2] + ")";
  if (scheme.getForm() == ParamForm::MinScale)
    text += " mins(%a2 : " + argTypes[2] + ")";
  return text;
}

Params makeParams(std::mt19937 &rng, SchemeAttr scheme, const QuantCase &c,
                  bool powerOfTwoScales) {
  Params p;
  SmallVector<int64_t> paramShape = scheme.getParamShape(c.shape);
  p.shape.assign(paramShape.begin(), paramShape.end());
  int64_t n = product(p.shape);
  bool half = StringRef(c.paramType) == "f16";
  for (int64_t i = 0; i < n; ++i) {
    float s = randomParam(rng, 0.01f, 2.0f, half);
    if (powerOfTwoScales && i % 2 == 0)
      s = std::ldexp(1.0f, int(i % 7) - 4);
    p.scales.push_back(s);
  }
  p.buffers.push_back(floatBuffer(p.shape, p.scales, half));
  p.types.push_back(tensorType(p.shape, c.paramType));
  p.operandText = " scales(%a1 : " + p.types.back() + ")";
  if (scheme.getForm() == ParamForm::Affine) {
    std::vector<int64_t> stored;
    for (int64_t i = 0; i < n; ++i) {
      // Every third zero point is an extreme of the range (for u8: 255,
      // whose i8 bits read as -1 if the signedness were wrong).
      int32_t z = int32_t(std::uniform_int_distribution<int64_t>(
          scheme.getQmin(), scheme.getQmax())(rng));
      if (i % 3 == 0)
        z = int32_t(scheme.getIsSigned() ? scheme.getQmin() : scheme.getQmax());
      p.zeroPoints.push_back(z);
      stored.push_back(z);
    }
    p.buffers.push_back(intBuffer(p.shape, stored, intBytes(c.zpType)));
    p.types.push_back(tensorType(p.shape, c.zpType));
    p.operandText += " zero_points(%a2 : " + p.types.back() + ")";
  }
  if (scheme.getForm() == ParamForm::MinScale) {
    for (int64_t i = 0; i < n; ++i)
      p.mins.push_back(powerOfTwoScales && i % 2 == 0
                           ? 0.0f
                           : randomParam(rng, -2.0f, 2.0f, half));
    p.buffers.push_back(floatBuffer(p.shape, p.mins, half));
    p.types.push_back(tensorType(p.shape, c.paramType));
    p.operandText += " mins(%a2 : " + p.types.back() + ")";
  }
  return p;
}

nx::QuantParams paramsAt(const Params &p, int64_t i) {
  nx::QuantParams q;
  q.scale = p.scales[i];
  q.zeroPoint = p.zeroPoints.empty() ? 0 : p.zeroPoints[i];
  q.min = p.mins.empty() ? 0.0f : p.mins[i];
  return q;
}

class QuantJitTest : public LowbitToLinalgJitTest {
protected:
  void checkDequantize(const QuantCase &c) {
    SCOPED_TRACE(std::string(c.scheme) + " " + tensorType(c.shape, c.codeType) +
                 " params " + c.paramType + " -> " + c.floatType +
                 (c.dynamic ? " dynamic" : ""));
    SchemeAttr scheme = attr<SchemeAttr>(c.scheme);
    ASSERT_TRUE(scheme);
    nx::Scheme ns = scheme.getNumericsScheme();
    nx::Granularity granularity = scheme.getNumericsGranularity();
    Params params = makeParams(rng, scheme, c, /*powerOfTwoScales=*/false);
    int64_t n = product(c.shape);
    // Random valid codes.
    std::vector<uint8_t> patterns;
    std::vector<int64_t> stored;
    size_t codeBytes = intBytes(c.codeType);
    for (int64_t i = 0; i < n; ++i) {
      int64_t q = std::uniform_int_distribution<int64_t>(scheme.getQmin(),
                                                         scheme.getQmax())(rng);
      uint8_t pattern = nx::toBitPattern(int32_t(q), ns.bits);
      patterns.push_back(pattern);
      stored.push_back(
          storedCode(pattern, ns.bits, scheme.getIsSigned(), codeBytes));
    }
    auto expected =
        nx::dequantizeTensor(patterns, c.shape, ns, granularity, params.scales,
                             params.zeroPoints, params.mins);
    ASSERT_TRUE(expected) << expected.error().message;

    std::vector<std::string> argTypes = {tensorType(c.shape, c.codeType)};
    argTypes.insert(argTypes.end(), params.types.begin(), params.types.end());
    std::string resultType = tensorType(c.shape, c.floatType);
    if (c.dynamic) {
      for (std::string &t : argTypes)
        t = dynamicDims(t, 8);
      resultType = dynamicDims(resultType, 8);
      params.operandText = operandText(scheme, argTypes);
    }
    std::string source =
        function("f", argTypes, resultType,
                 "  %r = lowbit.dequantize %a0" + params.operandText +
                     " {scheme = " + c.scheme + "} : " + argTypes[0] + " -> " +
                     resultType);
    std::unique_ptr<ExecutionEngine> engine = compile(source);
    ASSERT_TRUE(engine);
    std::vector<Buffer> inputs = {intBuffer(c.shape, stored, codeBytes)};
    for (Buffer &b : params.buffers)
      inputs.push_back(b);
    bool half = StringRef(c.floatType) == "f16";
    Buffer out = run(*engine, "f", c.shape.size(), half ? 2 : 4, inputs);
    EXPECT_EQ(out.shape, c.shape);
    if (half) {
      std::vector<uint16_t> got = out.as<uint16_t>();
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(got[i], nx::floatToHalfBits((*expected)[i]))
            << "element " << i << " code " << stored[i];
    } else {
      std::vector<float> got = out.as<float>();
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(floatBits(got[i]), floatBits((*expected)[i]))
            << "element " << i << " code " << stored[i] << ": got " << got[i]
            << ", expected " << (*expected)[i];
    }
  }

  void checkQuantize(const QuantCase &c, const char *resultType) {
    SCOPED_TRACE(std::string(c.scheme) + " " +
                 tensorType(c.shape, c.floatType) + " params " + c.paramType +
                 " -> " + resultType + (c.dynamic ? " dynamic" : ""));
    SchemeAttr scheme = attr<SchemeAttr>(c.scheme);
    ASSERT_TRUE(scheme);
    nx::Scheme ns = scheme.getNumericsScheme();
    nx::Granularity granularity = scheme.getNumericsGranularity();
    auto quantizer = nx::Quantizer::create(ns);
    ASSERT_TRUE(quantizer);
    Params params = makeParams(rng, scheme, c, /*powerOfTwoScales=*/true);
    int64_t n = product(c.shape);
    bool halfInput = StringRef(c.floatType) == "f16";
    int32_t qmin = quantizer->getQmin(), qmax = quantizer->getQmax();
    llvm::ArrayRef<float> levels = quantizer->getNormalizedLevels();

    // Inputs: random in and beyond the range, values landing on rounding
    // ties / codebook midpoints, and the specials.
    std::vector<float> values;
    for (int64_t i = 0; i < n; ++i) {
      nx::QuantParams p =
          paramsAt(params, nx::getParamIndex(c.shape, granularity, i));
      float x;
      int kind = std::uniform_int_distribution<int>(0, 3)(rng);
      float span = float(qmax - qmin + 2);
      if (kind == 0) {
        x = std::uniform_real_distribution<float>(-1.2f, 1.2f)(rng) * span *
            p.scale * 0.5f;
      } else if (kind == 1 && !levels.empty() && quantizer->hasCodebook()) {
        size_t j =
            std::uniform_int_distribution<size_t>(0, levels.size() - 2)(rng);
        float mid = (levels[j] + levels[j + 1]) / 2.0f;
        x = mid * p.scale + p.min;
      } else if (kind == 1 && ns.form == nx::ParamForm::MinScale) {
        int64_t j = std::uniform_int_distribution<int64_t>(0, qmax - qmin)(rng);
        x = (float(j) + 0.5f) / float(qmax - qmin) * p.scale + p.min;
      } else if (kind == 1) {
        int64_t j = std::uniform_int_distribution<int64_t>(qmin - 1, qmax)(rng);
        x = (float(j - p.zeroPoint) + 0.5f) * p.scale;
      } else {
        x = std::uniform_real_distribution<float>(-3.0f, 3.0f)(rng);
      }
      values.push_back(halfInput ? nx::roundToHalf(x) : x);
    }
    const float inf = std::numeric_limits<float>::infinity();
    float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                        inf,
                        -inf,
                        -0.0f,
                        0.0f,
                        65504.0f,
                        -65504.0f};
    for (size_t i = 0; i < std::size(specials) && i < size_t(n); ++i)
      values[(i * 7919) % n] = specials[i];

    // Expected code values: Quantizer::quantize per element (defines NaN and
    // Inf), cross-checked with the tensor function on finite inputs.
    std::vector<int32_t> expected;
    for (int64_t i = 0; i < n; ++i)
      expected.push_back(quantizer->quantize(
          values[i],
          paramsAt(params, nx::getParamIndex(c.shape, granularity, i))));
    {
      std::vector<float> finite = values;
      for (float &v : finite)
        if (!std::isfinite(v))
          v = 0.0f;
      auto patterns = nx::quantizeTensorWithParams(
          finite, c.shape, ns, granularity, params.scales, params.zeroPoints,
          params.mins);
      ASSERT_TRUE(patterns) << patterns.error().message;
      for (int64_t i = 0; i < n; ++i)
        if (std::isfinite(values[i]))
          ASSERT_EQ((*patterns)[i], quantizer->toPattern(expected[i]));
    }

    std::vector<std::string> argTypes = {tensorType(c.shape, c.floatType)};
    argTypes.insert(argTypes.end(), params.types.begin(), params.types.end());
    std::string result = tensorType(c.shape, resultType);
    if (c.dynamic) {
      for (std::string &t : argTypes)
        t = dynamicDims(t, 8);
      result = dynamicDims(result, 8);
      params.operandText = operandText(scheme, argTypes);
    }
    std::string source = function(
        "f", argTypes, result,
        "  %r = lowbit.quantize %a0" + params.operandText +
            " {scheme = " + c.scheme + "} : " + argTypes[0] + " -> " + result);
    std::unique_ptr<ExecutionEngine> engine = compile(source);
    ASSERT_TRUE(engine);
    std::vector<Buffer> inputs = {floatBuffer(c.shape, values, halfInput)};
    for (Buffer &b : params.buffers)
      inputs.push_back(b);
    size_t bytes = intBytes(resultType);
    Buffer out = run(*engine, "f", c.shape.size(), bytes, inputs);
    EXPECT_EQ(out.shape, c.shape);
    std::vector<int64_t> got = readInts(out);
    for (int64_t i = 0; i < n; ++i) {
      // The code value truncated to the result width, read back signed.
      int64_t want = storedCode(quantizer->toPattern(expected[i]), ns.bits,
                                ns.isSigned && ns.codebook.empty(), bytes);
      ASSERT_EQ(got[i], want)
          << "element " << i << " x = " << values[i] << " (param "
          << nx::getParamIndex(c.shape, granularity, i) << ")";
    }
  }
};

TEST_F(QuantJitTest, DequantizeEveryForm) {
  for (const QuantCase &c : quantCases())
    checkDequantize(c);
  std::string big = bigCodebookScheme("min_scale");
  std::string bigSym = bigCodebookScheme("symmetric");
  checkDequantize({big.c_str(), {3, 50}, "i8", "f16", "", "f32"});
  checkDequantize({bigSym.c_str(), {2, 33}, "i8", "f32", "", "f16"});
  // Dynamic shapes.
  for (size_t i : {2, 8, 9, 13}) {
    QuantCase c = quantCases()[i];
    c.dynamic = true;
    checkDequantize(c);
  }
}

TEST_F(QuantJitTest, QuantizeEveryForm) {
  for (const QuantCase &c : quantCases()) {
    checkQuantize(c, "i8");
  }
  // Wider results hold the same code values.
  checkQuantize(quantCases()[2], "i32");
  checkQuantize(quantCases()[6], "i32");
  checkQuantize(quantCases()[13], "i64");
  std::string big = bigCodebookScheme("min_scale");
  std::string bigSym = bigCodebookScheme("symmetric");
  checkQuantize({big.c_str(), {3, 50}, "i8", "f16", "", "f32"}, "i8");
  checkQuantize({bigSym.c_str(), {2, 33}, "i8", "f32", "", "f16"}, "i16");
  // Dynamic shapes.
  for (size_t i : {2, 8, 9, 13}) {
    QuantCase c = quantCases()[i];
    c.dynamic = true;
    checkQuantize(c, "i8");
  }
}

/// quantize then dequantize in one function (the two lowered generics
/// chained) reproduces the library's round trip.
TEST_F(QuantJitTest, QuantizeDequantizeChain) {
  const char *scheme =
      "#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
      "codebook = <linspace(-1.0, 1.0, 11)>>";
  std::vector<int64_t> shape = {4, 200};
  SchemeAttr attrScheme = attr<SchemeAttr>(scheme);
  ASSERT_TRUE(attrScheme);
  nx::Scheme ns = attrScheme.getNumericsScheme(Float16Type::get(&context));
  nx::Granularity g = attrScheme.getNumericsGranularity();
  std::vector<float> x(product(shape));
  for (float &v : x)
    v = std::normal_distribution<float>(0.0f, 1.0f)(rng);
  auto qt = nx::quantizeTensor(x, shape, ns, g);
  ASSERT_TRUE(qt) << qt.error().message;
  auto expected = nx::dequantizeTensor(*qt, ns, g);
  ASSERT_TRUE(expected);
  std::vector<int64_t> pshape = {4, 2};
  std::string xt = tensorType(shape, "f32"), pt = tensorType(pshape, "f16");
  std::string source =
      function("f", {xt, pt, pt}, xt,
               "  %q = lowbit.quantize %a0 scales(%a1 : " + pt +
                   ") mins(%a2 : " + pt + ") {scheme = " + scheme +
                   "} : " + xt + " -> " + tensorType(shape, "i8") +
                   "\n  %r = lowbit.dequantize %q scales(%a1 : " + pt +
                   ") mins(%a2 : " + pt + ") {scheme = " + scheme +
                   "} : " + tensorType(shape, "i8") + " -> " + xt);
  std::unique_ptr<ExecutionEngine> engine = compile(source);
  ASSERT_TRUE(engine);
  std::vector<Buffer> inputs = {floatBuffer(shape, x, false),
                                floatBuffer(pshape, qt->scales, true),
                                floatBuffer(pshape, qt->mins, true)};
  std::vector<float> got = run(*engine, "f", 2, 4, inputs).as<float>();
  ASSERT_EQ(got.size(), expected->size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(floatBits(got[i]), floatBits((*expected)[i])) << "element " << i;
}

//===----------------------------------------------------------------------===//
// requantize
//===----------------------------------------------------------------------===//

TEST_F(LowbitToLinalgJitTest, Requantize) {
  struct Case {
    std::vector<int64_t> shape;
    std::vector<int32_t> multipliers, shifts;
    std::optional<int64_t> axis;
    int32_t izp, ozp;
    std::optional<int32_t> clampMin, clampMax;
    const char *resultType;
  };
  std::vector<int32_t> m5 = {1518500250, 0, 2147483647, 1073741824, 1};
  std::vector<int32_t> s5 = {38, 1, 62, 31, 2};
  std::vector<Case> cases = {
      {{1, 120},
       {1518500250},
       {38},
       std::nullopt,
       0,
       -3,
       std::nullopt,
       std::nullopt,
       "i8"},
      {{3, 5}, m5, s5, 1, 7, 0, std::nullopt, std::nullopt, "i8"},
      {{5, 4},
       m5,
       s5,
       0,
       -2147483647 - 1,
       2147483647,
       std::nullopt,
       std::nullopt,
       "i32"},
      {{5, 6}, m5, s5, 0, 2147483647, -5, -5, 100, "i16"},
      {{4, 9},
       {2147483647},
       {62},
       std::nullopt,
       -2147483647 - 1,
       0,
       std::nullopt,
       std::nullopt,
       "i32"},
      {{2, 3, 4},
       {1073741824, 1518500250, 5},
       {30, 33, 1},
       1,
       3,
       -128,
       -128,
       std::nullopt,
       "i8"},
  };
  for (const Case &c : cases) {
    auto join = [](const std::vector<int32_t> &v) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
      return s;
    };
    std::string attrs = "multiplier = array<i32: " + join(c.multipliers) +
                        ">, shift = array<i32: " + join(c.shifts) +
                        ">, input_zero_point = " + std::to_string(c.izp) +
                        " : i32, output_zero_point = " + std::to_string(c.ozp) +
                        " : i32";
    if (c.axis)
      attrs += ", axis = " + std::to_string(*c.axis) + " : i64";
    if (c.clampMin)
      attrs += ", clamp_min = " + std::to_string(*c.clampMin) + " : i32";
    if (c.clampMax)
      attrs += ", clamp_max = " + std::to_string(*c.clampMax) + " : i32";
    SCOPED_TRACE(attrs);
    std::string in = tensorType(c.shape, "i32"),
                out = tensorType(c.shape, c.resultType);
    std::unique_ptr<ExecutionEngine> engine = compile(function(
        "f", {in}, out,
        "  %r = lowbit.requantize %a0 {" + attrs + "} : " + in + " -> " + out));
    ASSERT_TRUE(engine);
    int64_t n = product(c.shape);
    std::vector<int64_t> x;
    int64_t extremes[] = {INT32_MIN, INT32_MAX, 0, -1, 1, 1 << 20};
    for (int64_t i = 0; i < n; ++i)
      x.push_back(i < 6 ? extremes[i]
                        : std::uniform_int_distribution<int64_t>(
                              INT32_MIN, INT32_MAX)(rng));
    std::vector<Buffer> inputs = {intBuffer(c.shape, x, 4)};
    size_t bytes = intBytes(c.resultType);
    Buffer result = run(*engine, "f", c.shape.size(), bytes, inputs);
    std::vector<int64_t> got = readInts(result);
    unsigned width = 8 * bytes;
    int64_t lo = c.clampMin ? *c.clampMin : -(int64_t(1) << (width - 1));
    int64_t hi = c.clampMax ? *c.clampMax : (int64_t(1) << (width - 1)) - 1;
    for (int64_t i = 0; i < n; ++i) {
      int64_t channel = 0;
      if (c.axis) {
        int64_t inner = 1;
        for (size_t d = *c.axis + 1; d < c.shape.size(); ++d)
          inner *= c.shape[d];
        channel = (i / inner) % c.shape[*c.axis];
      }
      int64_t want = numerics::rescale(int32_t(x[i]), c.multipliers[channel],
                                       c.shifts[channel], c.izp, c.ozp,
                                       int32_t(lo), int32_t(hi));
      ASSERT_EQ(got[i], want) << "element " << i << " x = " << x[i];
    }
  }
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulCase {
  const char *scheme;
  const char *layout;
  const char *paramType;
  int64_t m, n, k;
  bool bias;
  const char *activationType; ///< f32 or f16
  bool constantWeight;        ///< through lowbit.packed_weight
  bool dynamic = false;       ///< M and N dynamic in the types
};

class MatmulJitTest : public LowbitToLinalgJitTest {
protected:
  void check(const MatmulCase &c) {
    SCOPED_TRACE(std::string(c.scheme) + " " + c.layout +
                 " M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) +
                 " K=" + std::to_string(c.k) + (c.bias ? " bias " : " ") +
                 c.activationType + (c.constantWeight ? " constant" : "") +
                 (c.dynamic ? " dynamic" : ""));
    SchemeAttr scheme = attr<SchemeAttr>(c.scheme);
    LayoutAttr layout = attr<LayoutAttr>(c.layout);
    ASSERT_TRUE(scheme && layout);
    nx::Scheme ns = scheme.getNumericsScheme();
    nx::Granularity g = scheme.getNumericsGranularity();
    nx::PackFormat format = layout.getPackFormat();
    std::vector<int64_t> wshape = {c.n, c.k};
    QuantCase qc{c.scheme, wshape, "i8", c.paramType, "i32", "f32"};
    Params params = makeParams(rng, scheme, qc, /*powerOfTwoScales=*/false);

    // Random codes, packed by the numerics library.
    std::vector<uint8_t> patterns;
    for (int64_t i = 0; i < c.n * c.k; ++i)
      patterns.push_back(
          nx::toBitPattern(int32_t(std::uniform_int_distribution<int64_t>(
                               scheme.getQmin(), scheme.getQmax())(rng)),
                           ns.bits));
    int64_t units = nx::packedUnitsPerRow(format, c.k);
    unsigned unitBits = nx::unitBits(format);
    // Panel layouts store ceil(N / 16) panels rather than N rows.
    bool panels = nx::isPanelFormat(format);
    int64_t packedRows = panels ? nx::panelCount(c.n) : c.n;
    std::vector<int64_t> packed(packedRows * units);
    if (panels) {
      std::vector<uint8_t> out(packed.size());
      nx::packPanels(format, patterns, c.n, c.k, out);
      for (size_t i = 0; i < out.size(); ++i)
        packed[i] = int8_t(out[i]);
    }
    for (int64_t r = 0; r < c.n && !panels; ++r) {
      llvm::ArrayRef<uint8_t> row(patterns.data() + r * c.k, c.k);
      if (unitBits == 8) {
        std::vector<uint8_t> out(units);
        nx::packRow(format, row, out);
        for (int64_t u = 0; u < units; ++u)
          packed[r * units + u] = int8_t(out[u]);
      } else {
        std::vector<uint32_t> out(units);
        nx::packRow(format, row, out);
        for (int64_t u = 0; u < units; ++u)
          packed[r * units + u] = int32_t(out[u]);
      }
    }
    auto w = nx::dequantizeTensor(patterns, wshape, ns, g, params.scales,
                                  params.zeroPoints, params.mins);
    ASSERT_TRUE(w) << w.error().message;

    bool half = StringRef(c.activationType) == "f16";
    std::vector<float> x(c.m * c.k), bias;
    for (float &v : x) {
      v = std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng);
      if (half)
        v = nx::roundToHalf(v);
    }
    if (c.bias)
      for (int64_t i = 0; i < c.n; ++i)
        bias.push_back(
            half ? nx::roundToHalf(
                       std::uniform_real_distribution<float>(-1, 1)(rng))
                 : std::uniform_real_distribution<float>(-1, 1)(rng));

    // The module.
    std::string xt = tensorType({c.m, c.k}, c.activationType);
    std::string pt =
        tensorType({packedRows, units}, unitBits == 8 ? "i8" : "i32");
    std::string rt = tensorType({c.m, c.n}, c.activationType);
    std::string bt = tensorType({c.n}, c.activationType);
    if (c.dynamic) {
      xt = dynamicDims(xt, 1);
      pt = dynamicDims(pt, 1);
      rt = dynamicDims(rt, 2);
      bt = dynamicDims(bt, 1);
      for (std::string &t : params.types)
        if (params.shape.size() >= 1 && params.shape[0] == c.n)
          t = dynamicDims(t, 1);
    }
    std::string attrs =
        std::string("{scheme = ") + c.scheme + ", layout = " + c.layout + "}";
    std::vector<std::string> argTypes = {xt};
    std::vector<Buffer> inputs = {floatBuffer({c.m, c.k}, x, half)};
    std::string body, paramText;
    if (c.constantWeight) {
      std::string resultTypes = pt;
      for (const std::string &t : params.types)
        resultTypes += ", " + t;
      std::string offsets;
      if (!params.zeroPoints.empty())
        offsets = ", zero_points = " +
                  nestedIntDense(params.zeroPoints, params.shape) + " : " +
                  params.types[1];
      else if (!params.mins.empty())
        offsets = ", mins = " + nestedFloatDense(params.mins, params.shape) +
                  " : " + params.types[1];
      body = "  %w:" + std::to_string(params.types.size() + 1) +
             " = lowbit.packed_weight {data = " +
             nestedDense(packed, packedRows, units) + " : " + pt +
             ", scales = " + nestedFloatDense(params.scales, params.shape) +
             " : " + params.types[0] + offsets +
             ", shape = array<i64: " + std::to_string(c.n) + ", " +
             std::to_string(c.k) + ">, scheme = " + c.scheme +
             ", layout = " + c.layout + "} : " + resultTypes + "\n";
      paramText = " scales(%w#1 : " + params.types[0] + ")";
      if (!params.zeroPoints.empty())
        paramText += " zero_points(%w#2 : " + params.types[1] + ")";
      if (!params.mins.empty())
        paramText += " mins(%w#2 : " + params.types[1] + ")";
      body += "  %r = lowbit.matmul %a0, %w#0" + paramText;
      if (c.bias) {
        argTypes.push_back(bt);
        inputs.push_back(floatBuffer({c.n}, bias, half));
        body += " bias(%a1 : " + bt + ")";
      }
    } else {
      argTypes.push_back(pt);
      inputs.push_back(intBuffer({packedRows, units}, packed, unitBits / 8));
      for (size_t i = 0; i < params.types.size(); ++i) {
        argTypes.push_back(params.types[i]);
        inputs.push_back(params.buffers[i]);
      }
      paramText = " scales(%a2 : " + params.types[0] + ")";
      if (!params.zeroPoints.empty())
        paramText += " zero_points(%a3 : " + params.types[1] + ")";
      if (!params.mins.empty())
        paramText += " mins(%a3 : " + params.types[1] + ")";
      body = "  %r = lowbit.matmul %a0, %a1" + paramText;
      if (c.bias) {
        std::string biasArg = "%a" + std::to_string(argTypes.size());
        argTypes.push_back(bt);
        inputs.push_back(floatBuffer({c.n}, bias, half));
        body += " bias(" + biasArg + " : " + bt + ")";
      }
    }
    body += " " + attrs + " : " + xt + ", " + pt + " -> " + rt;
    std::unique_ptr<ExecutionEngine> engine =
        compile(function("f", argTypes, rt, body));
    ASSERT_TRUE(engine);
    Buffer out = run(*engine, "f", 2, half ? 2 : 4, inputs);
    std::vector<float> got;
    if (half)
      for (uint16_t bits : out.as<uint16_t>())
        got.push_back(nx::halfBitsToFloat(bits));
    else
      got = out.as<float>();
    ASSERT_EQ(int64_t(got.size()), c.m * c.n);

    std::vector<float> sequential(c.m * c.n), accurate(c.m * c.n);
    nx::referenceMatmul(x, *w, bias, c.m, c.n, c.k, sequential,
                        nx::Accumulation::Float);
    nx::referenceMatmul(x, *w, bias, c.m, c.n, c.k, accurate,
                        nx::Accumulation::Double);
    for (int64_t m = 0; m < c.m; ++m)
      for (int64_t n = 0; n < c.n; ++n) {
        int64_t i = m * c.n + n;
        float want = half ? nx::roundToHalf(sequential[i]) : sequential[i];
        EXPECT_EQ(floatBits(got[i]), floatBits(want))
            << "[" << m << ", " << n << "]: got " << got[i] << ", expected "
            << want;
        // The stated tolerance: (K + 2) u (sum |x w| + |b|), plus half an
        // f16 ulp of the result for f16 activations.
        double magnitude = c.bias ? std::fabs(double(bias[n])) : 0.0;
        for (int64_t k = 0; k < c.k; ++k)
          magnitude += std::fabs(double(x[m * c.k + k]) * (*w)[n * c.k + k]);
        double tolerance = double(c.k + 2) * std::ldexp(1.0, -24) * magnitude;
        if (half)
          tolerance += std::ldexp(std::fabs(double(accurate[i])), -11) + 1e-7;
        EXPECT_LE(std::fabs(double(got[i]) - double(accurate[i])), tolerance)
            << "[" << m << ", " << n << "]";
      }
  }

  static std::string nestedDense(const std::vector<int64_t> &v, int64_t rows,
                                 int64_t cols) {
    std::string s = "dense<[";
    for (int64_t r = 0; r < rows; ++r) {
      s += r ? ", [" : "[";
      for (int64_t c = 0; c < cols; ++c)
        s += (c ? ", " : "") + std::to_string(v[r * cols + c]);
      s += "]";
    }
    return s + "]>";
  }
  template <typename T, typename Print>
  static std::string nested(const std::vector<T> &v,
                            const std::vector<int64_t> &shape, Print print) {
    if (shape.empty())
      return "dense<" + print(v[0]) + ">";
    // Rank 1 or 2 only (weights are [N, K]).
    std::string s = "dense<[";
    int64_t rows = shape.size() == 2 ? shape[0] : 1;
    int64_t cols = shape.back();
    for (int64_t r = 0; r < rows; ++r) {
      if (shape.size() == 2)
        s += r ? ", [" : "[";
      for (int64_t c = 0; c < cols; ++c)
        s += (c ? ", " : "") + print(v[r * cols + c]);
      if (shape.size() == 2)
        s += "]";
    }
    return s + "]>";
  }
  static std::string nestedFloatDense(const std::vector<float> &v,
                                      const std::vector<int64_t> &shape) {
    return nested(v, shape, floatLiteral);
  }
  static std::string nestedIntDense(const std::vector<int32_t> &v,
                                    const std::vector<int64_t> &shape) {
    return nested(v, shape, [](int32_t i) { return std::to_string(i); });
  }
};

TEST_F(MatmulJitTest, EveryPresetAndForm) {
  std::vector<MatmulCase> cases = {
      // w8: int8 symmetric per output channel.
      {"#lowbit.scheme<i8, symmetric, per_channel(axis = 0)>",
       "#lowbit.layout<int8>", "f32", 3, 5, 70, true, "f32", false},
      // w4g32: int4 groups of 32, f16 scales, interleaved nibbles.
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4_interleaved, block = 32>", "f16", 2, 6, 80, true,
       "f32", false},
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4>", "f16", 1, 4, 64, false, "f32", false},
      // w3g64: int3 ten per word.
      {"#lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>",
       "#lowbit.layout<int3, block = 64>", "f16", 2, 3, 150, true, "f32",
       false},
      // w2g32: 2-bit min/scale.
      {"#lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int2, block = 32>", "f16", 3, 4, 70, true, "f32", false},
      // c11g128: 11-level codebook in radix-11 words.
      {"#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
       "codebook = <linspace(-1.0, 1.0, 11)>>",
       "#lowbit.layout<radix(11), block = 128>", "f16", 2, 3, 300, true, "f32",
       false},
      // affine with zero points, per tensor.
      {"#lowbit.scheme<u4, affine, per_tensor>", "#lowbit.layout<int4>", "f32",
       2, 5, 33, false, "f32", false},
      {"#lowbit.scheme<u8, affine, per_group(axis = 1, size = 16)>",
       "#lowbit.layout<int8, block = 16>", "f32", 2, 3, 40, true, "f32", false},
      // f16 activations: accumulated in f32, rounded once.
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4_interleaved, block = 32>", "f16", 2, 4, 64, true,
       "f16", false},
      // Through lowbit.packed_weight constants.
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4_interleaved, block = 32>", "f16", 2, 3, 40, true,
       "f32", true},
      {"#lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int2, block = 32>", "f16", 1, 2, 50, false, "f32", true},
      {"#lowbit.scheme<u4, affine, per_channel(axis = 0)>",
       "#lowbit.layout<int4>", "f32", 1, 3, 20, true, "f32", true},
      // Dynamic M and N (sizes from the input and the packed weight).
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4_interleaved, block = 32>", "f16", 3, 5, 70, true,
       "f32", false, true},
      {"#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
       "codebook = <linspace(-1.0, 1.0, 11)>>",
       "#lowbit.layout<radix(11), block = 128>", "f16", 2, 4, 200, false, "f16",
       false, true},
      {"#lowbit.scheme<i8, symmetric, per_channel(axis = 0)>",
       "#lowbit.layout<int8>", "f32", 2, 3, 16, true, "f32", false, true},
      // Panels of 16 rows (N from the result), odd N and K.
      {"#lowbit.scheme<i8, symmetric, per_channel(axis = 0)>",
       "#lowbit.layout<int8_panel>", "f32", 3, 17, 37, true, "f32", false},
      {"#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int4_panel, block = 32>", "f16", 2, 5, 70, false, "f32",
       true},
      {"#lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>",
       "#lowbit.layout<int3_panel, block = 64>", "f16", 3, 17, 150, true, "f32",
       false},
      {"#lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>",
       "#lowbit.layout<int2_panel, block = 32>", "f16", 2, 5, 70, true, "f32",
       true},
  };
  for (const MatmulCase &c : cases)
    check(c);
}

} // namespace
