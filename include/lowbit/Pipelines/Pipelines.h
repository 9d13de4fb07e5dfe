//===- Pipelines.h - named lowbit pass pipelines -----------------*- C++ -*-===//

#ifndef LOWBIT_PIPELINES_PIPELINES_H
#define LOWBIT_PIPELINES_PIPELINES_H

#include "lowbit/Numerics/Presets.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace lowbit {

/// Options of the `lowbit-quantize` pipeline: a preset, and fields that
/// override it when given.
struct QuantizePipelineOptions
    : public mlir::PassPipelineOptions<QuantizePipelineOptions> {
  Option<std::string> preset{
      *this, "preset",
      llvm::cl::desc("w8, w4g32, w3g64, w2g32, c11g128, c11s128, w8a8-dynamic, "
                     "w4a8-dynamic, w8a8 (needs calibration statistics), or "
                     "fp32 (leave the model in float)"),
      llvm::cl::init("w8")};
  Option<unsigned> bits{*this, "bits",
                        llvm::cl::desc("Override: bits per code (2..8)")};
  Option<bool> symmetric{*this, "symmetric",
                         llvm::cl::desc("Override: symmetric codes")};
  Option<std::string> asymmetricForm{
      *this, "asymmetric-form",
      llvm::cl::desc("Override: affine or min-scale")};
  Option<std::string> granularity{
      *this, "granularity",
      llvm::cl::desc("Override: per-tensor, per-channel or per-group")};
  Option<int64_t> groupSize{*this, "group-size",
                            llvm::cl::desc("Override: group size")};
  Option<std::string> rounding{
      *this, "rounding",
      llvm::cl::desc("Override: nearest-even, nearest-away or toward-zero")};
  Option<std::string> codebook{
      *this, "codebook",
      llvm::cl::desc("Override: linspace(LO,HI,N) or a list of levels")};
  Option<std::string> paramType{*this, "param-type",
                                llvm::cl::desc("Override: f32 or f16")};
  Option<std::string> layout{
      *this, "layout",
      llvm::cl::desc("Override: packing layout (see lowbit-pack-weights; "
                     "default: the preset's)")};
  Option<bool> dynamicInt8Activations{
      *this, "dynamic-int8-activations",
      llvm::cl::desc("Override: quantize activations per row to int8 at run "
                     "time and use integer dot products (int8 and int4 "
                     "symmetric weights)")};
  Option<unsigned> panelMinRows{
      *this, "panel-min-rows",
      llvm::cl::desc("Dynamic int8 activations: matmuls with at least this "
                     "many rows use panel layouts and outer-product kernels "
                     "(0: never)"),
      llvm::cl::init(unsigned(numerics::kPanelMinRows))};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Static int8 activations (w8a8): how lowbit.stats become "
                     "ranges: minmax, percentile, entropy or mse"),
      llvm::cl::init("minmax")};
  Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("calibration=percentile: the percentile kept"),
      llvm::cl::init(99.99)};
  Option<std::string> clipping{
      *this, "clipping", llvm::cl::desc("minmax or mse"),
      llvm::cl::init("minmax")};
  Option<int64_t> minElements{
      *this, "min-elements",
      llvm::cl::desc("Weights with fewer elements stay float"),
      llvm::cl::init(1)};
  Option<std::string> method{
      *this, "method",
      llvm::cl::desc("How weights are quantized: rtn (round to nearest), "
                     "gptq (lowbit-gptq) or awq (lowbit-awq); gptq and awq "
                     "need layer input statistics (lowbit.layer_stats)"),
      llvm::cl::init("rtn")};
  Option<double> dampening{
      *this, "dampening",
      llvm::cl::desc("method=gptq: damping of H as a fraction of its mean "
                     "diagonal"),
      llvm::cl::init(0.01)};
  Option<bool> actOrder{
      *this, "act-order",
      llvm::cl::desc("method=gptq: quantize columns in decreasing diag(H)"),
      llvm::cl::init(false)};
  Option<double> budgetBits{
      *this, "budget-bits",
      llvm::cl::desc("Mixed precision (lowbit-mixed-precision): a preset "
                     "from `menu` per weight within this average of bits "
                     "per weight (method rtn or gptq)")};
  ListOption<std::string> menu{
      *this, "menu",
      llvm::cl::desc("budget-bits: the presets to choose from (default w8, "
                     "w4g32, c11g128, w3g64, w2g32)")};
  Option<int64_t> calibrationSamples{
      *this, "calibration-samples",
      llvm::cl::desc("lowbitc: calibration samples to collect layer input "
                     "statistics from when the model has none (0 = all)"),
      llvm::cl::init(128)};
  Option<bool> report{
      *this, "report",
      llvm::cl::desc("Remarks with per-weight error and byte counts"),
      llvm::cl::init(false)};
};

