// docs/examples/unsupported/rank_kronecker.wl
// NO FORM THROUGH THE STRUCTURE: rank_at_most on a factored structure (the
// rank of A ⊗ B is rank(A)·rank(B); the truncated SVD needs the dense W).
model RankKronecker {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4]) with rank_at_most(4)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
