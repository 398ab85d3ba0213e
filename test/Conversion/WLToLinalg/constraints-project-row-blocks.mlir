// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// wl.project_param row_block_scale: bone(mode = bat)'s B [4, 4, 4] (the
// parameter) and its frozen base [16, 8] (the partner), both arena views,
// handed to wlrt_row_block_scale, which scales B in place.
//
// Layout: @W [0, 128), @B [128, 192).

module attributes {wl.model = {model = "M"}} {
  wl.param @W : tensor<16x8xf32> {init = #wl.init<kind = zeros>}
  wl.param @B : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @step(%t: i64) {
    wl.project_param @B row_block_scale, 0.5 {partner = @W}
    return
  }
  func.func @project() {
    return
  }
}

//       CHECK: func.func private @wlrt_row_block_scale(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, f32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>
//   CHECK-DAG:   %[[WV:.+]] = memref.subview %[[ARENA]][0] [128] [1]
//   CHECK-DAG:   %[[WE:.+]] = memref.expand_shape %[[WV]] {{\[\[}}0, 1]] output_shape [16, 8]
//   CHECK-DAG:   %[[BV:.+]] = memref.subview %[[ARENA]][128] [64] [1]
//   CHECK-DAG:   %[[BE:.+]] = memref.expand_shape %[[BV]] {{\[\[}}0, 1, 2]] output_shape [4, 4, 4]
//       CHECK:   %[[BASE:.+]] = memref.cast %[[WE]] : memref<16x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[B:.+]] = memref.cast %[[BE]] : memref<4x4x4xf32, strided<[16, 4, 1], offset: 128>> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
//       CHECK:   %[[C:.+]] = arith.constant 5.000000e-01 : f32
//       CHECK:   call @wlrt_row_block_scale(%[[BASE]], %[[B]], %[[C]])
//  CHECK-NEXT:   return
