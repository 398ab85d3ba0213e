//===- SharedLibrary.cpp - object emission and linking
//---------------------===//
//
// The last stages of wlc: MLIR's LLVM dialect is translated to LLVM IR,
// optimised and compiled in-process with the host's TargetMachine (a large
// module in partitions on several threads), and the objects are linked with
// the runtime (libwlrt.a) into lib<model>.so by the system C++ driver.
//
//===----------------------------------------------------------------------===//
#include "wl/Compiler/SharedLibrary.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

using namespace llvm;

namespace {

CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return CodeGenOptLevel::None;
  case 1:
    return CodeGenOptLevel::Less;
  case 3:
    return CodeGenOptLevel::Aggressive;
  default:
    return CodeGenOptLevel::Default;
  }
}

/// A TargetMachine for the machine wlc runs on, producing PIC code.
std::unique_ptr<TargetMachine> hostTargetMachine(unsigned optLevel,
                                                 std::string &error) {
  // Once per process: the registration is not safe to repeat while partitions
  // are compiled on other threads.
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
  });
  Triple triple(sys::getDefaultTargetTriple());
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  SubtargetFeatures features;
  for (const auto &[name, enabled] : sys::getHostCPUFeatures())
    features.AddFeature(name, enabled);
  TargetOptions options;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, sys::getHostCPUName(), features.getString(), options, Reloc::PIC_,
      std::nullopt, codeGenLevel(optLevel)));
  if (!tm)
    error = "cannot create a target machine for " + triple.str();
  return tm;
}

} // namespace

std::unique_ptr<Module> wl::translateToLLVMIR(mlir::ModuleOp module,
                                              LLVMContext &ctx,
                                              std::string &error) {
  mlir::registerBuiltinDialectTranslation(*module->getContext());
  mlir::registerLLVMDialectTranslation(*module->getContext());
  mlir::registerOpenMPDialectTranslation(*module->getContext());
  // The CUDA target: gpu.binary becomes an embedded constant loaded by a
  // global constructor, gpu.launch_func a call of the runtime's launcher.
  {
    mlir::DialectRegistry registry;
    mlir::registerGPUDialectTranslation(registry);
    mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(
        registry);
    module->getContext()->appendDialectRegistry(registry);
  }
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, ctx, "wl");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  // The triple and data layout do not depend on the optimisation level.
  std::unique_ptr<TargetMachine> tm = hostTargetMachine(/*optLevel=*/2, error);
  if (!tm)
    return nullptr;
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  return llvmModule;
}

