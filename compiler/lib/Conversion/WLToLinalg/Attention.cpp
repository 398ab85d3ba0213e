//===- Attention.cpp - fused attention: forward and FlashAttention-2 VJP --===//
//
// Layout. q, k, v arrive in row form [B·T, D]. A prologue copies each into
// the head layout [B, H, P, m] and/or its transpose [B, H, m, P] (m = D/H,
// P = T rounded up to the tile n, rows t >= T zero), applying RoPE to q and
// k (angles from a [T, m/2] table computed once in f64) and folding `scale`
// into q. Every tile is then a contiguous static [n, m] or [m, n] slice, and
// the last, partial tile needs no special case: a predicate masks keys
// s >= T, queries t >= T and, when causal, s > t. An epilogue maps the head
// layout back to row form (the inverse rotation for dq and dk).
//
// Products. Each tile product is chosen so that the GEMM kernels
// (GemmKernels.cpp) read both operands along their rows: A as op(A) = Xᵀ of
// a row-major X, B as a row-major matrix (kernel "ac_br"), which they pack
// with vector loads; the other layouts pack element by element, which costs
// as much as the product itself at these sizes. So a score tile is S = Q Kᵀ
// from the tiles of Qᵀ and Kᵀ ([query, key]) or Sᵀ = K Qᵀ ([key, query]),
// whichever the product that consumes P or dS wants. exp is a polynomial
// (expf32) that vectorises; math.exp would be one libm call per score.
//
// Forward: scf.forall over (b, h, query tile) with an online softmax over
// the key tiles (running row max M and sum L, the output rescaled by
// exp(M_old − M_new)); causal stops at the diagonal tile. Score tiles are Sᵀ
// (O += P V reads Pᵀ's rows). Each row's logsumexp M + log L goes to
// `stats`. Backward (FlashAttention-2 recomputation): with
// D_t = ⟨dout_t, out_t⟩, each tile recomputes P = exp(S − lse) and
// dS = P ⊙ (dout vᵀ − D). One scf.forall over (b, h): for each key tile,
// [dk | dv] accumulates over the query tiles that see it, and each dS tile
// also adds dS K to the query rows of the head's dq, which the loops carry
// (every output has one writer, without atomics, and S and dP are computed
// once per tile pair). Only accumulators are loop-carried, each from its own
// zero-filled value of its own type (One-Shot Bufferize with empty-tensor
// elimination can put two carried values that start from one tensor into
// one buffer); the [n, n] score tiles are temporaries of each step. Nothing
// but the [B, H, P, ·] layouts and the per-head [P, ·] accumulators grows
// with T.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// Query and key tile rows: a [64, 64] score tile (16 KiB) and [64, m]
/// operand tiles stay in L1/L2 for m up to 128; smaller tiles spend more of
/// their time in the GEMM kernels' per-call packing and loop overheads.
constexpr int64_t kTile = 64;

/// The static shape of one attention op.
struct Geometry {
  int64_t length, heads, width, tile, padded;
  bool causal, rope;
  double scale, ropeBase;

  template <typename Op> static Geometry of(Op op) {
    Geometry g;
    g.length = op.getLength();
    g.heads = op.getHeads();
    g.width =
        cast<RankedTensorType>(op.getQ().getType()).getDimSize(1) / g.heads;
    g.tile = std::min(kTile, g.length);
    g.padded = (g.length + g.tile - 1) / g.tile * g.tile;
    g.causal = op.getCausal();
    g.rope = op.getRope();
    g.scale = op.getScaleAttr().getValueAsDouble();
    g.ropeBase = op.getRopeBaseAttr().getValueAsDouble();
    return g;
  }
  int64_t tiles() const { return padded / tile; }
};

Value idx(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}
Value addi(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddIOp::create(b, l, x, y);
}
Value muli(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulIOp::create(b, l, x, y);
}
Value lt(OpBuilder &b, Location l, Value x, Value y) {
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, y);
}

/// exp(x) in f32 arithmetic that vectorises (math.exp on CPU becomes one
/// libm call per element): 2^n · e^r with n = round(x log2 e), r = x − n ln 2
/// in two steps (Cody–Waite), e^r by Cephes' degree-6 polynomial on
/// |r| <= ln 2 / 2 (within 2 ulp of exp). Below −87.3 (2^n subnormal) gives
/// 0, above 88.37 +∞; NaN stays NaN. The arguments here are <= 0 (scores
/// minus their row max or logsumexp) up to rounding.
Value expf32(OpBuilder &b, Location l, Value x) {
  auto c = [&](double v) { return f32Const(b, l, v); };
  auto fma = [&](Value a, Value m, Value y) {
    return math::FmaOp::create(b, l, a, m, y).getResult();
  };
  const double lo = -87.3365447504, hi = 88.37;
  Value xc = arith::MinimumFOp::create(
      b, l, arith::MaximumFOp::create(b, l, x, c(lo)), c(hi));
  Value n =
      math::FloorOp::create(b, l, fma(xc, c(1.44269504088896341), c(0.5)));
  Value r = fma(n, c(-0.693359375), xc);
  r = fma(n, c(2.12194440e-4), r);
  Value y = c(1.9875691500e-4);
  for (double k : {1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                   1.6666665459e-1, 5.0000001201e-1})
    y = fma(y, r, c(k));
  y = fma(y, mulf(b, l, r, r), arith::AddFOp::create(b, l, r, c(1.0)));
  Value ni = arith::FPToSIOp::create(b, l, b.getI32Type(), n);
  Value bits = arith::ShLIOp::create(
      b, l,
      arith::AddIOp::create(b, l, ni,
                            arith::ConstantIntOp::create(b, l, 127, 32)),
      arith::ConstantIntOp::create(b, l, 23, 32));
  Value e = mulf(b, l, y, arith::BitcastOp::create(b, l, b.getF32Type(), bits));
  Value under =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, c(lo));
  Value over = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, c(hi));
  e = arith::SelectOp::create(b, l, under, c(0.0), e);
  return arith::SelectOp::create(b, l, over,
                                 c(std::numeric_limits<double>::infinity()), e);
}

