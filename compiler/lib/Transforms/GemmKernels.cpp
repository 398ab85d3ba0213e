//===- GemmKernels.cpp - packed, register-blocked GEMM kernels
//-------------===//
//
// Every matrix product of the generated code (dense forward and backward,
// Newton–Schulz and soft/hard-cap products, block and Kronecker GEMMs, the
// Cayley products) reaches this pass as a linalg.generic on memrefs computing
// C[m, n] += s · Σ_k A[m, k] · B[k, n] (plus batch loops shared by all three).
// It replaces each with the GotoBLAS/BLIS loop nest, written in the vector
// dialect:
//
//   for jc < N step NC:                      B block in L2/L3
//     for pc < K step KC:
//       pack B[pc:+KC, jc:+NC] into KC×NR panels   (zero-cost edges: clamped)
//       for ic < M step MC:                  A block in L2
//         pack A[ic:+MC, pc:+KC] into MR×KC panels
//         for jr < NC step NR:               (parallel across threads)
//           for ir < MC step MR:             (the kernel's tile function)
//             MR × NR accumulators (vector<16xf32>) in registers,
//             for k < KC: NR/16 vector loads of B, MR broadcasts of A,
//                         MR·NR/16 vector.fma
//             C tile += s · acc (masked at the right edge, rows guarded)
//
// The ir loop and everything inside it is one function per kernel
// (`<kernel>_tiles`, not inlined), called by each of the kernel's nests:
// written out in each, it tripled the code LLVM compiles for every kernel.
//
// That is the serial nest (and, with its jr loops parallel, the symmetric
// one's). On several threads, each thread takes one contiguous range of
// columns of C, packing A itself and its own B panels (blocksByColumns),
// unless the product is tall (at least 4·MC rows) with few columns per
// thread: then each thread takes a range of rows and the threads pack the B
// panels together (blocksByRows). A product that overwrites a zero-filled C
// writes it on the first k block instead of adding to it.
// Operands whose unit stride runs across the packed panel (Wᵀ, A's rows)
// are packed by 16-wide vector loads transposed in registers.
//
// Each C element is summed over k in one fixed order (k blocks in sequence,
// k within a block in sequence) whatever the thread count, so results do not
// depend on it. `wl.upper` on a product marks it symmetric (X Xᵀ): only the
// micro-tiles meeting the upper triangle are computed; the lowering mirrors.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

#include <functional>
#include <map>
#include <tuple>

namespace wl {
#define GEN_PASS_DEF_WLGEMMKERNELS
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

constexpr int64_t kLanes = 16; // f32 lanes of a 512-bit register
/// Multiply-adds below which a product runs on one thread (~25 µs of work:
/// waking the pool costs a few µs per parallel loop). A classifier head's
/// 256×10×1024 products are above it.
constexpr int64_t kParallelProduct = int64_t(1) << 21;
/// Elements below which an elementwise op runs on one thread (~1 MB).
constexpr int64_t kParallelElements = int64_t(1) << 18;
/// Rows (in A blocks of MC) from which the threads share the rows of C
/// rather than the B panels of each A block (measured: a transformer's
/// 8192-row products 15% faster, a [256, 1024] batch's 20% slower).
constexpr int64_t kTallBlocks = 4;
/// B panels per thread from which tall products share the columns of C, each
/// thread packing all of A (measured at 1024 columns on 2 threads: 2.5%
/// faster than sharing rows; at 512 and 256 columns 2% and 8% slower).
constexpr int64_t kColumnPanels = 16;
/// Micro-tiles of rows per thread from which a product with fewer B panels
/// than threads shares its rows. Fewer, and the threads meet twice per k
/// block for little work: with a Kronecker factor's gradient (M = N = 32,
/// K = 8192) shared by rows, the 32⊗32 layer's train step took 1.97 ms
/// instead of 1.69.
constexpr int64_t kFewPanelsRowTiles = 8;

/// A matched product: which loop plays m, n and k, the batch loops, and the
/// operands in the roles of C += s · A · B.
struct Gemm {
  linalg::GenericOp op;
  Value a, b, c;
  AffineMap aMap, bMap, cMap;
  unsigned m = 0, n = 0, k = 0;
  SmallVector<unsigned> batch;
  double scale = 1.0;
  bool swapped =
      false; // m indexes C's columns (C was transposed to make n contiguous)
  /// An elementwise op that maps C, in place or into another buffer (the
  /// activation after a layer's product): applied by the kernel as it stores
  /// the last k block, into `epilogueOut`, and removed.
  linalg::GenericOp epilogue;
  Value epilogueOut;
  /// C is read or written after the epilogue (bufferization reused its
  /// buffer, say for the activation's gradient): the kernel stores the bare
  /// product into C as well as f(C) into `epilogueOut`.
  bool keepProduct = false;
  /// A fill of C with zeros right before the product: the kernel writes C on
  /// its first k block instead of adding to it, and the fill is removed.
  linalg::FillOp zeroFill;
};

/// The loop dimension of each result of a projected-permutation map.
std::optional<SmallVector<unsigned>> resultDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || llvm::is_contained(dims, d.getPosition()))
      return std::nullopt;
    dims.push_back(d.getPosition());
  }
  return dims;
}

/// `out + in0 · in1 [· const]` (either operand order), the body of a product.
std::optional<double> productScale(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != &body)
    return std::nullopt;
  Value out = body.getArgument(2);
  Value term = add.getLhs() == out   ? add.getRhs()
               : add.getRhs() == out ? add.getLhs()
                                     : Value();
  if (!term)
    return std::nullopt;
  auto mul = term.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  double scale = 1.0;
  auto isInputs = [&](arith::MulFOp m) {
    Value x = m.getLhs(), y = m.getRhs();
    return (x == body.getArgument(0) && y == body.getArgument(1)) ||
           (x == body.getArgument(1) && y == body.getArgument(0));
  };
  if (!isInputs(mul)) {
    // (in0 · in1) · s
    Value inner = mul.getLhs(), constant = mul.getRhs();
    if (!inner.getDefiningOp<arith::MulFOp>())
      std::swap(inner, constant);
    auto innerMul = inner.getDefiningOp<arith::MulFOp>();
    FloatAttr value;
    if (!innerMul || !isInputs(innerMul) ||
        !matchPattern(constant, m_Constant(&value)))
      return std::nullopt;
    scale = value.getValueAsDouble();
  }
  // Nothing else may happen in the body.
  for (Operation &o : body)
    if (!isa<arith::ConstantOp, linalg::YieldOp>(o) &&
        &o != add.getOperation() && &o != mul.getOperation() &&
        &o != mul.getLhs().getDefiningOp() &&
        &o != mul.getRhs().getDefiningOp())
      return std::nullopt;
  return scale;
}

/// Whether dimension `pos` of a memref has static unit stride.
bool unitStride(Value memref, unsigned pos) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides[pos] == 1;
}

std::optional<Gemm> matchGemm(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics())
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!cast<MemRefType>(v.getType()).getElementType().isF32())
      return std::nullopt;
  std::optional<double> scale = productScale(op);
  if (!scale)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto aDims = resultDims(maps[0]), bDims = resultDims(maps[1]),
       cDims = resultDims(maps[2]);
  if (!aDims || !bDims || !cDims)
    return std::nullopt;
  Gemm g{op,
         op.getDpsInputs()[0],
         op.getDpsInputs()[1],
         op.getDpsInits()[0],
         maps[0],
         maps[1],
         maps[2]};
  g.scale = *scale;
  int ms = 0, ns = 0, ks = 0;
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool inA = llvm::is_contained(*aDims, d),
         inB = llvm::is_contained(*bDims, d),
         inC = llvm::is_contained(*cDims, d);
    if (inA && inB && inC)
      g.batch.push_back(d);
    else if (inA && inC && !inB)
      g.m = d, ++ms;
    else if (inB && inC && !inA)
      g.n = d, ++ns;
    else if (inA && inB && !inC)
      g.k = d, ++ks;
    else
      return std::nullopt;
  }
  if (ms != 1 || ns != 1 || ks != 1)
    return std::nullopt;
  // C's innermost dimension must be n with unit stride (vector loads and
  // stores of C rows); if it is m, compute Cᵀ = Bᵀ Aᵀ instead.
  unsigned last = cDims->size() - 1;
  if (!unitStride(g.c, last))
    return std::nullopt;
  if ((*cDims)[last] == g.m) {
    std::swap(g.a, g.b);
    std::swap(g.aMap, g.bMap);
    std::swap(g.m, g.n);
    g.swapped = true;
  } else if ((*cDims)[last] != g.n) {
    return std::nullopt;
  }
  return g;
}

