//===- ModelBench.cpp - whole compiled models, per preset and thread count ===//
//
// lowbit-bench-model MODEL.mlir [--presets=fp32,w8,...] [--num-threads=1,2]
//                   [--rounds=5] [--calls=20] [--int-range=32]
//                   [--mcpu=native|x86-64|...]
//                   [--weights=embedded|external|both] [--cold]
//
// Quantizes the model at each preset, lowers it with the pipeline lowbitc
// uses and JIT-compiles it for the host CPU (like `lowbitc --mcpu=native`),
// then calls its entry point on a caller-owned workspace. Rounds are
// interleaved over presets and thread counts; each round times `calls`
// calls after a warm-up call. Prints per preset and thread count the min and
// median ms per call, the workspace and weight bytes, the ratio to the fp32
// build at the same thread count (median / median, measured in the same
// run; < 1 is faster), the speedup over one thread, and the page faults per
// timed call (getrusage around them).
//
// Inputs are deterministic: floats uniform in [-1, 1), integers (token ids)
// in [0, --int-range).
//
// --weights=both compiles each preset twice in the same run: with the
// constants embedded (in the JIT's read-only data, on 4 KiB pages) and with
// --weights=external, the weights file's bytes in a buffer the benchmark
// owns, on transparent huge pages (2 MiB aligned, madvise(MADV_HUGEPAGE),
// rounded up to whole huge pages). --cold also times single calls after
// evicting the caches (and the TLB) by reading --evict-mib of memory, and
// prints their min and median.
//
//===----------------------------------------------------------------------===//

#include "HugePages.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Jit.h"
#include "lowbit/Target/Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sys/mman.h>
#include <sys/resource.h>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("lowbit-bench-model options");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required, cl::cat(category));
cl::list<std::string> presetsOpt(
    "presets", cl::CommaSeparated, cl::cat(category),
    cl::desc("Presets (default: fp32,w8,w4g32,w3g64,w2g32,c11g128,"
             "w8a8-dynamic,w4a8-dynamic,w3a8-dynamic,w2a8-dynamic,"
             "c11a8-dynamic,w8a16,w4a16,c11a16), or lowbit-quantize "
             "option strings such as 'preset=w8 min-elements=4096'"));
cl::list<int>
    threadsOpt("num-threads", cl::CommaSeparated, cl::cat(category),
               cl::desc("Thread counts (default: 1 and all cores); set through "
                        "omp_set_num_threads when the code is threaded"));
cl::opt<int> rounds("rounds", cl::init(5), cl::cat(category),
                    cl::desc("Interleaved rounds"));
cl::opt<int> calls("calls", cl::init(20), cl::cat(category),
                   cl::desc("Timed calls per round"));
cl::opt<std::string> cpu("mcpu", cl::init("native"), cl::cat(category),
                        cl::desc("CPU to compile for (must run on this "
                                 "host), e.g. x86-64 for the baseline"));
cl::opt<int> intRange("int-range", cl::init(32), cl::cat(category),
                      cl::desc("Integer inputs are in [0, N)"));
cl::opt<std::string> weightsMode(
    "weights", cl::init("embedded"), cl::cat(category),
    cl::desc("embedded (default), external (weights on transparent huge "
             "pages), or both, measured in the same rounds"));
cl::opt<bool> cold("cold", cl::init(false), cl::cat(category),
                   cl::desc("Also time single calls after evicting the "
                            "caches"));
cl::opt<bool> cpuTime(
    "cpu-time", cl::init(false), cl::cat(category),
    cl::desc("Time with the calling thread's CPU clock instead of the wall "
             "clock: on a loaded machine it leaves out the time other "
             "processes take the core (meaningful at one thread)"));
cl::opt<int> evictMiB("evict-mib", cl::init(256), cl::cat(category),
                      cl::desc("--cold: MiB read between calls"));

constexpr size_t kHugePage = size_t(2) << 20;

using Clock = std::chrono::steady_clock;