RankedTensorType f32Tensor(OpBuilder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

/// `buffer` filled with `value`.
Value zeroed(OpBuilder &b, Location l, Value buffer, double value = 0.0) {
  return linalg::FillOp::create(b, l, f32Const(b, l, value), buffer)
      .getResult(0);
}

/// A generic over `init`'s dimensions (all parallel) whose body computes
/// each element from its indices.
Value generate(OpBuilder &b, Location l, Value init,
               function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  return linalg::GenericOp::create(
             b, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, kPar),
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < rank; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, nl, d));
               linalg::YieldOp::create(nb, nl, body(nb, nl, ivs));
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Prologue and epilogue: row form <-> head layout, RoPE
//===----------------------------------------------------------------------===//

/// cos and sin of t·θ_j, θ_j = base^(−2j/m), as [T, m/2] tables (f64 math).
std::pair<Value, Value> ropeTables(OpBuilder &b, Location l,
                                   const Geometry &g) {
  auto type = f32Tensor(b, {g.length, g.width / 2});
  auto angle = [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    auto f64 = [&](Value i) {
      Value n = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), i);
      return arith::SIToFPOp::create(nb, nl, nb.getF64Type(), n);
    };
    Value c = arith::ConstantOp::create(
        nb, nl, nb.getF64FloatAttr(-2.0 * std::log(g.ropeBase) / g.width));
    Value theta = math::ExpOp::create(nb, nl, mulf(nb, nl, c, f64(ivs[1])));
    return mulf(nb, nl, f64(ivs[0]), theta);
  };
  auto table = [&](bool sine) {
    return generate(b, l, tensor::EmptyOp::create(b, l, type, ValueRange{}),
                    [&](OpBuilder &nb, Location nl, ValueRange ivs) -> Value {
                      Value a = angle(nb, nl, ivs);
                      Value v = sine ? Value(math::SinOp::create(nb, nl, a))
                                     : Value(math::CosOp::create(nb, nl, a));
                      return arith::TruncFOp::create(nb, nl, nb.getF32Type(),
                                                     v);
                    });
  };
  return {table(false), table(true)};
}

/// The RoPE tables when the op rotates q and k, else none.
std::optional<std::pair<Value, Value>> ropeTablesIfAny(OpBuilder &b, Location l,
                                                       const Geometry &g) {
  if (!g.rope)
    return std::nullopt;
  return ropeTables(b, l, g);
}

/// The rotation of element c of a head row (value x, partner x at
/// (c + m/2) mod m) at position t: x cos − partner sin for the first half,
/// x cos + partner sin for the second; `inverse` flips the angle.
Value rotate(OpBuilder &b, Location l, const Geometry &g,
             std::pair<Value, Value> tables, Value t, Value c, Value x,
             Value partner, bool inverse) {
  Value half = idx(b, l, g.width / 2);
  Value firstHalf = lt(b, l, c, half);
  Value j = arith::RemUIOp::create(b, l, c, half);
  Value cos = tensor::ExtractOp::create(b, l, tables.first, ValueRange{t, j});
  Value sin = tensor::ExtractOp::create(b, l, tables.second, ValueRange{t, j});
  Value ps = mulf(b, l, partner, sin);
  Value negative = arith::NegFOp::create(b, l, ps);
  Value term = inverse ? arith::SelectOp::create(b, l, firstHalf, ps, negative)
                       : arith::SelectOp::create(b, l, firstHalf, negative, ps);
  return arith::AddFOp::create(b, l, mulf(b, l, x, cos), term);
}