bool wl::optimizeModule(Module &module, unsigned optLevel, std::string &error) {
  if (optLevel == 0)
    return true;
  std::unique_ptr<TargetMachine> tm = hostTargetMachine(optLevel, error);
  if (!tm)
    return false;
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  // The products are already register-blocked kernels; what LLVM still
  // vectorises is elementwise, memory-bound code, where unrolling and
  // interleaving only multiply the code to compile (12-layer MLP: 74k lines
  // of IR, 2 s of code generation).
  PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = false;
  PassBuilder pb(tm.get(), tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = optLevel == 1   ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  return true;
}

bool wl::emitObjectFile(Module &module, const std::string &path,
                        unsigned optLevel, std::string &error) {
  std::unique_ptr<TargetMachine> tm = hostTargetMachine(optLevel, error);
  if (!tm)
    return false;
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out.os(), nullptr,
                              CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  out.keep();
  return true;
}

/// The host's hardware threads (at least 1).
static unsigned hardwareThreads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned wl::codegenPartitions(const Module &module, unsigned requested) {
  if (requested)
    return requested;
  // About 0.2 s of code generation per partition: below that, the bitcode
  // round trip and the thread cost about what they save (a 12-layer MLP:
  // ~25k optimised instructions, 1.07 s of code generation on one thread,
  // 0.60 s on two).
  constexpr unsigned kInstructionsPerPartition = 5000;
  // Up to four partitions per core, shared out as the threads come free:
  // SplitModule's pieces differ in cost (a 12-layer MLP cut in two took
  // 0.69 and 0.43 s).
  return std::clamp<unsigned>(module.getInstructionCount() /
                                  kInstructionsPerPartition,
                              1, 4 * hardwareThreads());
}

bool wl::optimizeAndEmitObjectFiles(Module &module,
                                    ArrayRef<std::string> paths,
                                    unsigned optLevel, std::string &error) {
  if (paths.size() == 1)
    return optimizeModule(module, optLevel, error) &&
           emitObjectFile(module, paths.front(), optLevel, error);
  // An LLVMContext is not thread-safe: each partition travels to its thread
  // as bitcode and is read back into that thread's own context, where it is
  // optimised and compiled (as ThinLTO's backends do). Round robin balances
  // the functions' sizes better than the name hash. The partitions are cut
  // before LLVM's optimiser, which then runs on every thread too (12-layer
  // MLP: ~0.9 s on one thread): the functions it could inline across
  // partitions are the step's one-call wrappers; the kernels stay calls.
  std::vector<SmallVector<char, 0>> bitcode;
  SplitModule(
      module, paths.size(),
      [&](std::unique_ptr<Module> part) {
        bitcode.emplace_back();
        raw_svector_ostream os(bitcode.back());
        WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  std::vector<std::string> errors(paths.size());
  auto compile = [&](size_t i) {
    LLVMContext context;
    MemoryBufferRef buffer(StringRef(bitcode[i].data(), bitcode[i].size()),
                           "partition");
    Expected<std::unique_ptr<Module>> part = parseBitcodeFile(buffer, context);
    if (!part) {
      errors[i] = "cannot read back a code generation partition: " +
                  toString(part.takeError());
      return;
    }
    if (optimizeModule(**part, optLevel, errors[i]))
      emitObjectFile(**part, paths[i], optLevel, errors[i]);
  };
  {
    // One thread per core at most; each takes the next partition when done.
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (size_t t = 0; t < std::min<size_t>(paths.size(), hardwareThreads());
         ++t)
      threads.emplace_back([&] {
        for (size_t i = next++; i < paths.size(); i = next++)
          compile(i);
      });
    for (std::thread &t : threads)
      t.join();
  }
  for (const std::string &e : errors)
    if (!e.empty()) {
      error = e;
      return false;
    }
  return true;
}

bool wl::linkSharedLibrary(ArrayRef<std::string> objectPaths,
                           const std::string &libraryPath,
                           const std::string &runtimeArchive,
                           std::string &error) {
  // WL_LINK_DRIVER is set in sanitized builds only
  // (compiler/lib/CMakeLists.txt).
  StringRef driver = WL_LINK_DRIVER;
  ErrorOr<std::string> cxx =
      driver.empty() ? sys::findProgramByName("c++") : driver.str();
  if (!cxx || !sys::fs::can_execute(*cxx)) {
    error = driver.empty()
                ? "no C++ compiler driver ('c++') on PATH to link with"
                : "the C++ compiler driver '" + driver.str() + "' is missing";
    return false;
  }
  // Export exactly the C ABI: everything else (generated kernels, the
  // runtime's internals, libstdc++ templates) stays local.
  SmallString<128> script;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("wl-exports", "map", script)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  FileRemover removeScript(script);
  {
    std::error_code ec;
    raw_fd_ostream os(script, ec);
    if (ec) {
      error = "cannot write '" + script.str().str() + "': " + ec.message();
      return false;
    }
    os << "{ global: wl_*; local: *; };\n";
  }
  std::string versionScript = "-Wl,--version-script=" + script.str().str();
  // The GEMM kernels run on LLVM's OpenMP runtime (libomp-22-dev).
  std::string ompDir = WL_OPENMP_LIBRARY_DIR;
  if (!sys::fs::exists(ompDir + "/libomp.so")) {
    error = "the OpenMP runtime '" + ompDir +
            "/libomp.so' is missing (Debian: apt-get install libomp-22-dev)";
    return false;
  }
  std::string ompSearch = "-L" + ompDir, ompRpath = "-Wl,-rpath," + ompDir;
  // --whole-archive: the object references none of the runtime's symbols;
  // the runtime is what exports the ABI.
  SmallVector<StringRef> args{*cxx, "-shared", "-o", libraryPath};
  // LLVM's linker when installed (Debian: lld): it links a 12-layer model's
  // library in 0.17 s where GNU ld takes 0.31 s, an eighth of wlc's time.
  if (sys::findProgramByName("ld.lld"))
    args.push_back("-fuse-ld=lld");
  args.append(objectPaths.begin(), objectPaths.end());
  args.append({"-Wl,--whole-archive", runtimeArchive, "-Wl,--no-whole-archive",
               versionScript, ompSearch, ompRpath, "-lomp", "-lm", "-llapack", "-lblas",
               // The runtime loads the CUDA driver with dlopen (Cuda.cpp).
               "-ldl"});
  // A sanitized libwlrt.a needs its sanitizer runtime (WL_SANITIZE builds).
  SmallVector<StringRef> sanitizerFlags;
  StringRef(WL_SANITIZE_LINK_FLAGS)
      .split(sanitizerFlags, ' ', -1, /*KeepEmpty=*/false);
  args.append(sanitizerFlags.begin(), sanitizerFlags.end());
  std::string message;
  int rc = sys::ExecuteAndWait(*cxx, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    error = "linking '" + libraryPath + "' failed" +
            (message.empty() ? "" : ": " + message) +
            " (command: " + join(args, " ") + ")";
    return false;
  }
  return true;
}

std::string wl::findRuntimeArchive(const char *argv0,
                                   const std::string &buildTreeArchive) {
  if (const char *env = std::getenv("WL_RUNTIME_LIBRARY"))
    if (sys::fs::exists(env))
      return env;
  std::string exe = sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&findRuntimeArchive));
  SmallString<256> installed(
      sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(installed, "lib", "libwlrt.a");
  if (sys::fs::exists(installed))
    return installed.str().str();
  if (sys::fs::exists(buildTreeArchive))
    return buildTreeArchive;
  return {};
}
