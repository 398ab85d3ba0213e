// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the parameter ops (ParamOps.cpp): wl.param, wl.layer (dense
// and structured), the parameter, gradient and state access ops and
// wl.resplit_base. The constraint attributes of wl.param (`constraints`,
// `state_types`) and a state's own type are in constraints-invalid.mlir.
//
// Every diagnostic the wl verifiers (hasVerifier and verifySymbolUses in
// dialects/lib/Dialect/WL/IR/*.cpp) can emit has a case, one per message and
// per op that emits it, in the *-invalid.mlir file of its ops, next to
// representative generated ODS constraints (rank, element type,
// AllTypesMatch, SameOperandsAndResultType, HasParent, attribute kinds).
// Each file lists its messages in `// MSG` lines (the shared checkValue
// ranges of the optimizers are tested from wl.optimizer_group,
// wl.sgd_update and wl.adamw_update alike). Check, from the repository root
// (prints the number of emitOpError calls, the number of MSG lines, and
// "missing: ..." for each MSG line that no expected-error contains):
//   cat dialects/lib/Dialect/WL/IR/*.cpp | grep -c 'emitOpError('
//   f=$(ls test/Dialect/WL/IR/*-invalid.mlir); sed -n 's|^// MSG ||p' $f | wc -l
//   sed -n 's|^// MSG ||p' $f | while IFS= read -r m; do
//     grep -h expected-error $f | grep -qF -- "$m" || echo "missing: $m"; done
// MSG type must be a statically shaped f32 tensor of rank >= 1, got
// MSG dimensions must be positive, got
// MSG init takes no arguments
// MSG normal init needs a finite, non-negative 'std'
// MSG uniform init needs a finite, positive 'a'
// MSG orthogonal init needs a matrix
// MSG orthonormal_penalty needs a finite gamma >= 0, got
// MSG a frozen parameter has no optimizer state
// MSG duplicate state '
// MSG needs one state offset per state tensor
// MSG widths must be positive
// MSG needs at least one structure term
// MSG 'wl.param_ref' op 'p' does not name a wl.param
// MSG ' does not match parameter '
// MSG 'wl.grad_ref' op parameter 'p' is frozen
// MSG ' has no optimizer state '
// MSG from init needs a non-empty 'file' and 'tensor'
// MSG needs its 'factors'
// MSG factors, got
// MSG scale must be > 0, got
// MSG needs rank ≥ 1, every ≥ 1 and stream ≥ 0, got
// MSG needs U [OUT, m], s [m], V [IN, m] and sampled [m] with m = min(OUT, IN)
// MSG exceeds m =
// MSG 'wl.sst' needs a dictionary with tensors u, s, v, sampled and integers rank and every
// MSG 'wl.sst' needs the tensor '
// MSG only a 'from' init is stored transposed

