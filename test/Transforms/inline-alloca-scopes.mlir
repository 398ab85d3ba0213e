// RUN: wl-opt --wl-inline-alloca-scopes %s | FileCheck %s

// A parallel loop body that calls a kernel (an attention tile after
// convert-scf-to-openmp) loses its stack scope: the callee allocates in its
// own frame. A scope with a memref.alloca of its own keeps it.

func.func private @kernel(memref<4xf32>)

// CHECK-LABEL: func.func @calls_only(
//   CHECK-NOT:   memref.alloca_scope
//       CHECK:   scf.for
//       CHECK:     func.call @kernel
func.func @calls_only(%m: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  memref.alloca_scope {
    scf.for %i = %c0 to %n step %c1 {
      func.call @kernel(%m) : (memref<4xf32>) -> ()
    }
    func.call @kernel(%m) : (memref<4xf32>) -> ()
  }
  return
}

// CHECK-LABEL: func.func @allocates(
//       CHECK:   memref.alloca_scope
//       CHECK:     memref.alloca
func.func @allocates(%n: index) {
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    func.call @kernel(%a) : (memref<4xf32>) -> ()
  }
  return
}

// An alloca inside a nested allocation scope (a loop body) is not the
// outer scope's.
// CHECK-LABEL: func.func @nested(
//  CHECK-NEXT:   %{{.+}} = arith.constant
//  CHECK-NEXT:   %{{.+}} = arith.constant
//  CHECK-NEXT:   scf.for
//       CHECK:     memref.alloca
func.func @nested(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  memref.alloca_scope {
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.alloca() : memref<4xf32>
      func.call @kernel(%a) : (memref<4xf32>) -> ()
    }
  }
  return
}
