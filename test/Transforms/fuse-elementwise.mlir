// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --canonicalize --cse --wl-fuse-elementwise %s | FileCheck %s

// wl-fuse-elementwise: elementwise producers fuse into consumers that read
// each element once, never into a product (which would recompute the
// activation for every output column and stop being a product for
// wl-gemm-kernels). The bias is the first product's starting value.

module attributes {wl.model = {model = "M"}} {
  wl.param @w1 : tensor<16x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @b1 : tensor<16xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @w2 : tensor<4x16xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w1 = wl.param_ref @w1 : tensor<16x8xf32>
    %b1 = wl.param_ref @b1 : tensor<16xf32>
    %w2 = wl.param_ref @w2 : tensor<4x16xf32>
    %y = wl.linear %x, %w1 : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
    %z = wl.bias_add %y, %b1 : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    %h = wl.relu %z : tensor<?x16xf32>
    %o = wl.linear %h, %w2 : (tensor<?x16xf32>, tensor<4x16xf32>) -> tensor<?x4xf32>
    return %o : tensor<?x4xf32>
  }
}

// CHECK-LABEL: func.func @wlgen_forward(
// The bias broadcast over the batch starts the first product.
//       CHECK:   %[[BIAS:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<16xf32>) outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:   %[[Y:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} {{.*}} outs(%[[BIAS]] : tensor<?x16xf32>)
//  CHECK-NEXT:   ^bb0
//  CHECK-NEXT:     arith.mulf
//  CHECK-NEXT:     arith.addf
//  CHECK-NEXT:     linalg.yield
// relu stays an elementwise pass ...
//       CHECK:   %[[H:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[Y]] : tensor<?x16xf32>)
//       CHECK:     arith.maximumf
// ... and does not enter the second product, whose body stays a multiply-add.
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[H]], %{{.+}} : tensor<?x16xf32>, tensor<4x16xf32>)
//  CHECK-NEXT:   ^bb0
//  CHECK-NEXT:     arith.mulf
//  CHECK-NEXT:     arith.addf
//  CHECK-NEXT:     linalg.yield
