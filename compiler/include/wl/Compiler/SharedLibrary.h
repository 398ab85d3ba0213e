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

/// Translates an LLVM-dialect module to LLVM IR for the host CPU (its triple,
/// data layout and features) and runs LLVM's default pipeline at `optLevel`.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &ctx,
                                                   unsigned optLevel,
                                                   std::string &error);

/// Emits `module` as a position-independent object file with the host's
/// TargetMachine.
bool emitObjectFile(llvm::Module &module, const std::string &path,
                    unsigned optLevel, std::string &error);

/// How many partitions to compile `module` in: `requested` when not 0, else
/// one per ~5k instructions, at most one per hardware thread.
unsigned codegenPartitions(const llvm::Module &module, unsigned requested);

/// Emits `module` as one object file per path: with several, the module is
/// split into that many linkable partitions (llvm::SplitModule), compiled
/// on as many threads. Their code is the same as one object's.
bool emitObjectFiles(llvm::Module &module, llvm::ArrayRef<std::string> paths,
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
