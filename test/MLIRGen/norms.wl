// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=grad %s | FileCheck %s --check-prefix=GRAD
// RUN: wlc -emit=step %s | FileCheck %s --check-prefix=CERT
// rms_norm and layer_norm become wl.row_norm with their eps (defaults 1e-6
// and 1e-5, PyTorch's layer_norm default); the backward has the VJP op; the
// certificate multiplies by each norm's 1/sqrt(eps) (row_norm nodes; the
// runtime derives it from eps).

// CHECK: %[[A:.+]] = wl.bias_add
// CHECK: %[[R:.+]] = wl.row_norm <rms> %[[A]], 9.9999999999999995E-7 : tensor<?x8xf32>
// CHECK: wl.row_norm <layer> %[[R]], 1.000000e-05 : tensor<?x8xf32>
// CHECK: wl.row_norm <layer> %{{.+}}, 1.000000e-03 : tensor<?x8xf32>

// GRAD-LABEL: func.func @backward(
// GRAD: wl.row_norm_grad <layer> %{{.+}}, %{{.+}}, 1.000000e-03 : tensor<?x8xf32>
// GRAD: wl.row_norm_grad <layer> %{{.+}}, %{{.+}}, 1.000000e-05 : tensor<?x8xf32>
// GRAD: wl.row_norm_grad <rms> %{{.+}}, %{{.+}}, 9.9999999999999995E-7 : tensor<?x8xf32>

// CERT: wl.certificate = [{op = "input"}, {arg = 0 : i64, layer = "a", op = "layer"}, {arg = 1 : i64, eps = 9.9999999999999995E-7 : f64, kind = "rms", op = "row_norm", width = 8 : i64}, {arg = 2 : i64, eps = 1.000000e-05 : f64, kind = "layer", op = "row_norm", width = 8 : i64}, {arg = 3 : i64, eps = 1.000000e-03 : f64, kind = "layer", op = "row_norm", width = 8 : i64}, {arg = 4 : i64, layer = "b", op = "layer"}

model Norms {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 8
  linear b: 8 -> 3
  forward {
    h = layer_norm(layer_norm(rms_norm(a(x))), eps = 1e-3)
    return b(h)
  }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 1e-3) }
}
