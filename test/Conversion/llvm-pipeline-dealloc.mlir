// Temporaries that one-shot bufferization allocates inside an entry point
// (here the [B, 4] hidden activation) must be freed before it returns.
// BUG: wl-llvm-pipeline (compiler/lib/Pipeline.cpp) runs one-shot-bufferize
// without any buffer deallocation (ownership-based-buffer-deallocation,
// buffer-deallocation-simplification, bufferization-lower-deallocations), so
// every call to wlgen_forward/backward/loss/loss_backward mallocs its
// temporaries and never frees them: no @free is ever called. A FashionMLP
// library grows by ~260 KiB per wl_forward call at batch 256 (540 MiB after
// 2000 calls).
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --wl-llvm-pipeline %s | FileCheck %s

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<4x8xf32> {init = {kind = "zeros"}, trainable}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %r = wl.gelu %y : tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
}

// CHECK-LABEL: llvm.func @wlgen_forward(
//       CHECK:   %[[BUF:.+]] = llvm.call @malloc(
//       CHECK:   llvm.call @free(
//       CHECK:   llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_wlgen_forward(
