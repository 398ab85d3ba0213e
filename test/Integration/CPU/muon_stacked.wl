// muon on stacked factors ([k, m, n]: kronecker's A and B, monarch's R and L,
// blockdiag's blocks): each of the k matrices is orthogonalised and scaled on its own
// (LANGUAGE.md), against the float64 reference of Inputs/reference.py, over 3 steps
// (momentum, Nesterov, weight decay), with a plain muon matrix and adamw beside them.
// RUN: wlc %s -emit=step | FileCheck %s --check-prefix=STEP
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/muon_stacked.py %t.so | FileCheck %s
// CHECK: OK step1 fc1.weight.A
// CHECK: OK step1 fc1.weight.B
// CHECK: OK step1 fc2.weight.R
// CHECK: OK step1 fc2.weight.L
// CHECK: OK step1 fc3.weight.blocks
// CHECK: OK step1 head.weight
// CHECK: OK step3 fc3.weight.blocks
// CHECK: OK step3 head.weight
// CHECK-NOT: FAIL
// CHECK: 0 failed

// The step slices each stack into its matrices, updates each with wl.muon_update and
// puts the results (parameter and momentum) back.
// STEP-LABEL: func.func private @step_0(
// STEP: %[[W:.+]] = wl.param_ref @fc1.weight.A : tensor<2x4x4xf32>
// STEP: %[[W0:.+]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 4, 4] [1, 1, 1] : tensor<2x4x4xf32> to tensor<4x4xf32>
// STEP: %[[NEW0:.+]], %[[MOM0:.+]] = wl.muon_update %[[W0]], {{.+}} : tensor<4x4xf32>
// STEP: %[[ACC:.+]] = tensor.insert_slice %[[NEW0]] into %[[W]][0, 0, 0] [1, 4, 4] [1, 1, 1] : tensor<4x4xf32> into tensor<2x4x4xf32>
// STEP: tensor.extract_slice %[[W]][1, 0, 0] [1, 4, 4] [1, 1, 1]
// STEP: %[[NEW1:.+]], %{{.+}} = wl.muon_update
// STEP: %[[ALL:.+]] = tensor.insert_slice %[[NEW1]] into %[[ACC]][1, 0, 0] [1, 4, 4] [1, 1, 1]
// STEP: wl.param_store @fc1.weight.A, %[[ALL]]

model MuonStacked {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = kronecker(a = [4, 4], b = [8, 4], terms = 2) }
  linear fc2: 32 -> 32 { weight = monarch(blocks = 4) }
  linear fc3: 32 -> 32 { weight = blockdiag(blocks = 4) }
  linear head: 32 -> 4

  forward {
    h = tanh(fc1(x))
    h = tanh(fc2(h))
    h = tanh(fc3(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight.A, fc1.weight.B, fc2.weight.R, fc2.weight.L: muon(lr = 0.05, weight_decay = 0.1)
    fc3.weight.blocks, head.weight: muon(lr = 0.03, momentum = 0.9, nesterov = false)
    default: adamw(lr = 1e-3)
  }
}