/// Whether `body` (one input, one output) is a chain of arith/math ops on the
/// input and constants only: what a kernel can apply to 16 lanes at a time.
bool isLaneWiseBody(Block &body) {
  for (Operation &op : body.without_terminator()) {
    StringRef dialect = op.getDialect() ? op.getDialect()->getNamespace() : "";
    if ((dialect != "arith" && dialect != "math") || op.getNumRegions() != 0 ||
        op.getNumResults() != 1)
      return false;
    for (Value operand : op.getOperands()) {
      bool inBody =
          operand.getParentBlock() == &body && !isa<BlockArgument>(operand);
      if (operand != body.getArgument(0) && !inBody &&
          !operand.getDefiningOp<arith::ConstantOp>())
        return false;
    }
  }
  return body.getArgument(1).use_empty(); // the output's old value is not read
}

/// Whether `e` maps one 2-D operand elementwise into its output (identity
/// maps, both loops parallel) by a body a kernel can apply to 16 lanes: what
/// an epilogue may be, on tensors or on buffers.
bool isLaneWiseMap(linalg::GenericOp e) {
  return e.getNumDpsInputs() == 1 && e.getNumDpsInits() == 1 &&
         e.getNumLoops() == 2 && e.getNumParallelLoops() == 2 &&
         llvm::all_of(e.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }) &&
         isLaneWiseBody(e.getRegion().front());
}

/// The buffer `v` is a view of (through subviews, casts, reshapes), or v.
Value viewRoot(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// The elementwise op right after a 2-D product that maps its result C, in
/// place or into another buffer: fused into the kernel's last C update.
void findEpilogue(Gemm &g) {
  if (!g.batch.empty() || g.swapped || g.cMap.getNumResults() != 2)
    return;
  Operation *next = g.op->getNextNode();
  while (next && isa<arith::ConstantOp, memref::DimOp, memref::AllocOp>(next))
    next = next->getNextNode();
  auto e = dyn_cast_or_null<linalg::GenericOp>(next);
  if (!e || !e.hasPureBufferSemantics() || !isLaneWiseMap(e) ||
      e.getDpsInputs()[0] != g.c)
    return;
  Value out = e.getDpsInits()[0];
  auto outType = cast<MemRefType>(out.getType());
  if (!outType.getElementType().isF32() || !unitStride(out, 1))
    return;
  // In place (C = f(C), what bufferization makes of relu(x Wᵀ + b)): later
  // readers of C see f(C) either way. Into another buffer, a fresh C that
  // the output is no view of: when nobody but C's initialiser (before the
  // product), the product, the epilogue and deallocations touches C, C never
  // holds the bare product; otherwise the kernel stores it too.
  if (out != g.c) {
    if (!g.c.getDefiningOp<memref::AllocOp>() || viewRoot(out) == g.c)
      return;
    g.keepProduct = llvm::any_of(g.c.getUsers(), [&](Operation *user) {
      return user != g.op.getOperation() && user != e.getOperation() &&
             !isa<memref::DeallocOp>(user) &&
             !(user->getBlock() == g.op->getBlock() &&
               user->isBeforeInBlock(g.op));
    });
  }
  g.epilogue = e;
  g.epilogueOut = out;
}

} // namespace

bool wl::isProductEpilogue(linalg::GenericOp e) {
  if (!e.hasPureTensorSemantics() || !isLaneWiseMap(e))
    return false;
  Value c = e.getDpsInputs()[0];
  auto product = c.getDefiningOp<linalg::GenericOp>();
  return product && c.hasOneUse() && product->getNextNode() == e &&
         product.getNumDpsInputs() == 2 && product.getNumLoops() == 3 &&
         product.getNumReductionLoops() == 1 && productScale(product);
}

namespace {

/// The fill of C with +0.0 right before a product whose k extent is static
/// and nonzero (so the kernel's first k block writes every element of C):
/// `x·Wᵀ` into a fresh buffer. Fusing it saves a serial pass over C and the
/// first read of C (which another core's fill left dirty in its cache).
/// Symmetric products too: their kernel writes the tiles meeting the upper
/// triangle, the mirror after it every element below.
void findZeroFill(Gemm &g) {
  Operation *prev = g.op->getPrevNode();
  while (prev && isa<arith::ConstantOp, memref::DimOp>(prev))
    prev = prev->getPrevNode();
  auto fill = dyn_cast_or_null<linalg::FillOp>(prev);
  if (!fill || !fill.hasPureBufferSemantics() || fill.getDpsInits()[0] != g.c)
    return;
  auto value = fill.getDpsInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto zero = value ? dyn_cast<FloatAttr>(value.getValue()) : FloatAttr();
  if (!zero || !zero.getValue().isPosZero())
    return;
  int64_t k = g.op.getStaticLoopRanges()[g.k];
  if (ShapedType::isDynamic(k) || k == 0)
    return;
  g.zeroFill = fill;
}

struct Tiles {
  int64_t mr, nr, mc, kc, nc;
};

/// How an operand's two roles (rows, columns of A, B or C) are laid out.
enum class Layout {
  RowsContiguous /*stride [?, 1]*/,
  ColumnsContiguous /*[1, ?]*/,
  General
};

Layout layoutOf(Value operand, AffineMap map, unsigned rowDim,
                unsigned colDim) {
  unsigned last = map.getNumResults() - 1;
  unsigned lastDim = cast<AffineDimExpr>(map.getResult(last)).getPosition();
  if (!unitStride(operand, last))
    return Layout::General;
  if (lastDim == colDim)
    return Layout::RowsContiguous;
  if (lastDim == rowDim)
    return Layout::ColumnsContiguous;
  return Layout::General;
}

MemRefType viewType(MLIRContext *ctx, Layout layout) {
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<int64_t> strides =
      layout == Layout::RowsContiguous      ? SmallVector<int64_t>{dyn, 1}
      : layout == Layout::ColumnsContiguous ? SmallVector<int64_t>{1, dyn}
                                            : SmallVector<int64_t>{dyn, dyn};
  return MemRefType::get({dyn, dyn}, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, dyn, strides));
}

/// The body of one kernel function `C[M, N] += s · A[M, K] · B[K, N]` on 2-D
/// strided views (see the file comment for the loop nest).
class KernelBody {
public:
  /// Makes the (empty) function of a kernel's panel of tiles (panelTiles).
  using TileFunctionMaker = std::function<func::FuncOp(FunctionType)>;

  /// `keepProduct`: the last k block stores C as well as f(C) into D.
  /// `maxThreads`: OpenMP's omp_get_max_threads (used when `parallel`).
  KernelBody(OpBuilder &b, Location loc, const Tiles &t, Layout aLayout,
             Layout bLayout, bool upper, bool parallel, Block *epilogue,
             bool keepProduct, func::FuncOp maxThreads,
             TileFunctionMaker makeTileFunction = {})
      : b(b), loc(loc), t(t), aLayout(aLayout), bLayout(bLayout), upper(upper),
        parallel(parallel), epilogue(epilogue), keepProduct(keepProduct),
        maxThreads(maxThreads), makeTileFunction(std::move(makeTileFunction)) {}

