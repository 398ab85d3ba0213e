// RUN: wl-opt --wl-approximate-erf %s | FileCheck %s

// An f32 erf (gelu) becomes the rational approximation: arithmetic and
// selects, no call for LLVM to keep scalar. An f64 erf is left to libm.

// CHECK-LABEL: func.func @gelu_erf(
//   CHECK-NOT:   math.erf
//       CHECK:   arith.cmpf olt
//       CHECK:   arith.select
//       CHECK:   arith.divf
//   CHECK-NOT:   math.erf
//       CHECK:   return
func.func @gelu_erf(%x: f32) -> f32 {
  %0 = math.erf %x : f32
  return %0 : f32
}

// CHECK-LABEL: func.func @double_erf(
//       CHECK:   math.erf %{{.+}} : f64
func.func @double_erf(%x: f64) -> f64 {
  %0 = math.erf %x : f64
  return %0 : f64
}
