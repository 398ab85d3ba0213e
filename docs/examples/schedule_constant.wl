// docs/examples/schedule_constant.wl
// A constant lr (the same as writing no schedule).
model ScheduleConstant {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamw(lr = 1e-3)
    schedule: constant
  }
}