  /// Packing calls these functions (emitPackA / emitPackB bodies, one per
  /// layout, shared by every kernel) instead of repeating the packing code
  /// in each of the kernel's loop nests.
  void usePackFunctions(func::FuncOp packA, func::FuncOp packB) {
    packAFunc = packA, packBFunc = packB;
  }

  /// The body of `pack_a(A, buffer, panelStride, ic, mc, pc, kc)`: every
  /// MR-row panel of the block of `mc` rows from `ic`.
  void emitPackA(Block *entry) {
    A = entry->getArgument(0), panelStride = entry->getArgument(2);
    M = memref::DimOp::create(b, loc, A, 0);
    Value buf = entry->getArgument(1), ic = entry->getArgument(3),
          mc = entry->getArgument(4), pc = entry->getArgument(5),
          kc = entry->getArgument(6);
    if (aLayout == Layout::ColumnsContiguous)
      return packColumnsContiguousA(buf, ic, mc, pc, kc);
    loop(index(0), mc, t.mr, false,
         [&](Value ir) { packABody(buf, ic, ir, pc, kc, sub(M, index(1))); });
  }

  /// The body of `pack_b(B, buffer, panelStride, jc, jr, pc, kc)`.
  void emitPackB(Block *entry) {
    B = entry->getArgument(0), panelStride = entry->getArgument(2);
    N = memref::DimOp::create(b, loc, B, 1);
    packBBody(entry->getArgument(1), entry->getArgument(3),
              entry->getArgument(4), entry->getArgument(5),
              entry->getArgument(6), sub(N, index(1)));
  }