//===----------------------------------------------------------------------===//
// wl.param
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'wl.param' op type must be a statically shaped f32 tensor of rank >= 1, got 'i32'}}
wl.param @p : i32 {init = #wl.init<kind = zeros>}

// -----

// expected-error @+1 {{'wl.param' op type must be a statically shaped f32 tensor of rank >= 1, got 'tensor<?x4xf32>'}}
wl.param @p : tensor<?x4xf32> {init = #wl.init<kind = zeros>}

// -----

// expected-error @+1 {{'wl.param' op type must be a statically shaped f32 tensor of rank >= 1, got 'tensor<4xf16>'}}
wl.param @p : tensor<4xf16> {init = #wl.init<kind = zeros>}

// -----

// expected-error @+1 {{'wl.param' op type must be a statically shaped f32 tensor of rank >= 1, got 'tensor<f32>'}}
wl.param @p : tensor<f32> {init = #wl.init<kind = zeros>}

// -----

// expected-error @+1 {{'wl.param' op dimensions must be positive, got 'tensor<4x0xf32>'}}
wl.param @p : tensor<4x0xf32> {init = #wl.init<kind = zeros>}

// -----

// expected-error @+1 {{custom op 'wl.param' 'wl.param' op attribute 'init' failed to satisfy constraint: how wl_create fills a tensor}}
wl.param @p : tensor<4xf32> {init = {std = 1.0 : f64}}

// -----

// expected-error @+1 {{custom op 'wl.param' 'wl.param' op attribute 'init' failed to satisfy constraint: how wl_create fills a tensor}}
wl.param @p : tensor<4xf32> {init = {kind = 0 : i64}}

// -----

// expected-error @+1 {{normal init needs a finite, non-negative 'std' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = normal>}

// -----

// expected-error @+1 {{normal init needs a finite, non-negative 'std' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = normal, std = -1.0>}

// -----

// expected-error @+1 {{orthonormal_penalty needs a finite gamma >= 0, got -1}}
wl.param @p : tensor<3x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = -1.0>, trainable}

// -----

// expected-error @+1 {{orthonormal_penalty needs a finite gamma >= 0, got nan}}
wl.param @p : tensor<3x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0x7FF8000000000000>, trainable}

// -----

// expected-error @+1 {{normal init needs a finite, non-negative 'std' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = normal, std = 0x7FF0000000000000>}

// -----

// expected-error @+1 {{uniform init needs a finite, positive 'a' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = uniform, a = -1.0>}

// -----

// expected-error @+1 {{uniform init needs a finite, positive 'a' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = uniform, a = 0x7FF0000000000000>}

// -----

// expected-error @+2 {{expected ::wl::InitKind to be one of: zeros, ones, normal, uniform, orthogonal, from}}
// expected-error @+1 {{failed to parse WL_InitAttr parameter 'kind' which is to be a `::wl::InitKind`}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = xavier>}

// -----

// expected-error @+1 {{'wl.param' op orthogonal init needs a matrix}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = orthogonal>}

// -----

// expected-error @+1 {{from init needs a non-empty 'file' and 'tensor' (and nothing else)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = from, file = "/tmp/w.safetensors">}

// -----

// expected-error @+1 {{'wl.param' op a frozen parameter has no optimizer state}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, state = ["exp_avg"]}

// -----

// expected-error @+1 {{'wl.param' op duplicate state 'exp_avg'}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, state = ["exp_avg", "exp_avg"]}

// -----

// expected-error @+1 {{'wl.param' op needs one state offset per state tensor}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, state = ["exp_avg", "exp_avg_sq"],
                             state_offsets = [8]}

// -----

// expected-error @+1 {{'wl.param' op needs one state offset per state tensor}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, state_offsets = [8]}

// -----

func.func @param_in_func() {
  // expected-error @+1 {{'wl.param' op expects parent op 'builtin.module'}}
  wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.layer
//===----------------------------------------------------------------------===//

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
// expected-error @+1 {{'wl.layer' op widths must be positive}}
wl.layer @l : 0 -> 4 {structure = [#wl.structure<dense>], weight = @w}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
// expected-error @+1 {{'wl.layer' op widths must be positive}}
wl.layer @l : 8 -> -4 {structure = [#wl.structure<dense>], weight = @w}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
// expected-error @+2 {{expected ::wl::StructureKind to be one of: dense, lowrank, kronecker, monarch, blockdiag, diagonal, orthogonal_cayley, orthogonal_exp, orthogonal_householder, orthogonal_polar, svd, frozen, lora, bone, svfit}}
// expected-error @+1 {{failed to parse WL_StructureKindAttr parameter 'value' which is to be a `::wl::StructureKind`}}
wl.layer @l : 8 -> 4 {structure = [#wl.structure<frozen>, #wl.structure<toeplitz>], weight = @w}

// -----

// expected-error @+1 {{'wl.layer' op 'w' does not name a wl.param}}
wl.layer @l : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
wl.layer @other : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w}
// expected-error @+1 {{'wl.layer' op 'other' does not name a wl.param}}
wl.layer @l : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w, bias = @other}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
// expected-error @+1 {{'wl.layer' op type 'tensor<8x4xf32>' does not match parameter 'w' of type 'tensor<4x8xf32>'}}
wl.layer @l : 4 -> 8 {structure = [#wl.structure<dense>], weight = @w}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>}
wl.param @b : tensor<8xf32> {init = #wl.init<kind = zeros>}
// expected-error @+1 {{'wl.layer' op type 'tensor<4xf32>' does not match parameter 'b' of type 'tensor<8xf32>'}}
wl.layer @l : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w, bias = @b}

// -----

//===----------------------------------------------------------------------===//
// Structured wl.layer: a structure names its factors.
//===----------------------------------------------------------------------===//

wl.param @l.weight.S : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op structure 'orthogonal(cayley)' needs its 'factors'}}
wl.layer @l : 8 -> 4 {structure = [#wl.structure<orthogonal_cayley>], weight = @l.weight.S}

// -----

// The certificate's rules that read factors need the structure they read:
// max |d| a single diagonal term with d, the svd rule a single svd term
// with U, s, V.
wl.param @l.weight : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'max_abs' needs a single 'diagonal' term with 1 factor}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<max_abs>, structure = [#wl.structure<dense>], weight = @l.weight}

// -----

wl.param @l.weight.d : tensor<4xf32> {init = #wl.init<kind = ones>, trainable}
wl.param @l.weight.U : tensor<4x1xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @l.weight.V : tensor<4x1xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'max_abs' needs a single 'diagonal' term with 1 factor}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<max_abs>, factors = [@l.weight.d, @l.weight.U, @l.weight.V], structure = [#wl.structure<diagonal>, #wl.structure<lowrank>], weight = @l.weight.d}

// -----

wl.param @l.weight.U : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @l.weight.V : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'svd' needs a single 'svd' term with 3 factors}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<svd>, factors = [@l.weight.U, @l.weight.V], structure = [#wl.structure<svd>], weight = @l.weight.U}

// -----

// The block, Kronecker and Monarch rules read their one structure's stacked
// factors: a sum of terms falls back to Gram iteration.
wl.param @l.weight.A : tensor<1x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @l.weight.B : tensor<1x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @l.weight.blocks : tensor<2x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'kronecker' needs a single 'kronecker' term with 2 factors}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<kronecker>, factors = [@l.weight.A, @l.weight.B, @l.weight.blocks], structure = [#wl.structure<kronecker>, #wl.structure<blockdiag>], weight = @l.weight.A}

// -----

wl.param @l.weight.R : tensor<2x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'block_max' needs a single 'blockdiag' term with 1 factor}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<block_max>, factors = [@l.weight.R], structure = [#wl.structure<monarch>], weight = @l.weight.R}

// -----

wl.param @l.weight.blocks : tensor<2x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op bound 'monarch' needs a single 'monarch' term with 2 factors}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<monarch>, factors = [@l.weight.blocks], structure = [#wl.structure<blockdiag>], weight = @l.weight.blocks}

// -----

wl.param @l.weight : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+2 {{expected ::wl::BoundRule to be one of: gram, orthonormal, max_abs, svd, block_max, kronecker, monarch}}
// expected-error @+1 {{failed to parse WL_BoundRuleAttr parameter 'value'}}
wl.layer @l : 4 -> 4 {bound = #wl.bound<frobenius>, structure = [#wl.structure<dense>], weight = @l.weight}

// -----

// A structured layer's factors must be params.
wl.param @l.weight.S : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op 'l.weight.T' does not name a wl.param}}
wl.layer @l : 8 -> 4 {factors = [@l.weight.T], structure = [#wl.structure<orthogonal_cayley>], weight = @l.weight.S}

// -----

//===----------------------------------------------------------------------===//
// Parameter, gradient and state access.
//===----------------------------------------------------------------------===//

func.func @param_ref_unknown() -> tensor<4xf32> {
  // expected-error @+1 {{'wl.param_ref' op 'p' does not name a wl.param}}
  %0 = wl.param_ref @p : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A symbol that is not a wl.param.
func.func @param_ref_func() -> tensor<4xf32> {
  // expected-error @+1 {{'wl.param_ref' op 'param_ref_func' does not name a wl.param}}
  %0 = wl.param_ref @param_ref_func : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @param_ref_type() -> tensor<8xf32> {
  // expected-error @+1 {{'wl.param_ref' op type 'tensor<8xf32>' does not match parameter 'p' of type 'tensor<4xf32>'}}
  %0 = wl.param_ref @p : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @param_ref_dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{'wl.param_ref' op result #0 must be statically shaped tensor of 32-bit float values, but got 'tensor<?xf32>'}}
  %0 = wl.param_ref @p : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @grad_ref_frozen() -> tensor<4xf32> {
  // expected-error @+1 {{'wl.grad_ref' op parameter 'p' is frozen}}
  %0 = wl.grad_ref @p : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @grad_ref_type() -> tensor<2x2xf32> {
  // expected-error @+1 {{'wl.grad_ref' op type 'tensor<2x2xf32>' does not match parameter 'p' of type 'tensor<4xf32>'}}
  %0 = wl.grad_ref @p : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @grad_accumulate_frozen(%g: tensor<4xf32>) {
  // expected-error @+1 {{'wl.grad_accumulate' op parameter 'p' is frozen}}
  wl.grad_accumulate @p, %g : tensor<4xf32>
  return
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @grad_accumulate_type(%g: tensor<5xf32>) {
  // expected-error @+1 {{'wl.grad_accumulate' op type 'tensor<5xf32>' does not match parameter 'p' of type 'tensor<4xf32>'}}
  wl.grad_accumulate @p, %g : tensor<5xf32>
  return
}

// -----

func.func @grad_accumulate_unknown(%g: tensor<4xf32>) {
  // expected-error @+1 {{'wl.grad_accumulate' op 'p' does not name a wl.param}}
  wl.grad_accumulate @p, %g : tensor<4xf32>
  return
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @param_store_frozen(%v: tensor<4xf32>) {
  // expected-error @+1 {{'wl.param_store' op parameter 'p' is frozen}}
  wl.param_store @p, %v : tensor<4xf32>
  return
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @param_store_type(%v: tensor<1x4xf32>) {
  // expected-error @+1 {{'wl.param_store' op type 'tensor<1x4xf32>' does not match parameter 'p' of type 'tensor<4xf32>'}}
  wl.param_store @p, %v : tensor<1x4xf32>
  return
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @state_ref_frozen() -> tensor<4xf32> {
  // expected-error @+1 {{'wl.state_ref' op parameter 'p' is frozen}}
  %0 = wl.state_ref @p["exp_avg"] : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, state = ["exp_avg"]}
func.func @state_ref_no_state() -> tensor<4xf32> {
  // expected-error @+1 {{'wl.state_ref' op parameter 'p' has no optimizer state 'exp_avg_sq'}}
  %0 = wl.state_ref @p["exp_avg_sq"] : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, state = ["exp_avg"]}
func.func @state_ref_type() -> tensor<8xf32> {
  // expected-error @+1 {{'wl.state_ref' op type 'tensor<8xf32>' does not match state 'exp_avg' of 'p' of type 'tensor<4xf32>'}}
  %0 = wl.state_ref @p["exp_avg"] : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
func.func @state_store_frozen(%v: tensor<4xf32>) {
  // expected-error @+1 {{'wl.state_store' op parameter 'p' is frozen}}
  wl.state_store @p["momentum_buffer"], %v : tensor<4xf32>
  return
}

// -----

// A trainable parameter without any state (momentum = 0).
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @state_store_no_state(%v: tensor<4xf32>) {
  // expected-error @+1 {{'wl.state_store' op parameter 'p' has no optimizer state 'momentum_buffer'}}
  wl.state_store @p["momentum_buffer"], %v : tensor<4xf32>
  return
}

// -----

func.func @state_store_unknown(%v: tensor<4xf32>) {
  // expected-error @+1 {{'wl.state_store' op 'p' does not name a wl.param}}
  wl.state_store @p["momentum_buffer"], %v : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.resplit_base
//===----------------------------------------------------------------------===//

wl.param @b : tensor<4x4xf32> {init = #wl.init<kind = zeros>}
wl.param @f : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @resplit_kind() {
  // expected-error @+2 {{custom op 'wl.resplit_base' expected ::wl::ResplitKind to be one of: pissa, svfit, kpsvd}}
  // expected-error @+1 {{custom op 'wl.resplit_base' failed to parse WL_ResplitKindAttr parameter 'value' which is to be a `::wl::ResplitKind`}}
  wl.resplit_base qr @b into [@f, @f]
  return
}

// -----

wl.param @b : tensor<4x4xf32> {init = #wl.init<kind = zeros>}
wl.param @f : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @resplit_count() {
  // expected-error @+1 {{'wl.resplit_base' op 'svfit' needs 3 factors, got 2}}
  wl.resplit_base svfit @b into [@f, @f]
  return
}

// -----

wl.param @b : tensor<4x4xf32> {init = #wl.init<kind = zeros>}
wl.param @f : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @resplit_scale() {
  // expected-error @+1 {{'wl.resplit_base' op scale must be > 0, got 0.000000e+00}}
  wl.resplit_base pissa @b into [@f, @f] {scale = 0.0 : f64}
  return
}

// -----

wl.param @b : tensor<4x4xf32> {init = #wl.init<kind = zeros>}
func.func @resplit_symbol() {
  // expected-error @+1 {{'wl.resplit_base' op 'g' does not name a wl.param}}
  wl.resplit_base pissa @b into [@g, @b]
  return
}

// -----

// expected-error @+1 {{zeros init takes no arguments}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros, std = 1.0>}

// -----

wl.param @w : tensor<2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op needs at least one structure term}}
wl.layer @l : 2 -> 2 {structure = [], weight = @w}

// -----

//===----------------------------------------------------------------------===//
// wl.sst_round and the sst layer's mark
//===----------------------------------------------------------------------===//

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @m : tensor<3xf32> {init = #wl.init<kind = zeros>}
func.func @sst_every() {
  // expected-error @+1 {{'wl.sst_round' op needs rank ≥ 1, every ≥ 1 and stream ≥ 0, got 1, 0, 0}}
  wl.sst_round @U, @s, @V, @m {rank = 1 : i64, every = 0 : i64, stream = 0 : i64}
  return
}

// -----

// V must be [IN, m] with m = min(OUT, IN) = 3.
wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @V : tensor<3x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @m : tensor<3xf32> {init = #wl.init<kind = zeros>}
func.func @sst_shapes() {
  // expected-error @+1 {{'wl.sst_round' op needs U [OUT, m], s [m], V [IN, m] and sampled [m] with m = min(OUT, IN)}}
  wl.sst_round @U, @s, @V, @m {rank = 1 : i64, every = 2 : i64, stream = 0 : i64}
  return
}

// -----

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @m : tensor<3xf32> {init = #wl.init<kind = zeros>}
func.func @sst_rank(%t: i64) {
  // expected-error @+1 {{'wl.sst_round' op rank 4 exceeds m = 3}}
  wl.sst_round @U, @s, @V, @m step %t {rank = 4 : i64, every = 2 : i64, stream = 0 : i64}
  return
}

// -----

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @sst_symbol() {
  // expected-error @+1 {{'wl.sst_round' op 'm' does not name a wl.param}}
  wl.sst_round @U, @s, @V, @m {rank = 1 : i64, every = 2 : i64, stream = 0 : i64}
  return
}

// -----

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op 'wl.sst' needs a dictionary with tensors u, s, v, sampled and integers rank and every}}
wl.layer @l : 3 -> 5 {structure = [#wl.structure<sst>], weight = @U, factors = [@U], wl.sst = {rank = 1 : i64}}

// -----

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op 'wl.sst' needs the tensor 's'}}
wl.layer @l : 3 -> 5 {structure = [#wl.structure<sst>], weight = @U, factors = [@U], wl.sst = {rank = 1 : i64, every = 4 : i64, u = @U}}

// -----

wl.param @U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.layer' op 'w' does not name a wl.param}}
wl.layer @l : 3 -> 5 {structure = [#wl.structure<sst>], weight = @U, factors = [@U], wl.sst = {rank = 1 : i64, every = 4 : i64, u = @U, s = @w, v = @U, sampled = @U}}

// -----

// expected-error @+1 {{only a 'from' init is stored transposed}}
wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = normal, std = 1.0, transposed = true>}
