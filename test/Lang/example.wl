// RUN: wlc -emit=ast %s | FileCheck %s
// The complete example of LANGUAGE.md, resolved (defaults in brackets).
// CHECK-LABEL: Model 'LipschitzMLP' <{{.*}}example.wl:34:1>
// CHECK-NEXT: {{^}}  Input x f32[784] (784)
// CHECK-NEXT: {{^}}  Label y i32
// CHECK-NEXT: {{^}}  Linear fc1 784 -> 512
// CHECK-NEXT: {{^}}    Term dense
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0, method = soft_cap) [strict = false]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear fc2 512 -> 512
// CHECK-NEXT: {{^}}    Term orthogonal(method = cayley)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear head 512 -> 10
// CHECK-NEXT: {{^}}    Term dense
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0, method = normalize) [strict = false]
// CHECK-NEXT: {{^}}    Bias none
// CHECK-NEXT: {{^}}  Forward
// CHECK-NEXT: {{^}}    Assign h = groupsort(fc1(x), 2) : 512
// CHECK-NEXT: {{^}}    Assign h = groupsort(fc2(h), 2) : 512
// CHECK-NEXT: {{^}}    Return head(h) : 10
// CHECK-NEXT: {{^}}  Loss cross_entropy(forward, y)
// CHECK-NEXT: {{^}}  Optimize
// CHECK-NEXT: {{^}}    Group fc1.weight, head.weight: muon(lr = 0.02, momentum = 0.95, ns_steps = 5) [nesterov = true, weight_decay = 0.0]
// CHECK-NEXT: {{^}}    Default adamw(lr = 1e-3, weight_decay = 0.0) [betas = (0.9, 0.999), eps = 1e-08]
// CHECK-NEXT: {{^}}    Schedule warmup_linear(warmup = 100, total = 5000)
// CHECK-NEXT: {{^}}  Params
// CHECK-NEXT: {{^}}    fc1.weight [512, 784] group 0 muon
// CHECK-NEXT: {{^}}    fc1.bias [512] group 1 adamw
// CHECK-NEXT: {{^}}    fc2.weight.S [512, 512] group 1 adamw
// CHECK-NEXT: {{^}}    fc2.bias [512] group 1 adamw
// CHECK-NEXT: {{^}}    head.weight [10, 512] group 0 muon
// CHECK-NEXT: {{^}}  Output 10
// A 1-Lipschitz classifier for 28x28 images (Fashion-MNIST).
model LipschitzMLP {
  input  x: f32[784]          // one example; the batch dimension is implicit
  label  y: i32               // class index in [0, 10)

  linear fc1: 784 -> 512 {
    weight = dense with spectral_bound(1.0, method = soft_cap)
    bias   = zeros
  }
  linear fc2: 512 -> 512 {
    weight = orthogonal(method = cayley)
  }
  linear head: 512 -> 10 {
    weight = dense with spectral_bound(1.0, method = normalize)
    bias   = none
  }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, head.weight: muon(lr = 0.02, momentum = 0.95, ns_steps = 5)
    default:                 adamw(lr = 1e-3, weight_decay = 0.0)
    schedule:                warmup_linear(warmup = 100, total = 5000)
  }
}
