// RUN: wl-opt --wl-gemm-kernels="parallel=true" %s | FileCheck %s
// RUN: wl-opt --wl-gemm-kernels="mr=4 nr=16 mc=8 kc=4 nc=32" %s | FileCheck %s --check-prefix=TILES

// wl-gemm-kernels replaces every product C += s·A·B (linalg.generic on
// memrefs) with a call of one packed, register-blocked kernel function per
// operand layout; everything else is left to linalg-to-loops.

#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#km = affine_map<(m, n, k) -> (k, m)>
#mn = affine_map<(m, n, k) -> (m, n)>
#nm = affine_map<(m, n, k) -> (n, m)>

// y = x Wᵀ: A rows contiguous ("ar"), B = Wᵀ columns contiguous ("bc").
// CHECK-LABEL: func.func @forward(
//  CHECK-SAME:     %[[X:.+]]: memref<?x64xf32>, %[[W:.+]]: memref<48x64xf32>, %[[Y:.+]]: memref<?x48xf32>)
//       CHECK:   %[[A:.+]] = memref.reinterpret_cast %{{.+}} to offset: [%{{.+}}], sizes: [%{{.+}}, %{{.+}}], strides: [%{{.+}}, 1]
//       CHECK:   %[[B:.+]] = memref.reinterpret_cast %{{.+}} to offset: [%{{.+}}], sizes: [%{{.+}}, %{{.+}}], strides: [1, %{{.+}}]
//       CHECK:   %[[C:.+]] = memref.reinterpret_cast %{{.+}} to offset: [%{{.+}}], sizes: [%{{.+}}, %{{.+}}], strides: [%{{.+}}, 1]
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:   %[[ADD:.+]] = arith.constant false
//       CHECK:   call @wlgen_gemm_ar_bc(%[[A]], %[[B]], %[[C]], %[[ONE]], %[[ADD]])
//   CHECK-NOT:   linalg.generic
func.func @forward(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  return
}

// y = x Wᵀ into a zero-filled y (what bufferization makes of a bias-free
// layer): the fill is removed and the kernel told to overwrite C on its first
// k block.
// CHECK-LABEL: func.func @forward_into_zeros(
//   CHECK-NOT:   linalg.fill
//       CHECK:   %[[OVERWRITE:.+]] = arith.constant true
//       CHECK:   call @wlgen_gemm_ar_bc(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[OVERWRITE]])
//   CHECK-NOT:   linalg.fill
//       CHECK:   return
func.func @forward_into_zeros(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x48xf32>)
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  return
}

// Fills that stay: a nonzero value (C starts there), a k extent that may be
// 0 at run time (no k block would write C), a fill of another buffer.
// CHECK-LABEL: func.func @fills_kept(
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<?x48xf32>)
//       CHECK:   call @wlgen_gemm_ar_bc(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %false{{.*}})
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<48x64xf32>)
//       CHECK:   call @wlgen_gemm_ac_br(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %false{{.*}})
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<?x48xf32>)
//       CHECK:   call @wlgen_gemm_ar_bc(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %false{{.*}})
func.func @fills_kept(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>,
                      %dy: memref<?x48xf32>, %dw: memref<48x64xf32>, %other: memref<?x48xf32>) {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%one : f32) outs(%y : memref<?x48xf32>)
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%dw : memref<48x64xf32>)
  linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%dy, %x : memref<?x48xf32>, memref<?x64xf32>) outs(%dw : memref<48x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%other : memref<?x48xf32>)
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  return
}

// dW = dyᵀ x with a scale: A = dyᵀ columns contiguous ("ac"), B rows
// contiguous ("br"); the constant factor is the kernel's scale argument.
// CHECK-LABEL: func.func @weight_gradient(
//       CHECK:   %[[S:.+]] = arith.constant 5.000000e-01 : f32
//       CHECK:   call @wlgen_gemm_ac_br(%{{.+}}, %{{.+}}, %{{.+}}, %[[S]], %false)
func.func @weight_gradient(%dy: memref<?x48xf32>, %x: memref<?x64xf32>, %dw: memref<48x64xf32>) {
  linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%dy, %x : memref<?x48xf32>, memref<?x64xf32>) outs(%dw : memref<48x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %half = arith.constant 0.5 : f32
    %q = arith.mulf %p, %half : f32
    %s = arith.addf %q, %c : f32
    linalg.yield %s : f32
  }
  return
}

