//===- Passes.h - transformations of the generated code ---------*- C++ -*-===//
#ifndef WL_TRANSFORMS_PASSES_H
#define WL_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace wl {
#define GEN_PASS_DECL
#include "wl/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "wl/Transforms/Passes.h.inc"

/// Whether `op`, on tensors, maps the result of the matrix product right
/// before it elementwise, and is that result's only reader (relu(x Wᵀ + b)):
/// wl-gemm-kernels then applies it as the kernel stores C (its epilogue), so
/// other passes leave it whole (GemmKernels.cpp).
bool isProductEpilogue(mlir::linalg::GenericOp op);
} // namespace wl

#endif // WL_TRANSFORMS_PASSES_H
