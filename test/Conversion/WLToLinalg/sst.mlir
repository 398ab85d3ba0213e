// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// sst on the arena (WLToLinalg.cpp, sstRoundInPlace; Structures.cpp,
// LowerSstProduct). wl.sst_product is x V, scaled per column by s, times Uᵀ:
// three passes, W never formed. wl.sst_round hands U, s, V and `sampled` to
// the runtime: in @project wlrt_sst_init (rank, stream); at the end of @step,
// when t is a multiple of `every`, wlrt_sst_reset_state zeroes the sampled
// columns of each optimizer state of U and V (not s's) before wlrt_sst_step
// (rank, stream, t, every) re-decomposes and samples the next round.
//
// Layout: U [0, 15), s [16, 19), V [32, 41), sampled [48, 51); gradients of
// U, s, V at 64, 80, 96; U's exp_avg, exp_avg_sq at 112, 128; s's at 144,
// 160; V's momentum_buffer at 176.

module attributes {wl.model = {model = "M"}} {
  wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, state = ["exp_avg", "exp_avg_sq"], trainable}
  wl.param @s : tensor<3xf32> {init = #wl.init<kind = zeros>, state = ["exp_avg", "exp_avg_sq"], trainable}
  wl.param @V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}
  wl.param @m : tensor<3xf32> {init = #wl.init<kind = zeros>}
  func.func @forward(%x: tensor<?x3xf32>) -> tensor<?x5xf32> {
    %u = wl.param_ref @U : tensor<5x3xf32>
    %s = wl.param_ref @s : tensor<3xf32>
    %v = wl.param_ref @V : tensor<3x3xf32>
    %y = wl.sst_product %x, %u, %s, %v : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<3xf32>, tensor<3x3xf32>) -> tensor<?x5xf32>
    return %y : tensor<?x5xf32>
  }
  func.func @step(%t: i64) {
    wl.sst_round @U, @s, @V, @m step %t {rank = 2 : i64, every = 4 : i64, stream = 1 : i64}
    return
  }
  func.func @project() {
    wl.sst_round @U, @s, @V, @m {rank = 2 : i64, every = 4 : i64, stream = 1 : i64}
    return
  }
}

//       CHECK: func.func private @wlrt_sst_init(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i64, i64) attributes {llvm.emit_c_interface}
//       CHECK: func.func private @wlrt_sst_step(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
//       CHECK: func.func private @wlrt_sst_reset_state(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>) attributes {llvm.emit_c_interface}

// CHECK-LABEL: func.func @wlgen_forward(
//       CHECK:   %[[XV:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
//       CHECK:   %[[XVS:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[XV]], %{{.+}} : tensor<?x3xf32>, tensor<3xf32>)
//       CHECK:   %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[XVS]], %{{.+}} : tensor<?x3xf32>, tensor<5x3xf32>)
//       CHECK:   bufferization.materialize_in_destination %[[Y]]

// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[T:[a-zA-Z0-9_]+]]: i64
//   CHECK-DAG:   %[[VM:.+]] = memref.subview %[[ARENA]][176] [9] [1]
//   CHECK-DAG:   %[[UM2:.+]] = memref.subview %[[ARENA]][128] [15] [1]
//   CHECK-DAG:   %[[UM1:.+]] = memref.subview %[[ARENA]][112] [15] [1]
//   CHECK-DAG:   %[[MASK:.+]] = memref.subview %[[ARENA]][48] [3] [1]
//   CHECK-DAG:   %[[U:.+]] = memref.cast {{.*}} : memref<5x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//   CHECK-DAG:   %[[S:.+]] = memref.cast {{.*}} : memref<3xf32, strided<[1], offset: 16>> to
//   CHECK-DAG:   %[[V:.+]] = memref.cast {{.*}} : memref<3x3xf32, strided<[3, 1], offset: 32>> to
//   CHECK-DAG:   %[[M:.+]] = memref.cast %[[MASK]]
//   CHECK-DAG:   %[[RANK:.+]] = arith.constant 2 : i64
//   CHECK-DAG:   %[[STREAM:.+]] = arith.constant 1 : i64
//   CHECK-DAG:   %[[EVERY:.+]] = arith.constant 4 : i64
//       CHECK:   %[[REM:.+]] = arith.remsi %[[T]], %[[EVERY]]
//       CHECK:   %[[END:.+]] = arith.cmpi eq, %[[REM]], %{{.+}}
//       CHECK:   scf.if %[[END]] {
//       CHECK:     memref.cast {{.*}}offset: 112>>
//       CHECK:     func.call @wlrt_sst_reset_state(%{{.+}}, %[[M]])
//       CHECK:     memref.cast {{.*}}offset: 128>>
//       CHECK:     func.call @wlrt_sst_reset_state(%{{.+}}, %[[M]])
//       CHECK:     memref.cast {{.*}}offset: 176>>
//       CHECK:     func.call @wlrt_sst_reset_state(%{{.+}}, %[[M]])
//   CHECK-NOT:     wlrt_sst_reset_state
//       CHECK:   }
//  CHECK-NEXT:   call @wlrt_sst_step(%[[U]], %[[S]], %[[V]], %[[M]], %[[RANK]], %[[STREAM]], %[[T]], %[[EVERY]])
//  CHECK-NEXT:   return

// CHECK-LABEL: func.func @wlgen_project(
//       CHECK:   call @wlrt_sst_init(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i64, i64) -> ()
//  CHECK-NEXT:   return