// C written transposed (its m dimension is the contiguous one): computed as
// Cᵀ = Bᵀ Aᵀ, so the same "ar_bc" kernel serves, with A and B swapped.
// CHECK-LABEL: func.func @transposed_result(
//  CHECK-SAME:     %[[P:.+]]: memref<32x16xf32>, %[[Q:.+]]: memref<24x16xf32>, %[[R:.+]]: memref<24x32xf32>)
//       CHECK:   %[[QM:.+]] = memref.extract_strided_metadata %[[Q]]
//       CHECK:   %[[PM:.+]] = memref.extract_strided_metadata %[[P]]
//       CHECK:   call @wlgen_gemm_ar_bc(
func.func @transposed_result(%p: memref<32x16xf32>, %q: memref<24x16xf32>, %r: memref<24x32xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #nm], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %q : memref<32x16xf32>, memref<24x16xf32>) outs(%r : memref<24x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %pr = arith.mulf %a, %b : f32
    %s = arith.addf %c, %pr : f32
    linalg.yield %s : f32
  }
  return
}

// A batched product (blocks of a block-diagonal weight): one call per batch
// index on 2-D views offset by the batch stride; with `parallel` the batch
// loop runs on the thread pool (each block's product is small), serially
// without it (TILES).
// CHECK-LABEL: func.func @batched(
//       CHECK:   scf.parallel (%[[G:.+]]) = (%{{.+}}) to (%{{.+}}) step
//       CHECK:     arith.muli %[[G]]
//       CHECK:     call @wlgen_gemm_ar_bc(
// TILES-LABEL: func.func @batched(
//       TILES:   scf.for %[[G:.+]] = %{{.+}} to %{{.+}} step
//       TILES:     arith.muli %[[G]]
//       TILES:     call @wlgen_gemm_ar_bc(
func.func @batched(%x: memref<8x4x16xf32>, %w: memref<4x12x16xf32>, %y: memref<8x4x12xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, g, o, i) -> (b, g, i)>, affine_map<(b, g, o, i) -> (g, o, i)>,
                                   affine_map<(b, g, o, i) -> (b, g, o)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<8x4x16xf32>, memref<4x12x16xf32>) outs(%y : memref<8x4x12xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A symmetric product (`wl.upper`): its own kernel, which skips the tiles
// strictly below the diagonal, then the mirror, which writes every element
// below it; so its zero fill is fused like any other (the kernel writes C on
// its first k block).
// CHECK-LABEL: func.func @gram(
//   CHECK-NOT:   linalg.fill
//       CHECK:   call @wlgen_gemm_ar_bc_upper(%{{.+}}, %{{.+}}, %[[GRAM:.+]], %{{.+}}, %true{{.*}})
//       CHECK:   call @wlgen_mirror_upper(%[[GRAM]])
func.func @gram(%x: memref<40x24xf32>, %a: memref<40x40xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<40x40xf32>)
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %x : memref<40x24xf32>, memref<40x24xf32>) outs(%a : memref<40x40xf32>) attrs = {wl.upper} {
  ^bb0(%l: f32, %r: f32, %c: f32):
    %p = arith.mulf %l, %r : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Not products: a body with anything else, a reduction into a vector, and
// f64 operands stay linalg.generic.
// CHECK-LABEL: func.func @not_products(
//       CHECK:   linalg.generic
//       CHECK:     arith.maximumf
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//   CHECK-NOT:   call
func.func @not_products(%x: memref<8x4xf32>, %w: memref<6x4xf32>, %y: memref<8x6xf32>, %v: memref<8xf32>,
                        %xd: memref<8x4xf64>, %wd: memref<6x4xf64>, %yd: memref<8x6xf64>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<8x4xf32>, memref<6x4xf32>) outs(%y : memref<8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %m = arith.maximumf %c, %p : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %x : memref<8x4xf32>, memref<8x4xf32>) outs(%v : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xd, %wd : memref<8x4xf64>, memref<6x4xf64>) outs(%yd : memref<8x6xf64>) {
  ^bb0(%a: f64, %b: f64, %c: f64):
    %p = arith.mulf %a, %b : f64
    %s = arith.addf %c, %p : f64
    linalg.yield %s : f64
  }
  return
}

