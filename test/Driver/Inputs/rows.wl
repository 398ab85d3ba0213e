// A batch-sized MLP whose elementwise ops and row reductions (rms_norm, gelu,
// their gradients) are row tiles of wl-parallel-rows (test/Driver/emit-llvm-rows.test).
model Rows {
  input  x: f32[512]
  label  y: i32

  linear fc: 512 -> 512 { weight = dense; bias = zeros }
  linear head: 512 -> 10 { weight = dense; bias = zeros }

  forward {
    return head(gelu(rms_norm(fc(x))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