/// Appends the quantize pipeline (quantize weights, fold, pack, fuse
/// matmuls) to `pm`.
/// Fails with a message for an unknown preset or invalid fields.
llvm::LogicalResult
buildQuantizePipeline(mlir::OpPassManager &pm,
                      const QuantizePipelineOptions &options,
                      llvm::function_ref<llvm::LogicalResult(const llvm::Twine &)>
                          errorHandler);

/// Target choices of the lowering.
struct LowerToLLVMOptions {
  /// How int8 dot products are emitted (see lowbit-vectorize-matmul):
  /// generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod.
  std::string int8Dot = "generic";
  /// Width of the target's vector registers in bits (128 for SSE, 256 for
  /// AVX, 512 for AVX-512); below 512 (x86 with 16 registers) the vector
  /// kernels' accumulators are one register wide and their tiles fit 16.
  int64_t vectorBits = 512;
  /// AArch64 smmla for integer matmuls with several rows (needs +i8mm).
  bool i8mm = false;
  /// AVX512-VBMI byte permutes and multishifts (vpermb, vpermi2b,
  /// vpmultishiftqb) in the kernels' decoders.
  bool vbmi = false;
  /// bf16 dot products of matmuls with bf16 activations (see
  /// lowbit-vectorize-matmul): none or avx512-bf16.
  std::string bf16Dot = "none";
  /// How byte table lookups (lowbit.lookup_bytes) are emitted: generic,
  /// ssse3, avx2, avx512bw (vpshufb), avx512vbmi (vpshufb, vpermi2b) or
  /// neon (tbl).
  std::string byteLookup = "generic";
  /// Expand floor/ceil/trunc/round/roundeven into arithmetic
  /// (lowbit-approximate-math): for CPUs without rounding instructions
  /// (x86-64 without SSE4.1), where LLVM would call floorf & co.
  bool expandRounding = false;
  /// Convert f32 to bf16 (and back) with integer arithmetic (arith-expand):
  /// for x86 CPUs without AVX512-BF16, where LLVM would call __truncsfbf2,
  /// which older compiler runtimes (libgcc before GCC 13) lack.
  bool expandBF16 = false;
  /// How large kernels run: split across the threads of LLVM's OpenMP
  /// runtime (the object then calls `__kmpc_*`: link with -lomp), or serial.
  enum class Threads { None, OpenMP };
  Threads threads = Threads::OpenMP;
  /// Constants in a weights file the caller loads and passes to every entry
  /// point (lowbit-externalize-constants), instead of the object's data.
  bool externalWeights = false;
};

/// Parses `omp` or `none`.
std::optional<LowerToLLVMOptions::Threads> parseThreads(llvm::StringRef name);

namespace detail {
/// "a", "a or b", "a, b or c": the choices of an option, for messages.
std::string formatChoices(llvm::ArrayRef<llvm::StringLiteral> choices);

/// The parser of a string option that takes one of `Choices::names`; any
/// other value is an error that names them all.
template <typename Choices>
struct ChoiceParser : public llvm::cl::parser<std::string> {
  using llvm::cl::parser<std::string>::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef argName,
             llvm::StringRef arg, std::string &value) {
    if (!llvm::is_contained(Choices::names, arg))
      return option.error("unknown " + argName + "='" + arg + "' (expected " +
                          formatChoices(Choices::names) + ")");
    value = arg.str();
    return false;
  }
};

struct Int8DotChoices {
  static constexpr llvm::StringLiteral names[] = {
      "generic", "avx512-vnni", "avx-vnni",   "avx2",
      "ssse3",   "sse2",        "arm-dotprod"};
};
struct Bf16DotChoices {
  static constexpr llvm::StringLiteral names[] = {"none", "avx512-bf16",
                                                  "arm-bf16"};
};
struct ByteLookupChoices {
  static constexpr llvm::StringLiteral names[] = {
      "generic", "ssse3", "avx2", "avx512bw", "avx512vbmi", "neon"};
};
struct ThreadsChoices {
  static constexpr llvm::StringLiteral names[] = {"omp", "none"};
};
struct WeightsChoices {
  static constexpr llvm::StringLiteral names[] = {"embedded", "external"};
};
} // namespace detail

