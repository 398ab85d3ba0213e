// docs/examples/schedule_warmup_cosine.wl
// lr × t/100 for the first 100 steps, then a cosine decay to 0 at step 1000.
model ScheduleWarmupCosine {
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
    schedule: warmup_cosine(warmup = 100, total = 1000)
  }
}