/// Row form x [B·T, D] -> head layout [B, H, P, m] (`transposed`: [B, H, m,
/// P]): factor·rope(x) (rope when `tables` are given), rows t >= T zero.
Value toHeads(OpBuilder &b, Location l, const Geometry &g, Value x,
              std::optional<std::pair<Value, Value>> tables, double factor,
              bool transposed = false) {
  auto type =
      transposed
          ? f32Tensor(b, {ShapedType::kDynamic, g.heads, g.width, g.padded})
          : f32Tensor(b, {ShapedType::kDynamic, g.heads, g.padded, g.width});
  Value batch = arith::DivUIOp::create(b, l, tensor::DimOp::create(b, l, x, 0),
                                       idx(b, l, g.length));
  Value init = tensor::EmptyOp::create(b, l, type, ValueRange{batch});
  return generate(b, l, init, [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    Value t = ivs[transposed ? 3 : 2], c = ivs[transposed ? 2 : 3];
    // Padding rows read the last row (in bounds) and are zeroed below.
    Value last = idx(nb, nl, g.length - 1);
    Value tc = arith::MinUIOp::create(nb, nl, t, last);
    Value row = addi(nb, nl, muli(nb, nl, ivs[0], idx(nb, nl, g.length)), tc);
    Value col0 = muli(nb, nl, ivs[1], idx(nb, nl, g.width));
    Value v = tensor::ExtractOp::create(nb, nl, x,
                                        ValueRange{row, addi(nb, nl, col0, c)});
    if (tables) {
      Value pc = arith::RemUIOp::create(
          nb, nl, addi(nb, nl, c, idx(nb, nl, g.width / 2)),
          idx(nb, nl, g.width));
      Value partner = tensor::ExtractOp::create(
          nb, nl, x, ValueRange{row, addi(nb, nl, col0, pc)});
      v = rotate(nb, nl, g, *tables, tc, c, v, partner, /*inverse=*/false);
    }
    if (factor != 1.0)
      v = mulf(nb, nl, v, f32Const(nb, nl, factor));
    return arith::SelectOp::create(nb, nl, lt(nb, nl, t, idx(nb, nl, g.length)),
                                   v, f32Const(nb, nl, 0.0));
  });
}

/// Head layout [B, H, P, ·] -> row form [B·T, D]: factor·rope⁻¹(x) of the m
/// columns from `column0` on.
Value fromHeads(OpBuilder &b, Location l, const Geometry &g, Value xh,
                std::optional<std::pair<Value, Value>> tables, double factor,
                int64_t column0 = 0) {
  auto type = f32Tensor(b, {ShapedType::kDynamic, g.heads * g.width});
  Value rows =
      muli(b, l, tensor::DimOp::create(b, l, xh, 0), idx(b, l, g.length));
  Value init = tensor::EmptyOp::create(b, l, type, ValueRange{rows});
  return generate(b, l, init, [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    Value lengthValue = idx(nb, nl, g.length),
          widthValue = idx(nb, nl, g.width);
    Value e = arith::DivUIOp::create(nb, nl, ivs[0], lengthValue);
    Value t = arith::RemUIOp::create(nb, nl, ivs[0], lengthValue);
    Value h = arith::DivUIOp::create(nb, nl, ivs[1], widthValue);
    Value c = arith::RemUIOp::create(nb, nl, ivs[1], widthValue);
    Value first = idx(nb, nl, column0);
    Value v = tensor::ExtractOp::create(
        nb, nl, xh, ValueRange{e, h, t, addi(nb, nl, c, first)});
    if (tables) {
      Value pc = arith::RemUIOp::create(
          nb, nl, addi(nb, nl, c, idx(nb, nl, g.width / 2)), widthValue);
      Value partner = tensor::ExtractOp::create(
          nb, nl, xh, ValueRange{e, h, t, addi(nb, nl, pc, first)});
      v = rotate(nb, nl, g, *tables, t, c, v, partner, /*inverse=*/true);
    }
    if (factor != 1.0)
      v = mulf(nb, nl, v, f32Const(nb, nl, factor));
    return v;
  });
}

/// D [B·T, H]: D[r, h] = ⟨a_r, c_r⟩ over the columns of head h.
Value headDots(OpBuilder &b, Location l, const Geometry &g, Value a, Value c) {
  MLIRContext *ctx = b.getContext();
  Value rows = tensor::DimOp::create(b, l, a, 0);
  auto split = [&](Value x) {
    return tensor::ExpandShapeOp::create(
        b, l, f32Tensor(b, {ShapedType::kDynamic, g.heads, g.width}), x,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}},
        SmallVector<OpFoldResult>{rows, b.getIndexAttr(g.heads),
                                  b.getIndexAttr(g.width)});
  };
  Value init = zeroed(b, l,
                      tensor::EmptyOp::create(
                          b, l, f32Tensor(b, {ShapedType::kDynamic, g.heads}),
                          ValueRange{rows}));
  AffineMap full = loopMap(ctx, 3, {0, 1, 2});
  return linalg::GenericOp::create(
             b, l, TypeRange{init.getType()}, ValueRange{split(a), split(c)},
             ValueRange{init},
             ArrayRef<AffineMap>{full, full, loopMap(ctx, 3, {0, 1})},
             ArrayRef<utils::IteratorType>{kPar, kPar, kRed},
             [](OpBuilder &nb, Location nl, ValueRange x) {
               auto sum = arith::AddFOp::create(nb, nl, x[2],
                                                mulf(nb, nl, x[0], x[1]));
               sum.setFastmath(arith::FastMathFlags::reassoc);
               linalg::YieldOp::create(nb, nl, ValueRange{sum.getResult()});
             })
      .getResult(0);
}

