// Temporaries that one-shot bufferization allocates inside an entry point
// (here the [B, 4] hidden activation) must be freed before it returns
// (ownership-based buffer deallocation; without it a FashionMLP library grew
// by ~260 KiB per wl_forward call). They are allocated and freed through the
// runtime's caching allocator (_mlir_memref_to_llvm_alloc/free in
// runtime/src/Scratch.cpp), never malloc/free directly.
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --wl-llvm-pipeline %s | FileCheck %s

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %r = wl.gelu %y : tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
}

// CHECK-LABEL: llvm.func @wlgen_forward(
//   CHECK-NOT:   @malloc
//       CHECK:   %[[BUF:.+]] = llvm.call @_mlir_memref_to_llvm_alloc(
//   CHECK-NOT:   @free(
//       CHECK:   llvm.call @_mlir_memref_to_llvm_free(
//       CHECK:   llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_wlgen_forward(
