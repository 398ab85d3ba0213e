// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// The structure ops (StructureOps.td) print and parse back. The structured
// wl.layer and wl.resplit_base are in params.mlir.

// CHECK-LABEL: func.func @orthogonal(
// CHECK-SAME: %[[S:[a-zA-Z0-9_]+]]: tensor<6x6xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<6x6xf32>
func.func @orthogonal(%s: tensor<6x6xf32>, %g: tensor<6x6xf32>) -> (tensor<6x4xf32>, tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>) {
  // CHECK: %[[Q:.+]] = wl.cayley %[[S]] : tensor<6x6xf32>
  %q = wl.cayley %s : tensor<6x6xf32>
  // CHECK: %[[DS:.+]] = wl.cayley_grad %[[S]], %[[Q]], %[[G]] : tensor<6x6xf32>
  %ds = wl.cayley_grad %s, %q, %g : tensor<6x6xf32>
  // CHECK: wl.cayley_linear_grad %[[S]], %[[Q]], %[[G]], %[[G]], %[[G]] : tensor<6x6xf32>, tensor<6x6xf32>
  %dl = wl.cayley_linear_grad %s, %q, %g, %g, %g : tensor<6x6xf32>, tensor<6x6xf32>
  // CHECK: %[[E:.+]] = wl.exp_skew %[[S]] : tensor<6x6xf32>
  %e = wl.exp_skew %s : tensor<6x6xf32>
  // CHECK: %[[DE:.+]] = wl.exp_skew_grad %[[S]], %[[G]] : tensor<6x6xf32>
  %de = wl.exp_skew_grad %s, %g : tensor<6x6xf32>
  // CHECK: %[[W:.+]] = wl.leading_block %[[Q]] : (tensor<6x6xf32>) -> tensor<6x4xf32>
  %w = wl.leading_block %q : (tensor<6x6xf32>) -> tensor<6x4xf32>
  // CHECK: wl.embed_block %[[W]] : (tensor<6x4xf32>) -> tensor<6x6xf32>
  %p = wl.embed_block %w : (tensor<6x4xf32>) -> tensor<6x6xf32>
  return %w, %ds, %e, %de : tensor<6x4xf32>, tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>
}

// CHECK-LABEL: func.func @householder(
func.func @householder(%x: tensor<?x6xf32>, %v: tensor<3x6xf32>, %dy: tensor<?x5xf32>) -> (tensor<?x5xf32>, tensor<?x6xf32>, tensor<3x6xf32>) {
  // CHECK: wl.householder %{{.+}}, %{{.+}} : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x5xf32>
  %y = wl.householder %x, %v : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x5xf32>
  // CHECK: wl.householder_grad %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x6xf32>, tensor<3x6xf32>, tensor<?x5xf32>) -> (tensor<?x6xf32>, tensor<3x6xf32>)
  %dx, %dv = wl.householder_grad %x, %v, %dy : (tensor<?x6xf32>, tensor<3x6xf32>, tensor<?x5xf32>) -> (tensor<?x6xf32>, tensor<3x6xf32>)
  return %y, %dx, %dv : tensor<?x5xf32>, tensor<?x6xf32>, tensor<3x6xf32>
}

// CHECK-LABEL: func.func @scaling(
func.func @scaling(%x: tensor<?x4xf32>, %d: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4xf32>) {
  // CHECK: wl.scale_columns %{{.+}}, %{{.+}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %y = wl.scale_columns %x, %d : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: wl.column_dot %{{.+}}, %{{.+}} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<4xf32>
  %dd = wl.column_dot %x, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<4xf32>
  // CHECK: %[[I:.+]] = wl.eye : tensor<4x4xf32>
  %i = wl.eye : tensor<4x4xf32>
  // CHECK: wl.transpose %[[I]] : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %t = wl.transpose %i : (tensor<4x4xf32>) -> tensor<4x4xf32>
  // CHECK: wl.abs_clamp %{{.+}} {bound = 5.000000e-01 : f64} : tensor<4xf32>
  %c = wl.abs_clamp %d {bound = 0.5 : f64} : tensor<4xf32>
  return %y, %dd, %i, %t, %c : tensor<?x4xf32>, tensor<4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4xf32>
}

// wl.contract: operands with their indexing maps, the result's last; and
// wl.reshape between an activation [B, n1·n2] and [B, n1, n2].
// CHECK-LABEL: func.func @contract(
func.func @contract(%x: tensor<?x8xf32>, %a: tensor<2x3x4xf32>) -> (tensor<?x2x3x2xf32>, tensor<?x8xf32>) {
  // CHECK: %[[X3:.+]] = wl.reshape %{{.+}} : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
  %x3 = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
  // CHECK: wl.contract %{{.+}}, %[[X3]] {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}]} : (tensor<2x3x4xf32>, tensor<?x4x2xf32>) -> tensor<?x2x3x2xf32>
  %t = wl.contract %a, %x3 {indexing_maps = [affine_map<(b, k, i, j, q) -> (k, i, j)>,
                                             affine_map<(b, k, i, j, q) -> (b, j, q)>,
                                             affine_map<(b, k, i, j, q) -> (b, k, i, q)>]}
      : (tensor<2x3x4xf32>, tensor<?x4x2xf32>) -> tensor<?x2x3x2xf32>
  // CHECK: wl.reshape %[[X3]] : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
  %back = wl.reshape %x3 : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
  return %t, %back : tensor<?x2x3x2xf32>, tensor<?x8xf32>
}

// wl.reshape between a sequence [B, T, d] and its positions as rows
// [B·T, d] (position-wise layers are one GEMM over them), both ways.
// CHECK-LABEL: func.func @positions_as_rows(
func.func @positions_as_rows(%x: tensor<?x4x8xf32>) -> tensor<?x4x8xf32> {
  // CHECK: %[[R:.+]] = wl.reshape %{{.+}} : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
  %rows = wl.reshape %x : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
  // CHECK: wl.reshape %[[R]] : (tensor<?x8xf32>) -> tensor<?x4x8xf32>
  %back = wl.reshape %rows : (tensor<?x8xf32>) -> tensor<?x4x8xf32>
  return %back : tensor<?x4x8xf32>
}

// sst's U diag(s) Vᵀ applied to a batch.
// CHECK-LABEL: func.func @sst_product(
func.func @sst_product(%x: tensor<?x4xf32>, %u: tensor<6x4xf32>, %s: tensor<4xf32>, %v: tensor<4x4xf32>) -> tensor<?x6xf32> {
  // CHECK: wl.sst_product %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x4xf32>, tensor<6x4xf32>, tensor<4xf32>, tensor<4x4xf32>) -> tensor<?x6xf32>
  %y = wl.sst_product %x, %u, %s, %v : (tensor<?x4xf32>, tensor<6x4xf32>, tensor<4xf32>, tensor<4x4xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}