/// Per-row values [B·T, H] (the saved logsumexp, D) -> [B, H, P], rows
/// t >= T zero.
Value rowValuesToHeads(OpBuilder &b, Location l, const Geometry &g,
                       Value values) {
  auto type = f32Tensor(b, {ShapedType::kDynamic, g.heads, g.padded});
  Value batch = arith::DivUIOp::create(
      b, l, tensor::DimOp::create(b, l, values, 0), idx(b, l, g.length));
  Value init = tensor::EmptyOp::create(b, l, type, ValueRange{batch});
  return generate(b, l, init, [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    Value t = ivs[2];
    Value tc = arith::MinUIOp::create(nb, nl, t, idx(nb, nl, g.length - 1));
    Value row = addi(nb, nl, muli(nb, nl, ivs[0], idx(nb, nl, g.length)), tc);
    Value v =
        tensor::ExtractOp::create(nb, nl, values, ValueRange{row, ivs[1]});
    return arith::SelectOp::create(nb, nl, lt(nb, nl, t, idx(nb, nl, g.length)),
                                   v, f32Const(nb, nl, 0.0));
  });
}

//===----------------------------------------------------------------------===//
// Tiles
//===----------------------------------------------------------------------===//

/// The [n, m] tile of head layout xh [B, H, P, m] at (e, h, rows t0..t0+n);
/// `transposed`: the [m, n] tile of xh [B, H, m, P].
Value operandTile(OpBuilder &b, Location l, const Geometry &g, Value xh,
                  Value e, Value h, Value t0, bool transposed = false) {
  if (transposed)
    return tensor::ExtractSliceOp::create(
        b, l, f32Tensor(b, {g.width, g.tile}), xh,
        SmallVector<OpFoldResult>{e, h, b.getIndexAttr(0), t0},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                  b.getIndexAttr(g.width),
                                  b.getIndexAttr(g.tile)},
        SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
  return tensor::ExtractSliceOp::create(
      b, l, f32Tensor(b, {g.tile, g.width}), xh,
      SmallVector<OpFoldResult>{e, h, t0, b.getIndexAttr(0)},
      SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                b.getIndexAttr(g.tile),
                                b.getIndexAttr(g.width)},
      SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
}

/// The [n] slice of per-row values [B, H, P] at (e, h, rows t0..t0+n).
Value rowTile(OpBuilder &b, Location l, const Geometry &g, Value xh, Value e,
              Value h, Value t0) {
  return tensor::ExtractSliceOp::create(
      b, l, f32Tensor(b, {g.tile}), xh, SmallVector<OpFoldResult>{e, h, t0},
      SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                b.getIndexAttr(g.tile)},
      SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
}

/// Whether score (t, s) takes part: both in the sequence and, when causal,
/// s <= t.
Value scoreIsValid(OpBuilder &b, Location l, const Geometry &g, Value t,
                   Value s) {
  Value lengthValue = idx(b, l, g.length);
  // (Operands built one statement each: the IR order must not depend on
  // the C++ compiler's argument evaluation order.)
  Value queryIn = lt(b, l, t, lengthValue);
  Value keyIn = lt(b, l, s, lengthValue);
  Value valid = arith::AndIOp::create(b, l, queryIn, keyIn);
  if (g.causal)
    valid = arith::AndIOp::create(
        b, l, valid,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, s, t));
  return valid;
}

/// A generic over the score tile that updates `scores` in place (and reads
/// `rows` [n] at the query index): body(score, row values..., t, s). The tile
/// is [query, key], or [key, query] when `keysFirst`.
Value mapScores(
    OpBuilder &b, Location l, Value scores, ValueRange rows, Value t0, Value s0,
    bool keysFirst,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value, Value)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned queryDim = keysFirst ? 1 : 0;
  SmallVector<AffineMap> maps(rows.size(), loopMap(ctx, 2, {queryDim}));
  maps.push_back(loopMap(ctx, 2, {0, 1}));
  return linalg::GenericOp::create(
             b, l, TypeRange{scores.getType()}, rows, ValueRange{scores}, maps,
             ArrayRef<utils::IteratorType>{kPar, kPar},
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value t =
                   addi(nb, nl, t0, linalg::IndexOp::create(nb, nl, queryDim));
               Value s = addi(nb, nl, s0,
                              linalg::IndexOp::create(nb, nl, 1 - queryDim));
               SmallVector<Value> in{args.back()};
               llvm::append_range(in, args.drop_back());
               linalg::YieldOp::create(nb, nl,
                                       ValueRange{body(nb, nl, in, t, s)});
             })
      .getResult(0);
}

/// P[i, j] = exp(S[i, j] − shift[i]) where valid, else 0 (in place on S).
Value probabilities(OpBuilder &b, Location l, const Geometry &g, Value scores,
                    Value shift, Value t0, Value s0, bool keysFirst) {
  return mapScores(
      b, l, scores, {shift}, t0, s0, keysFirst,
      [&](OpBuilder &nb, Location nl, ValueRange a, Value t, Value s) {
        Value p = expf32(nb, nl, subf(nb, nl, a[0], a[1]));
        return arith::SelectOp::create(nb, nl, scoreIsValid(nb, nl, g, t, s), p,
                                       f32Const(nb, nl, 0.0));
      });
}

