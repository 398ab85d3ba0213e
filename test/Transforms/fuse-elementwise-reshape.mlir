// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --canonicalize --cse --wl-fuse-elementwise %s | FileCheck %s

// wl-fuse-elementwise does not fold a reshape of a product's result into the
// product: Kronecker's x·Bᵀ over [B·n1, n2] rows read back as [B, n1, m2]
// stays one GEMM of three loops (rows, columns, k) for wl-gemm-kernels,
// instead of a four-loop product with two row loops. An elementwise pass
// after the reshape still takes it in (the relu below reads [B, n1, m2]).

module attributes {wl.model = {model = "M"}} {
  wl.param @w : tensor<6x8xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x32xf32>) -> tensor<?x24xf32> {
    %w = wl.param_ref @w : tensor<6x8xf32>
    %x3 = wl.reshape %x : (tensor<?x32xf32>) -> tensor<?x4x8xf32>
    %x2 = wl.reshape %x3 : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
    %t = wl.matmul %x2, %w {transpose_rhs} : (tensor<?x8xf32>, tensor<6x8xf32>) -> tensor<?x6xf32>
    %t3 = wl.reshape %t : (tensor<?x6xf32>) -> tensor<?x4x6xf32>
    %h = wl.relu %t3 : tensor<?x4x6xf32>
    %y = wl.reshape %h : (tensor<?x4x6xf32>) -> tensor<?x24xf32>
    return %y : tensor<?x24xf32>
  }
}

// CHECK-LABEL: func.func @wlgen_forward(
//       CHECK:   %[[T:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?x8xf32>, tensor<6x8xf32>) outs(%{{.+}} : tensor<?x6xf32>)
//       CHECK:   tensor.expand_shape %[[T]] {{\[\[}}0, 1], [2]] {{.*}} : tensor<?x6xf32> into tensor<?x4x6xf32>
//       CHECK:   arith.maximumf
//   CHECK-NOT:   iterator_types = ["parallel", "parallel", "parallel", "reduction"]