  /// The body of `mirror_upper(C)` for a square C whose upper triangle
  /// (j ≥ i) holds a symmetric product: C[i, j] = C[j, i] below the
  /// diagonal, by 16 × 16 blocks: block (bj, bi) of the upper triangle
  /// loaded as 16 rows, transposed in registers and stored as block (bi, bj)
  /// (on the diagonal only the lanes below it). The rows of blocks are
  /// shared among the threads from both ends alternately (their work grows
  /// with the row), and a thread reads only upper blocks and the diagonal
  /// block of its rows, so it reads nothing another writes.
  void emitMirror(Block *entry) {
    C = entry->getArgument(0);
    Value n = memref::DimOp::create(b, loc, C, 0);
    Value lastRow = sub(n, index(1));
    Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                      mul(n, n), index(kParallelElements));
    auto blockRows = [&](bool inParallel) {
      loop(index(0), n, kLanes, inParallel, [&](Value offset) {
        Value i0 = balancedPanel(offset, n, kLanes);
        Value rowMask = vector::CreateMaskOp::create(b, loc, maskType(),
                                                     ValueRange{sub(n, i0)});
        loop(index(0), add(i0, index(1)), kLanes, false, [&](Value j0) {
          SmallVector<Value> rows;
          for (int64_t r = 0; r < kLanes; ++r)
            rows.push_back(vector::MaskedLoadOp::create(
                b, loc, vecType(), C,
                ValueRange{minIdx(add(j0, index(r)), lastRow), i0}, rowMask,
                zeros()));
          SmallVector<Value> columns = transposeSquares(rows);
          Value diagonal =
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, j0, i0);
          Value colsLeft = sub(n, j0);
          for (int64_t l = 0; l < kLanes; ++l) {
            Value i = add(i0, index(l));
            Value inside =
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, n);
            ifThen(inside, [&] {
              // Lanes j0 + r < n; on the diagonal also r < l (below it).
              Value lanes = arith::SelectOp::create(
                  b, loc, diagonal, minIdx(index(l), colsLeft), colsLeft);
              Value mask = vector::CreateMaskOp::create(b, loc, maskType(),
                                                        ValueRange{lanes});
              vector::MaskedStoreOp::create(b, loc, C, ValueRange{i, j0}, mask,
                                            columns[l]);
            });
          }
        });
      });
    };
    if (!parallel)
      return blockRows(false);
    ifElse(
        big, [&] { blockRows(true); }, [&] { blockRows(false); });
  }

  /// `D` receives f(C) on the last k block when there is an epilogue f;
  /// `overwrite` (i1): the first k block writes C instead of adding to it.
  void emit(Value A, Value B, Value C, Value scale, Value overwrite,
            Value D = {}) {
    this->A = A, this->B = B, this->C = C, this->scale = scale;
    this->overwrite = overwrite, this->D = D;
    M = memref::DimOp::create(b, loc, C, 0);
    N = memref::DimOp::create(b, loc, C, 1);
    K = memref::DimOp::create(b, loc, A, 1);
    // Pack buffers no larger than the product needs.
    panelStride = minIdx(index(t.kc), K);
    ncMax = roundUp(minIdx(index(t.nc), N), t.nr);
    mcMax = roundUp(minIdx(index(t.mc), M), t.mr);
    if (!parallel) {
      blocks(false);
    } else {
      // Products too small to pay for waking the other threads run serially.
      Value work = mul(mul(M, N), K);
      Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, work,
                                        index(kParallelProduct));
      auto ifBig = scf::IfOp::create(b, loc, big, /*withElse=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifBig.getElseRegion().front());
      blocks(false);
      b.setInsertionPointToStart(&ifBig.getThenRegion().front());
      if (upper)
        blocks(true);
      else
        shareAmongThreads();
    }
  }

private:
  /// How the threads share a product: the columns of C (blocksByColumns)
  /// when A is short (fewer than kTallBlocks A blocks: packed whole) or each
  /// thread gets at least kColumnPanels B panels; otherwise the rows
  /// (blocksByRows: tall products with few columns, where packing A on every
  /// thread would cost more than it saves), and when there are fewer B
  /// panels than threads and enough rows.
  void shareAmongThreads() {
    OpBuilder::InsertionGuard guard(b);
    Value threads = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        func::CallOp::create(b, loc, maxThreads, ValueRange{}).getResult(0));
    Value tall = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, M,
                                       index(kTallBlocks * t.mc));
    Value panelsPerThread =
        arith::CeilDivUIOp::create(b, loc, ceilDiv(N, t.nr), threads);
    Value narrow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         panelsPerThread, index(kColumnPanels));
    // Fewer B panels than threads (a rank-16 adapter's x Aᵀ): sharing the
    // columns would leave threads idle, so the rows are shared when each
    // thread gets kFewPanelsRowTiles micro-tiles of rows or more.
    Value fewPanels = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            ceilDiv(N, t.nr), threads);
    Value rowsEnough =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, M,
                              mul(threads, index(kFewPanelsRowTiles * t.mr)));
    ifElse(
        arith::OrIOp::create(
            b, loc, arith::AndIOp::create(b, loc, tall, narrow),
            arith::AndIOp::create(b, loc, fewPanels, rowsEnough)),
        [&] { blocksByRows(threads); },
        [&] {
          blocksByColumns(threads, arith::SelectOp::create(b, loc, tall, mcMax,
                                                           roundUp(M, t.mr)));
        });
  }

  OpBuilder &b;
  Location loc;
  Tiles t;
  Layout aLayout, bLayout;
  bool upper, parallel;
  Block *epilogue;
  bool keepProduct;
  func::FuncOp maxThreads, packAFunc, packBFunc;
  TileFunctionMaker makeTileFunction;
  /// The tiles of an A block and B panel (panelTiles), one function called
  /// by each of the kernel's loop nests.
  func::FuncOp tileFunc;
  Value A, B, C, scale, overwrite, D, M, N, K, panelStride;
  /// Pack buffer sizes no larger than the product needs: an A block's rows
  /// and a B block's columns.
  Value mcMax, ncMax;

  /// Packing goes through the shared per-layout functions (packFunction).
  void packB(Value buf, Value jc, Value jr, Value pc, Value kc) {
    func::CallOp::create(b, loc, packBFunc,
                         ValueRange{B, buf, panelStride, jc, jr, pc, kc});
  }

  /// Packs all MR-row panels of the A block of `mc` rows from `ic`.
  void packA(Value buf, Value ic, Value mc, Value pc, Value kc) {
    func::CallOp::create(b, loc, packAFunc,
                         ValueRange{A, buf, panelStride, ic, mc, pc, kc});
  }

  /// The epilogue's scalar body applied to 16 lanes (constants broadcast).
  Value applyEpilogue(Value x) {
    IRMapping lanes;
    lanes.map(epilogue->getArgument(0), x);
    // A constant (in the body or outside it) is cloned here and broadcast.
    auto broadcastConstant = [&](Operation *constant) -> Value {
      Value scalar = b.clone(*constant)->getResult(0);
      return vector::BroadcastOp::create(
          b, loc, VectorType::get({kLanes}, scalar.getType()), scalar);
    };
    for (Operation &op : epilogue->without_terminator()) {
      if (isa<arith::ConstantOp>(op)) {
        lanes.map(op.getResult(0), broadcastConstant(&op));
        continue;
      }
      SmallVector<Value> operands;
      for (Value operand : op.getOperands()) {
        Value mapped = lanes.lookupOrNull(operand);
        operands.push_back(mapped ? mapped
                                  : broadcastConstant(operand.getDefiningOp()));
      }
      OperationState state(loc, op.getName());
      state.addOperands(operands);
      state.addAttributes(op.getAttrs());
      state.addTypes(VectorType::get({kLanes}, op.getResult(0).getType()));
      lanes.map(op.getResult(0), b.create(state)->getResult(0));
    }
    return lanes.lookup(epilogue->getTerminator()->getOperand(0));
  }

  /// `body(jc, nc, pc, kc)` for every NC-wide block of columns and, inside
  /// it, every KC-deep k block: the two outer loops of every nest.
  template <typename Body> void columnAndKBlocks(Body body) {
    loop(index(0), N, t.nc, false, [&](Value jc) {
      Value nc = minIdx(index(t.nc), sub(N, jc));
      loop(index(0), K, t.kc, false, [&](Value pc) {
        body(jc, nc, minIdx(index(t.kc), sub(K, pc)), pc);
      });
    });
  }

  /// Packs the A block of `mc` rows from `ic` into `buf` and multiplies it
  /// with every B panel of the column block (the panel loop parallel when
  /// `inParallel`).
  void sweepABlock(Value buf, Value bBuf, Value ic, Value mc, Value jc,
                   Value nc, Value pc, Value kc, bool inParallel) {
    packA(buf, ic, mc, pc, kc);
    loop(index(0), nc, t.nr, inParallel, [&](Value jrIn) {
      // Upper: a panel's work grows with its column, so panels are taken
      // from both ends alternately (0, last, 1, last−1, …): the threads'
      // contiguous shares of the loop then get equal work.
      Value jr = upper ? balancedPanel(jrIn, nc, t.nr) : jrIn;
      panelTiles(buf, bBuf, jr, pc, kc, ic, mc, add(jc, jr));
    });
  }

  /// The cache-block loops around packing and micro-kernels.
  void blocks(bool inParallel) {
    Value aPack = allocPack(mul(mcMax, panelStride));
    Value bPack = allocPack(mul(ncMax, panelStride));
    columnAndKBlocks([&](Value jc, Value nc, Value kc, Value pc) {
      loop(index(0), nc, t.nr, inParallel,
           [&](Value jr) { packB(bPack, jc, jr, pc, kc); });
      loop(index(0), M, t.mc, false, [&](Value ic) {
        Value mc = minIdx(index(t.mc), sub(M, ic));
        sweepABlock(aPack, bPack, ic, mc, jc, nc, pc, kc, inParallel);
      });
    });
    memref::DeallocOp::create(b, loc, aPack);
    memref::DeallocOp::create(b, loc, bPack);
  }

  /// The cache-block loops with the threads sharing the rows of C: each
  /// thread takes one contiguous range of ceil(M / threads) rows (a multiple
  /// of MR) and, in A blocks of at most MC of its rows, packs its own A block
  /// and sweeps every B panel. No thread waits for another to pack A, every
  /// thread gets the same number of rows, and there is one parallel loop per
  /// k block rather than one per A block.
  void blocksByRows(Value threads) {
    Value rowsPerThread =
        roundUp(arith::CeilDivUIOp::create(b, loc, M, threads), t.mr);
    Value bPack = allocPack(mul(ncMax, panelStride));
    columnAndKBlocks([&](Value jc, Value nc, Value kc, Value pc) {
      loop(index(0), nc, t.nr, true,
           [&](Value jr) { packB(bPack, jc, jr, pc, kc); });
      loop(index(0), M, rowsPerThread, true, [&](Value first) {
        Value end = minIdx(add(first, rowsPerThread), M);
        Value ownPack = allocPack(mul(mcMax, panelStride));
        loop(first, end, t.mc, false, [&](Value ic) {
          Value mc = minIdx(index(t.mc), sub(end, ic));
          sweepABlock(ownPack, bPack, ic, mc, jc, nc, pc, kc, false);
        });
        memref::DeallocOp::create(b, loc, ownPack);
      });
    });
    memref::DeallocOp::create(b, loc, bPack);
  }

  /// The loops with the threads sharing the columns of C: each thread takes
  /// one contiguous range of B panels and, per NC block of them and k block,
  /// packs A in blocks of `rowsPerBlock` rows into its own buffer (all of A
  /// when it is short: at most kTallBlocks·MC × KC, in its L2); while
  /// sweeping its first A block it packs its B panels, one at a time right
  /// before their use, and later A blocks reuse them. The threads share
  /// nothing: one parallel loop per product and no barrier between k blocks,
  /// for each thread packing A.
  void blocksByColumns(Value threads, Value rowsPerBlock) {
    Value colsPerThread =
        mul(arith::CeilDivUIOp::create(b, loc, ceilDiv(N, t.nr), threads),
            index(t.nr));
    // With one A block each B panel is used once: all go through one
    // panel's buffer, which stays in L1/L2 (measured 3% faster).
    Value oneBlock = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                           rowsPerBlock, M);
    loop(index(0), N, colsPerThread, true, [&](Value first) {
      Value end = minIdx(add(first, colsPerThread), N);
      Value ownA = allocPack(mul(rowsPerBlock, panelStride));
      Value ownCols = minIdx(index(t.nc), roundUp(sub(end, first), t.nr));
      Value ownB = allocPack(
          mul(arith::SelectOp::create(b, loc, oneBlock, index(t.nr), ownCols),
              panelStride));
      loop(first, end, t.nc, false, [&](Value jc) {
        Value nc = minIdx(index(t.nc), sub(end, jc));
        loop(index(0), K, t.kc, false, [&](Value pc) {
          Value kc = minIdx(index(t.kc), sub(K, pc));
          loop(index(0), M, rowsPerBlock, false, [&](Value ic) {
            Value mc = minIdx(rowsPerBlock, sub(M, ic));
            packA(ownA, ic, mc, pc, kc);
            Value firstBlock = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, ic, index(0));
            loop(index(0), nc, t.nr, false, [&](Value jr) {
              Value slot =
                  arith::SelectOp::create(b, loc, oneBlock, index(0), jr);
              ifThen(firstBlock, [&] {
                packB(ownB, add(jc, sub(jr, slot)), slot, pc, kc);
              });
              panelTiles(ownA, ownB, slot, pc, kc, ic, mc, add(jc, jr));
            });
          });
        });
      });
      memref::DeallocOp::create(b, loc, ownA);
      memref::DeallocOp::create(b, loc, ownB);
    });
  }

  Value allocPack(Value elements) {
    auto type = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
    return memref::AllocOp::create(b, loc, type, ValueRange{elements},
                                   b.getI64IntegerAttr(64));
  }

  /// Panel p of P = ceil(nc/width) in the order 0, P−1, 1, P−2, …, as an
  /// offset.
  Value balancedPanel(Value offset, Value nc, int64_t width) {
    Value p = arith::DivUIOp::create(b, loc, offset, index(width));
    Value panels = ceilDiv(nc, width);
    Value half = arith::DivUIOp::create(b, loc, p, index(2));
    Value odd = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        arith::RemUIOp::create(b, loc, p, index(2)), index(0));
    Value fromEnd = sub(sub(panels, index(1)), half);
    return mul(arith::SelectOp::create(b, loc, odd, fromEnd, half),
               index(width));
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value minIdx(Value x, Value y) {
    return arith::MinSIOp::create(b, loc, x, y);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, int64_t d) {
    return arith::CeilDivUIOp::create(b, loc, x, index(d));
  }
  /// x rounded up to a multiple of m.
  Value roundUp(Value x, int64_t m) { return mul(ceilDiv(x, m), index(m)); }
  VectorType vecType(int64_t lanes = kLanes) {
    return VectorType::get({lanes}, b.getF32Type());
  }
  VectorType maskType(int64_t lanes = kLanes) {
    return VectorType::get({lanes}, b.getI1Type());
  }
  Value zeros(int64_t lanes = kLanes) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vecType(lanes), b.getF32FloatAttr(0.0f)));
  }

  /// `for iv = lb to ub step step`; parallel ones become scf.parallel.
  template <typename Body>
  void loop(Value lb, Value ub, int64_t step, bool isParallel, Body body) {
    loop(lb, ub, index(step), isParallel, body);
  }
  template <typename Body>
  void loop(Value lb, Value ub, Value step, bool isParallel, Body body) {
    OpBuilder::InsertionGuard guard(b);
    if (isParallel) {
      auto par = scf::ParallelOp::create(b, loc, ValueRange{lb}, ValueRange{ub},
                                         ValueRange{step});
      b.setInsertionPointToStart(par.getBody());
      body(par.getInductionVars()[0]);
    } else {
      auto f = scf::ForOp::create(b, loc, lb, ub, step);
      b.setInsertionPointToStart(f.getBody());
      body(f.getInductionVar());
    }
  }

  /// buf[jr·panelStride + k·NR + l] = B[pc + k, jc + jr + l]; columns past N
  /// are zeros or clamped copies (their results are never stored).
  void packBBody(Value buf, Value jc, Value jr, Value pc, Value kc,
                 Value lastCol) {
    Value panel = mul(jr, panelStride);
    Value col0 = add(jc, jr);
    if (bLayout == Layout::RowsContiguous) {
      SmallVector<Value> masks;
      for (int64_t v = 0; v < t.nr / kLanes; ++v)
        masks.push_back(vector::CreateMaskOp::create(
            b, loc, maskType(),
            ValueRange{sub(N, add(col0, index(v * kLanes)))}));
      loop(index(0), kc, 1, false, [&](Value kk) {
        for (int64_t v = 0; v < t.nr / kLanes; ++v) {
          Value row = vector::MaskedLoadOp::create(
              b, loc, vecType(), B,
              ValueRange{add(pc, kk), add(col0, index(v * kLanes))}, masks[v],
              zeros());
          vector::StoreOp::create(
              b, loc, row, buf,
              ValueRange{
                  add(add(panel, mul(kk, index(t.nr))), index(v * kLanes))});
        }
      });
      return;
    }
    Value kcVectors = index(0);
    if (bLayout == Layout::ColumnsContiguous) {
      // B = Wᵀ: each column of B is contiguous along k. 16 columns × 16 k
      // are loaded as 16 vectors, transposed in registers and stored as 16
      // rows of the panel.
      Value bt = transposed(B);
      kcVectors =
          mul(arith::DivUIOp::create(b, loc, kc, index(kLanes)), index(kLanes));
      // 16 columns at a time down all of k: 16 streams for the prefetcher.
      for (int64_t v = 0; v < t.nr / kLanes; ++v) {
        loop(index(0), kcVectors, kLanes, false, [&](Value kk) {
          SmallVector<Value> columns;
          for (int64_t l = 0; l < kLanes; ++l) {
            Value col = minIdx(add(col0, index(v * kLanes + l)), lastCol);
            columns.push_back(vector::LoadOp::create(
                b, loc, vecType(), bt, ValueRange{col, add(pc, kk)}));
          }
          SmallVector<Value> rows = transposeSquares(columns);
          for (int64_t i = 0; i < kLanes; ++i)
            vector::StoreOp::create(
                b, loc, rows[i], buf,
                ValueRange{add(add(panel, mul(add(kk, index(i)), index(t.nr))),
                               index(v * kLanes))});
        });
      }
    }
    // The rest element by element (any layout; the k tail of the above).
    loop(index(0), index(t.nr), 1, false, [&](Value l) {
      Value col = minIdx(add(col0, l), lastCol);
      loop(kcVectors, kc, 1, false, [&](Value kk) {
        Value x =
            memref::LoadOp::create(b, loc, B, ValueRange{add(pc, kk), col});
        memref::StoreOp::create(
            b, loc, x, buf,
            ValueRange{add(add(panel, mul(kk, index(t.nr))), l)});
      });
    });
  }

  /// A block whose columns are contiguous (Aᵀ's rows: dyᵀ of dW = dyᵀ x):
  /// at each k the block's mc rows lie side by side, so the k loop is outside
  /// and each k's MR-row pieces go to their panels,
  /// buf[ir·panelStride + k·MR + r] = A[ic + ir + r, pc + k], rows past M
  /// zeros. Panel by panel instead, every k of a panel read 32 bytes 4 KB
  /// past the last (a 1024-wide dy). Measured on the dense B=256 n=1024
  /// step, 7 alternating processes: median 2% faster whole.
  void packColumnsContiguousA(Value buf, Value ic, Value mc, Value pc,
                              Value kc) {
    Value at = transposed(A);
    loop(index(0), kc, 1, false, [&](Value kk) {
      loop(index(0), mc, t.mr, false, [&](Value ir) {
        Value row0 = add(ic, ir);
        Value mask = vector::CreateMaskOp::create(b, loc, maskType(t.mr),
                                                  ValueRange{sub(M, row0)});
        Value column = vector::MaskedLoadOp::create(
            b, loc, vecType(t.mr), at, ValueRange{add(pc, kk), row0}, mask,
            zeros(t.mr));
        vector::StoreOp::create(
            b, loc, column, buf,
            ValueRange{add(mul(ir, panelStride), mul(kk, index(t.mr)))});
      });
    });
  }

  /// buf[ir·panelStride + k·MR + r] = A[ic + ir + r, pc + k] for a row-
  /// contiguous or general A; rows past M are clamped copies (their results
  /// are never stored).
  void packABody(Value buf, Value ic, Value ir, Value pc, Value kc,
                 Value lastRow) {
    Value panel = mul(ir, panelStride);
    Value row0 = add(ic, ir);
    Value kcVectors = index(0);
    if (aLayout == Layout::RowsContiguous && kLanes % t.mr == 0 &&
        llvm::isPowerOf2_64(t.mr)) {
      // MR rows × 16 k loaded as vectors and transposed in registers by
      // MR × MR squares; each k's MR lanes are stored.
      kcVectors =
          mul(arith::DivUIOp::create(b, loc, kc, index(kLanes)), index(kLanes));
      loop(index(0), kcVectors, kLanes, false, [&](Value kk) {
        SmallVector<Value> rows;
        for (int64_t r = 0; r < t.mr; ++r) {
          Value row = minIdx(add(row0, index(r)), lastRow);
          rows.push_back(vector::LoadOp::create(b, loc, vecType(), A,
                                                ValueRange{row, add(pc, kk)}));
        }
        SmallVector<Value> squares = transposeSquares(rows);
        for (int64_t square = 0; square < kLanes / t.mr; ++square)
          for (int64_t i = 0; i < t.mr; ++i) {
            Value lanes = squares[i];
            if (t.mr < kLanes)
              lanes = vector::ExtractStridedSliceOp::create(
                  b, loc, lanes, ArrayRef<int64_t>{square * t.mr},
                  ArrayRef<int64_t>{t.mr}, ArrayRef<int64_t>{1});
            Value k = add(kk, index(square * t.mr + i));
            vector::StoreOp::create(
                b, loc, lanes, buf,
                ValueRange{add(panel, mul(k, index(t.mr)))});
          }
      });
    }
    loop(index(0), index(t.mr), 1, false, [&](Value r) {
      Value row = minIdx(add(row0, r), lastRow);
      loop(kcVectors, kc, 1, false, [&](Value kk) {
        Value x =
            memref::LoadOp::create(b, loc, A, ValueRange{row, add(pc, kk)});
        memref::StoreOp::create(
            b, loc, x, buf,
            ValueRange{add(add(panel, mul(kk, index(t.mr))), r)});
      });
    });
  }

  /// The view of a column-contiguous 2-D operand with its dimensions swapped
  /// (rows contiguous), so vector loads read along its unit stride.
  Value transposed(Value matrix) {
    auto perm =
        AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, b.getContext());
    return memref::TransposeOp::create(b, loc, matrix,
                                       AffineMapAttr::get(perm));
  }

  /// n vectors of 16 lanes (n a power of two ≤ 16) as 16/n squares of n × n,
  /// each transposed: lane s·n + j of result i is lane s·n + i of vector j.
  /// Swapping one bit of the row and lane index per stage (log2 n stages of
  /// two-input shuffles, which LLVM maps to AVX-512 permutes).
  SmallVector<Value> transposeSquares(ArrayRef<Value> vectors) {
    SmallVector<Value> rows(vectors);
    int64_t n = rows.size();
    for (int64_t d = n / 2; d >= 1; d /= 2) {
      // Rows i and i + d (bit d of i clear) trade the elements whose row and
      // lane bits d differ.
      SmallVector<int64_t> low(kLanes), high(kLanes);
      for (int64_t j = 0; j < kLanes; ++j) {
        bool laneBit = j & d;
        low[j] = laneBit ? kLanes + j - d : j;
        high[j] = laneBit ? kLanes + j : j + d;
      }
      for (int64_t i = 0; i < n; ++i) {
        if (i & d)
          continue;
        Value x = rows[i], y = rows[i + d];
        rows[i] = vector::ShuffleOp::create(b, loc, x, y, low);
        rows[i + d] = vector::ShuffleOp::create(b, loc, x, y, high);
      }
    }
    return rows;
  }

  /// The MR × NR tiles of C's columns [col0, col0 + NR) and rows [ic, ic +
  /// mc) from the packed A block and B panel jr (upper: only those meeting
  /// the upper triangle): a call of the kernel's tile function (made at the
  /// first call), so that the kernel's nests (serial, rows or columns
  /// shared) do not each repeat the tiles' unrolled loop and C updates: a
  /// third of the kernel's code for LLVM to optimise and compile, for one
  /// call per A block and B panel.
  void panelTiles(Value aBuf, Value bBuf, Value jr, Value pc, Value kc,
                  Value ic, Value mc, Value col0) {
    SmallVector<Value> args{aBuf,        bBuf, C,  scale, overwrite, M,  N,   K,
                            panelStride, jr,   pc, kc,    ic,        mc, col0};
    if (D)
      args.push_back(D);
    if (!tileFunc) {
      tileFunc =
          makeTileFunction(b.getFunctionType(ValueRange(args).getTypes(), {}));
      Block *entry = tileFunc.addEntryBlock();
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(entry);
      // The tile's code reads the kernel's values through these members.
      auto kernelValues =
          std::make_tuple(C, scale, overwrite, M, N, K, panelStride, D);
      auto arg = [&](unsigned i) { return entry->getArgument(i); };
      C = arg(2), scale = arg(3), overwrite = arg(4), M = arg(5), N = arg(6);
      K = arg(7), panelStride = arg(8);
      D = D ? arg(15) : Value();
      Value aPanels = arg(0), bPanels = arg(1), panel = arg(9), k0 = arg(10),
            kDepth = arg(11), firstRow = arg(12), rows = arg(13),
            firstCol = arg(14);
      loop(index(0), rows, t.mr, false, [&](Value ir) {
        Value row0 = add(firstRow, ir);
        auto tile = [&] {
          microKernel(aPanels, bPanels, ir, panel, k0, kDepth, row0, firstCol);
        };
        if (!upper)
          return tile();
        // Only tiles meeting the upper triangle (some column ≥ row).
        Value lastColOfTile = sub(add(firstCol, index(t.nr)), index(1));
        ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                     lastColOfTile, row0),
               tile);
      });
      func::ReturnOp::create(b, loc);
      std::tie(C, scale, overwrite, M, N, K, panelStride, D) = kernelValues;
    }
    func::CallOp::create(b, loc, tileFunc, args);
  }

  /// C[row0 : row0+MR, col0 : col0+NR] += s · (A panel ir) · (B panel jr).
  void microKernel(Value aBuf, Value bBuf, Value ir, Value jr, Value pc,
                   Value kc, Value row0, Value col0) {
    int64_t nv = t.nr / kLanes;
    // The C tile is read after the k loop: start fetching it now, so the
    // loop hides the trip to L3 (rows clamped into C).
    Value lastColOfTile = minIdx(add(col0, index(t.nr - 1)), sub(N, index(1)));
    for (int64_t r = 0; r < t.mr; ++r) {
      Value row = minIdx(add(row0, index(r)), sub(M, index(1)));
      for (Value col : {col0, lastColOfTile})
        memref::PrefetchOp::create(b, loc, C, ValueRange{row, col},
                                   /*isWrite=*/true,
                                   /*localityHint=*/3, /*isDataCache=*/true);
    }
    SmallVector<Value> init(t.mr * nv, zeros());
    Value aBase = mul(ir, panelStride), bBase = mul(jr, panelStride);
    auto kLoop = scf::ForOp::create(b, loc, index(0), kc, index(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value kk = kLoop.getInductionVar();
      ValueRange acc = kLoop.getRegionIterArgs();
      SmallVector<Value> bv;
      Value bRow = add(bBase, mul(kk, index(t.nr)));
      for (int64_t v = 0; v < nv; ++v)
        bv.push_back(vector::LoadOp::create(
            b, loc, vecType(), bBuf, ValueRange{add(bRow, index(v * kLanes))}));
      Value aRow = add(aBase, mul(kk, index(t.mr)));
      SmallVector<Value> next;
      for (int64_t r = 0; r < t.mr; ++r) {
        Value x = memref::LoadOp::create(b, loc, aBuf,
                                         ValueRange{add(aRow, index(r))});
        Value splat = vector::BroadcastOp::create(b, loc, vecType(), x);
        for (int64_t v = 0; v < nv; ++v)
          next.push_back(
              vector::FMAOp::create(b, loc, splat, bv[v], acc[r * nv + v]));
      }
      scf::YieldOp::create(b, loc, next);
    }
    // C tile += s · acc: rows past M skipped, columns past N masked.
    Value rowsLeft = sub(M, row0);
    Value scaleVec = vector::BroadcastOp::create(b, loc, vecType(), scale);
    SmallVector<Value> masks;
    for (int64_t v = 0; v < nv; ++v)
      masks.push_back(vector::CreateMaskOp::create(
          b, loc, maskType(),
          ValueRange{sub(N, add(col0, index(v * kLanes)))}));
    auto update = [&](bool last, bool fresh) {
      for (int64_t r = 0; r < t.mr; ++r) {
        Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                             index(r), rowsLeft);
        auto ifOp = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        Value row = add(row0, index(r));
        for (int64_t v = 0; v < nv; ++v) {
          SmallVector<Value> idx{row, add(col0, index(v * kLanes))};
          Value old = fresh ? zeros()
                            : vector::MaskedLoadOp::create(
                                  b, loc, vecType(), C, idx, masks[v], zeros());
          Value updated = vector::FMAOp::create(
              b, loc, kLoop.getResult(r * nv + v), scaleVec, old);
          if (!last || keepProduct)
            vector::MaskedStoreOp::create(b, loc, C, idx, masks[v], updated);
          if (last)
            vector::MaskedStoreOp::create(b, loc, D, idx, masks[v],
                                          applyEpilogue(updated));
        }
      }
    };
    // The first k block of an overwriting product reads no C.
    Value fresh = arith::AndIOp::create(
        b, loc, overwrite,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pc, index(0)));
    auto updateFreshOrNot = [&](bool last) {
      ifElse(fresh, [&] { update(last, true); }, [&] { update(last, false); });
    };
    if (!epilogue)
      return updateFreshOrNot(false);
    // The last k block stores f(C) into D instead of C (as well as C when
    // keepProduct).
    Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       add(pc, kc), K);
    ifElse(
        last, [&] { updateFreshOrNot(true); },
        [&] { updateFreshOrNot(false); });
  }

  template <typename Then> void ifThen(Value condition, Then thenBody) {
    auto ifOp = scf::IfOp::create(b, loc, condition, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    thenBody();
  }

  template <typename Then, typename Else>
  void ifElse(Value condition, Then thenBody, Else elseBody) {
    auto ifOp = scf::IfOp::create(b, loc, condition, /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    thenBody();
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    elseBody();
  }
};

/// Replaces matched products by calls of one kernel function per operand
/// layout (shared by every product of the module with that layout).
class KernelLibrary {
public:
  KernelLibrary(ModuleOp module, const Tiles &t, bool parallel)
      : module(module), t(t), parallel(parallel) {}

  void replace(Gemm g) {
    Layout aLayout = layoutOf(g.a, g.aMap, g.m, g.k),
           bLayout = layoutOf(g.b, g.bMap, g.k, g.n);
    // In C's own orientation (a transposed problem would compute the lower
    // half).
    bool upper = g.op->hasAttr("wl.upper") && !g.swapped;
    func::FuncOp kernel =
        kernelFor(aLayout, bLayout, upper, g.epilogue, g.keepProduct);
    // At the epilogue when there is one: its output may be allocated between
    // the two (findEpilogue skips allocations), and nothing there reads C.
    OpBuilder b(g.epilogue ? g.epilogue.getOperation() : g.op.getOperation());
    Location loc = g.op.getLoc();
    // Batch loops around a call on 2-D views of the three operands.
    SmallVector<Value> batchIvs;
    std::function<void(size_t)> batchLoops = [&](size_t i) {
      if (i == g.batch.size()) {
        Value a =
            view(b, loc, g.a, g.aMap, g.m, g.k, aLayout, g.batch, batchIvs);
        Value bv =
            view(b, loc, g.b, g.bMap, g.k, g.n, bLayout, g.batch, batchIvs);
        Value c = view(b, loc, g.c, g.cMap, g.m, g.n, Layout::RowsContiguous,
                       g.batch, batchIvs);
        Value s = arith::ConstantOp::create(
            b, loc, b.getF32FloatAttr(static_cast<float>(g.scale)));
        Value overwrite = arith::ConstantOp::create(
            b, loc, b.getBoolAttr(static_cast<bool>(g.zeroFill)));
        SmallVector<Value> args{a, bv, c, s, overwrite};
        if (g.epilogue)
          args.push_back(view(b, loc, g.epilogueOut, g.cMap, g.m, g.n,
                              Layout::RowsContiguous, g.batch, batchIvs));
        func::CallOp::create(b, loc, kernel, args);
        // The kernel wrote the tiles meeting the upper triangle.
        if (upper)
          func::CallOp::create(b, loc, mirrorFunction(), ValueRange{c});
        return;
      }
      Value size = extentOf(b, loc, g, g.batch[i]);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      OpBuilder::InsertionGuard guard(b);
      if (i == 0 && parallel) {
        // The outermost batch loop runs on the thread pool: a batch of
        // small products (Monarch's and block-diagonal blocks, attention
        // heads) would otherwise run one after another, each too small to
        // wake the other threads. A product big enough to fork on its own
        // runs on its thread (OpenMP serialises nested regions).
        auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                            ValueRange{size}, ValueRange{one});
        b.setInsertionPointToStart(loop.getBody());
        batchIvs.push_back(loop.getInductionVars()[0]);
      } else {
        auto loop = scf::ForOp::create(b, loc, zero, size, one);
        b.setInsertionPointToStart(loop.getBody());
        batchIvs.push_back(loop.getInductionVar());
      }
      batchLoops(i + 1);
      batchIvs.pop_back();
    };
    batchLoops(0);
    g.op.erase();
    if (g.epilogue)
      g.epilogue.erase();
    if (g.zeroFill)
      g.zeroFill.erase();
  }

private:
  ModuleOp module;
  Tiles t;
  bool parallel;
  std::map<std::tuple<Layout, Layout, bool, std::string, bool>, func::FuncOp>
      kernels;
  std::map<std::pair<bool, Layout>, func::FuncOp> packs;
  unsigned epilogueKernels = 0;
  func::FuncOp mirror;

  /// `func.func private @omp_get_max_threads() -> i32` (libomp), declared
  /// once.
  func::FuncOp maxThreadsFunc() {
    if (!parallel)
      return {};
    if (auto f = module.lookupSymbol<func::FuncOp>("omp_get_max_threads"))
      return f;
    OpBuilder b(module.getContext());
    b.setInsertionPointToStart(module.getBody());
    auto f = func::FuncOp::create(b, module.getLoc(), "omp_get_max_threads",
                                  b.getFunctionType({}, {b.getI32Type()}));
    f.setPrivate();
    return f;
  }

  /// The body's ops with their operands named by position (block argument
  /// i, result of the body's op j, or a constant's value), attributes and
  /// types: equal for equal bodies whatever the SSA names of the function
  /// they sit in (every relu layer's epilogue shares one kernel).
  static std::string bodyKey(Block &body) {
    std::string key;
    llvm::raw_string_ostream os(key);
    DenseMap<Operation *, unsigned> position;
    for (Operation &op : body) {
      position[&op] = position.size();
      os << op.getName();
      for (Value operand : op.getOperands()) {
        if (auto arg = dyn_cast<BlockArgument>(operand);
            arg && arg.getOwner() == &body)
          os << " a" << arg.getArgNumber();
        else if (Operation *def = operand.getDefiningOp();
                 def && position.count(def))
          os << " v" << position[def];
        else if (auto constant = operand.getDefiningOp<arith::ConstantOp>())
          os << " [" << constant.getValue() << "]";
        else
          os << " ?"; // not an epilogue findEpilogue accepts
      }
      os << " " << op.getAttrDictionary();
      for (Type type : op.getResultTypes())
        os << " " << type;
      os << "\n";
    }
    return key;
  }

  static StringRef layoutName(Layout l) {
    return l == Layout::RowsContiguous      ? "r"
           : l == Layout::ColumnsContiguous ? "c"
                                            : "g";
  }

  func::FuncOp kernelFor(Layout aLayout, Layout bLayout, bool upper,
                         linalg::GenericOp epilogue, bool keepProduct) {
    // Kernels with an epilogue are shared by epilogues of the same body.
    std::string epilogueKey;
    if (epilogue)
      epilogueKey = bodyKey(epilogue.getRegion().front());
    auto key =
        std::make_tuple(aLayout, bLayout, upper, epilogueKey, keepProduct);
    if (auto it = kernels.find(key); it != kernels.end())
      return it->second;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    std::string name = ("wlgen_gemm_a" + layoutName(aLayout) + "_b" +
                        layoutName(bLayout) + (upper ? "_upper" : ""))
                           .str();
    if (epilogue)
      name += "_epilogue" + std::to_string(epilogueKernels++) +
              (keepProduct ? "_keep" : "");
    SmallVector<Type> inputs{viewType(ctx, aLayout), viewType(ctx, bLayout),
                             viewType(ctx, Layout::RowsContiguous),
                             b.getF32Type(), b.getI1Type()};
    if (epilogue)
      inputs.push_back(viewType(ctx, Layout::RowsContiguous));
    auto type = b.getFunctionType(inputs, {});
    Location loc = module.getLoc();
    func::FuncOp func = internalFunction(b, name, type);
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    auto makeTileFunction = [&](FunctionType tileType) {
      OpBuilder atEnd(ctx);
      atEnd.setInsertionPointToEnd(module.getBody());
      func::FuncOp tile = internalFunction(atEnd, name + "_tiles", tileType);
      // Inlined, it would be repeated in every nest again.
      tile->setAttr("passthrough",
                    ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
      return tile;
    };
    KernelBody body(b, loc, t, aLayout, bLayout, upper, parallel,
                    epilogue ? &epilogue.getRegion().front() : nullptr,
                    keepProduct, maxThreadsFunc(), makeTileFunction);
    body.usePackFunctions(packFunction(true, aLayout),
                          packFunction(false, bLayout));
    body.emit(entry->getArgument(0), entry->getArgument(1),
              entry->getArgument(2), entry->getArgument(3),
              entry->getArgument(4),
              epilogue ? entry->getArgument(5) : Value());
    func::ReturnOp::create(b, loc);
    kernels[key] = func;
    return func;
  }

  /// `wlgen_mirror_upper(C)`: C's upper triangle copied below the diagonal
  /// (KernelBody::emitMirror), once per module.
  func::FuncOp mirrorFunction() {
    if (mirror)
      return mirror;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    mirror = internalFunction(
        b, "wlgen_mirror_upper",
        b.getFunctionType({viewType(ctx, Layout::RowsContiguous)}, {}));
    Block *entry = mirror.addEntryBlock();
    b.setInsertionPointToStart(entry);
    KernelBody body(b, mirror.getLoc(), t, Layout::RowsContiguous,
                    Layout::RowsContiguous, /*upper=*/false, parallel,
                    /*epilogue=*/nullptr, /*keepProduct=*/false, {});
    body.emitMirror(entry);
    func::ReturnOp::create(b, mirror.getLoc());
    return mirror;
  }

  /// `wlgen_pack_{a,b}<layout>(matrix, buffer, panelStride, i0, i1, pc,
  /// kc)`: packs the MR-row panels of an A block (i0 = ic, i1 = its rows mc)
  /// or one NR-column panel of B (i0 = jc, i1 = jr) of a k block; one per
  /// operand layout, called by every kernel.
  func::FuncOp packFunction(bool forA, Layout layout) {
    auto key = std::make_pair(forA, layout);
    if (auto it = packs.find(key); it != packs.end())
      return it->second;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    std::string name =
        ("wlgen_pack_" + Twine(forA ? "a" : "b") + layoutName(layout)).str();
    Type index = b.getIndexType();
    auto buffer = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
    auto type = b.getFunctionType(
        {viewType(ctx, layout), buffer, index, index, index, index, index}, {});
    func::FuncOp func = internalFunction(b, name, type);
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    KernelBody body(b, func.getLoc(), t, layout, layout, /*upper=*/false,
                    /*parallel=*/false, /*epilogue=*/nullptr,
                    /*keepProduct=*/false, {});
    if (forA)
      body.emitPackA(entry);
    else
      body.emitPackB(entry);
    func::ReturnOp::create(b, func.getLoc());
    packs[key] = func;
    return func;
  }

  func::FuncOp internalFunction(OpBuilder &b, StringRef name,
                                FunctionType type) {
    auto func = func::FuncOp::create(b, module.getLoc(), name, type);
    func.setPrivate();
    func->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                      b.getContext(), LLVM::Linkage::Internal));
    return func;
  }

  static Value extentOf(OpBuilder &b, Location loc, const Gemm &g,
                        unsigned dim) {
    Value operands[] = {g.a, g.b, g.c};
    AffineMap maps[] = {g.aMap, g.bMap, g.cMap};
    for (auto [operand, map] : llvm::zip(operands, maps))
      for (auto [pos, e] : llvm::enumerate(map.getResults()))
        if (cast<AffineDimExpr>(e).getPosition() == dim)
          return b.createOrFold<memref::DimOp>(loc, operand, pos);
    llvm_unreachable("every loop indexes some operand");
  }

  /// The 2-D view [rowDim, colDim] of `operand` at the current batch indices.
  Value view(OpBuilder &b, Location loc, Value operand, AffineMap map,
             unsigned rowDim, unsigned colDim, Layout layout,
             ArrayRef<unsigned> batchDims, ArrayRef<Value> batchIvs) {
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, operand);
    Value offset = meta.getOffset();
    OpFoldResult sizes[2], strides[2];
    for (auto [pos, e] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d == rowDim || d == colDim) {
        int which = d == rowDim ? 0 : 1;
        sizes[which] = meta.getSizes()[pos];
        strides[which] = meta.getStrides()[pos];
      } else {
        // A batch dimension: offset by its loop's index.
        Value iv = batchIvs[llvm::find(batchDims, d) - batchDims.begin()];
        offset = arith::AddIOp::create(
            b, loc, offset,
            arith::MulIOp::create(b, loc, iv, meta.getStrides()[pos]));
      }
    }
    // The unit stride is known statically (layoutOf checked it).
    if (layout == Layout::RowsContiguous)
      strides[1] = b.getIndexAttr(1);
    else if (layout == Layout::ColumnsContiguous)
      strides[0] = b.getIndexAttr(1);
    return memref::ReinterpretCastOp::create(
        b, loc, viewType(b.getContext(), layout), meta.getBaseBuffer(),
        OpFoldResult(offset), ArrayRef<OpFoldResult>(sizes),
        ArrayRef<OpFoldResult>(strides));
  }
};

