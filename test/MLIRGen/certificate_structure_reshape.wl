// RUN: wlc -emit=step %s | FileCheck %s
// RUN: wlc --report %s | FileCheck %s --check-prefix=REPORT
// A Kronecker layer applied to the model's input reshapes it to [B, n1, n2]
// and then to [B·n1, n2] rows (Kronecker.cpp: two GEMMs). Those reshapes are
// the layer's own arithmetic (tagged with its application): the certificate
// still measures the input as one l2 vector per example, not as a sequence
// of 4 positions (wl-certify's per-position reading of an input is for
// sequence models), so the graph is input -> layer -> layer with no
// "flatten" node and no note about positions.
// CHECK: wl.certificate = [{op = "input"}, {arg = 0 : i64, layer = "k", op = "layer"}, {arg = 1 : i64, layer = "head", op = "layer"}]
// REPORT-NOT: positions
// REPORT: total parameters

model KroneckerFirst {
  input x: f32[16]
  label y: i32
  linear k: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4]) with spectral_bound(1.0); bias = none }
  linear head: 16 -> 4 { bias = none }
  forward { return head(k(x)) }
  loss = cross_entropy(forward, y)
}
