// RUN: wl-opt --convert-scf-to-openmp --wl-serial-single-iteration --canonicalize %s | FileCheck %s

// An omp.parallel around a worksharing loop runs on the pool only when the
// loop nest has at least two iterations: a batch of one row tile, or a
// product of one panel, stays on the calling thread.

// CHECK-LABEL: func.func @row_tiles(
//  CHECK-SAME:     %[[M:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C1:.+]] = arith.constant 1 : index
//   CHECK-DAG:   %[[C128:.+]] = arith.constant 128 : index
//       CHECK:   %[[SPAN:.+]] = arith.maxsi %[[N]], %[[C0]]
//       CHECK:   %[[TRIPS:.+]] = arith.ceildivsi %[[SPAN]], %[[C128]]
//       CHECK:   %[[SEVERAL:.+]] = arith.cmpi sgt, %[[TRIPS]], %[[C1]]
//       CHECK:   omp.parallel if(%[[SEVERAL]])
//       CHECK:     omp.wsloop
//       CHECK:       omp.loop_nest (%{{.+}}) : index = (%[[C0]]) to (%[[N]]) step (%[[C128]])
func.func @row_tiles(%m: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c128) {
    %v = memref.load %m[%i] : memref<?xf32>
    memref.store %v, %m[%i] : memref<?xf32>
  }
  return
}

// Two loops: trips = ceil(n / 2) · ceil(k / 3).
// CHECK-LABEL: func.func @two_dims(
//  CHECK-SAME:     %{{[a-z0-9]+}}: memref<?x?xf32>, %[[N:[a-z0-9]+]]: index, %[[K:[a-z0-9]+]]: index
//       CHECK:   %[[T0:.+]] = arith.ceildivsi %{{.+}}, %c2
//       CHECK:   %[[T1:.+]] = arith.ceildivsi %{{.+}}, %c3
//       CHECK:   %[[TRIPS:.+]] = arith.muli %[[T0]], %[[T1]]
//       CHECK:   %[[SEVERAL:.+]] = arith.cmpi sgt, %[[TRIPS]], %c1
//       CHECK:   omp.parallel if(%[[SEVERAL]])
func.func @two_dims(%m: memref<?x?xf32>, %n: index, %k: index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %k) step (%c2, %c3) {
    %v = memref.load %m[%i, %j] : memref<?x?xf32>
    memref.store %v, %m[%i, %j] : memref<?x?xf32>
  }
  return
}

// Bounds computed inside the region cannot guard it: unchanged.
// CHECK-LABEL: func.func @inner_bounds(
//       CHECK:   omp.parallel {
func.func @inner_bounds(%m: memref<?xf32>) {
  omp.parallel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %m, %c0 : memref<?xf32>
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %v = memref.load %m[%i] : memref<?xf32>
        memref.store %v, %m[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
