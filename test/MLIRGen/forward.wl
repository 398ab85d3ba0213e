// RUN: wlc -emit=wl %s | FileCheck %s
// The forward block becomes @forward(%x: tensor<?xIN>) -> tensor<?xOUT>;
// @loss(%x, %labels) repeats it and applies the loss.

// CHECK-LABEL: func.func @forward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>) -> tensor<?x4xf32>
// A layer application: param_ref + linear (+ param_ref + bias_add), each op
// tagged with the application's id and layer (wl-certify reads them).
//       CHECK:   %[[W1:.+]] = wl.param_ref @l1.weight {wl.application = 0 : i64, wl.layer = "l1"} : tensor<8x8xf32>
//  CHECK-NEXT:   %[[Y1:.+]] = wl.linear %[[X]], %[[W1]] {wl.application = 0 : i64, wl.layer = "l1"} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
//  CHECK-NEXT:   %[[B1:.+]] = wl.param_ref @l1.bias {wl.application = 0 : i64, wl.layer = "l1"} : tensor<8xf32>
//  CHECK-NEXT:   %[[Z1:.+]] = wl.bias_add %[[Y1]], %[[B1]] {wl.application = 0 : i64, wl.layer = "l1"} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
//  CHECK-NEXT:   %[[H1:.+]] = wl.relu %[[Z1]] : tensor<?x8xf32>
// h = gelu(l2(h)) + gelu_tanh(h)
//       CHECK:   %[[Z2:.+]] = wl.bias_add
//  CHECK-NEXT:   %[[G:.+]] = wl.gelu %[[Z2]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[GT:.+]] = wl.gelu_tanh %[[H1]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[H2:.+]] = wl.add %[[G]], %[[GT]] : tensor<?x8xf32>
// h = tanh(l3(h)) + 0.5 * sigmoid(h)
//       CHECK:   %[[Z3:.+]] = wl.bias_add
//  CHECK-NEXT:   %[[T:.+]] = wl.tanh %[[Z3]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[S:.+]] = wl.sigmoid %[[H2]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[HS:.+]] = wl.scale %[[S]], 5.000000e-01 : tensor<?x8xf32>
//  CHECK-NEXT:   %[[H3:.+]] = wl.add %[[T]], %[[HS]] : tensor<?x8xf32>
// h = abs(l4(h)) + identity(h) * -2  (l4 has no bias)
//       CHECK:   %[[W4:.+]] = wl.param_ref @l4.weight
//  CHECK-NEXT:   %[[Y4:.+]] = wl.linear %[[H3]], %[[W4]]
//  CHECK-NEXT:   %[[A:.+]] = wl.abs %[[Y4]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[I:.+]] = wl.identity %[[H3]] : tensor<?x8xf32>
//  CHECK-NEXT:   %[[IS:.+]] = wl.scale %[[I]], -2.000000e+00 : tensor<?x8xf32>
//  CHECK-NEXT:   %[[H4:.+]] = wl.add %[[A]], %[[IS]] : tensor<?x8xf32>
// groupsort with an explicit k, then the default k = 2.
//  CHECK-NEXT:   %[[GS4:.+]] = wl.groupsort %[[H4]], 4 : tensor<?x8xf32>
//  CHECK-NEXT:   %[[GS2:.+]] = wl.groupsort %[[GS4]], 2 : tensor<?x8xf32>
//       CHECK:   %[[Y5:.+]] = wl.linear %[[GS2]], %{{.+}} {{{.+}}} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
//       CHECK:   %[[OUT:.+]] = wl.bias_add %[[Y5]]
//  CHECK-NEXT:   return %[[OUT]] : tensor<?x4xf32>

// cross_entropy: i32 class labels [B].
// CHECK-LABEL: func.func @loss(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[L:[a-zA-Z0-9_]+]]: tensor<?xi32>) -> f32
//       CHECK:   wl.linear %[[X]]
//       CHECK:   wl.groupsort
//       CHECK:   %[[Z:.+]] = wl.bias_add
//  CHECK-NEXT:   %[[LOSS:.+]] = wl.cross_entropy %[[Z]], %[[L]] : tensor<?x4xf32>, tensor<?xi32>
//  CHECK-NEXT:   return %[[LOSS]] : f32
model Forward {
  input x: f32[8]
  label y: i32
  linear l1: 8 -> 8
  linear l2: 8 -> 8
  linear l3: 8 -> 8
  linear l4: 8 -> 8 { bias = none }
  linear head: 8 -> 4
  forward {
    h = relu(l1(x))
    h = gelu(l2(h)) + gelu_tanh(h)
    h = tanh(l3(h)) + 0.5 * sigmoid(h)
    h = abs(l4(h)) + identity(h) * -2
    h = groupsort(h, 4)
    return head(groupsort(h))
  }
  loss = cross_entropy(forward, y)
}
