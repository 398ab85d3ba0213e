// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the sequence ops (SequenceOps.td): row form [B·T, d].

// CHECK-LABEL: func.func @tokens(
// CHECK-SAME: %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x8xi32>, %[[E:[a-zA-Z0-9_]+]]: tensor<50x16xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<8x16xf32>
func.func @tokens(%ids: tensor<?x8xi32>, %e: tensor<50x16xf32>, %p: tensor<8x16xf32>) -> tensor<?x16xf32> {
  // CHECK: %[[POS:.+]] = wl.positions %[[IDS]] {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
  %pos = wl.positions %ids {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
  // CHECK: %[[X:.+]] = wl.embedding %[[E]], %[[IDS]] : (tensor<50x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  %x = wl.embedding %e, %ids : (tensor<50x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  // CHECK: wl.embedding %[[P]], %[[POS]] : (tensor<8x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  %y = wl.embedding %p, %pos : (tensor<8x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  // CHECK: wl.embedding_grad %[[IDS]], %[[X]] : (tensor<?x8xi32>, tensor<?x16xf32>) -> tensor<50x16xf32>
  %g = wl.embedding_grad %ids, %x : (tensor<?x8xi32>, tensor<?x16xf32>) -> tensor<50x16xf32>
  return %y : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @positions_of_features(
func.func @positions_of_features(%x: tensor<?x24xf32>) -> tensor<?x3xi32> {
  // CHECK: wl.positions %{{.+}} {length = 3 : i64} : tensor<?x24xf32> -> tensor<?x3xi32>
  %pos = wl.positions %x {length = 3 : i64} : tensor<?x24xf32> -> tensor<?x3xi32>
  return %pos : tensor<?x3xi32>
}

// CHECK-LABEL: func.func @attention(
// CHECK-SAME: %[[Q:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x16xf32>
func.func @attention(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> tensor<?x16xf32> {
  // CHECK: %[[O:.+]], %[[S:.+]] = wl.attention %[[Q]], %[[K]], %[[V]] {causal = true, heads = 2 : i64, length = 8 : i64, rope = true, rope_base = 1.000000e+04 : f64, scale = 2.500000e-01 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  %o:2 = wl.attention %q, %k, %v {length = 8 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  // CHECK: %{{.+}}, %{{.+}}, %{{.+}} = wl.attention_grad %[[Q]], %[[K]], %[[V]], %[[O]], %[[S]], %[[O]] {causal = true, heads = 2 : i64, length = 8 : i64, rope = true, rope_base = 1.000000e+04 : f64, scale = 2.500000e-01 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
  %g:3 = wl.attention_grad %q, %k, %v, %o#0, %o#1, %o#0 {length = 8 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
  return %o#0 : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @pool(
func.func @pool(%h: tensor<?x16xf32>) -> tensor<?x16xf32> {
  // CHECK: %[[Y:.+]] = wl.mean_pool %{{.+}} {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = wl.mean_pool %h {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  // CHECK: wl.mean_pool_grad %[[Y]] {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  %d = wl.mean_pool_grad %y {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %d : tensor<?x16xf32>
}
