// RUN: wlc -emit=wl %s | FileCheck %s
// Parameters: one wl.param per tensor, named <layer>.weight / <layer>.bias,
// weight [OUT, IN], with its init; one wl.layer per linear.

// CHECK-LABEL: module attributes {wl.model = {input_size = 12 : i64, label_kind = 0 : i64, model = "Params", output_size = 3 : i64, target_size = 1 : i64}}
// The dense default is normal(std = 1/sqrt(IN)) = 1/sqrt(12), the bias default zeros.
//  CHECK-NEXT:   wl.param @a.weight : tensor<8x12xf32> {init = #wl.init<kind = normal, std = {{0\.2886751345948[0-9]+}}>, trainable}
//  CHECK-NEXT:   wl.param @a.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
// bias = none: no bias tensor.
//  CHECK-NEXT:   wl.param @b.weight : tensor<8x8xf32> {init = #wl.init<kind = orthogonal>, trainable}
// Explicit inits: normal(std), uniform(a), zeros, by keyword or position.
//  CHECK-NEXT:   wl.param @c.weight : tensor<6x8xf32> {init = #wl.init<kind = uniform, a = 2.500000e-01>, trainable}
//  CHECK-NEXT:   wl.param @c.bias : tensor<6xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>, trainable}
//  CHECK-NEXT:   wl.param @d.weight : tensor<3x6xf32> {init = #wl.init<kind = zeros>, trainable}
//  CHECK-NEXT:   wl.param @d.bias : tensor<3xf32> {init = #wl.init<kind = uniform, a = 1.000000e-01>, trainable}
//   CHECK-NOT:   wl.param
//       CHECK:   wl.layer @a : 12 -> 8 {bias = @a.bias, structure = [#wl.structure<dense>], weight = @a.weight}
//  CHECK-NEXT:   wl.layer @b : 8 -> 8 {structure = [#wl.structure<dense>], weight = @b.weight}
//  CHECK-NEXT:   wl.layer @c : 8 -> 6 {bias = @c.bias, structure = [#wl.structure<dense>], weight = @c.weight}
//  CHECK-NEXT:   wl.layer @d : 6 -> 3 {bias = @d.bias, structure = [#wl.structure<dense>], weight = @d.weight}
//   CHECK-NOT:   @b.bias
model Params {
  input x: f32[3, 4]
  label y: i32
  linear a: 12 -> 8
  linear b: 8 -> 8 { weight = dense(init = orthogonal); bias = none }
  linear c: 8 -> 6 { weight = dense(init = uniform(0.25)); bias = normal(std = 0.5) }
  linear d: 6 -> 3 { weight = dense(init = zeros); bias = uniform(a = 0.1) }
  forward { return d(c(b(a(x)))) }
  loss = cross_entropy(forward, y)
}
