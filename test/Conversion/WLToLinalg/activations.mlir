// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// Activations and wl.activation_grad lower to one elementwise linalg.generic
// each, with the scalar formula (or derivative · dy) in the body.
// (--cse only merges the duplicated scalar constants of the bodies.)

//   CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>

// relu(x) = max(x, 0).
// CHECK-LABEL: func.func private @relu(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor
//       CHECK:   %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x4xf32>
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[X]] : tensor<?x4xf32>) outs(%[[E]] : tensor<?x4xf32>)
//  CHECK-NEXT:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//  CHECK-NEXT:     %[[M:.+]] = arith.maximumf %[[V]], %[[ZERO]] : f32
//  CHECK-NEXT:     linalg.yield %[[M]] : f32
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func @relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// gelu(x) = x · 0.5 · (1 + erf(x / √2)), the exact erf form.
// CHECK-LABEL: func.func private @gelu(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[R2:.+]] = arith.constant 0.707106769 : f32
//  CHECK-NEXT:     %[[S:.+]] = arith.mulf %[[V]], %[[R2]] : f32
//  CHECK-NEXT:     %[[ERF:.+]] = math.erf %[[S]] : f32
//  CHECK-NEXT:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:     %[[A:.+]] = arith.addf %[[ONE]], %[[ERF]] : f32
//  CHECK-NEXT:     %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
//  CHECK-NEXT:     %[[CDF:.+]] = arith.mulf %[[HALF]], %[[A]] : f32
//  CHECK-NEXT:     %[[G:.+]] = arith.mulf %[[V]], %[[CDF]] : f32
//  CHECK-NEXT:     linalg.yield %[[G]] : f32
func.func @gelu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.gelu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// gelu_tanh(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
// CHECK-LABEL: func.func private @gelu_tanh(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     arith.constant 4.471500e-02 : f32
//       CHECK:     arith.constant 0.797884583 : f32
//       CHECK:     %[[T:.+]] = math.tanh %{{.+}} : f32
//       CHECK:     arith.addf %{{.+}}, %[[T]] : f32
//       CHECK:     arith.constant 5.000000e-01 : f32
//       CHECK:     linalg.yield
//   CHECK-NOT:   math.erf
func.func @gelu_tanh(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.gelu_tanh %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func private @tanh(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[T:.+]] = math.tanh %[[V]] : f32
//  CHECK-NEXT:     linalg.yield %[[T]] : f32
func.func @tanh(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.tanh %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// sigmoid(x) = 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func private @sigmoid(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[N:.+]] = arith.negf %[[V]] : f32
//  CHECK-NEXT:     %[[E:.+]] = math.exp %[[N]] : f32
//  CHECK-NEXT:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.addf %[[ONE]], %[[E]] : f32
//  CHECK-NEXT:     %[[S:.+]] = arith.divf %[[ONE]], %[[D]] : f32
//  CHECK-NEXT:     linalg.yield %[[S]] : f32
func.func @sigmoid(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.sigmoid %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func private @abs(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[A:.+]] = math.absf %[[V]] : f32
//  CHECK-NEXT:     linalg.yield %[[A]] : f32
func.func @abs(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.abs %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func private @identity(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     linalg.yield %[[V]] : f32
func.func @identity(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.identity %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// relu'(x) · dy with relu'(x) = x > 0 ? 1 : 0 (0 at x = 0, as PyTorch).
// CHECK-LABEL: func.func private @relu_grad(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor
//       CHECK:   %[[DY:.+]] = bufferization.to_tensor
//       CHECK:   linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[X]], %[[DY]] : tensor<?x4xf32>, tensor<?x4xf32>)
//  CHECK-NEXT:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//   CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:     %[[POS:.+]] = arith.cmpf ogt, %[[V]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.select %[[POS]], %[[ONE]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[D]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @relu_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "relu" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// gelu'(x) = Φ(x) + x · φ(x), φ(x) = exp(-x²/2) / √(2π).
// CHECK-LABEL: func.func private @gelu_grad(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     %[[SQ:.+]] = arith.mulf %[[V]], %[[V]] : f32
//       CHECK:     %[[MH:.+]] = arith.constant -5.000000e-01 : f32
//       CHECK:     %[[EX:.+]] = arith.mulf %[[MH]], %[[SQ]] : f32
//       CHECK:     %[[E:.+]] = math.exp %[[EX]] : f32
//       CHECK:     %[[NORM:.+]] = arith.constant 0.398942292 : f32
//       CHECK:     %[[PDF:.+]] = arith.mulf %[[NORM]], %[[E]] : f32
//       CHECK:     %[[XPDF:.+]] = arith.mulf %[[V]], %[[PDF]] : f32
//       CHECK:     math.erf
//       CHECK:     %[[CDF:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.addf %[[CDF]], %[[XPDF]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[D]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @gelu_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "gelu" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// tanh'(x) = 1 - tanh(x)².
// CHECK-LABEL: func.func private @tanh_grad(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[T:.+]] = math.tanh %[[V]] : f32
//  CHECK-NEXT:     %[[T2:.+]] = arith.mulf %[[T]], %[[T]] : f32
//  CHECK-NEXT:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.subf %[[ONE]], %[[T2]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[D]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @tanh_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "tanh" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// sigmoid'(x) = s · (1 - s).
// CHECK-LABEL: func.func private @sigmoid_grad(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     %[[S:.+]] = arith.divf %[[ONE:.+]], %{{.+}} : f32
//  CHECK-NEXT:     %[[C:.+]] = arith.subf %[[ONE]], %[[S]] : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.mulf %[[S]], %[[C]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[D]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @sigmoid_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "sigmoid" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// abs'(x) = sign(x), 0 at 0.
// CHECK-LABEL: func.func private @abs_grad(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//   CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:     %[[POS:.+]] = arith.cmpf ogt, %[[V]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[P:.+]] = arith.select %[[POS]], %[[ONE]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[MONE:.+]] = arith.constant -1.000000e+00 : f32
//  CHECK-NEXT:     %[[NEG:.+]] = arith.cmpf olt, %[[V]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[SIGN:.+]] = arith.select %[[NEG]], %[[MONE]], %[[P]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[SIGN]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @abs_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "abs" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// gelu_tanh': 0.5(1 + t) + 0.5·x·(1 - t²)·√(2/π)·(1 + 3·0.044715·x²).
// CHECK-LABEL: func.func private @gelu_tanh_grad(
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     math.tanh
//       CHECK:     arith.constant 1.341450e-01 : f32
//       CHECK:     %[[R:.+]] = arith.mulf %{{.+}}, %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @gelu_tanh_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "gelu_tanh" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// identity' = 1.
// CHECK-LABEL: func.func private @identity_grad(
//       CHECK:   ^bb0(%{{[a-zA-Z0-9_]+}}: f32, %[[G:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[ONE]], %[[G]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
func.func @identity_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.activation_grad "identity" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
