// RUN: wlc -emit=ast %s --model=Defaults | FileCheck %s
// Several models in one file; --model picks one. Defaults: weight = dense,
// bias = zeros, no optimize block = adamw(lr = 1e-3) for every tensor.
// CHECK-LABEL: Model 'Defaults' <{{.*}}multi_model.wl:32:1>
// CHECK-NEXT: {{^}}  Input x f32[2, 3] (6)
// CHECK-NEXT: {{^}}  Target t f32[3] (3)
// CHECK-NEXT: {{^}}  Linear f 6 -> 3
// CHECK-NEXT: {{^}}    Term dense
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear g 3 -> 3
// CHECK-NEXT: {{^}}    Term dense
// CHECK-NEXT: {{^}}    Bias normal(std = 0.01)
// CHECK-NEXT: {{^}}  Forward
// CHECK-NEXT: {{^}}    Assign h = f(x) : 3
// CHECK-NEXT: {{^}}    Return 0.5 * (g(h) + h) : 3
// CHECK-NEXT: {{^}}  Loss mse(forward, t)
// CHECK-NEXT: {{^}}  Optimize (implicit)
// CHECK-NEXT: {{^}}    Default adamw(lr = 1e-3) [betas = (0.9, 0.999), eps = 1e-08, weight_decay = 0.01]
// CHECK-NEXT: {{^}}  Params
// CHECK-NEXT: {{^}}    f.weight [3, 6] group 0 adamw
// CHECK-NEXT: {{^}}    f.bias [3] group 0 adamw
// CHECK-NEXT: {{^}}    g.weight [3, 3] group 0 adamw
// CHECK-NEXT: {{^}}    g.bias [3] group 0 adamw
// CHECK-NEXT: {{^}}  Output 3
model Constant { input x: f32[4]; label y: i32
  linear f: 4 -> 2 { weight = dense; bias = zeros }
  forward { return f(x) }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1); schedule: constant }
}

model Defaults { input x: f32[2, 3]; target t: f32[3]
  linear f: 6 -> 3
  linear g: 3 -> 3 { bias = normal(std = 0.01) }
  forward { h = f(x); return 0.5 * (g(h) + h) }
  loss = mse(forward, t)
}
