// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg %s | FileCheck %s

// Binding to the arena: entry functions become wlgen_<name> with the C
// interface and the arena memref<?xf32> as first argument; tensor arguments
// become memrefs read with `to_tensor restrict`; tensor results become
// trailing output memrefs written with `materialize_in_destination`;
// parameter, gradient and state accesses become views of the arena at the
// offsets wl-assign-arena chose. The declarations are consumed.
//
// Layout: @w [0, 32), @b [32, 36), @f [48, 64); grads @w 64, @b 96;
// momentum buffers @w 112, @b 144; arena_size 160.

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}
  wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}
  wl.param @f : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>}
  wl.layer @fc : 8 -> 4 {bias = @b, structure = [#wl.structure<dense>], weight = @w}
  wl.optimizer_group "sgd" [@w, @b] {hyper = {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
  wl.schedule "constant"

  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %f = wl.param_ref @f : tensor<4x4xf32>
    %z = wl.linear %y, %f : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    return %z : tensor<?x4xf32>
  }

  func.func @backward(%x: tensor<?x8xf32>, %dy: tensor<?x4xf32>) -> tensor<?x8xf32> {
    %db = wl.reduce_batch %dy : (tensor<?x4xf32>) -> tensor<4xf32>
    wl.grad_accumulate @b, %db : tensor<4xf32>
    wl.grad_accumulate @b, %db : tensor<4xf32>
    %w = wl.param_ref @w : tensor<4x8xf32>
    %dx = wl.matmul %dy, %w : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
    return %dx : tensor<?x8xf32>
  }

  func.func @loss(%x: tensor<?x8xf32>, %labels: tensor<?xi32>) -> f32 {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    %l = wl.cross_entropy %y, %labels : tensor<?x4xf32>, tensor<?xi32>
    return %l : f32
  }

  func.func private @step_0(%t: i64) {
    %lr = arith.constant 1.000000e-01 : f32
    %p = wl.param_ref @w : tensor<4x8xf32>
    %g = wl.grad_ref @w : tensor<4x8xf32>
    %m = wl.state_ref @w["momentum_buffer"] : tensor<4x8xf32>
    %np, %nm = wl.sgd_update %p, %g, buffer %m : tensor<4x8xf32>, %lr {momentum = 9.000000e-01 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64} : tensor<4x8xf32>, tensor<4x8xf32>
    wl.param_store @w, %np : tensor<4x8xf32>
    wl.state_store @w["momentum_buffer"], %nm : tensor<4x8xf32>
    return
  }

  func.func @step(%t: i64) {
    call @step_0(%t) : (i64) -> ()
    return
  }
}

// The declarations are erased; the module keeps its attributes.
//       CHECK: module attributes {wl.arena_size = 160 : i64, wl.model = {model = "M"}}
//   CHECK-NOT: wl.param
//   CHECK-NOT: wl.layer
//   CHECK-NOT: wl.optimizer_group
//   CHECK-NOT: wl.schedule

// CHECK-LABEL: func.func @wlgen_forward(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[X:[a-zA-Z0-9_]+]]: memref<?x8xf32>, %[[Y:[a-zA-Z0-9_]+]]: memref<?x4xf32>)
//  CHECK-SAME:     attributes {llvm.emit_c_interface}
// Read-only parameter views: restrict, not writable.
//   CHECK-DAG:   %[[FV:.+]] = memref.subview %[[ARENA]][48] [16] [1] : memref<?xf32> to memref<16xf32, strided<[1], offset: 48>>
//   CHECK-DAG:   %[[FE:.+]] = memref.expand_shape %[[FV]] {{\[\[}}0, 1]] output_shape [4, 4]
//   CHECK-DAG:   %[[F:.+]] = bufferization.to_tensor %[[FE]] restrict : memref<4x4xf32, strided<[4, 1], offset: 48>> to tensor<4x4xf32>
//   CHECK-DAG:   %[[WV:.+]] = memref.subview %[[ARENA]][0] [32] [1] : memref<?xf32> to memref<32xf32, strided<[1]>>
//   CHECK-DAG:   %[[WE:.+]] = memref.expand_shape %[[WV]] {{\[\[}}0, 1]] output_shape [4, 8]
//   CHECK-DAG:   %[[W:.+]] = bufferization.to_tensor %[[WE]] restrict : memref<4x8xf32> to tensor<4x8xf32>
//   CHECK-DAG:   %[[XT:.+]] = bufferization.to_tensor %[[X]] restrict : memref<?x8xf32> to tensor<?x8xf32>
//       CHECK:   %[[H:.+]] = linalg.generic {{.*}} ins(%[[XT]], %[[W]] : tensor<?x8xf32>, tensor<4x8xf32>)
//       CHECK:   %[[Z:.+]] = linalg.generic {{.*}} ins(%[[H]], %[[F]] : tensor<?x4xf32>, tensor<4x4xf32>)
//       CHECK:   bufferization.materialize_in_destination %[[Z]] in restrict writable %[[Y]] : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
//  CHECK-NEXT:   return{{$}}

// Gradients are accumulated in place: each grad_accumulate adds to the
// latest value of the gradient view and materializes the sum into it.
// CHECK-LABEL: func.func @wlgen_backward(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[X:[a-zA-Z0-9_]+]]: memref<?x8xf32>, %[[DY:[a-zA-Z0-9_]+]]: memref<?x4xf32>, %[[DX:[a-zA-Z0-9_]+]]: memref<?x8xf32>)
//  CHECK-SAME:     attributes {llvm.emit_c_interface}
//   CHECK-DAG:   %[[GBV:.+]] = memref.subview %[[ARENA]][96] [4] [1] : memref<?xf32> to memref<4xf32, strided<[1], offset: 96>>
//   CHECK-DAG:   %[[GB:.+]] = bufferization.to_tensor %[[GBV]] restrict writable : memref<4xf32, strided<[1], offset: 96>> to tensor<4xf32>
//   CHECK-DAG:   %[[DYT:.+]] = bufferization.to_tensor %[[DY]] restrict : memref<?x4xf32> to tensor<?x4xf32>
//       CHECK:   %[[DB:.+]] = linalg.generic {{.*}} ins(%[[DYT]] : tensor<?x4xf32>)
//       CHECK:   %[[ACC1:.+]] = linalg.generic {{.*}} ins(%[[GB]], %[[DB]] : tensor<4xf32>, tensor<4xf32>)
//       CHECK:     arith.addf
//       CHECK:   bufferization.materialize_in_destination %[[ACC1]] in restrict writable %[[GBV]]
//       CHECK:   %[[ACC2:.+]] = linalg.generic {{.*}} ins(%[[ACC1]], %[[DB]] : tensor<4xf32>, tensor<4xf32>)
//       CHECK:     arith.addf
//       CHECK:   bufferization.materialize_in_destination %[[ACC2]] in restrict writable %[[GBV]]
//       CHECK:   %[[DXT:.+]] = linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[DXT]] in restrict writable %[[DX]] : (tensor<?x8xf32>, memref<?x8xf32>) -> ()

// A scalar result stays a result; labels are an i32 memref.
// CHECK-LABEL: func.func @wlgen_loss(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[X:[a-zA-Z0-9_]+]]: memref<?x8xf32>, %[[L:[a-zA-Z0-9_]+]]: memref<?xi32>) -> f32
//  CHECK-SAME:     attributes {llvm.emit_c_interface}
//       CHECK:   bufferization.to_tensor %[[L]] restrict : memref<?xi32> to tensor<?xi32>
//   CHECK-NOT:   bufferization.materialize_in_destination
//       CHECK:   return %{{.+}} : f32

// Non-entry functions keep their name, become private, get the arena too;
// written views are writable and get the update materialized.
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[T:[a-zA-Z0-9_]+]]: i64)
//  CHECK-SAME:     llvm.linkage = #llvm.linkage<internal>
//   CHECK-DAG:   %[[MV:.+]] = memref.subview %[[ARENA]][112] [32] [1]
//   CHECK-DAG:   %[[ME:.+]] = memref.expand_shape %[[MV]]
//   CHECK-DAG:   %[[M:.+]] = bufferization.to_tensor %[[ME]] restrict writable
//   CHECK-DAG:   %[[GV:.+]] = memref.subview %[[ARENA]][64] [32] [1]
//   CHECK-DAG:   %[[GE:.+]] = memref.expand_shape %[[GV]]
//   CHECK-DAG:   %[[G:.+]] = bufferization.to_tensor %[[GE]] restrict :
//   CHECK-DAG:   %[[PV:.+]] = memref.subview %[[ARENA]][0] [32] [1]
//   CHECK-DAG:   %[[PE:.+]] = memref.expand_shape %[[PV]]
//   CHECK-DAG:   %[[P:.+]] = bufferization.to_tensor %[[PE]] restrict writable
//       CHECK:   %[[U:.+]]:2 = linalg.generic {{.*}} ins(%[[P]], %[[G]], %[[M]] : {{.*}}) outs(%[[P]], %[[M]] :
//       CHECK:   bufferization.materialize_in_destination %[[U]]#0 in restrict writable %[[PE]]
//       CHECK:   bufferization.materialize_in_destination %[[U]]#1 in restrict writable %[[ME]]

// Calls pass the caller's arena along.
// CHECK-LABEL: func.func @wlgen_step(
//  CHECK-SAME:     %[[ARENA:[a-zA-Z0-9_]+]]: memref<?xf32>, %[[T:[a-zA-Z0-9_]+]]: i64)
//  CHECK-SAME:     attributes {llvm.emit_c_interface}
//  CHECK-NEXT:   call @step_0(%[[ARENA]], %[[T]]) : (memref<?xf32>, i64) -> ()
//  CHECK-NEXT:   return