/// Σ_s or max_s over the keys of a score tile, into `acc` [n] (per query).
Value reduceRows(
    OpBuilder &b, Location l, Value tile, Value acc, bool keysFirst,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, l, TypeRange{acc.getType()}, ValueRange{tile}, ValueRange{acc},
             ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                 loopMap(ctx, 2, {keysFirst ? 1u : 0u})},
             keysFirst ? ArrayRef<utils::IteratorType>{kRed, kPar}
                       : ArrayRef<utils::IteratorType>{kPar, kRed},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl,
                                       ValueRange{combine(nb, nl, a[1], a[0])});
             })
      .getResult(0);
}

/// A new [n, n] score tile.
Value scoreTile(OpBuilder &b, Location l, const Geometry &g) {
  return tensor::EmptyOp::create(b, l, f32Tensor(b, {g.tile, g.tile}),
                                 ValueRange{});
}

/// Aᵀ B for two transposed operand tiles [m, n]: S = Q Kᵀ from (Qᵀ, Kᵀ), or
/// Sᵀ = K Qᵀ from (Kᵀ, Qᵀ) (q already holds the scale). Both operands are
/// read along their rows: the GEMM kernels pack them with vector loads.
Value productOfTransposed(OpBuilder &b, Location l, const Geometry &g,
                          Value lhsT, Value rhsT) {
  return contractionInto(b, l, zeroed(b, l, scoreTile(b, l, g)), lhsT, rhsT,
                         /*transposeLhs=*/true, /*transposeRhs=*/false, 1.0);
}

//===----------------------------------------------------------------------===//
// Forward
//===----------------------------------------------------------------------===//

/// One query tile's online softmax over the key tiles 0..end: returns
/// (O, lse) with O = Σ_s A_ts v_s and lse the row logsumexp, each [n, ·].
/// `qT` is the [m, n] tile of Qᵀ, `khT` Kᵀ's layout; the score tiles are Sᵀ
/// [key, query] (all three products then read rows of their operands).
std::pair<Value, Value> forwardTile(OpBuilder &b, Location l, const Geometry &g,
                                    Value qT, Value khT, Value vh, Value e,
                                    Value h, Value t0, Value keyTiles) {
  double inf = std::numeric_limits<double>::infinity();
  auto rowsType = f32Tensor(b, {g.tile});
  auto tileType = f32Tensor(b, {g.tile, g.width});
  auto fresh = [&](OpBuilder &nb, RankedTensorType type, double value) {
    return zeroed(nb, l, tensor::EmptyOp::create(nb, l, type, ValueRange{}),
                  value);
  };
  Value m0 = fresh(b, rowsType, -inf), l0 = fresh(b, rowsType, 0.0),
        o0 = fresh(b, tileType, 0.0);
  auto loop = scf::ForOp::create(
      b, l, idx(b, l, 0), keyTiles, idx(b, l, 1), ValueRange{m0, l0, o0},
      [&](OpBuilder &nb, Location nl, Value j, ValueRange c) {
        Value m = c[0], sum = c[1], o = c[2];
        Value k0 = muli(nb, nl, j, idx(nb, nl, g.tile));
        Value kT = operandTile(nb, nl, g, khT, e, h, k0, /*transposed=*/true);
        Value v = operandTile(nb, nl, g, vh, e, h, k0);
        Value s = productOfTransposed(nb, nl, g, kT, qT);
        // The tile's row max over the valid scores (alpha's buffer).
        Value masked = mapScores(
            nb, nl, s, {}, t0, k0, /*keysFirst=*/true,
            [&](OpBuilder &bb, Location ll, ValueRange a, Value t, Value sp) {
              return arith::SelectOp::create(bb, ll,
                                             scoreIsValid(bb, ll, g, t, sp),
                                             a[0], f32Const(bb, ll, -inf));
            });
        Value tileMax =
            reduceRows(nb, nl, masked, fresh(nb, rowsType, -inf), true,
                       [](OpBuilder &bb, Location ll, Value x, Value y) {
                         return arith::MaximumFOp::create(bb, ll, x, y);
                       });
        // M ← max(M, tile max); alpha = exp(M_old − M_new) (0 on the first
        // tile, where M_old = −∞).
        ValueRange updated = elementwise(
            nb, nl, {}, {m, tileMax},
            [](OpBuilder &bb, Location ll, ValueRange a) {
              Value mNew = arith::MaximumFOp::create(bb, ll, a[0], a[1]);
              Value scale = expf32(bb, ll, subf(bb, ll, a[0], mNew));
              return SmallVector<Value>{mNew, scale};
            });
        Value mNew = updated[0], alpha = updated[1];
        Value p = probabilities(nb, nl, g, masked, mNew, t0, k0, true);
        // L ← alpha·L + Σ_j P; O ← alpha·O + P V.
        MLIRContext *ctx = nb.getContext();
        sum = elementwise(nb, nl, {alpha}, {sum},
                          [](OpBuilder &bb, Location ll, ValueRange a) {
                            return SmallVector<Value>{mulf(bb, ll, a[0], a[1])};
                          })[0];
        sum = reduceRows(nb, nl, p, sum, true,
                         [](OpBuilder &bb, Location ll, Value x, Value y) {
                           return arith::AddFOp::create(bb, ll, x, y);
                         });
        o = linalg::GenericOp::create(
                nb, nl, TypeRange{o.getType()}, ValueRange{alpha},
                ValueRange{o},
                ArrayRef<AffineMap>{loopMap(ctx, 2, {0}),
                                    loopMap(ctx, 2, {0, 1})},
                ArrayRef<utils::IteratorType>{kPar, kPar},
                [](OpBuilder &bb, Location ll, ValueRange a) {
                  linalg::YieldOp::create(bb, ll,
                                          ValueRange{mulf(bb, ll, a[0], a[1])});
                })
                .getResult(0);
        o = contractionInto(nb, nl, o, p, v, /*transposeLhs=*/true, false, 1.0);
        scf::YieldOp::create(nb, nl, ValueRange{mNew, sum, o});
      });
  Value m = loop.getResult(0), sum = loop.getResult(1), o = loop.getResult(2);
  MLIRContext *ctx = b.getContext();
  // O / L and lse = M + log L, in place.
  o = linalg::GenericOp::create(
          b, l, TypeRange{o.getType()}, ValueRange{sum}, ValueRange{o},
          ArrayRef<AffineMap>{loopMap(ctx, 2, {0}), loopMap(ctx, 2, {0, 1})},
          ArrayRef<utils::IteratorType>{kPar, kPar},
          [](OpBuilder &bb, Location ll, ValueRange a) {
            linalg::YieldOp::create(
                bb, ll, ValueRange{arith::DivFOp::create(bb, ll, a[1], a[0])});
          })
          .getResult(0);
  Value lse = elementwise(
      b, l, {sum}, {m}, [](OpBuilder &bb, Location ll, ValueRange a) {
        Value log = math::LogOp::create(bb, ll, a[0]);
        return SmallVector<Value>{arith::AddFOp::create(bb, ll, a[1], log)};
      })[0];
  return {o, lse};
}

