// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// Each optimizer update is ONE elementwise linalg.generic over the parameter,
// its gradient and its state, whose outputs are the parameter and the state
// themselves (updated in place after bufferization). Schedules become scalar
// f64 arithmetic rounded once to f32.

//   CHECK-DAG: #[[$ID:.+]] = affine_map<(d0) -> (d0)>

// Plain SGD: W ← W − lr·g; one output.
// (Generic form: the custom form without a buffer does not parse, see
// test/Dialect/WL/Transforms/generate-step-roundtrip.mlir.)
// CHECK-LABEL: func.func private @sgd(
//  CHECK-SAME:     %[[LR:[a-zA-Z0-9_]+]]: f32, %[[OUT:[a-zA-Z0-9_]+]]: memref<8xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[G:.+]] = bufferization.to_tensor
//   CHECK-NOT:   linalg.generic
//       CHECK:   %[[NW:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
//  CHECK-SAME:       ins(%[[W]], %[[G]] : tensor<8xf32>, tensor<8xf32>) outs(%[[W]] : tensor<8xf32>)
//  CHECK-NEXT:   ^bb0(%[[WV:[a-zA-Z0-9_]+]]: f32, %[[GV:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[STEP:.+]] = arith.mulf %[[LR]], %[[GV]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.subf %[[WV]], %[[STEP]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[NW]] in restrict writable %[[OUT]]
func.func @sgd(%w: tensor<8xf32>, %g: tensor<8xf32>, %lr: f32) -> tensor<8xf32> {
  %0 = "wl.sgd_update"(%w, %g, %lr) <{momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}> : (tensor<8xf32>, tensor<8xf32>, f32) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// SGD with momentum 0.9, Nesterov and weight decay 0.01: a single generic with
// two outputs (parameter, buffer):
//   g' = g + wd·W; b' = μb + g'; d = g' + μb'; W' = W − lr·d.
// CHECK-LABEL: func.func private @sgd_nesterov(
//  CHECK-SAME:     %[[LR:[a-zA-Z0-9_]+]]: f32, %[[OUTW:[a-zA-Z0-9_]+]]: memref<8xf32>, %[[OUTB:[a-zA-Z0-9_]+]]: memref<8xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[G:.+]] = bufferization.to_tensor
//       CHECK:   %[[B:.+]] = bufferization.to_tensor
//       CHECK:   %[[U:.+]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
//  CHECK-SAME:       ins(%[[W]], %[[G]], %[[B]] : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%[[W]], %[[B]] : tensor<8xf32>, tensor<8xf32>)
//  CHECK-NEXT:   ^bb0(%[[WV:[a-zA-Z0-9_]+]]: f32, %[[GV:[a-zA-Z0-9_]+]]: f32, %[[BV:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[WD:.+]] = arith.constant 0.00999999977 : f32
//  CHECK-NEXT:     %[[DW:.+]] = arith.mulf %[[WD]], %[[WV]] : f32
//  CHECK-NEXT:     %[[G1:.+]] = arith.addf %[[GV]], %[[DW]] : f32
//  CHECK-NEXT:     %[[MU:.+]] = arith.constant 0.899999976 : f32
//  CHECK-NEXT:     %[[MB:.+]] = arith.mulf %[[MU]], %[[BV]] : f32
//  CHECK-NEXT:     %[[NB:.+]] = arith.addf %[[MB]], %[[G1]] : f32
//  CHECK-NEXT:     %[[MNB:.+]] = arith.mulf %[[MU]], %[[NB]] : f32
//  CHECK-NEXT:     %[[D:.+]] = arith.addf %[[G1]], %[[MNB]] : f32
//  CHECK-NEXT:     %[[STEP:.+]] = arith.mulf %[[LR]], %[[D]] : f32
//  CHECK-NEXT:     %[[NW:.+]] = arith.subf %[[WV]], %[[STEP]] : f32
//  CHECK-NEXT:     linalg.yield %[[NW]], %[[NB]] : f32, f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[U]]#0 in restrict writable %[[OUTW]]
//       CHECK:   bufferization.materialize_in_destination %[[U]]#1 in restrict writable %[[OUTB]]
func.func @sgd_nesterov(%w: tensor<8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %lr: f32) -> (tensor<8xf32>, tensor<8xf32>) {
  %0, %1 = wl.sgd_update %w, %g, buffer %b : tensor<8xf32>, %lr {momentum = 0.9 : f64, nesterov = true, weight_decay = 0.01 : f64} : tensor<8xf32>, tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// Classical momentum: the direction is the new buffer; no weight decay term.
// CHECK-LABEL: func.func private @sgd_momentum(
//  CHECK-SAME:     %[[LR:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: memref<8xf32>, %{{[a-zA-Z0-9_]+}}: memref<8xf32>)
//       CHECK:   linalg.generic
//  CHECK-NEXT:   ^bb0(%[[WV:[a-zA-Z0-9_]+]]: f32, %[[GV:[a-zA-Z0-9_]+]]: f32, %[[BV:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[MU:.+]] = arith.constant 5.000000e-01 : f32
//  CHECK-NEXT:     %[[MB:.+]] = arith.mulf %[[MU]], %[[BV]] : f32
//  CHECK-NEXT:     %[[NB:.+]] = arith.addf %[[MB]], %[[GV]] : f32
//  CHECK-NEXT:     %[[STEP:.+]] = arith.mulf %[[LR]], %[[NB]] : f32
//  CHECK-NEXT:     %[[NW:.+]] = arith.subf %[[WV]], %[[STEP]] : f32
//  CHECK-NEXT:     linalg.yield %[[NW]], %[[NB]] : f32, f32
func.func @sgd_momentum(%w: tensor<8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %lr: f32) -> (tensor<8xf32>, tensor<8xf32>) {
  %0, %1 = wl.sgd_update %w, %g, buffer %b : tensor<8xf32>, %lr {momentum = 0.5 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<8xf32>, tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// AdamW: bias corrections 1 − βᵗ computed once per tensor in f64 (math.powf),
// then one generic with three outputs (W, m, v):
//   W' = W(1 − lr·wd) − (lr/(1−β1ᵗ))·m' / (√v'/√(1−β2ᵗ) + ε).
// CHECK-LABEL: func.func private @adamw(
//  CHECK-SAME:     %[[LR:[a-zA-Z0-9_]+]]: f32, %[[T:[a-zA-Z0-9_]+]]: i64, %[[OW:[a-zA-Z0-9_]+]]: memref<8xf32>, %[[OM:[a-zA-Z0-9_]+]]: memref<8xf32>, %[[OV:[a-zA-Z0-9_]+]]: memref<8xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[G:.+]] = bufferization.to_tensor
//       CHECK:   %[[M:.+]] = bufferization.to_tensor
//       CHECK:   %[[V:.+]] = bufferization.to_tensor
//       CHECK:   %[[TF:.+]] = arith.sitofp %[[T]] : i64 to f64
//       CHECK:   %[[B1:.+]] = arith.constant 9.000000e-01 : f64
//       CHECK:   %[[P1:.+]] = math.powf %[[B1]], %[[TF]] : f64
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
//       CHECK:   %[[C1:.+]] = arith.subf %[[ONE]], %[[P1]] : f64
//       CHECK:   %[[C1F:.+]] = arith.truncf %[[C1]] : f64 to f32
//       CHECK:   %[[STEPSIZE:.+]] = arith.divf %[[LR]], %[[C1F]] : f32
//       CHECK:   %[[B2:.+]] = arith.constant 0.99899999999999999 : f64
//       CHECK:   %[[P2:.+]] = math.powf %[[B2]], %[[TF]] : f64
//       CHECK:   %[[C2:.+]] = arith.subf %[[ONE]], %[[P2]] : f64
//       CHECK:   %[[C2F:.+]] = arith.truncf %[[C2]] : f64 to f32
//       CHECK:   %[[SQC2:.+]] = math.sqrt %[[C2F]] : f32
//       CHECK:   %[[WD:.+]] = arith.constant 0.00999999977 : f32
//       CHECK:   %[[LRWD:.+]] = arith.mulf %[[LR]], %[[WD]] : f32
//       CHECK:   %[[DECAY:.+]] = arith.subf %{{.+}}, %[[LRWD]] : f32
//       CHECK:   %[[U:.+]]:3 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
//  CHECK-SAME:       ins(%[[W]], %[[G]], %[[M]], %[[V]] : {{.*}}) outs(%[[W]], %[[M]], %[[V]] :
//  CHECK-NEXT:   ^bb0(%[[WV:[a-zA-Z0-9_]+]]: f32, %[[GV:[a-zA-Z0-9_]+]]: f32, %[[MV:[a-zA-Z0-9_]+]]: f32, %[[VV:[a-zA-Z0-9_]+]]: f32, %{{.+}}: f32, %{{.+}}: f32, %{{.+}}: f32):
//  CHECK-NEXT:     %[[W1:.+]] = arith.mulf %[[WV]], %[[DECAY]] : f32
//       CHECK:     %[[M1:.+]] = arith.addf %{{.+}}, %{{.+}} : f32
//       CHECK:     %[[G2:.+]] = arith.mulf %[[GV]], %[[GV]] : f32
//       CHECK:     %[[V1:.+]] = arith.addf %{{.+}}, %{{.+}} : f32
//       CHECK:     %[[EPS:.+]] = arith.constant 9.99999993E-9 : f32
//       CHECK:     %[[SQ:.+]] = math.sqrt %[[V1]] : f32
//  CHECK-NEXT:     %[[HAT:.+]] = arith.divf %[[SQ]], %[[SQC2]] : f32
//  CHECK-NEXT:     %[[DEN:.+]] = arith.addf %[[HAT]], %[[EPS]] : f32
//  CHECK-NEXT:     %[[RATIO:.+]] = arith.divf %[[M1]], %[[DEN]] : f32
//  CHECK-NEXT:     %[[STEP:.+]] = arith.mulf %[[STEPSIZE]], %[[RATIO]] : f32
//  CHECK-NEXT:     %[[NW:.+]] = arith.subf %[[W1]], %[[STEP]] : f32
//  CHECK-NEXT:     linalg.yield %[[NW]], %[[M1]], %[[V1]] : f32, f32, f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[U]]#0 in restrict writable %[[OW]]
//       CHECK:   bufferization.materialize_in_destination %[[U]]#1 in restrict writable %[[OM]]
//       CHECK:   bufferization.materialize_in_destination %[[U]]#2 in restrict writable %[[OV]]
func.func @adamw(%w: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %lr: f32, %t: i64) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0, %1, %2 = wl.adamw_update %w, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64} : tensor<8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// constant: the factor is 1.
// CHECK-LABEL: func.func private @schedule_constant(
//  CHECK-NEXT:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:   return %[[ONE]] : f32
func.func @schedule_constant(%t: i64) -> f32 {
  %0 = wl.schedule_factor "constant" %t
  return %0 : f32
}

// warmup_linear(10, 100): t ≤ 10 ? t/10 : max(0, 1 − (t − 10)/90).
// CHECK-LABEL: func.func private @schedule_linear(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) -> f32
//       CHECK:   %[[TF:.+]] = arith.sitofp %[[T]] : i64 to f64
//       CHECK:   %[[WARM:.+]] = arith.constant 1.000000e+01 : f64
//       CHECK:   %[[RAMP:.+]] = arith.divf %[[TF]], %[[WARM]] : f64
//       CHECK:   %[[SPAN:.+]] = arith.constant 9.000000e+01 : f64
//       CHECK:   %[[PAST:.+]] = arith.subf %[[TF]], %[[WARM]] : f64
//       CHECK:   %[[PROG:.+]] = arith.divf %[[PAST]], %[[SPAN]] : f64
//       CHECK:   %[[REST:.+]] = arith.subf %{{.+}}, %[[PROG]] : f64
//       CHECK:   %[[DECAY:.+]] = arith.maximumf %[[REST]], %{{.+}} : f64
//       CHECK:   %[[IN:.+]] = arith.cmpf ole, %[[TF]], %[[WARM]] : f64
//       CHECK:   %[[F:.+]] = arith.select %[[IN]], %[[RAMP]], %[[DECAY]] : f64
//       CHECK:   %[[F32:.+]] = arith.truncf %[[F]] : f64 to f32
//       CHECK:   return %[[F32]] : f32
//   CHECK-NOT:   math.cos
func.func @schedule_linear(%t: i64) -> f32 {
  %0 = wl.schedule_factor "warmup_linear" %t {warmup = 10, total = 100}
  return %0 : f32
}

// warmup_cosine(10, 100): t ≤ 10 ? t/10 : 0.5·(1 + cos(π·min(1, (t − 10)/90))).
// CHECK-LABEL: func.func private @schedule_cosine(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) -> f32
//       CHECK:   %[[TF:.+]] = arith.sitofp %[[T]] : i64 to f64
//       CHECK:   %[[WARM:.+]] = arith.constant 1.000000e+01 : f64
//       CHECK:   %[[RAMP:.+]] = arith.divf %[[TF]], %[[WARM]] : f64
//       CHECK:   %[[PROG:.+]] = arith.divf %{{.+}}, %{{.+}} : f64
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
//       CHECK:   %[[P:.+]] = arith.minimumf %[[PROG]], %[[ONE]] : f64
//       CHECK:   %[[PI:.+]] = arith.constant 3.1415926535897931 : f64
//       CHECK:   %[[ANGLE:.+]] = arith.mulf %[[PI]], %[[P]] : f64
//       CHECK:   %[[COS:.+]] = math.cos %[[ANGLE]] : f64
//       CHECK:   %[[SUM:.+]] = arith.addf %[[ONE]], %[[COS]] : f64
//       CHECK:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f64
//       CHECK:   %[[DECAY:.+]] = arith.mulf %[[HALF]], %[[SUM]] : f64
//       CHECK:   %[[IN:.+]] = arith.cmpf ole, %[[TF]], %[[WARM]] : f64
//       CHECK:   %[[F:.+]] = arith.select %[[IN]], %[[RAMP]], %[[DECAY]] : f64
//       CHECK:   %[[F32:.+]] = arith.truncf %[[F]] : f64 to f32
//       CHECK:   return %[[F32]] : f32
func.func @schedule_cosine(%t: i64) -> f32 {
  %0 = wl.schedule_factor "warmup_cosine" %t {warmup = 10, total = 100}
  return %0 : f32
}
