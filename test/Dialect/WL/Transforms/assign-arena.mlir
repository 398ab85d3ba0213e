// RUN: wl-opt --wl-assign-arena --split-input-file %s | FileCheck %s

// One float arena: every parameter first (declaration order), then the
// gradients of the trainable ones, then the optimizer state, each region
// starting on a multiple of 16 floats.

// 15 -> 16, 20 -> 32, 16 -> 16, 1 -> 16 floats.
wl.param @w : tensor<3x5xf32> {init = #wl.init<kind = zeros>, state = ["exp_avg", "exp_avg_sq"], trainable}
wl.param @f : tensor<20xf32> {init = #wl.init<kind = zeros>}
wl.param @b : tensor<16xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}
wl.param @c : tensor<1xf32> {init = #wl.init<kind = zeros>, trainable}

// CHECK-LABEL: module attributes {wl.arena_size = 176 : i64}
// Parameters: 0, 16, 48, 64. Gradients: 80, (frozen: -1), 96, 112.
// State: @w's two at 128 and 144, @b's one at 160; the arena ends at 176.
//       CHECK: wl.param @w : tensor<3x5xf32> {grad_offset = 80 : i64, {{.*}}offset = 0 : i64, state = ["exp_avg", "exp_avg_sq"], state_offsets = [128, 144], trainable}
//       CHECK: wl.param @f : tensor<20xf32> {grad_offset = -1 : i64, {{.*}}offset = 16 : i64}
//       CHECK: wl.param @b : tensor<16xf32> {grad_offset = 96 : i64, {{.*}}offset = 48 : i64, state = ["momentum_buffer"], state_offsets = [160], trainable}
//       CHECK: wl.param @c : tensor<1xf32> {grad_offset = 112 : i64, {{.*}}offset = 64 : i64, trainable}
//   CHECK-NOT: state_offsets

// -----

// The FashionMLP layout: 784x256 weight, 256 bias, 256x10 weight, 10 bias.
wl.param @fc1.weight : tensor<256x784xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @fc1.bias : tensor<256xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @head.weight : tensor<10x256xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @head.bias : tensor<10xf32> {init = #wl.init<kind = zeros>, trainable}

// CHECK-LABEL: module attributes {wl.arena_size = 407072 : i64}
//       CHECK: wl.param @fc1.weight : {{.*}}{grad_offset = 203536 : i64, {{.*}}offset = 0 : i64
//       CHECK: wl.param @fc1.bias : {{.*}}{grad_offset = 404240 : i64, {{.*}}offset = 200704 : i64
//       CHECK: wl.param @head.weight : {{.*}}{grad_offset = 404496 : i64, {{.*}}offset = 200960 : i64
//       CHECK: wl.param @head.bias : {{.*}}{grad_offset = 407056 : i64, {{.*}}offset = 203520 : i64

// -----

// Only frozen parameters: no gradients, no state.
wl.param @a : tensor<2x2xf32> {init = #wl.init<kind = orthogonal>}
wl.param @b : tensor<17xf32> {init = #wl.init<kind = ones>}

// CHECK-LABEL: module attributes {wl.arena_size = 48 : i64}
//       CHECK: wl.param @a : tensor<2x2xf32> {grad_offset = -1 : i64, {{.*}}offset = 0 : i64}
//       CHECK: wl.param @b : tensor<17xf32> {grad_offset = -1 : i64, {{.*}}offset = 16 : i64}

// -----

// No parameters: an empty arena.
// CHECK-LABEL: module attributes {wl.arena_size = 0 : i64}
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