struct WLGemmKernelsPass
    : public wl::impl::WLGemmKernelsBase<WLGemmKernelsPass> {
  using WLGemmKernelsBase::WLGemmKernelsBase;

  /// The other large linalg ops (elementwise passes over whole matrices: the
  /// optimizer updates, Newton–Schulz's mirrors and scalings) become
  /// scf.parallel loops over their parallel dimensions, so they run on the
  /// thread pool too; reductions stay sequential inside each parallel
  /// iteration, so sums keep one order. Ops whose outermost loop is a
  /// reduction (Wᵀu as Σ_i over rows) stay serial: their parallel loop would
  /// fork once per row. So do small or batch-sized ops (static extent below
  /// kParallelElements): waking the threads would cost more.
  void parallelizeLargeLoops() {
    SmallVector<linalg::LinalgOp> large;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
          op.getIteratorTypesArray().front() != utils::IteratorType::parallel)
        return;
      // A tile of wl-parallel-rows already runs on one thread of many.
      if (op->getParentOfType<scf::ParallelOp>())
        return;
      int64_t elements = 1;
      for (int64_t size : op.getStaticLoopRanges())
        elements *= ShapedType::isDynamic(size) ? 1 : size;
      if (elements >= kParallelElements)
        large.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : large) {
      rewriter.setInsertionPoint(op);
      if (succeeded(linalg::linalgOpToParallelLoops(rewriter, op)))
        rewriter.eraseOp(op);
    }
  }

  void runOnOperation() override {
    Tiles tiles{mr, nr, mc, kc, nc};
    if (tiles.nr % kLanes || tiles.mc % tiles.mr || tiles.nc % tiles.nr ||
        tiles.mr <= 0) {
      getOperation().emitError(
          "wl-gemm-kernels: NR must be a multiple of 16, MC of MR, NC of NR");
      return signalPassFailure();
    }
    SmallVector<Gemm> gemms;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Gemm> g = matchGemm(op)) {
        findEpilogue(*g);
        findZeroFill(*g);
        gemms.push_back(*g);
      }
    });
    KernelLibrary library(getOperation(), tiles, parallel);
    for (const Gemm &g : gemms)
      library.replace(g);
    if (parallel)
      parallelizeLargeLoops();
  }
};

} // namespace
