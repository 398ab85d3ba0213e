// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --wl-llvm-pipeline %s | FileCheck %s

// wl-llvm-pipeline: one-shot bufferization, then everything down to the LLVM
// dialect. The entry points get their C-interface wrappers
// (_mlir_ciface_wlgen_*) taking one pointer per memref descriptor.

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %b = wl.param_ref @b : tensor<4xf32>
    %z = wl.bias_add %y, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %r = wl.gelu %z : tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
  func.func @loss(%x: tensor<?x8xf32>, %t: tensor<?x4xf32>) -> f32 {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %l = wl.mse %y, %t : tensor<?x4xf32>
    return %l : f32
  }
}

//       CHECK: module attributes {{.*}}wl.arena_size = 96 : i64
//   CHECK-NOT: linalg.
//   CHECK-NOT: tensor.
//   CHECK-NOT: bufferization.
//   CHECK-NOT: memref.
//   CHECK-NOT: scf.
//   CHECK-NOT: cf.
//   CHECK-NOT: math.
//   CHECK-NOT: arith.
//   CHECK-NOT: func.func
//   CHECK-NOT: unrealized_conversion_cast
// The arena descriptor is expanded to (allocated, aligned, offset, size, stride).
//       CHECK: llvm.func @wlgen_forward(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64,
//  CHECK-SAME:     attributes {llvm.emit_c_interface}
//       CHECK: llvm.func @_mlir_ciface_wlgen_forward(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
//       CHECK:   llvm.call @wlgen_forward(
//       CHECK: llvm.func @wlgen_loss(
//  CHECK-SAME:     -> f32
//       CHECK: llvm.func @_mlir_ciface_wlgen_loss(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) -> f32
//   CHECK-NOT: linalg.
//   CHECK-NOT: tensor.
//   CHECK-NOT: bufferization.
//   CHECK-NOT: memref.
//   CHECK-NOT: arith.
//   CHECK-NOT: func.func
