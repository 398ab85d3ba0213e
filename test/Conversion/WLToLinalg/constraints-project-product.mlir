// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// wl.project_param product_clip: the parameter U [m, r] and its partner's
// arena view, V [n, r] -- here LoRA's A stored as Vᵀ [r, n] and viewed
// through memref.transpose (strides [1, n]), no copy -- handed to
// wlrt_product_clip, which rewrites both in place.
//
// Layout: @B [0, 12), @A [16, 26) (aligned to 16 floats).

module attributes {wl.model = {model = "M"}} {
  wl.param @B : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @A : tensor<2x5xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @step(%t: i64) {
    wl.project_param @B product_clip, 0.5 {partner = @A, transposed}
    return
  }
  func.func @project() {
    return
  }
}

//       CHECK: func.func private @wlrt_product_clip(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, f32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>
//   CHECK-DAG:   %[[AV:.+]] = memref.subview %[[ARENA]][16] [10] [1]
//   CHECK-DAG:   %[[AE:.+]] = memref.expand_shape %[[AV]] {{\[\[}}0, 1]] output_shape [2, 5]
//   CHECK-DAG:   %[[BV:.+]] = memref.subview %[[ARENA]][0] [12] [1]
//   CHECK-DAG:   %[[BE:.+]] = memref.expand_shape %[[BV]] {{\[\[}}0, 1]] output_shape [6, 2]
//       CHECK:   %[[AT:.+]] = memref.transpose %[[AE]] (d0, d1) -> (d1, d0) : memref<2x5xf32, strided<[5, 1], offset: 16>> to memref<5x2xf32, strided<[1, 5], offset: 16>>
//  CHECK-NEXT:   %[[V:.+]] = memref.cast %[[AT]] : memref<5x2xf32, strided<[1, 5], offset: 16>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//  CHECK-NEXT:   %[[C:.+]] = arith.constant 5.000000e-01 : f32
//  CHECK-NEXT:   %[[U:.+]] = memref.cast %[[BE]] : memref<6x2xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//  CHECK-NEXT:   call @wlrt_product_clip(%[[U]], %[[V]], %[[C]])
//  CHECK-NEXT:   return