/// Seconds on the wall clock, or with --cpu-time on this thread's CPU clock.
double now() {
  if (cpuTime) {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
  }
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

long pageFaults() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

/// One compiled preset: its entry point, buffers and measurements.
struct Build {
  std::string preset;
  std::unique_ptr<lowbit::JitModule> jit;
  void *entry = nullptr;
  std::vector<std::vector<char>> buffers; // inputs, outputs
  std::vector<char> workspace;
  uint64_t workspaceBytes = 0;
  /// --weights=external: the weights file's bytes, aligned (nullptr when
  /// embedded).
  std::unique_ptr<char, decltype(&std::free)> weights{nullptr, &std::free};
  uint64_t weightsBytes = 0;
  std::map<int, std::vector<double>> msPerCall; // by thread count
  std::map<int, std::vector<double>> coldMs;    // single calls, by thread count
  std::map<int, long> faults, timedCalls;
};

/// Calls an entry point of `n` pointer arguments (the bare-pointer C ABI).
int callEntry(void *entry, std::vector<void *> &args) {
  using P = void *;
  switch (args.size()) {
  case 2:
    return reinterpret_cast<int (*)(P, P)>(entry)(args[0], args[1]);
  case 3:
    return reinterpret_cast<int (*)(P, P, P)>(entry)(args[0], args[1], args[2]);
  case 4:
    return reinterpret_cast<int (*)(P, P, P, P)>(entry)(args[0], args[1],
                                                        args[2], args[3]);
  case 5:
    return reinterpret_cast<int (*)(P, P, P, P, P)>(entry)(
        args[0], args[1], args[2], args[3], args[4]);
  case 6:
    return reinterpret_cast<int (*)(P, P, P, P, P, P)>(entry)(
        args[0], args[1], args[2], args[3], args[4], args[5]);
  default:
    return -1;
  }
}

/// Deterministic input bytes for a tensor type.
std::vector<char> makeInput(RankedTensorType type, uint32_t seed) {
  int64_t count = type.getNumElements();
  Type element = type.getElementType();
  int64_t width = std::max<int64_t>(1, element.getIntOrFloatBitWidth() / 8);
  std::vector<char> bytes(count * width);
  uint32_t state = seed * 2654435761u + 1;
  for (int64_t i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    if (element.isF32()) {
      float value = (state >> 8) * (2.0f / (1 << 24)) - 1.0f;
      std::memcpy(&bytes[i * 4], &value, 4);
    } else if (element.isInteger(32)) {
      int32_t value = static_cast<int32_t>((state >> 8) % intRange);
      std::memcpy(&bytes[i * 4], &value, 4);
    } else if (element.isInteger(64)) {
      int64_t value = static_cast<int64_t>((state >> 8) % intRange);
      std::memcpy(&bytes[i * 8], &value, 8);
    } else {
      bytes[i * width] = static_cast<char>((state >> 8) % intRange);
    }
  }
  return bytes;
}

/// Copies the weights into memory aligned for the entry points, on
/// transparent huge pages (2 MiB aligned, whole huge pages).
bool loadWeights(Build &build, const std::string &bytes) {
  size_t alignment = kHugePage;
  size_t rounded = (bytes.size() + alignment - 1) / alignment * alignment;
  void *data = nullptr;
  if (posix_memalign(&data, alignment, rounded) != 0)
    return false;
  madvise(data, rounded, MADV_HUGEPAGE);
  std::memcpy(data, bytes.data(), bytes.size());
  build.weights.reset(static_cast<char *>(data));
  build.weightsBytes = bytes.size();
  return true;
}

/// Reads every cache line of `buffer`: what a call then reads comes from
/// DRAM, through page walks.
void evictCaches(std::vector<char> &buffer) {
  volatile char sink = 0;
  char sum = 0;
  for (size_t i = 0; i < buffer.size(); i += 64)
    sum += buffer[i];
  sink = sum;
  (void)sink;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "whole-model benchmark\n");
  std::vector<std::string> presets(presetsOpt.begin(), presetsOpt.end());
  if (presets.empty())
    presets = {"fp32",         "w8",           "w4g32",        "w3g64",
               "w2g32",        "c11g128",      "w8a8-dynamic", "w4a8-dynamic",
               "w3a8-dynamic", "w2a8-dynamic", "c11a8-dynamic", "w8a16",
               "w4a16",        "c11a16"};
  std::vector<int> threads(threadsOpt.begin(), threadsOpt.end());
  if (threads.empty()) {
    threads = {1};
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    if (cores > 1)
      threads.push_back(cores);
  }

  std::vector<bool> externalModes;
  if (weightsMode == "embedded" || weightsMode == "both")
    externalModes.push_back(false);
  if (weightsMode == "external" || weightsMode == "both")
    externalModes.push_back(true);
  if (externalModes.empty()) {
    llvm::errs() << "lowbit-bench-model: unknown --weights=" << weightsMode
                 << " (expected embedded, external or both)\n";
    return 1;
  }

  std::vector<Build> builds;
  std::string name;
  for (const std::string &preset : presets)
    for (bool external : externalModes) {
      auto context = std::make_unique<MLIRContext>();
      DialectRegistry registry;
      lowbit::registerJitDialects(registry);
      context->appendDialectRegistry(registry);
      llvm::SourceMgr sourceMgr;
      SourceMgrDiagnosticHandler handler(sourceMgr, context.get());
      std::string error;
      OwningOpRef<ModuleOp> module =
          lowbit::parseModelFile(modelPath, *context, sourceMgr, error);
      if (!module) {
        llvm::errs() << "lowbit-bench-model: cannot read " << modelPath << " "
                     << error << "\n";
        return 1;
      }
      func::FuncOp func;
      for (auto candidate : module->getOps<func::FuncOp>())
        if (candidate.isPublic() && !candidate.isExternal())
          func = candidate;
      if (!func) {
        llvm::errs() << "lowbit-bench-model: no public function\n";
        return 1;
      }
      name = func.getSymName().str();
      Build build;
      build.preset = external ? preset + " ext" : preset;
      for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
        build.buffers.push_back(
            makeInput(cast<RankedTensorType>(type), static_cast<uint32_t>(i)));
      for (Type type : func.getResultTypes()) {
        auto tensor = cast<RankedTensorType>(type);
        build.buffers.emplace_back(tensor.getNumElements() *
                                   tensor.getElementTypeBitWidth() / 8);
      }

      PassManager pm(context.get());
      lowbit::QuantizePipelineOptions options;
      std::string optionString =
          StringRef(preset).contains('=') ? preset : "preset=" + preset;
      if (failed(options.parseFromString(optionString)) ||
          failed(lowbit::buildQuantizePipeline(pm, options,
                                               [&](const llvm::Twine &message) {
                                                 llvm::errs()
                                                     << "lowbit-bench-model: "
                                                     << message << "\n";
                                                 return failure();
                                               })) ||
          failed(pm.run(*module)))
        return 1;
      lowbit::JitOptions jitOptions;
      jitOptions.cpu = cpu;
      std::string weights;
      if (external)
        jitOptions.externalWeights = &weights;
      auto jit = lowbit::compileForHost(std::move(module), error, jitOptions);
      if (failed(jit)) {
        llvm::errs() << "lowbit-bench-model: " << preset << ": " << error
                     << "\n";
        return 1;
      }
      build.jit = std::move(*jit);
      build.entry = build.jit->lookup("lowbit_" + name + "_with_workspace");
      auto *size =
          build.jit->lookupAs<int64_t()>("lowbit_" + name + "_workspace_size");
      if (!build.entry || !size) {
        llvm::errs() << "lowbit-bench-model: no entry point lowbit_" << name
                     << "_with_workspace\n";
        return 1;
      }
      build.workspaceBytes = size();
      build.workspace.resize(build.workspaceBytes + 64);
      if (external) {
        auto *check = build.jit->lookupAs<int(const void *, size_t)>(
            "lowbit_" + name + "_check_weights");
        if (!check || !loadWeights(build, weights) ||
            check(build.weights.get(), build.weightsBytes) != 0) {
          llvm::errs() << "lowbit-bench-model: " << preset
                       << ": the external weights do not check\n";
          return 1;
        }
      }
      // The MLIR context may go: the JIT holds the compiled code.
      builds.push_back(std::move(build));
    }

  // The JIT loaded the OpenMP runtime (if the code is threaded).
  auto *setThreads = reinterpret_cast<void (*)(int)>(
      llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
          "omp_set_num_threads"));

  auto run = [](Build &build) {
    std::vector<void *> args;
    if (build.weights)
      args.push_back(build.weights.get());
    for (std::vector<char> &buffer : build.buffers)
      args.push_back(buffer.data());
    auto address = reinterpret_cast<uintptr_t>(build.workspace.data());
    args.push_back(reinterpret_cast<void *>((address + 63) & ~uintptr_t(63)));
    return callEntry(build.entry, args);
  };
  for (Build &build : builds)
    if (run(build) != 0) {
      llvm::errs() << "lowbit-bench-model: " << build.preset << " failed\n";
      return 1;
    }

  // On 4 KiB pages: reading it also evicts the TLB's entries.
  std::vector<char> evictBuffer(cold ? size_t(evictMiB) << 20 : 0, 1);
  for (int round = 0; round < rounds; ++round)
    for (int threadCount : threads)
      for (Build &build : builds) {
        if (setThreads)
          setThreads(threadCount);
        run(build); // warm-up: caches, the thread team
        long before = pageFaults();
        double start = now();
        for (int call = 0; call < calls; ++call)
          run(build);
        double seconds = now() - start;
        build.faults[threadCount] += pageFaults() - before;
        build.timedCalls[threadCount] += calls;
        build.msPerCall[threadCount].push_back(1e3 * seconds / calls);
        if (!cold)
          continue;
        for (int call = 0; call < calls; ++call) {
          evictCaches(evictBuffer);
          double coldStart = now();
          run(build);
          build.coldMs[threadCount].push_back(1e3 * (now() - coldStart));
        }
      }

  llvm::outs() << "model: " << modelPath << " (@" << name << "), CPU " << cpu
               << ", " << rounds << " rounds x " << calls << " calls"
               << (cpuTime ? ", thread CPU time" : ", wall time")
               << (setThreads ? "" : "; code not threaded (no OpenMP)") << "\n";
  llvm::outs() << llvm::format("%-18s %7s %12s %10s %10s %9s %8s %12s",
                               "preset", "threads", "workspace B", "min ms",
                               "median ms", "x fp32", "speedup", "faults/call");
  if (cold)
    llvm::outs() << llvm::format(" %12s %12s", "cold min ms", "cold med ms");
  llvm::outs() << "\n";
  const Build *fp32 = nullptr;
  for (const Build &build : builds)
    if (build.preset == "fp32")
      fp32 = &build;
  for (const Build &build : builds)
    for (int threadCount : threads) {
      const std::vector<double> &ms = build.msPerCall.at(threadCount);
      double mid = median(ms);
      std::string versusFp32 =
          fp32 ? llvm::formatv("{0:f2}",
                               mid / median(fp32->msPerCall.at(threadCount)))
                     .str()
               : "-";
      double single = median(build.msPerCall.at(threads.front()));
      llvm::outs() << llvm::format(
          "%-18s %7d %12llu %10.3f %10.3f %9s %8.2f %12.2f",
          build.preset.c_str(), threadCount,
          static_cast<unsigned long long>(build.workspaceBytes),
          *std::min_element(ms.begin(), ms.end()), mid, versusFp32.c_str(),
          single / mid,
          static_cast<double>(build.faults.at(threadCount)) /
              build.timedCalls.at(threadCount));
      if (cold) {
        const std::vector<double> &coldMs = build.coldMs.at(threadCount);
        llvm::outs() << llvm::format(
            " %12.3f %12.3f", *std::min_element(coldMs.begin(), coldMs.end()),
            median(coldMs));
      }
      llvm::outs() << "\n";
    }
  if (weightsMode != "embedded")
    llvm::outs() << "anonymous memory on transparent huge pages: "
                 << llvm::format("%.0f", anonHugePageMiB()) << " MiB\n";
  for (const Build &build : builds)
    if (build.weights)
      llvm::outs() << build.preset << ": weights " << build.weightsBytes
                   << " bytes"
                   << " on transparent huge pages (madvise)"
                   << "\n";
  return 0;
}
