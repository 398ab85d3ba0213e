// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --wl-llvm-pipeline %s | FileCheck %s --check-prefix=LLVM

// wl.project_param on a stack [g, m, n] (block-diagonal blocks, Kronecker
// factors, Monarch blocks): one scf.for per projection over the g matrices,
// each a rank-reduced strided view of the arena ([m, n], offset i·m·n) handed
// to the same runtime routine as a plain matrix; strict rescales each matrix
// by its own bound, in place.

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<3x4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func private @step_0(%t: i64) {
    %p = wl.param_ref @w : tensor<3x4x8xf32>
    %s = wl.scale %p, 0.5 : tensor<3x4x8xf32>
    wl.param_store @w, %s : tensor<3x4x8xf32>
    wl.project_param @w svd_clip, 1.5
    wl.project_param @w strict, 1.25
    return
  }
  func.func @step(%t: i64) {
    call @step_0(%t) : (i64) -> ()
    return
  }
  func.func @project() {
    return
  }
}

// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %{{.+}}: i64)
//       CHECK:   %[[WV:.+]] = memref.subview %[[ARENA]][0] [96] [1]
//       CHECK:   %[[WE:.+]] = memref.expand_shape %[[WV]] {{\[\[}}0, 1, 2]] output_shape [3, 4, 8]
//       CHECK:   bufferization.materialize_in_destination %{{.+}} in restrict writable %[[WE]] : (tensor<3x4x8xf32>, memref<3x4x8xf32>) -> ()
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C3:.+]] = arith.constant 3 : index
//   CHECK-DAG:   %[[C1:.+]] = arith.constant 1 : index
//       CHECK:   scf.for %[[I:.+]] = %[[C0]] to %[[C3]] step %[[C1]] {
//  CHECK-NEXT:     %[[M:.+]] = memref.subview %[[WE]][%[[I]], 0, 0] [1, 4, 8] [1, 1, 1] : memref<3x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
//  CHECK-NEXT:     %[[ANY:.+]] = memref.cast %[[M]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//  CHECK-NEXT:     %[[C:.+]] = arith.constant 1.500000e+00 : f32
//  CHECK-NEXT:     func.call @wlrt_svd_clip(%[[ANY]], %[[C]])
//  CHECK-NEXT:   }
//  CHECK-NEXT:   scf.for %[[J:.+]] = %[[C0]] to %[[C3]] step %[[C1]] {
//  CHECK-NEXT:     %[[M2:.+]] = memref.subview %[[WE]][%[[J]], 0, 0] [1, 4, 8] [1, 1, 1]
//  CHECK-NEXT:     %[[ANY2:.+]] = memref.cast %[[M2]]
//  CHECK-NEXT:     %[[BETA:.+]] = func.call @wlrt_gram_bound(%[[ANY2]])
//  CHECK-NEXT:     %[[CS:.+]] = arith.constant 1.250000e+00 : f32
//  CHECK-NEXT:     %[[MAX:.+]] = arith.maximumf %[[BETA]], %[[CS]] : f32
//  CHECK-NEXT:     %[[F:.+]] = arith.divf %[[CS]], %[[MAX]] : f32
//  CHECK-NEXT:     linalg.generic {{.*}} ins(%[[M2]] : memref<4x8xf32, strided<[8, 1], offset: ?>>) outs(%[[M2]] : memref<4x8xf32, strided<[8, 1], offset: ?>>)
//       CHECK:       arith.mulf %{{.+}}, %[[F]] : f32
//       CHECK:   return

// Lowered to the LLVM dialect, matrix i's view starts at offset i·32 (m·n) of the arena,
// shape [4, 8], strides [8, 1].
// LLVM-LABEL: llvm.func internal @step_0(
//       LLVM:   %[[MN:.+]] = llvm.mlir.constant(32 : index) : i64
//       LLVM:   %[[OFF:.+]] = llvm.mul %{{.+}}, %[[MN]] overflow<nsw> : i64
//  LLVM-NEXT:   llvm.call @wlrt_svd_clip(%{{.+}}, %{{.+}}, %[[OFF]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64, f32) -> ()
//       LLVM:   %[[OFF2:.+]] = llvm.mul %{{.+}}, %[[MN]] overflow<nsw> : i64
//       LLVM:   llvm.call @wlrt_gram_bound(%{{.+}}, %{{.+}}, %[[OFF2]],