/// The number of key tiles query tile i attends to: all, or up to the
/// diagonal when causal (the tiles above it are skipped entirely).
Value keyTilesFor(OpBuilder &b, Location l, const Geometry &g, Value i) {
  return g.causal ? addi(b, l, i, idx(b, l, 1)) : idx(b, l, g.tiles());
}

/// The first query tile that attends to key tile j.
Value firstQueryTileFor(OpBuilder &b, Location l, const Geometry &g, Value j) {
  return g.causal ? j : idx(b, l, 0);
}

struct LowerAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    Geometry g = Geometry::of(op);
    OpBuilder &b = rewriter;
    std::optional<std::pair<Value, Value>> tables = ropeTablesIfAny(b, l, g);
    Value qhT = toHeads(b, l, g, op.getQ(), tables, g.scale, true);
    Value khT = toHeads(b, l, g, op.getK(), tables, 1.0, true);
    Value vh = toHeads(b, l, g, op.getV(), std::nullopt, 1.0);
    Value out = emptyLike(b, l, op.getQ());
    Value stats = emptyOf(b, l, cast<RankedTensorType>(op.getStats().getType()),
                          {{op.getQ(), 0}});
    SmallVector<OpFoldResult> bounds{
        tensor::DimOp::create(b, l, qhT, 0).getResult(),
        b.getIndexAttr(g.heads), b.getIndexAttr(g.tiles())};
    auto forall = scf::ForallOp::create(b, l, bounds, ValueRange{out, stats},
                                        std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(forall.getTerminator());
      SmallVector<Value> ivs = forall.getInductionVars();
      Value e = ivs[0], h = ivs[1], i = ivs[2];
      Value t0 = muli(b, l, i, idx(b, l, g.tile));
      Value qT = operandTile(b, l, g, qhT, e, h, t0, /*transposed=*/true);
      auto [o, lse] =
          forwardTile(b, l, g, qT, khT, vh, e, h, t0, keyTilesFor(b, l, g, i));
      // Only the tile's rows inside the sequence leave the kernel.
      Value rows = arith::MinUIOp::create(
          b, l, idx(b, l, g.tile),
          arith::SubIOp::create(b, l, idx(b, l, g.length), t0));
      Value row0 = addi(b, l, muli(b, l, e, idx(b, l, g.length)), t0);
      Value col0 = muli(b, l, h, idx(b, l, g.width));
      auto unit = [&](int64_t n) {
        return SmallVector<OpFoldResult>(n, b.getIndexAttr(1));
      };
      Value oRows = tensor::ExtractSliceOp::create(
          b, l, o,
          SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{rows, b.getIndexAttr(g.width)}, unit(2));
      Value lseRows = tensor::ExtractSliceOp::create(
          b, l, lse, SmallVector<OpFoldResult>{b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{rows}, unit(1));
      b.setInsertionPointToEnd(forall.getTerminator().getBody());
      ValueRange shared = forall.getRegionIterArgs();
      tensor::ParallelInsertSliceOp::create(
          b, l, oRows, shared[0], SmallVector<OpFoldResult>{row0, col0},
          SmallVector<OpFoldResult>{rows, b.getIndexAttr(g.width)}, unit(2));
      tensor::ParallelInsertSliceOp::create(
          b, l, lseRows, shared[1], SmallVector<OpFoldResult>{row0, h},
          SmallVector<OpFoldResult>{rows, b.getIndexAttr(1)}, unit(2));
    }
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Backward
//===----------------------------------------------------------------------===//

/// The head-layout operands of the backward, shared by both passes (…T:
/// the transposed layouts [B, H, m, P]).
struct BackwardTiles {
  Value qh, qhT, kh, khT, vhT, doh, dohT, lse, delta;
};

/// Recomputes one score tile's P and dS = P ⊙ (dO Vᵀ − D) from the
/// transposed operand tiles [m, n]: [query, key] tiles, or their transposes
/// when `keysFirst`.
std::pair<Value, Value> scoreGrads(OpBuilder &b, Location l, const Geometry &g,
                                   Value qT, Value kT, Value vT, Value dOT,
                                   Value lse, Value delta, Value t0, Value s0,
                                   bool keysFirst) {
  Value s = keysFirst ? productOfTransposed(b, l, g, kT, qT)
                      : productOfTransposed(b, l, g, qT, kT);
  Value p = probabilities(b, l, g, s, lse, t0, s0, keysFirst);
  Value dp = keysFirst ? productOfTransposed(b, l, g, vT, dOT)
                       : productOfTransposed(b, l, g, dOT, vT);
  MLIRContext *ctx = b.getContext();
  Value ds =
      linalg::GenericOp::create(
          b, l, TypeRange{dp.getType()}, ValueRange{p, delta}, ValueRange{dp},
          ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}),
                              loopMap(ctx, 2, {keysFirst ? 1u : 0u}),
                              loopMap(ctx, 2, {0, 1})},
          ArrayRef<utils::IteratorType>{kPar, kPar},
          [](OpBuilder &nb, Location nl, ValueRange a) {
            linalg::YieldOp::create(
                nb, nl,
                ValueRange{mulf(nb, nl, a[0], subf(nb, nl, a[2], a[1]))});
          })
          .getResult(0);
  return {p, ds};
}

