// RUN: wl-opt --wl-generate-constraints --split-input-file -verify-diagnostics %s

// The constraints wl-generate-constraints cannot generate.

// An MLIR-side projection after a runtime one (svd_clip): not supported
// yet, at the constraint's location if it has one, else at the parameter.
// expected-error @+1 {{a 'norm_bound' constraint after svd_clip or rank_at_most is not supported yet}}
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = svd_clip>,
                   #wl.norm_bound<c = 3.0, norm = row>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}

// -----

// After rank_at_most, and reported at the constraint's own location.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.rank_at_most<r = 2>,
                   #wl.spectral_bound<c = 1.0, loc = loc("second constraint")>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
// expected-error @unknown {{a 'spectral_bound' constraint after svd_clip or rank_at_most is not supported yet}}

// -----

// The pass generates @project; one that exists is an error.
// expected-error @+1 {{wl-generate-constraints: @project already exists}}
module {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
      constraints = [#wl.spectral_bound<c = 1.0, method = hard_cap>]}
  func.func @project() {
    return
  }
}

// -----

// Constraints are on matrices.
// expected-error @+1 {{'wl.param' op constraints apply to matrices}}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.norm_bound<c = 3.0>]}

// -----

// soft_cap is coupled to the optimizer: a parameter in no optimizer group
// has none.
// expected-error @+1 {{soft_cap needs the parameter's optimizer}}
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