// With `parallel`, other large linalg ops (here an elementwise pass over
// 512 × 512) become scf.parallel loops; small ones (above) stay linalg.
// CHECK-LABEL: func.func @large_elementwise(
//       CHECK:   scf.parallel
//       CHECK:     arith.mulf
//   CHECK-NOT:   linalg.generic
// TILES-LABEL: func.func @large_elementwise(
//       TILES:   linalg.generic
func.func @large_elementwise(%x: memref<512x512xf32>, %y: memref<512x512xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<512x512xf32>) outs(%y : memref<512x512xf32>) {
  ^bb0(%a: f32, %b: f32):
    %p = arith.mulf %a, %a : f32
    linalg.yield %p : f32
  }
  return
}

// Activation epilogues: an elementwise op right after a product that maps
// its result (in place, as bufferization leaves relu(x Wᵀ + b)) is applied by
// the kernel as it stores the last k block; the op disappears. One that reads
// anything but C and constants (here a runtime scalar) stays.
// CHECK-LABEL: func.func @relu_epilogue(
//       CHECK:   call @wlgen_gemm_ar_bc_epilogue0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
// Into another buffer when the product's own buffer is a dead temporary;
// when the bare product is used afterwards too (bufferization reused C for
// the activation's gradient), the kernel stores it as well (`_keep`); not
// when the epilogue's output is a view of C.
// CHECK-LABEL: func.func @tanh_into_buffer(
//  CHECK-SAME:     %{{.+}}: memref<?x64xf32>, %{{.+}}: memref<48x64xf32>, %[[H:.+]]: memref<?x48xf32>)
//       CHECK:   %[[T:.+]] = memref.alloc
//       CHECK:   memref.extract_strided_metadata %[[T]]
//       CHECK:   memref.extract_strided_metadata %[[H]]
//       CHECK:   call @wlgen_gemm_ar_bc_epilogue1(
//   CHECK-NOT:   linalg.generic
//       CHECK:   memref.dealloc %[[T]]
// CHECK-LABEL: func.func @product_read_later(
//       CHECK:   call @wlgen_gemm_ar_bc_epilogue2_keep(
//   CHECK-NOT:   linalg.generic
//       CHECK:   memref.copy
// CHECK-LABEL: func.func @output_views_product(
//       CHECK:   call @wlgen_gemm_ar_bc(
//       CHECK:   linalg.generic
//       CHECK:     math.tanh
// CHECK-LABEL: func.func @scaled_by_runtime_value(
//       CHECK:   call @wlgen_gemm_ar_bc(
//       CHECK:   linalg.generic
//       CHECK:     arith.mulf
// The epilogue's output allocated between the product and the epilogue: the
// kernel call goes where the epilogue was, after the allocation.
// CHECK-LABEL: func.func @output_allocated_between(
//       CHECK:   %[[T:.+]] = memref.alloc
//       CHECK:   %[[H:.+]] = memref.alloc
//       CHECK:   memref.extract_strided_metadata %[[T]]
//       CHECK:   memref.extract_strided_metadata %[[H]]
//       CHECK:   call @wlgen_gemm_ar_bc_epilogue1(
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[H]]
// The same relu in another function, its values numbered differently and
// its constant defined elsewhere: the kernel of @relu_epilogue serves it
// (a kernel per epilogue body, not per body text: every relu layer of a
// model shares one).
// CHECK-LABEL: func.func @same_relu_elsewhere(
//       CHECK:   call @wlgen_gemm_ar_bc_epilogue0(
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @relu_epilogue(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<?x48xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}
func.func @tanh_into_buffer(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %h: memref<?x48xf32>) {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x64xf32>
  %t = memref.alloc(%b) : memref<?x48xf32>
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%t : memref<?x48xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x48xf32>) outs(%h : memref<?x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  }
  memref.dealloc %t : memref<?x48xf32>
  return
}
func.func @product_read_later(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %h: memref<?x48xf32>,
                              %z: memref<?x48xf32>) {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x64xf32>
  %t = memref.alloc(%b) : memref<?x48xf32>
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%t : memref<?x48xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x48xf32>) outs(%h : memref<?x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  }
  memref.copy %t, %z : memref<?x48xf32> to memref<?x48xf32>
  memref.dealloc %t : memref<?x48xf32>
  return
}
func.func @output_views_product(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %z: memref<?x48xf32>) {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x64xf32>
  %t = memref.alloc(%b) : memref<?x48xf32>
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%t : memref<?x48xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %v = memref.subview %t[0, 0] [%b, 48] [1, 1] : memref<?x48xf32> to memref<?x48xf32, strided<[48, 1]>>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x48xf32>) outs(%v : memref<?x48xf32, strided<[48, 1]>>) {
  ^bb0(%in: f32, %o: f32):
    %r = math.tanh %in : f32
    linalg.yield %r : f32
  }
  memref.copy %t, %z : memref<?x48xf32> to memref<?x48xf32>
  memref.dealloc %t : memref<?x48xf32>
  return
}
func.func @scaled_by_runtime_value(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>, %k: f32) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<?x48xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.mulf %v, %k : f32
    linalg.yield %r : f32
  }
  return
}
func.func @output_allocated_between(%x: memref<?x64xf32>, %w: memref<48x64xf32>) -> memref<?x48xf32> {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x64xf32>
  %t = memref.alloc(%b) : memref<?x48xf32>
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%t : memref<?x48xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %h = memref.alloc(%b) : memref<?x48xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x48xf32>) outs(%h : memref<?x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  }
  memref.dealloc %t : memref<?x48xf32>
  func.return %h : memref<?x48xf32>
}
func.func @same_relu_elsewhere(%x: memref<?x64xf32>, %w: memref<48x64xf32>, %y: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %two = arith.addf %one, %one : f32
  %three = arith.addf %two, %one : f32
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<?x48xf32>) outs(%y : memref<?x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    %relu = arith.maximumf %in, %zero : f32
    linalg.yield %relu : f32
  }
  return
}

