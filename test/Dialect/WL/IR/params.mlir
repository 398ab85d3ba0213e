// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the parameter ops: wl.param (every init kind, optimizer
// state and arena offsets), wl.layer (dense and structured), and the ops that
// address a parameter (param_ref, grad_ref, ...), which refer to the
// declarations above them; wl.resplit_base. A constrained wl.param is in
// constraints.mlir.

//===----------------------------------------------------------------------===//
// wl.param: every init kind, optimizer state and arena offsets.
//===----------------------------------------------------------------------===//

// CHECK: wl.param @normal : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 5.000000e-02>, trainable}
wl.param @normal : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.05>, trainable}
// SORSA's factors carry the orthonormal regulariser (transposed: B's columns).
// CHECK: wl.param @sorsa_A : tensor<3x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 5.000000e-02>, trainable}
wl.param @sorsa_A : tensor<3x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.05, transposed = false>, trainable}
// CHECK: wl.param @sorsa_B : tensor<8x3xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.000000e+00, transposed = true>, trainable}
wl.param @sorsa_B : tensor<8x3xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.0, transposed = true>, trainable}
// std = 0 is allowed (the language's normal(std = 0): all zeros).
// CHECK: wl.param @normal0 : tensor<4xf32> {init = #wl.init<kind = normal, std = 0.000000e+00>, trainable}
wl.param @normal0 : tensor<4xf32> {init = #wl.init<kind = normal, std = 0.0>, trainable}
// CHECK: wl.param @uniform : tensor<4x8xf32> {init = #wl.init<kind = uniform, a = 2.500000e-01>, trainable}
wl.param @uniform : tensor<4x8xf32> {init = #wl.init<kind = uniform, a = 0.25>, trainable}
// CHECK: wl.param @zeros : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @zeros : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @ones : tensor<2x3x4xf32> {init = #wl.init<kind = ones>, trainable}
wl.param @ones : tensor<2x3x4xf32> {init = #wl.init<kind = ones>, trainable}
// CHECK: wl.param @orthogonal : tensor<8x8xf32> {init = #wl.init<kind = orthogonal>, trainable}
wl.param @orthogonal : tensor<8x8xf32> {init = #wl.init<kind = orthogonal>, trainable}
// A frozen parameter: no `trainable`, no state.
// CHECK: wl.param @frozen : tensor<4x8xf32> {init = #wl.init<kind = zeros>}{{$}}
wl.param @frozen : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
// Optimizer state and the offsets wl-assign-arena sets.
// CHECK: wl.param @w : tensor<4x8xf32>
// CHECK-SAME: grad_offset = 32 : i64
// CHECK-SAME: init = #wl.init<kind = normal, std = 1.000000e-01>
// CHECK-SAME: offset = 0 : i64
// CHECK-SAME: state = ["exp_avg", "exp_avg_sq"]
// CHECK-SAME: state_offsets = [64, 96]
// CHECK-SAME: trainable
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.1>, trainable,
                               state = ["exp_avg", "exp_avg_sq"], offset = 0 : i64,
                               grad_offset = 32 : i64, state_offsets = [64, 96]}
// CHECK: wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}

//===----------------------------------------------------------------------===//
// wl.layer
//===----------------------------------------------------------------------===//

// CHECK: wl.layer @with_bias : 8 -> 4 {bias = @b, structure = [#wl.structure<dense>], weight = @w}
wl.layer @with_bias : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w, bias = @b}
// CHECK: wl.layer @without_bias : 8 -> 4 {structure = [#wl.structure<dense>], weight = @frozen}{{$}}
wl.layer @without_bias : 8 -> 4 {structure = [#wl.structure<dense>], weight = @frozen}

//===----------------------------------------------------------------------===//
// Structured wl.layer: a structure names its factors.
//===----------------------------------------------------------------------===//

wl.param @l.weight.S : tensor<6x6xf32> {init = #wl.init<kind = normal, std = 0.4>, trainable}
wl.param @h.weight.v : tensor<3x6xf32> {init = #wl.init<kind = normal, std = 1.0>, trainable}
// CHECK: wl.layer @l : 4 -> 6 {factors = [@l.weight.S], structure = [#wl.structure<orthogonal_cayley>], weight = @l.weight.S}
wl.layer @l : 4 -> 6 {factors = [@l.weight.S], structure = [#wl.structure<orthogonal_cayley>], weight = @l.weight.S}
// CHECK: wl.layer @h : 6 -> 5 {factors = [@h.weight.v], structure = [#wl.structure<orthogonal_householder>], weight = @h.weight.v}
wl.layer @h : 6 -> 5 {factors = [@h.weight.v], structure = [#wl.structure<orthogonal_householder>], weight = @h.weight.v}

//===----------------------------------------------------------------------===//
// Parameter, gradient and state access.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @param_ref(
func.func @param_ref() -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: wl.param_ref @w : tensor<4x8xf32>
  %0 = wl.param_ref @w : tensor<4x8xf32>
  // A frozen parameter can be read.
  // CHECK: wl.param_ref @frozen : tensor<4x8xf32>
  %1 = wl.param_ref @frozen : tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @grad_ref(
func.func @grad_ref() -> tensor<4x8xf32> {
  // CHECK: wl.grad_ref @w : tensor<4x8xf32>
  %0 = wl.grad_ref @w : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @grad_accumulate(
// CHECK-SAME: %[[G:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @grad_accumulate(%g: tensor<4x8xf32>) {
  // CHECK: wl.grad_accumulate @w, %[[G]] : tensor<4x8xf32>
  wl.grad_accumulate @w, %g : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @param_store(
// CHECK-SAME: %[[V:[a-zA-Z0-9_]+]]: tensor<4xf32>
func.func @param_store(%v: tensor<4xf32>) {
  // CHECK: wl.param_store @b, %[[V]] : tensor<4xf32>
  wl.param_store @b, %v : tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @state_ref(
func.func @state_ref() -> tensor<4x8xf32> {
  // CHECK: wl.state_ref @w["exp_avg_sq"] : tensor<4x8xf32>
  %0 = wl.state_ref @w["exp_avg_sq"] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @state_store(
// CHECK-SAME: %[[V:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @state_store(%v: tensor<4x8xf32>) {
  // CHECK: wl.state_store @w["exp_avg"], %[[V]] : tensor<4x8xf32>
  wl.state_store @w["exp_avg"], %v : tensor<4x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// wl.resplit_base
//===----------------------------------------------------------------------===//

// A creation-time re-split of a frozen base into its factors.
wl.param @q.weight.base : tensor<6x4xf32> {init = #wl.init<kind = zeros>}
wl.param @q.weight.lora_A : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @q.weight.lora_B : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func @resplit(
func.func @resplit() {
  // CHECK: wl.resplit_base pissa @q.weight.base into [@q.weight.lora_A, @q.weight.lora_B]
  wl.resplit_base pissa @q.weight.base into [@q.weight.lora_A, @q.weight.lora_B]
  // The adapter's scale, for splits whose residual depends on it.
  // CHECK: wl.resplit_base pissa @q.weight.base into [@q.weight.lora_A, @q.weight.lora_B] {scale = 2.500000e-01 : f64}
  wl.resplit_base pissa @q.weight.base into [@q.weight.lora_A, @q.weight.lora_B] {scale = 0.25 : f64}
  return
}

//===----------------------------------------------------------------------===//
// wl.sst_round
//===----------------------------------------------------------------------===//

// sst's bookkeeping: at creation (no step) and at the end of step %t.
wl.param @r.weight.U : tensor<6x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @r.weight.s : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @r.weight.V : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @r.weight.sampled : tensor<4xf32> {init = #wl.init<kind = zeros>}
// CHECK: wl.layer @r : 4 -> 6 {{{.*}}wl.sst = {every = 10 : i64, rank = 2 : i64, s = @r.weight.s, sampled = @r.weight.sampled, u = @r.weight.U, v = @r.weight.V}}
wl.layer @r : 4 -> 6 {structure = [#wl.structure<sst>], weight = @r.weight.U, factors = [@r.weight.U, @r.weight.s, @r.weight.V, @r.weight.sampled], wl.sst = {u = @r.weight.U, s = @r.weight.s, v = @r.weight.V, sampled = @r.weight.sampled, rank = 2 : i64, every = 10 : i64}}
// CHECK-LABEL: func.func @sst_round(
func.func @sst_round(%t: i64) {
  // CHECK: wl.sst_round @r.weight.U, @r.weight.s, @r.weight.V, @r.weight.sampled {every = 10 : i64, rank = 2 : i64, stream = 0 : i64}
  wl.sst_round @r.weight.U, @r.weight.s, @r.weight.V, @r.weight.sampled {rank = 2 : i64, every = 10 : i64, stream = 0 : i64}
  // CHECK: wl.sst_round @r.weight.U, @r.weight.s, @r.weight.V, @r.weight.sampled step %{{.+}} {every = 10 : i64, rank = 2 : i64, stream = 0 : i64}
  wl.sst_round @r.weight.U, @r.weight.s, @r.weight.V, @r.weight.sampled step %t {rank = 2 : i64, every = 10 : i64, stream = 0 : i64}
  return
}
