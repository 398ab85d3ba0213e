//===- SharedLibrary.h - LLVM dialect to lib<model>.so ----------*- C++ -*-===//
#ifndef WL_COMPILER_SHAREDLIBRARY_H
#define WL_COMPILER_SHAREDLIBRARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace wl {

/// Translates an LLVM-dialect module to LLVM IR for the host CPU (its triple
/// and data layout).
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &ctx,
                                                std::string &error);

/// Runs LLVM's default pipeline at `optLevel` (none at 0) for the host CPU.
bool optimizeModule(llvm::Module &module, unsigned optLevel,
                    std::string &error);

/// Emits `module` as a position-independent object file with the host's
/// TargetMachine.
bool emitObjectFile(llvm::Module &module, const std::string &path,
                    unsigned optLevel, std::string &error);

/// How many partitions to optimise and compile `module` in: `requested` when
/// not 0, else one per ~5k instructions, at most four per hardware thread.
unsigned codegenPartitions(const llvm::Module &module, unsigned requested);

/// Optimises the (unoptimised) `module` at `optLevel` and emits it as one
/// object file per path: with several, the module is first split into that
/// many linkable partitions (llvm::SplitModule), each optimised and compiled
/// on its own LLVMContext by one of at most one thread per core.
bool optimizeAndEmitObjectFiles(llvm::Module &module,
                                llvm::ArrayRef<std::string> paths,
                                unsigned optLevel, std::string &error);

/// Links `objectPaths` with the runtime archive into a shared library that
/// exports exactly the wl_* C ABI.
bool linkSharedLibrary(llvm::ArrayRef<std::string> objectPaths,
                       const std::string &libraryPath,
                       const std::string &runtimeArchive, std::string &error);

/// The runtime archive to link: $WL_RUNTIME_LIBRARY, then
/// <exe>/../lib/libwlrt.a, then `buildTreeArchive`. Empty when none exists.
std::string findRuntimeArchive(const char *argv0,
                               const std::string &buildTreeArchive);

} // namespace wl

#endif // WL_COMPILER_SHAREDLIBRARY_H