// The kernels (emitted once each, after the functions, internal to the
// library).
// The forward's kernel: large products (M·N·K ≥ 2^21) take a parallel
// branch. Panels are packed by calls of one packing function per operand
// layout.
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc(
//  CHECK-SAME:     %[[KA:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[KB:.+]]: memref<?x?xf32, strided<[1, ?], offset: ?>>,
//  CHECK-SAME:     %[[KC:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[KS:.+]]: f32, %[[KO:.+]]: i1)
//  CHECK-SAME:     attributes {llvm.linkage = #llvm.linkage<internal>}
//       CHECK:   %[[BIG:.+]] = arith.cmpi sge, %{{.+}}, %c2097152
//       CHECK:   scf.if %[[BIG]] {
//       CHECK:     func.call @omp_get_max_threads()
// Tall products (at least 4 A blocks of 192 rows) whose threads would get
// fewer than 16 B panels each share the rows: each thread takes one
// contiguous range of ceil(M / threads) rows and packs its own A blocks;
// the threads pack the B panels together. So do products with fewer B
// panels (of 32 columns) than threads and at least 64 rows (8 micro-tiles)
// per thread.
//       CHECK:     %[[THREADS:.+]] = arith.index_cast
//       CHECK:     %[[TALL:.+]] = arith.cmpi sge, %[[M:.+]], %c768
//       CHECK:     %[[NARROW:.+]] = arith.cmpi ult, %{{.+}}, %c16
//       CHECK:     %[[PANELS:.+]] = arith.ceildivui %{{.+}}, %c32
//       CHECK:     %[[FEW:.+]] = arith.cmpi ult, %[[PANELS]], %[[THREADS]]
//       CHECK:     %[[MINROWS:.+]] = arith.muli %[[THREADS]], %c64
//       CHECK:     %[[ENOUGH:.+]] = arith.cmpi sge, %[[M]], %[[MINROWS]]
//       CHECK:     %[[FEWROWS:.+]] = arith.andi %[[FEW]], %[[ENOUGH]]
//       CHECK:     %[[TALLNARROW:.+]] = arith.andi %[[TALL]], %[[NARROW]]
//       CHECK:     %[[BYROWS:.+]] = arith.ori %[[TALLNARROW]], %[[FEWROWS]]
//       CHECK:     scf.if %[[BYROWS]] {
//       CHECK:       %[[BPACK:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
//       CHECK:       scf.for %{{.+}} step %c1024
//       CHECK:         scf.for %{{.+}} step %c512
//       CHECK:           scf.parallel
//       CHECK:             func.call @wlgen_pack_bc(%[[KB]], %[[BPACK]],
//       CHECK:           scf.parallel (%[[FIRST:.+]]) =
//       CHECK:             %[[OWN:.+]] = memref.alloc
//       CHECK:             scf.for %{{.+}} = %[[FIRST]] to %{{.+}} step %c192
//       CHECK:               func.call @wlgen_pack_ar(%[[KA]], %[[OWN]],
// Each nest multiplies an A block by a B panel with one call of the
// kernel's tile function (below).
//       CHECK:               scf.for %{{.+}} step %c32
//       CHECK:                 func.call @wlgen_gemm_ar_bc_tiles(%[[OWN]], %[[BPACK]], %[[KC]], %[[KS]], %[[KO]],
//       CHECK:             memref.dealloc %[[OWN]]
//       CHECK:       memref.dealloc %[[BPACK]]
// Otherwise each thread takes one contiguous range of B panels (columns of
// C), packs A itself (all of it when short, else in blocks of 192 rows) and
// packs its B panels while sweeping its first A block: one parallel loop,
// nothing shared. With one A block all panels go through one panel's buffer.
//       CHECK:     } else {
//       CHECK:       %[[ROWSPERBLOCK:.+]] = arith.select %[[TALL]], %{{.+}}, %{{.+}} : index
//       CHECK:       %[[ONEBLOCK:.+]] = arith.cmpi sge, %[[ROWSPERBLOCK]], %{{.+}} : index
//       CHECK:       scf.parallel (%[[FIRSTCOL:.+]]) =
//       CHECK:         %[[OWNA:.+]] = memref.alloc
//       CHECK:         %[[OWNB:.+]] = memref.alloc
//       CHECK:         scf.for %[[JC:.+]] = %[[FIRSTCOL]] to %{{.+}} step %c1024
//       CHECK:           scf.for %[[PC:.+]] = %{{.+}} to %{{.+}} step %c512
//       CHECK:             scf.for %[[IC:.+]] = %{{.+}} to %{{.+}} step %[[ROWSPERBLOCK]]
//   CHECK-NOT:               scf.for
//       CHECK:               func.call @wlgen_pack_ar(%[[KA]], %[[OWNA]],
//       CHECK:               %[[FIRSTBLOCK:.+]] = arith.cmpi eq, %[[IC]], %c0{{.*}} : index
//       CHECK:               scf.for %[[JR:.+]] = %{{.+}} to %{{.+}} step %c32
//       CHECK:                 %[[SLOT:.+]] = arith.select %[[ONEBLOCK]], %c0{{.*}}, %[[JR]] : index
//       CHECK:                 scf.if %[[FIRSTBLOCK]] {
//       CHECK:                   func.call @wlgen_pack_bc(%[[KB]], %[[OWNB]], %{{.+}}, %{{.+}}, %[[SLOT]], %[[PC]],
//       CHECK:                 }
//   CHECK-NOT:                 else
//       CHECK:                 func.call @wlgen_gemm_ar_bc_tiles(%[[OWNA]], %[[OWNB]], %[[KC]], %[[KS]], %[[KO]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[SLOT]], %[[PC]], %{{.+}}, %[[IC]],
//       CHECK:         memref.dealloc %[[OWNA]]
//       CHECK:         memref.dealloc %[[OWNB]]
// Small products: one thread.
//       CHECK:   } else {
//   CHECK-NOT:     scf.parallel
//       CHECK:     %[[APACK:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
//       CHECK:     %[[SBPACK:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
//       CHECK:     func.call @wlgen_pack_bc(%[[KB]], %[[SBPACK]],
//       CHECK:     func.call @wlgen_gemm_ar_bc_tiles(%[[APACK]], %[[SBPACK]], %[[KC]],
//       CHECK:     memref.dealloc %[[APACK]]
//       CHECK:     memref.dealloc %[[SBPACK]]

// B = Wᵀ (columns contiguous) is packed through its transposed view (rows
// contiguous along k): 16 columns × 16 k as 16 vector loads, transposed in
// registers by four stages of 32 two-input shuffles, stored as 16 rows of
// the panel; the k tail element by element.
// CHECK-LABEL: func.func private @wlgen_pack_bc(
//  CHECK-SAME:     %[[PB:.+]]: memref<?x?xf32, strided<[1, ?], offset: ?>>, %[[PBUF:.+]]: memref<?xf32>,
//       CHECK:   %[[BT:.+]] = memref.transpose %[[PB]] (d0, d1) -> (d1, d0)
//       CHECK:   scf.for %{{.+}} step %c16
//  CHECK-COUNT-16:   vector.load %[[BT]]
//  CHECK-COUNT-64:   vector.shuffle
//  CHECK-COUNT-16:   vector.store %{{.+}}, %[[PBUF]][%{{.+}}] : memref<?xf32>, vector<16xf32>
//       CHECK:   scf.for
//       CHECK:     scf.for
//       CHECK:       memref.load %[[PB]]
//       CHECK:       memref.store %{{.+}}, %[[PBUF]]
//       CHECK:   return

// One call packs a whole A block: A (rows contiguous) panel by panel (8
// rows), each by 8 rows × 16 k: two 8 × 8 squares transposed (three stages
// of shuffles), each k's 8 lanes stored.
// CHECK-LABEL: func.func private @wlgen_pack_ar(
//  CHECK-SAME:     %[[PA:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[ABUF:.+]]: memref<?xf32>,
//       CHECK:   scf.for %{{.+}} step %c8
//       CHECK:   scf.for %{{.+}} step %c16
//  CHECK-COUNT-8:    vector.load %[[PA]]
//  CHECK-COUNT-24:   vector.shuffle
//       CHECK:     vector.extract_strided_slice %{{.+}} {offsets = [0], sizes = [8], strides = [1]}
//       CHECK:     vector.store %{{.+}}, %[[ABUF]][%{{.+}}] : memref<?xf32>, vector<8xf32>
//       CHECK:     vector.extract_strided_slice %{{.+}} {offsets = [8], sizes = [8], strides = [1]}
//       CHECK:   return

// The tiles of an A block and a B panel, not inlined (else every nest would
// repeat them): 8 rows at a time, each tile's C fetched ahead of its k loop.
// The micro-kernel: 8 × 32 tile, 16 accumulators carried through the k loop,
// two vector loads of the B panel and 8 broadcasts of A per k, 16 FMAs.
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc_tiles(
//  CHECK-SAME:     %[[TA:[^:]+]]: memref<?xf32>, %[[TB:[^:]+]]: memref<?xf32>, %[[TC:[^:]+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[TS:[^:]+]]: f32, %[[TO:[^:]+]]: i1,
//  CHECK-SAME:     attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
//       CHECK:   scf.for %{{.+}} step %c8
//       CHECK:     memref.prefetch %[[TC]][%{{.+}}, %{{.+}}], write, locality<3>, data
//       CHECK:     %[[ACC:.+]]:16 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.*}}) -> (vector<16xf32>,
//   CHECK-COUNT-2:   vector.load %[[TB]][%{{.+}}] : memref<?xf32>, vector<16xf32>
//       CHECK:       memref.load %[[TA]]
//       CHECK:       vector.broadcast %{{.+}} : f32 to vector<16xf32>
//   CHECK-COUNT-2:   vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>
//   CHECK-COUNT-7:   vector.fma
//       CHECK:       scf.yield
// The C tile update: s·acc + C with masked loads and stores, one row guard
// per row. On the first k block of a product that overwrites C, s·acc is
// stored without reading C.
//       CHECK:     vector.broadcast %[[TS]] : f32 to vector<16xf32>
//       CHECK:     vector.create_mask
//       CHECK:     %[[FIRSTK:.+]] = arith.cmpi eq, %{{.+}}, %c0{{.*}} : index
//       CHECK:     %[[FRESH:.+]] = arith.andi %[[TO]], %[[FIRSTK]]
//       CHECK:     scf.if %[[FRESH]] {
//       CHECK:       scf.if
//   CHECK-NOT:         vector.maskedload
//       CHECK:         vector.fma %[[ACC]]#0
//       CHECK:         vector.maskedstore %[[TC]]
//       CHECK:     } else {
//       CHECK:       vector.maskedload %[[TC]]
//       CHECK:       vector.fma %[[ACC]]#0
//       CHECK:       vector.maskedstore %[[TC]]
//       CHECK:   return

// Layout-specific packing: B rows contiguous → masked vector loads of B
// rows; A columns contiguous → masked vector<8xf32> loads of A's columns,
// read as rows of its transposed view, the k loop outside the panel loop
// (each k's row of Aᵀ read in order).
// CHECK-LABEL: func.func private @wlgen_gemm_ac_br(
//       CHECK:   func.call @wlgen_pack_br(
//       CHECK:   func.call @wlgen_pack_ac(
// CHECK-LABEL: func.func private @wlgen_pack_br(
//       CHECK:   vector.maskedload %{{.+}} : memref<?x?xf32, strided<[?, 1], offset: ?>>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK-LABEL: func.func private @wlgen_pack_ac(
//       CHECK:   %[[AT:.+]] = memref.transpose %{{.+}} (d0, d1) -> (d1, d0) : memref<?x?xf32, strided<[1, ?], offset: ?>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
//       CHECK:   scf.for %[[K:.+]] = %{{.+}} step %c1
//       CHECK:     scf.for %[[IR:.+]] = %{{.+}} step %c8
//       CHECK:       vector.maskedload %[[AT]][%{{.+}}, %{{.+}}]{{.+}} : memref<?x?xf32, strided<[?, 1], offset: ?>>, vector<8xi1>, vector<8xf32> into vector<8xf32>

// The symmetric kernel takes the panels from both ends alternately (equal
// work per thread) and computes a tile only when its last column reaches
// its first row.
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc_upper(
//       CHECK:   scf.parallel
//       CHECK:   scf.parallel
//       CHECK:     arith.remui
//       CHECK:     arith.select
//       CHECK:   %[[MEETS:.+]] = arith.cmpi sge
//       CHECK:   scf.if %[[MEETS]] {
//       CHECK:     scf.for {{.*}} -> (vector<16xf32>,

// The mirror after a symmetric product: by 16 × 16 blocks (the rows of
// blocks from both ends alternately, on the threads when C has at least
// 2^18 elements), for each block left of or on the diagonal the block
// above it loaded as 16 rows (masked past the last column, rows clamped),
// transposed in registers (four stages of 32 shuffles) and stored row by
// row below the diagonal: one masked store per row inside C.
// CHECK-LABEL: func.func private @wlgen_mirror_upper(
//  CHECK-SAME:     %[[MC:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>)
//       CHECK:   %[[MN:.+]] = memref.dim %[[MC]], %c0
//       CHECK:   %[[MBIG:.+]] = arith.cmpi sge, %{{.+}}, %c262144
//       CHECK:   scf.if %[[MBIG]] {
//       CHECK:     scf.parallel (%{{.+}}) = (%{{.+}}) to (%[[MN]]) step (%c16
//       CHECK:       arith.remui
//       CHECK:       %[[I0:.+]] = arith.muli %{{.+}}, %c16
//       CHECK:       scf.for %[[J0:.+]] = %{{.+}} to %{{.+}} step %c16
//  CHECK-COUNT-16:     vector.maskedload %[[MC]][%{{.+}}, %[[I0]]]
//  CHECK-COUNT-64:     vector.shuffle
//       CHECK:         %[[DIAG:.+]] = arith.cmpi eq, %[[J0]], %[[I0]]
//       CHECK:         %[[ROW:.+]] = arith.addi %[[I0]], %c0
//       CHECK:         %[[IN:.+]] = arith.cmpi slt, %[[ROW]], %[[MN]]
//       CHECK:         scf.if %[[IN]] {
//       CHECK:           arith.select %[[DIAG]]
//       CHECK:           %[[MASK:.+]] = vector.create_mask
//       CHECK:           vector.maskedstore %[[MC]][%[[ROW]], %[[J0]]], %[[MASK]]
//  CHECK-COUNT-15:     vector.maskedstore %[[MC]]
//       CHECK:   } else {
//   CHECK-NOT:     scf.parallel
//       CHECK:     scf.for
//       CHECK:   return

// Tile sizes are options (the micro-kernel is MR × NR/16 FMAs per k).
// TILES-LABEL: func.func private @wlgen_gemm_ar_bc(
//       TILES:   step %c32
//       TILES:   step %c4
//       TILES:   step %c8
//       TILES:   %{{.+}}:4 = scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//  TILES-COUNT-4:  vector.fma
//   TILES-NOT:   vector.fma
//       TILES:   scf.yield

// The epilogue kernel: on the last k block (pc + kc ≥ K) the tile is
// s·acc + C (s·acc alone when that block is also the first of an overwriting
// product) mapped through the epilogue on 16 lanes (the constant broadcast)
// and stored into the epilogue's output; earlier blocks store s·acc + C.
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc_epilogue0(
//  CHECK-SAME:     %{{.+}}: memref<?x?xf32, strided<[?, 1], offset: ?>>, %{{.+}}: f32, %{{.+}}: i1, %[[EOUT:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>)
//       CHECK:   func.call @wlgen_gemm_ar_bc_epilogue0_tiles({{.*}}, %[[EOUT]])
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc_epilogue0_tiles(
//  CHECK-SAME:     %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<{{[^>]+}}>>, %{{[^:]+}}: f32, %[[EO:[^:]+]]: i1,
//  CHECK-SAME:     %[[ED:[^:]+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>)
//       CHECK:   %[[FRESH:.+]] = arith.andi %[[EO]], %{{.+}} : i1
//       CHECK:   %[[LAST:.+]] = arith.cmpi sge
//       CHECK:   scf.if %[[LAST]] {
//       CHECK:     scf.if %[[FRESH]] {
//   CHECK-NOT:       vector.maskedload
//       CHECK:       arith.maximumf
//       CHECK:       vector.maskedstore %[[ED]]
//       CHECK:     } else {
//       CHECK:       vector.maskedload
//       CHECK:       %[[SUM:.+]] = vector.fma
//       CHECK:       %[[Z:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
//       CHECK:       %[[R:.+]] = arith.maximumf %[[SUM]], %[[Z]] : vector<16xf32>
//       CHECK:       vector.maskedstore %[[ED]][{{.*}}], %{{.+}}, %[[R]]
//       CHECK:   } else {
//       CHECK:     scf.if %[[FRESH]] {
//       CHECK:       vector.maskedstore

// The `_keep` kernel's last k block stores the bare product into C and its
// image into the epilogue's output.
// CHECK-LABEL: func.func private @wlgen_gemm_ar_bc_epilogue2_keep_tiles(
//  CHECK-SAME:     %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %[[KEEPC:[^:]+]]: memref<{{[^>]+}}>>, %{{[^:]+}}: f32, %{{[^:]+}}: i1,
//  CHECK-SAME:     %[[KEEPD:[^:]+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>)
//       CHECK:   %[[KLAST:.+]] = arith.cmpi sge
//       CHECK:   scf.if %[[KLAST]] {
//       CHECK:     scf.if
//       CHECK:       %[[KSUM:.+]] = vector.fma
//       CHECK:       vector.maskedstore %[[KEEPC]][{{.*}}], %{{.+}}, %[[KSUM]]
//       CHECK:       %[[KT:.+]] = math.tanh %[[KSUM]]
//       CHECK:       vector.maskedstore %[[KEEPD]][{{.*}}], %{{.+}}, %[[KT]]
