// RUN: wl-opt --wl-parallel-loops-to-gpu %s | FileCheck %s
// RUN: wl-opt --wl-parallel-loops-to-gpu="block-size=128" --convert-parallel-loops-to-gpu %s | FileCheck %s --check-prefix=LAUNCH
// RUN: not wl-opt --wl-parallel-loops-to-gpu="block-size=7" %s 2>&1 | FileCheck %s --check-prefix=BAD-BLOCK
// RUN: wl-opt --wl-parallel-loops-to-gpu --convert-parallel-loops-to-gpu --gpu-kernel-outlining --wl-merge-gpu-modules %s | FileCheck %s --check-prefix=MERGE

// wl-parallel-loops-to-gpu (the CUDA target): every linalg op on memrefs
// becomes an scf.parallel over its parallel dimensions (outermost), collapsed
// to one index, tiled by the block size and mapped to block_x / thread_x.

#id = affine_map<(i, j) -> (i, j)>
#bk = affine_map<(b, k, i) -> (b, k)>
#ki = affine_map<(b, k, i) -> (k, i)>
#bi = affine_map<(b, k, i) -> (b, i)>

// Elementwise over [?, 1000]: one index over B·1000 elements, row-major
// (div / rem by the row length), a bounds guard, blocks of 256 threads.
// CHECK-LABEL: func.func @relu(
//       CHECK:   %[[DIM:.+]] = memref.dim %arg0
//       CHECK:   %[[ROWS:.+]] = arith.muli %{{.+}}, %[[DIM]] : index
//       CHECK:   %[[N:.+]] = arith.muli %[[ROWS]], %[[C1000:.+]] : index
//       CHECK:   %[[C256:.+]] = arith.constant 256 : index
//       CHECK:   %[[BLOCK:.+]] = arith.muli %{{.+}}, %[[C256]] : index
//       CHECK:   scf.parallel (%[[B:.+]]) = (%{{.+}}) to (%[[N]]) step (%[[BLOCK]]) {
//       CHECK:     scf.parallel (%[[T:.+]]) = (%{{.+}}) to (%[[BLOCK]]) step (%{{.+}}) {
//       CHECK:       %[[I:.+]] = arith.addi %[[T]], %[[B]] : index
//       CHECK:       %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %[[N]] : index
//       CHECK:       scf.if %{{.+}} {
//   CHECK-DAG:         %[[COL:.+]] = arith.remsi %[[I]], %[[C1000]] : index
//   CHECK-DAG:         %[[ROW:.+]] = arith.divsi %[[I]], %[[C1000]] : index
//       CHECK:         %[[R:.+]] = affine.apply #{{.+}}(%[[ROW]])
//       CHECK:         %[[CC:.+]] = affine.apply #{{.+}}(%[[COL]])
//       CHECK:         memref.load %arg0[%[[R]], %[[CC]]]
//       CHECK:         arith.maximumf
//       CHECK:         memref.store %{{.+}}, %arg1[
//       CHECK:     } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
//       CHECK:   } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
//   CHECK-NOT:   linalg.generic
func.func @relu(%x: memref<?x1000xf32>, %y: memref<?x1000xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x1000xf32>) outs(%y : memref<?x1000xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// dx = dy W iterated as (b, k, i): the reduction k moves inside, so the
// threads cover b and i (b·256 + i) and each runs the k loop.
// CHECK-LABEL: func.func @dx(
//       CHECK:   scf.parallel
//       CHECK:     scf.parallel
//       CHECK:       scf.if
//   CHECK-DAG:         %[[I:.+]] = arith.remsi %{{.+}}, %[[C256:.+]] : index
//   CHECK-DAG:         %[[B:.+]] = arith.divsi %{{.+}}, %[[C256]] : index
//       CHECK:         scf.for %[[K:.+]] = %{{.+}} to %[[C10:.+]] step
//       CHECK:           memref.load %arg0
//       CHECK:           memref.load %arg1
//       CHECK:           memref.load %arg2
//       CHECK:           arith.mulf
//       CHECK:           arith.addf
//       CHECK:           memref.store
//       CHECK:     } {mapping = [#gpu.loop_dim_map<processor = thread_x
//       CHECK:   } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @dx(%dy: memref<?x10xf32>, %w: memref<10x256xf32>, %dx: memref<?x256xf32>) {
  linalg.generic {indexing_maps = [#bk, #ki, #bi], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%dy, %w : memref<?x10xf32>, memref<10x256xf32>) outs(%dx : memref<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Named ops are generalized first; 7 elements still make one 256-thread block
// with the guard.
// CHECK-LABEL: func.func @fill(
//       CHECK:   scf.parallel
//       CHECK:     scf.parallel
//       CHECK:       arith.cmpi ult, %{{.+}}, %c7
//       CHECK:       memref.store %cst
//   CHECK-NOT:   linalg.fill
func.func @fill(%a: memref<7xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%a : memref<7xf32>)
  return
}

// A parallel loop below a sequential one inside the kernel runs as scf.for.
// CHECK-LABEL: func.func @nested(
//       CHECK:   scf.parallel
//       CHECK:     scf.parallel
//       CHECK:       scf.for
//       CHECK:         scf.for
//   CHECK-NOT:           scf.parallel
//       CHECK:             memref.store
//       CHECK:     } {mapping = [#gpu.loop_dim_map<processor = thread_x
func.func @nested(%a: memref<64x8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.parallel (%j) = (%c0) to (%c32) step (%c1) {
        %x = memref.load %a[%i, %k, %j] : memref<64x8x32xf32>
        %y = arith.addf %x, %x : f32
        memref.store %y, %a[%i, %k, %j] : memref<64x8x32xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// Two ops, two kernels (for wl-merge-gpu-modules: outlining names both kernel
// functions @two_ops_kernel, in modules @two_ops_kernel and @two_ops_kernel_0).
// CHECK-LABEL: func.func @two_ops(
//       CHECK:   } {mapping = [#gpu.loop_dim_map<processor = block_x
//       CHECK:   } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @two_ops(%a: memref<7xf32>, %b: memref<9xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%a : memref<7xf32>)
  linalg.fill ins(%one : f32) outs(%b : memref<9xf32>)
  return
}

// A parallel reduction with a result is left to the host.
// CHECK-LABEL: func.func @sum(
//       CHECK:   scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}}) init
//   CHECK-NOT:   mapping
//       CHECK:   return
func.func @sum(%a: memref<100xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%c100) step (%c1) init (%zero) -> f32 {
    %v = memref.load %a[%i] : memref<100xf32>
    scf.reduce(%v : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}

// LAUNCH-LABEL: func.func @relu(
//       LAUNCH:   %[[C128:.+]] = arith.constant 128 : index
//       LAUNCH:   %[[GRID:.+]] = affine.apply #{{.+}}(%{{.+}})[%{{.+}}, %{{.+}}]
//       LAUNCH:   gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GRID]], %{{.+}} = %[[ONE:.+]], %{{.+}} = %[[ONE]]) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %{{.+}}, %{{.+}} = %[[ONE]], %{{.+}} = %[[ONE]])
//       LAUNCH:     arith.maximumf
//       LAUNCH:     gpu.terminator
// LAUNCH-LABEL: func.func @dx(
//       LAUNCH:   gpu.launch
// LAUNCH-LABEL: func.func @sum(
//   LAUNCH-NOT:   gpu.launch
//       LAUNCH:   return

// BAD-BLOCK: error: wl-parallel-loops-to-gpu: block-size must lie in [32, 1024]

// wl-merge-gpu-modules: the six outlined kernels (each first in a module of its
// own, all named after their function) end up in one module, renamed after their
// old modules, and every launch names its kernel there.
// MERGE: gpu.launch_func  @wlgen_kernels::@relu_kernel blocks
// MERGE: gpu.launch_func  @wlgen_kernels::@dx_kernel blocks
// MERGE: gpu.launch_func  @wlgen_kernels::@fill_kernel blocks
// MERGE: gpu.launch_func  @wlgen_kernels::@nested_kernel blocks
// MERGE: gpu.launch_func  @wlgen_kernels::@two_ops_kernel blocks
// MERGE: gpu.launch_func  @wlgen_kernels::@two_ops_kernel_0 blocks
// MERGE: gpu.module @wlgen_kernels {
// MERGE-NEXT: gpu.func @relu_kernel(
// MERGE: gpu.func @dx_kernel(
// MERGE: gpu.func @fill_kernel(
// MERGE: gpu.func @nested_kernel(
// MERGE: gpu.func @two_ops_kernel(%{{.+}}: memref<7xf32>
// MERGE: gpu.func @two_ops_kernel_0(%{{.+}}: memref<9xf32>
// MERGE-NOT: gpu.module
