// RUN: wl-opt --convert-wl-to-linalg --split-input-file --verify-diagnostics %s

// Without wl-assign-arena there is no offset to bind an access to.

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.param_ref' op has no arena offset for its parameter (run wl-assign-arena first)}}
  %w = wl.param_ref @w : tensor<4x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, offset = 0 : i64, trainable}
func.func @backward(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %db = wl.reduce_batch %dy : (tensor<?x4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{'wl.grad_accumulate' op has no arena offset for its gradient (run wl-assign-arena first)}}
  wl.grad_accumulate @b, %db : tensor<4xf32>
  return %dy : tensor<?x4xf32>
}

// -----

wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, offset = 0 : i64, grad_offset = 16 : i64, state = ["momentum_buffer"], trainable}
func.func private @step_0(%t: i64) {
  // expected-error @+1 {{'wl.state_ref' op has no arena offset for its state (run wl-assign-arena first)}}
  %m = wl.state_ref @b["momentum_buffer"] : tensor<4xf32>
  wl.state_store @b["momentum_buffer"], %m : tensor<4xf32>
  return
}
