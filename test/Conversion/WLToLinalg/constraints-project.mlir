// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --wl-llvm-pipeline %s | FileCheck %s --check-prefix=LLVM

// wl.project_param: a call of a runtime routine (runtime/include/wl/wlgen.h)
// on the parameter's arena view itself, right after the store into that
// view; the view is passed as a strided memref<?x?xf32> (memref.cast). The
// routines are declared once, private, with llvm.emit_c_interface, keep
// their names (no wlgen_ prefix, no internal linkage) and take only their
// own operands: the arena is prepended to calls between generated functions
// only.
//
// Layout: @w [0, 32), @v [32, 50); no gradients, no state.

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @v : tensor<6x3xf32> {init = #wl.init<kind = zeros>, trainable}

  func.func private @step_0(%t: i64) {
    %p = wl.param_ref @w : tensor<4x8xf32>
    %s = wl.scale %p, 0.5 : tensor<4x8xf32>
    wl.param_store @w, %s : tensor<4x8xf32>
    wl.project_param @w svd_clip, 1.5
    wl.project_param @w rank_at_most, 2.0
    wl.project_param @w strict, 1.25
    %q = wl.param_ref @v : tensor<6x3xf32>
    wl.param_store @v, %q : tensor<6x3xf32>
    wl.project_param @v svd_clip, 3.0
    return
  }

  func.func @step(%t: i64) {
    call @step_0(%t) : (i64) -> ()
    return
  }

  func.func @project() {
    %p = wl.param_ref @w : tensor<4x8xf32>
    wl.param_store @w, %p : tensor<4x8xf32>
    wl.project_param @w svd_clip, 1.5
    return
  }
}

//       CHECK: module attributes {wl.arena_size = {{[0-9]+}} : i64, wl.model = {model = "M"}} {
// The declarations, one per routine, at the top of the module.
//   CHECK-DAG:   func.func private @wlrt_svd_clip(memref<?x?xf32, strided<[?, ?], offset: ?>>, f32) attributes {llvm.emit_c_interface}{{$}}
//   CHECK-DAG:   func.func private @wlrt_rank_project(memref<?x?xf32, strided<[?, ?], offset: ?>>, i64) attributes {llvm.emit_c_interface}{{$}}
//   CHECK-DAG:   func.func private @wlrt_gram_bound(memref<?x?xf32, strided<[?, ?], offset: ?>>) -> f32 attributes {llvm.emit_c_interface}{{$}}
//   CHECK-NOT:   func.func private @wlrt_

// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %{{.+}}: i64)
//  CHECK-SAME:     attributes {llvm.linkage = #llvm.linkage<internal>}
//   CHECK-DAG:   %[[VV:.+]] = memref.subview %[[ARENA]][32] [18] [1]
//   CHECK-DAG:   %[[VE:.+]] = memref.expand_shape %[[VV]] {{\[\[}}0, 1]] output_shape [6, 3]
//   CHECK-DAG:   %[[V:.+]] = bufferization.to_tensor %[[VE]] restrict writable
//   CHECK-DAG:   %[[WV:.+]] = memref.subview %[[ARENA]][0] [32] [1]
//   CHECK-DAG:   %[[WE:.+]] = memref.expand_shape %[[WV]] {{\[\[}}0, 1]] output_shape [4, 8]
//   CHECK-DAG:   %[[W:.+]] = bufferization.to_tensor %[[WE]] restrict writable
//       CHECK:   %[[NEW:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x8xf32>)
// The store, then the projections on the same view, in order.
//       CHECK:   bufferization.materialize_in_destination %[[NEW]] in restrict writable %[[WE]] : (tensor<4x8xf32>, memref<4x8xf32>) -> ()
//  CHECK-NEXT:   %[[WANY:.+]] = memref.cast %[[WE]] : memref<4x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//  CHECK-NEXT:   %[[C:.+]] = arith.constant 1.500000e+00 : f32
//  CHECK-NEXT:   call @wlrt_svd_clip(%[[WANY]], %[[C]]) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, f32) -> ()
//  CHECK-NEXT:   %[[R:.+]] = arith.constant 2 : i64
//  CHECK-NEXT:   call @wlrt_rank_project(%[[WANY]], %[[R]]) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, i64) -> ()
// strict: β from the routine, then W ← W·c/max(β, c) in place on the view
// (a linalg.generic on memrefs, no result).
//  CHECK-NEXT:   %[[BETA:.+]] = call @wlrt_gram_bound(%[[WANY]]) : (memref<?x?xf32, strided<[?, ?], offset: ?>>) -> f32
//  CHECK-NEXT:   %[[CS:.+]] = arith.constant 1.250000e+00 : f32
//  CHECK-NEXT:   %[[M:.+]] = arith.maximumf %[[BETA]], %[[CS]] : f32
//  CHECK-NEXT:   %[[F:.+]] = arith.divf %[[CS]], %[[M]] : f32
//  CHECK-NEXT:   linalg.generic {{.*}} ins(%[[WE]] : memref<4x8xf32>) outs(%[[WE]] : memref<4x8xf32>) {
//  CHECK-NEXT:   ^bb0(%[[X:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[Y:.+]] = arith.mulf %[[X]], %[[F]] : f32
//  CHECK-NEXT:     linalg.yield %[[Y]] : f32
//  CHECK-NEXT:   }
// The other parameter: its own view (offset 32, strided type).
//  CHECK-NEXT:   bufferization.materialize_in_destination %[[V]] in restrict writable %[[VE]]
//  CHECK-NEXT:   %[[VANY:.+]] = memref.cast %[[VE]] : memref<6x3xf32, strided<[3, 1], offset: 32>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//  CHECK-NEXT:   %[[C3:.+]] = arith.constant 3.000000e+00 : f32
//  CHECK-NEXT:   call @wlrt_svd_clip(%[[VANY]], %[[C3]])
//  CHECK-NEXT:   return

// Calls between generated functions get the arena (contrast with the above).
// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[T:[a-zA-Z0-9_]+]]: i64) attributes {llvm.emit_c_interface}
//  CHECK-NEXT:   call @step_0(%[[ARENA]], %[[T]]) : (memref<?xf32>, i64) -> ()

// @project is an entry point (wl_create calls it).
// CHECK-LABEL: func.func @wlgen_project(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>) attributes {llvm.emit_c_interface}
//       CHECK:   %[[WV:.+]] = memref.subview %[[ARENA]][0] [32] [1]
//       CHECK:   %[[WE:.+]] = memref.expand_shape %[[WV]]
//       CHECK:   bufferization.materialize_in_destination %{{.+}} in restrict writable %[[WE]]
//  CHECK-NEXT:   %[[WANY:.+]] = memref.cast %[[WE]]
//  CHECK-NEXT:   %[[C:.+]] = arith.constant 1.500000e+00 : f32
//  CHECK-NEXT:   call @wlrt_svd_clip(%[[WANY]], %[[C]])
//  CHECK-NEXT:   return

// In the LLVM dialect, the C interface makes each routine a call of
// _mlir_ciface_wlrt_* with a pointer to the view's descriptor, the symbols
// runtime/include/wl/wlgen.h declares.
//   LLVM-DAG: llvm.func @_mlir_ciface_wlrt_svd_clip(!llvm.ptr, f32)
//   LLVM-DAG: llvm.func @_mlir_ciface_wlrt_rank_project(!llvm.ptr, i64)
//   LLVM-DAG: llvm.func @_mlir_ciface_wlrt_gram_bound(!llvm.ptr) -> f32
// LLVM-LABEL: llvm.func internal @step_0(
//       LLVM:   llvm.call @wlrt_svd_clip(
//  LLVM-NEXT:   llvm.call @wlrt_rank_project(
//  LLVM-NEXT:   llvm.call @wlrt_gram_bound(
//       LLVM:   llvm.call @wlrt_svd_clip(
// LLVM-LABEL: llvm.func @wlgen_project(
//       LLVM:   llvm.call @wlrt_svd_clip(
