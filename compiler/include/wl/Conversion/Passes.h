//===- Passes.h - lowering out of the wl dialect ----------------*- C++ -*-===//
#ifndef WL_CONVERSION_PASSES_H
#define WL_CONVERSION_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace wl {
/// Where the generated code runs (wl-emit-metadata's `target`).
enum class Target { CPU, CUDA };

#define GEN_PASS_DECL
#include "wl/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "wl/Conversion/Passes.h.inc"
} // namespace wl

#endif // WL_CONVERSION_PASSES_H
