// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// The dialect's attributes (WLAttrs.td) round-trip: initialisers, every
// constraint with its arguments, defaults left out, and the common tail
// (location, origin, structure); structure terms, re-split and projection
// kinds.

// The constraint's location is an alias, printed first.
// CHECK: #[[LOC:.+]] = loc("m.wl":3:20)
// CHECK: wl.param @n : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 5.000000e-02>, trainable}
wl.param @n : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.05>, trainable}
// CHECK: wl.param @u : tensor<4xf32> {init = #wl.init<kind = uniform, a = 2.500000e-01>}
wl.param @u : tensor<4xf32> {init = #wl.init<kind = uniform, a = 0.25>}
// CHECK: wl.param @f : tensor<4x8xf32> {init = #wl.init<kind = from, file = "/w.safetensors", tensor = "t">}
wl.param @f : tensor<4x8xf32> {init = #wl.init<tensor = "t", kind = from, file = "/w.safetensors">}
// sst's V holding W0ᵀ reads the file's [8, 4] tensor transposed.
// CHECK: wl.param @ft : tensor<4x8xf32> {init = #wl.init<kind = from, file = "/w.safetensors", tensor = "t", transposed = true>}
wl.param @ft : tensor<4x8xf32> {init = #wl.init<kind = from, file = "/w.safetensors", tensor = "t", transposed = true>}

// Defaults (method = normalize, strict = false, norm = frobenius, origin =
// written) are not printed.
// CHECK: wl.param @s : tensor<4x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00>, #wl.spectral_bound<c = 2.000000e+00, method = soft_cap, strict = true>, #wl.norm_bound<c = 3.000000e+00>, #wl.norm_bound<c = 5.000000e-01, norm = column>, #wl.rank_at_most<r = 2>, #wl.orthonormal<>], init = #wl.init<kind = zeros>, trainable}
wl.param @s : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
  constraints = [#wl.spectral_bound<c = 1.0, method = normalize, strict = false>,
                 #wl.spectral_bound<c = 2.0, method = soft_cap, strict = true>,
                 #wl.norm_bound<c = 3.0, norm = frobenius>, #wl.norm_bound<c = 0.5, norm = column>,
                 #wl.rank_at_most<r = 2>, #wl.orthonormal<origin = written>]}

// CHECK: wl.param @d : tensor<4xf32> {constraints = [#wl.spectral_bound<c = 9.000000e-01, method = clamp, loc = #[[LOC]], structure = <diagonal>>], init = #wl.init<kind = ones>, trainable}
wl.param @d : tensor<4xf32> {init = #wl.init<kind = ones>, trainable,
  constraints = [#wl.spectral_bound<c = 0.9, method = clamp, structure = #wl.structure<diagonal>, loc = loc("m.wl":3:20)>]}
// CHECK: wl.param @q : tensor<4x4xf32> {constraints = [#wl.orthonormal<origin = retraction, structure = <orthogonal_polar>>, #wl.spectral_bound<c = 1.500000e+00, origin = structure, structure = <orthogonal_polar>>], init = #wl.init<kind = orthogonal>, trainable}
wl.param @q : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>, trainable,
  constraints = [#wl.orthonormal<origin = retraction, structure = <orthogonal_polar>>,
                 #wl.spectral_bound<c = 1.5, origin = structure, structure = <orthogonal_polar>>]}

// CHECK: wl.layer @l : 4 -> 4 {factors = [@q], structure = [#wl.structure<frozen>, #wl.structure<lora>], weight = @q}
wl.layer @l : 4 -> 4 {factors = [@q], structure = [#wl.structure<frozen>, #wl.structure<lora>], weight = @q}

func.func @kinds(%w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // CHECK: wl.project_param @q rank_at_most, 1.000000e+00
  wl.project_param @q rank_at_most, 1.0
  // CHECK: wl.norm_bound %{{.*}}, row
  %0 = wl.norm_bound %w, row {bound = 1.0 : f64} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
