// Learning-rate schedules (LANGUAGE.md; t = 1 for the first step), observed as the
// effective lr of sgd on a one-weight model (Inputs/schedule.py); steps run past `total`.
// RUN: wlc %s --model ScheduleConstant -o %t.ScheduleConstant.so
// RUN: %python %test_inputs/schedule.py %t.ScheduleConstant.so | FileCheck %s --check-prefix=SCHEDULECONSTANT
// RUN: wlc %s --model ScheduleLinear -o %t.ScheduleLinear.so
// RUN: %python %test_inputs/schedule.py %t.ScheduleLinear.so | FileCheck %s --check-prefix=SCHEDULELINEAR
// RUN: wlc %s --model ScheduleCosine -o %t.ScheduleCosine.so
// RUN: %python %test_inputs/schedule.py %t.ScheduleCosine.so | FileCheck %s --check-prefix=SCHEDULECOSINE
// SCHEDULECONSTANT: factors 1.0000 1.0000 1.0000 1.0000 1.0000 1.0000{{$}}
// SCHEDULECONSTANT: OK schedule_ScheduleConstant
// SCHEDULELINEAR: factors 0.2500 0.5000 0.7500 1.0000 0.8333 0.6667 0.5000 0.3333 0.1667 0.0000 0.0000 0.0000 0.0000{{$}}
// SCHEDULELINEAR: OK schedule_ScheduleLinear
// SCHEDULECOSINE: factors 0.3333 0.6667 1.0000 0.9330 0.7500 0.5000 0.2500 0.0670 0.0000 0.0000 0.0000 0.0000{{$}}
// SCHEDULECOSINE: OK schedule_ScheduleCosine

model ScheduleConstant {
  input  x: f32[1]
  target y: f32[1]

  linear fc: 1 -> 1 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  sgd(lr = 0.25)
    schedule: constant
  }
}

model ScheduleLinear {
  input  x: f32[1]
  target y: f32[1]

  linear fc: 1 -> 1 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  sgd(lr = 0.25)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ScheduleCosine {
  input  x: f32[1]
  target y: f32[1]

  linear fc: 1 -> 1 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  sgd(lr = 0.25)
    schedule: warmup_cosine(warmup = 3, total = 9)
  }
}