/// The gradients of head (e, h): [dk | dv] [P, 2m] and dq [P, m]. For each
/// key tile j, [dk | dv]_j accumulates over the query tiles that see it, and
/// every dS tile also adds dS K to its query rows of dq, which the head's
/// loops carry (one writer per head, so no atomics; S and dP are computed
/// once per tile pair: five products instead of the seven of two passes).
/// Each carried value starts from its own zero-filled tensor (see the file
/// comment).
std::pair<Value, Value> headGrads(OpBuilder &b, Location l, const Geometry &g,
                                  const BackwardTiles &x, Value e, Value h) {
  auto pairType = f32Tensor(b, {g.tile, 2 * g.width});
  auto tileType = f32Tensor(b, {g.tile, g.width});
  auto fresh = [&](OpBuilder &nb, Location nl, RankedTensorType type) {
    return zeroed(nb, nl, tensor::EmptyOp::create(nb, nl, type, ValueRange{}));
  };
  SmallVector<OpFoldResult> unit(2, b.getIndexAttr(1));
  Value kv0 = fresh(b, l, f32Tensor(b, {g.padded, 2 * g.width}));
  Value dq0 = fresh(b, l, f32Tensor(b, {g.padded, g.width}));
  auto keys = scf::ForOp::create(
      b, l, idx(b, l, 0), idx(b, l, g.tiles()), idx(b, l, 1),
      ValueRange{kv0, dq0},
      [&](OpBuilder &kb, Location kl, Value j, ValueRange kc) {
        Value s0 = muli(kb, kl, j, idx(kb, kl, g.tile));
        Value k = operandTile(kb, kl, g, x.kh, e, h, s0);
        Value kT = operandTile(kb, kl, g, x.khT, e, h, s0, true);
        Value vT = operandTile(kb, kl, g, x.vhT, e, h, s0, true);
        auto queries = scf::ForOp::create(
            kb, kl, firstQueryTileFor(kb, kl, g, j), idx(kb, kl, g.tiles()),
            idx(kb, kl, 1), ValueRange{fresh(kb, kl, pairType), kc[1]},
            [&](OpBuilder &nb, Location nl, Value i, ValueRange c) {
              Value t0 = muli(nb, nl, i, idx(nb, nl, g.tile));
              Value q = operandTile(nb, nl, g, x.qh, e, h, t0);
              Value qT = operandTile(nb, nl, g, x.qhT, e, h, t0, true);
              Value dO = operandTile(nb, nl, g, x.doh, e, h, t0);
              Value dOT = operandTile(nb, nl, g, x.dohT, e, h, t0, true);
              Value lse = rowTile(nb, nl, g, x.lse, e, h, t0);
              Value delta = rowTile(nb, nl, g, x.delta, e, h, t0);
              auto [p, ds] = scoreGrads(nb, nl, g, qT, kT, vT, dOT, lse, delta,
                                        t0, s0, /*keysFirst=*/false);
              // x[row..row + n, column..column + m] += op(A) B.
              auto accumulate = [&](Value into, int64_t row, Value row0,
                                    int64_t column, Value a, bool transposeA,
                                    Value rhs) {
                SmallVector<OpFoldResult> at{row0 ? OpFoldResult(row0)
                                                  : nb.getIndexAttr(row),
                                             nb.getIndexAttr(column)};
                SmallVector<OpFoldResult> sizes{nb.getIndexAttr(g.tile),
                                                nb.getIndexAttr(g.width)};
                Value part = tensor::ExtractSliceOp::create(
                    nb, nl, tileType, into, at, sizes, unit);
                part = contractionInto(nb, nl, part, a, rhs, transposeA, false,
                                       1.0);
                return tensor::InsertSliceOp::create(nb, nl, part, into, at,
                                                     sizes, unit)
                    .getResult();
              };
              // dK += dSᵀ Q (Q holds the scale), dV += Pᵀ dO.
              Value acc = accumulate(c[0], 0, {}, 0, ds, true, q);
              acc = accumulate(acc, 0, {}, g.width, p, true, dO);
              // dQ += dS K (the scale is applied in the epilogue).
              Value dq = accumulate(c[1], 0, t0, 0, ds, false, k);
              scf::YieldOp::create(nb, nl, ValueRange{acc, dq});
            });
        SmallVector<OpFoldResult> at{s0, kb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes{kb.getIndexAttr(g.tile),
                                        kb.getIndexAttr(2 * g.width)};
        Value kv = tensor::InsertSliceOp::create(kb, kl, queries.getResult(0),
                                                 kc[0], at, sizes, unit);
        scf::YieldOp::create(kb, kl, ValueRange{kv, queries.getResult(1)});
      });
  return {keys.getResult(0), keys.getResult(1)};
}

struct LowerAttentionGrad : OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    Geometry g = Geometry::of(op);
    OpBuilder &b = rewriter;
    std::optional<std::pair<Value, Value>> tables = ropeTablesIfAny(b, l, g);
    BackwardTiles x;
    x.qh = toHeads(b, l, g, op.getQ(), tables, g.scale);
    x.qhT = toHeads(b, l, g, op.getQ(), tables, g.scale, true);
    x.kh = toHeads(b, l, g, op.getK(), tables, 1.0);
    x.khT = toHeads(b, l, g, op.getK(), tables, 1.0, true);
    x.vhT = toHeads(b, l, g, op.getV(), std::nullopt, 1.0, true);
    x.doh = toHeads(b, l, g, op.getDout(), std::nullopt, 1.0);
    x.dohT = toHeads(b, l, g, op.getDout(), std::nullopt, 1.0, true);
    x.lse = rowValuesToHeads(b, l, g, op.getStats());
    x.delta =
        rowValuesToHeads(b, l, g, headDots(b, l, g, op.getDout(), op.getOut()));
    Value batch = tensor::DimOp::create(b, l, x.qh, 0);
    auto pairs =
        f32Tensor(b, {ShapedType::kDynamic, g.heads, g.padded, 2 * g.width});
    SmallVector<OpFoldResult> bounds{batch, b.getIndexAttr(g.heads)};
    auto forall = scf::ForallOp::create(
        b, l, bounds,
        ValueRange{tensor::EmptyOp::create(b, l, pairs, batch),
                   emptyLike(b, l, x.qh)},
        std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(forall.getTerminator());
      SmallVector<Value> ivs = forall.getInductionVars();
      auto [kvHead, dqHead] = headGrads(b, l, g, x, ivs[0], ivs[1]);
      b.setInsertionPointToEnd(forall.getTerminator().getBody());
      ValueRange shared = forall.getRegionIterArgs();
      auto insert = [&](Value head, Value into, int64_t width) {
        tensor::ParallelInsertSliceOp::create(
            b, l, head, into,
            SmallVector<OpFoldResult>{ivs[0], ivs[1], b.getIndexAttr(0),
                                      b.getIndexAttr(0)},
            SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                      b.getIndexAttr(g.padded),
                                      b.getIndexAttr(width)},
            SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
      };
      insert(kvHead, shared[0], 2 * g.width);
      insert(dqHead, shared[1], g.width);
    }
    Value kv = forall.getResult(0), q = forall.getResult(1);
    Value dq = fromHeads(b, l, g, q, tables, g.scale);
    Value dk = fromHeads(b, l, g, kv, tables, 1.0);
    Value dv = fromHeads(b, l, g, kv, std::nullopt, 1.0, g.width);
    rewriter.replaceOp(op, ValueRange{dq, dk, dv});
    return success();
  }
};

} // namespace

void lowering::populateAttentionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerAttention, LowerAttentionGrad>(patterns.getContext());
}
