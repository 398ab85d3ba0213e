// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// wl.project_param product_clip with a `left` factor: the product
// U diag(d) Vᵀ of loldu's frozen (PL)_r [6, 2] (`left`), its trained z [2]
// (the parameter) and U_r stored [2, 5] (the partner, viewed transposed as
// V [5, 2], no copy), handed to wlrt_diag_product_clip with `fixed` = 1 (only
// z may change). Without `fixed` (sorsa) the flag is 0.
//
// Layout: @L [0, 12), @z [16, 18), @U [32, 42); the second model's the same.

module attributes {wl.model = {model = "M"}} {
  wl.param @L : tensor<6x2xf32> {init = #wl.init<kind = zeros>}
  wl.param @z : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @U : tensor<2x5xf32> {init = #wl.init<kind = zeros>}
  func.func @step(%t: i64) {
    wl.project_param @z product_clip, 0.5 {partner = @U, transposed, left = @L, fixed}
    return
  }
  func.func @project() {
    wl.project_param @z product_clip, 0.25 {partner = @U, transposed, left = @L}
    return
  }
}

//       CHECK: func.func private @wlrt_diag_product_clip(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, f32, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>
//   CHECK-DAG:   %[[LV:.+]] = memref.subview %[[ARENA]][0] [12] [1]
//   CHECK-DAG:   %[[LE:.+]] = memref.expand_shape %[[LV]] {{\[\[}}0, 1]] output_shape [6, 2]
//   CHECK-DAG:   %[[UV:.+]] = memref.subview %[[ARENA]][32] [10] [1]
//   CHECK-DAG:   %[[UE:.+]] = memref.expand_shape %[[UV]] {{\[\[}}0, 1]] output_shape [2, 5]
//   CHECK-DAG:   %[[ZV:.+]] = memref.subview %[[ARENA]][16] [2] [1]
//       CHECK:   %[[UT:.+]] = memref.transpose %[[UE]] (d0, d1) -> (d1, d0) : memref<2x5xf32, strided<[5, 1], offset: 32>> to memref<5x2xf32, strided<[1, 5], offset: 32>>
//       CHECK:   %[[V:.+]] = memref.cast %[[UT]]
//       CHECK:   %[[C:.+]] = arith.constant 5.000000e-01 : f32
//       CHECK:   %[[LEFT:.+]] = memref.cast %[[LE]] : memref<6x2xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[D:.+]] = memref.cast %[[ZV]] : memref<2xf32, strided<[1], offset: 16>> to memref<?xf32, strided<[?], offset: ?>>
//       CHECK:   %[[FIXED:.+]] = arith.constant 1 : i64
//       CHECK:   call @wlrt_diag_product_clip(%[[LEFT]], %[[D]], %[[V]], %[[C]], %[[FIXED]])
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @wlgen_project(
//       CHECK:   %[[C:.+]] = arith.constant 2.500000e-01 : f32
//       CHECK:   %[[REFIT:.+]] = arith.constant 0 : i64
//       CHECK:   call @wlrt_diag_product_clip(%{{.+}}, %{{.+}}, %{{.+}}, %[[C]], %[[REFIT]])
