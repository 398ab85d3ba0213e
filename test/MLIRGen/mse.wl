// RUN: wlc -emit=wl %s | FileCheck %s
// mse against an f32 target [B, K]: label_kind 1, target_size K.

// CHECK-LABEL: module attributes {wl.model = {input_size = 6 : i64, label_kind = 1 : i64, model = "Regression", output_size = 3 : i64, target_size = 3 : i64}}
// CHECK-LABEL: func.func @forward(
//  CHECK-SAME:     tensor<?x6xf32>) -> tensor<?x3xf32>
// CHECK-LABEL: func.func @loss(
//  CHECK-SAME:     %{{[a-zA-Z0-9_]+}}: tensor<?x6xf32>, %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>) -> f32
//       CHECK:   %[[Z:.+]] = wl.bias_add
//  CHECK-NEXT:   %[[LOSS:.+]] = wl.mse %[[Z]], %[[T]] : tensor<?x3xf32>
//  CHECK-NEXT:   return %[[LOSS]] : f32
//   CHECK-NOT:   wl.cross_entropy
model Regression {
  input x: f32[6]
  target t: f32[3]
  linear fc: 6 -> 3
  forward { return fc(x) }
  loss = mse(forward, t)
}
