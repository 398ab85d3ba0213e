// docs/examples/unsupported/after_svd_clip.wl
// NOT SUPPORTED YET: another constraint written after svd_clip or rank_at_most
// (write it before them: `with norm_bound(2.0) with rank_at_most(4)` compiles).
model AfterSvdClip {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = dense with rank_at_most(4) with norm_bound(2.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
