// Checkpoints: bit-exact save/load round trip of parameters, optimizer state and step
// count; bad checkpoints rejected without touching the model (Inputs/checkpoint.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Ckpt -o %t/ckpt.so
// RUN: wlc %s --model CkptOther -o %t/other.so
// RUN: %python %test_inputs/checkpoint.py %t/ckpt.so %t/other.so %t/work | FileCheck %s
// CHECK: OK save_leaves_no_temp
// CHECK: OK checkpoint_format
// CHECK: OK load_params_bit_exact
// CHECK: OK resave_bytes_identical
// CHECK: OK continue_training_identical
// CHECK: OK reject_truncated
// CHECK: OK reject_truncated_header
// CHECK: OK reject_empty
// CHECK: OK reject_garbage
// CHECK: OK reject_missing_tensor
// CHECK: OK reject_no_such_file
// CHECK: OK reject_other_model
// CHECK: OK state_intact_after_rejects

model Ckpt {
  input  x: f32[4]
  label  y: i32

  linear fc1: 4 -> 6 { weight = dense; bias = zeros }
  linear head: 6 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamw(lr = 0.01)
    schedule: warmup_linear(warmup = 2, total = 100)
  }
}

// Same layer names, different widths: its checkpoints must not load into Ckpt.
model CkptOther {
  input  x: f32[4]
  label  y: i32

  linear fc1: 4 -> 5 { weight = dense; bias = zeros }
  linear head: 5 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}