/// The options of the `lowbit-lower-to-llvm` pipeline: one per field of
/// LowerToLLVMOptions, with the same defaults.
struct LowerToLLVMPipelineOptions
    : public mlir::PassPipelineOptions<LowerToLLVMPipelineOptions> {
  template <typename Choices>
  using ChoiceOption = Option<std::string, detail::ChoiceParser<Choices>>;

  ChoiceOption<detail::Int8DotChoices> int8Dot{
      *this, "int8-dot",
      llvm::cl::desc("Integer dot products of int8 activations: generic, "
                     "avx512-vnni, avx-vnni, avx2, ssse3, sse2 or "
                     "arm-dotprod"),
      llvm::cl::init("generic")};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width of the vector registers in bits (128: SSE or "
                     "NEON, 256: AVX2, 512: AVX-512)"),
      llvm::cl::init(512)};
  Option<bool> i8mm{
      *this, "i8mm",
      llvm::cl::desc("AArch64 smmla for integer matmuls with several rows"),
      llvm::cl::init(false)};
  Option<bool> vbmi{*this, "vbmi",
                    llvm::cl::desc("AVX512-VBMI byte permutes and multishifts "
                                   "(vpermb, vpermi2b, vpmultishiftqb)"),
                    llvm::cl::init(false)};
  ChoiceOption<detail::Bf16DotChoices> bf16Dot{
      *this, "bf16-dot",
      llvm::cl::desc("Dot products of bf16 activations: none, avx512-bf16 or "
                     "arm-bf16"),
      llvm::cl::init("none")};
  ChoiceOption<detail::ByteLookupChoices> byteLookup{
      *this, "byte-lookup",
      llvm::cl::desc("Byte table lookups (lowbit.lookup_bytes): generic, "
                     "ssse3, avx2, avx512bw, avx512vbmi or neon"),
      llvm::cl::init("generic")};
  Option<bool> expandRounding{
      *this, "expand-rounding",
      llvm::cl::desc("Expand floor/ceil/trunc/round/roundeven into "
                     "arithmetic (x86-64 without SSE4.1)"),
      llvm::cl::init(false)};
  Option<bool> expandBF16{
      *this, "expand-bf16",
      llvm::cl::desc("Convert between f32 and bf16 with integer arithmetic "
                     "(x86 without AVX512-BF16)"),
      llvm::cl::init(false)};
  ChoiceOption<detail::ThreadsChoices> threads{
      *this, "threads",
      llvm::cl::desc("omp: large kernels run on OpenMP threads (link with "
                     "-lomp); none: serial"),
      llvm::cl::init("omp")};
  ChoiceOption<detail::WeightsChoices> weights{
      *this, "weights",
      llvm::cl::desc("embedded: constants in the object's data; external: in "
                     "a weights file the caller passes to every entry point "
                     "(lowbit-externalize-constants)"),
      llvm::cl::init("embedded")};

  /// The LowerToLLVMOptions these options describe.
  LowerToLLVMOptions getLowerToLLVMOptions() const;
};

/// Appends the lowering of a (quantized) tensor-level model to the LLVM
/// dialect: matmul fusion and vector kernels, the generic lowering of the
/// remaining lowbit ops, C entry points, inlining, bufferization with
/// deallocation, loops, and conversion to LLVM with the bare-pointer calling
/// convention.
llvm::LogicalResult
buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                         const LowerToLLVMOptions &options = {});

/// Registers `lowbit-quantize` and `lowbit-lower-to-llvm` with the global
/// pass registry.
void registerLowbitPipelines();

/// The packed weights of a quantized module (lowbit.packed_weight ops):
/// their logical elements and the bytes of storage plus parameters.
struct PackedWeightSize {
  int64_t weights = 0;
  int64_t bytes = 0;
  double getBitsPerWeight() const {
    return weights ? 8.0 * double(bytes) / double(weights) : 0.0;
  }
};
PackedWeightSize getPackedWeightSize(mlir::ModuleOp module);

} // namespace lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
