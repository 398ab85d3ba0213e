// A piece of the step (@step_<k>, wl.updates = @param) may write only its own
// parameter and state: a sharded step broadcasts just those from the rank that
// ran it, so anything else it wrote would differ between the replicas.
// RUN: wl-opt --wl-assign-arena --wl-certify --wl-emit-metadata --split-input-file --verify-diagnostics %s

module attributes {wl.model = {input_size = 8 : i64, label_kind = 0 : i64, model = "Bad", output_size = 8 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @v : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc : 8 -> 8 {structure = [#wl.structure<dense>], weight = @w}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %w = wl.param_ref @w : tensor<8x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
  func.func private @step_0(%t: i64) attributes {wl.updates = @w} {
    %g = wl.grad_ref @w : tensor<8x8xf32>
    // expected-error @+1 {{the step of @w writes @v: a sharded step needs each tensor's step to write only its own parameter and state}}
    wl.param_store @v, %g : tensor<8x8xf32>
    return
  }
}

// -----

// Another parameter's state.
module attributes {wl.model = {input_size = 8 : i64, label_kind = 0 : i64, model = "Bad", output_size = 8 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @v : tensor<8x8xf32> {init = #wl.init<kind = zeros>, state = ["exp_avg"], trainable}
  wl.layer @fc : 8 -> 8 {structure = [#wl.structure<dense>], weight = @w}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %w = wl.param_ref @w : tensor<8x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
  func.func private @step_0(%t: i64) attributes {wl.updates = @w} {
    %g = wl.grad_ref @w : tensor<8x8xf32>
    // expected-error @+1 {{the step of @w writes @v}}
    wl.state_store @v["exp_avg"], %g : tensor<8x8xf32>
    return
  }
}

// -----

// A step function that does not say which tensor it updates.
module attributes {wl.model = {input_size = 8 : i64, label_kind = 0 : i64, model = "Bad", output_size = 8 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc : 8 -> 8 {structure = [#wl.structure<dense>], weight = @w}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %w = wl.param_ref @w : tensor<8x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
  // expected-error @+1 {{a step function without `wl.updates`}}
  func.func private @step_0(%t: i64) {
    return
  }
}
