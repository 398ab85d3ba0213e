//===- WLToLinalg.cpp - wl -> linalg on tensors, bound to the arena -------===//
//
// Two steps. (1) Binding: entry functions get the arena as first argument,
// tensor arguments and results become memrefs, and every parameter, gradient
// and state access becomes a view of the arena at its assigned offset. (2) Op
// lowering: the per-topic patterns (LinearOps.cpp, Activations.cpp,
// Losses.cpp, Optimizers.cpp) rewrite every remaining wl op.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace wl {
#define GEN_PASS_DEF_CONVERTWLTOLINALG
#include "wl/Conversion/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

//===----------------------------------------------------------------------===//
// Builders shared by the patterns
//===----------------------------------------------------------------------===//

AffineMap lowering::loopMap(MLIRContext *ctx, unsigned numLoops,
                            ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

Value lowering::emptyOf(OpBuilder &b, Location loc, RankedTensorType type,
                        ArrayRef<std::pair<Value, int64_t>> dynamicFrom) {
  SmallVector<Value> dynamicSizes;
  for (auto [source, dim] : dynamicFrom)
    dynamicSizes.push_back(tensor::DimOp::create(b, loc, source, dim));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

Value lowering::emptyLike(OpBuilder &b, Location loc, Value like,
                          Type elementType) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<std::pair<Value, int64_t>> dynamicFrom;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicFrom.push_back({like, d});
  if (elementType)
    type = type.clone(elementType);
  return emptyOf(b, loc, type, dynamicFrom);
}

Value lowering::f32Const(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(static_cast<float>(value)));
}

Value lowering::filled(OpBuilder &b, Location loc, RankedTensorType type,
                       double value,
                       ArrayRef<std::pair<Value, int64_t>> dynamicFrom) {
  Value empty = emptyOf(b, loc, type, dynamicFrom);
  Value scalar = arith::ConstantOp::create(
      b, loc, FloatAttr::get(type.getElementType(), value));
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value lowering::dimAsF32(OpBuilder &b, Location loc, Value t, int64_t dim) {
  Value d = tensor::DimOp::create(b, loc, t, dim);
  Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), d);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), i);
}

ValueRange lowering::elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                                 ValueRange outputs, ScalarBody body) {
  int64_t rank = cast<RankedTensorType>(outputs[0].getType()).getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps(inputs.size() + outputs.size(), id);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, outputs.getTypes(), inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResults();
}

Value lowering::contractionInto(OpBuilder &b, Location loc, Value init,
                                Value lhs, Value rhs, bool transposeLhs,
                                bool transposeRhs, double scale) {
  // C[m, n] += scale · op(A)[m, k] · op(B)[k, n]. When B is read along its rows
  // the loops are (m, k, n), so the innermost loop streams rows of B and C
  // (vectorisable without reassociating the sum); otherwise (m, n, k), a dot
  // product of two contiguous rows.
  MLIRContext *ctx = b.getContext();
  bool rowsOfB = !transposeRhs;
  AffineExpr m = getAffineDimExpr(0, ctx),
             n = getAffineDimExpr(rowsOfB ? 2 : 1, ctx),
             k = getAffineDimExpr(rowsOfB ? 1 : 2, ctx);
  auto map = [&](AffineExpr r, AffineExpr c) {
    return AffineMap::get(3, 0, {r, c}, ctx);
  };
  AffineMap lhsMap = transposeLhs ? map(k, m) : map(m, k);
  AffineMap rhsMap = transposeRhs ? map(n, k) : map(k, n);
  utils::IteratorType par = utils::IteratorType::parallel,
                      red = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> iterators =
      rowsOfB ? SmallVector<utils::IteratorType>{par, red, par}
              : SmallVector<utils::IteratorType>{par, par, red};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{lhsMap, rhsMap, map(m, n)}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
        if (scale != 1.0)
          prod =
              arith::MulFOp::create(nb, nloc, prod, f32Const(nb, nloc, scale));
        // A dot product (innermost loop over k) may be summed in any order, so
        // LLVM can keep vector partial sums; the order is fixed at compile
        // time, so results stay deterministic.
        auto sum = arith::AddFOp::create(nb, nloc, args[2], prod);
        if (!rowsOfB)
          sum.setFastmath(arith::FastMathFlags::reassoc);
        linalg::YieldOp::create(nb, nloc, ValueRange{sum.getResult()});
      });
  return generic.getResult(0);
}

Value lowering::contraction(OpBuilder &b, Location loc, RankedTensorType type,
                            Value lhs, Value rhs, bool transposeLhs,
                            bool transposeRhs) {
  SmallVector<std::pair<Value, int64_t>> dynamicFrom;
  if (type.isDynamicDim(0))
    dynamicFrom.push_back({lhs, transposeLhs ? 1 : 0});
  if (type.isDynamicDim(1))
    dynamicFrom.push_back({rhs, transposeRhs ? 0 : 1});
  Value init = filled(b, loc, type, 0.0, dynamicFrom);
  return contractionInto(b, loc, init, lhs, rhs, transposeLhs, transposeRhs,
                         1.0);
}

/// Σ over all loops of `term(args)` for an elementwise generic with `maps`, as
/// an f32.
Value lowering::sumAll(
    OpBuilder &b, Location loc, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps, unsigned numLoops,
    function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  MLIRContext *ctx = b.getContext();
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  Value acc = filled(b, loc, scalarType, 0.0, {});
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(numLoops, 0, {}, ctx));
  Value total =
      linalg::GenericOp::create(
          b, loc, TypeRange{scalarType}, inputs, ValueRange{acc}, maps,
          SmallVector<utils::IteratorType>(numLoops,
                                           utils::IteratorType::reduction),
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value t = term(nb, l, a.drop_back());
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::AddFOp::create(nb, l, a.back(), t)});
          })
          .getResult(0);
  return tensor::ExtractOp::create(b, loc, total, ValueRange{});
}

//===----------------------------------------------------------------------===//
// Binding functions to the arena
//===----------------------------------------------------------------------===//

namespace {

/// The functions the runtime calls (runtime/include/wl/wlgen.h).
bool isEntryPoint(StringRef name) {
  return llvm::is_contained({"forward", "loss", "backward", "loss_backward",
                             "step", "step_tensor", "step_finish", "project",
                             "weight"},
                            name);
}

MemRefType memrefFor(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

/// Rewrites `fn`'s signature: the arena first, tensors as memrefs, tensor
/// results as trailing output memrefs.
void bindSignature(func::FuncOp fn, MemRefType arenaType) {
  OpBuilder b(fn.getContext());
  Block &entry = fn.getBody().front();
  entry.insertArgument(0u, arenaType, fn.getLoc());
  b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments().drop_front()) {
    auto tensorType = dyn_cast<RankedTensorType>(arg.getType());
    if (!tensorType)
      continue;
    arg.setType(memrefFor(tensorType));
    auto asTensor = bufferization::ToTensorOp::create(
        b, fn.getLoc(), tensorType, arg,
        /*restrict=*/true, /*writable=*/false);
    arg.replaceAllUsesExcept(asTensor, asTensor);
  }
  SmallVector<Type> results;
  for (Type t : fn.getResultTypes()) {
    if (isa<RankedTensorType>(t))
      entry.addArgument(memrefFor(t), fn.getLoc());
    else
      results.push_back(t);
  }
  fn.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    SmallVector<Value> kept;
    unsigned out = 0, firstOut = entry.getNumArguments() -
                                 (fn.getNumResults() - results.size());
    for (Value v : ret.getOperands()) {
      if (!isa<RankedTensorType>(v.getType())) {
        kept.push_back(v);
        continue;
      }
      bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), TypeRange{}, v, entry.getArgument(firstOut + out++),
          /*restrict=*/true, /*writable=*/true);
    }
    ret->setOperands(kept);
  });
  fn.setType(b.getFunctionType(entry.getArgumentTypes(), results));
}

/// An f32 memref of `rank` with every size, stride and the offset dynamic:
/// how views of the arena reach runtime routines (wlgen.h's descriptors).
MemRefType anyStrided(MLIRContext *ctx, int64_t rank) {
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<int64_t> dims(rank, dyn);
  return MemRefType::get(dims, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, dyn, dims));
}

/// Turns parameter, gradient and state accesses of one function into arena
/// views. Each view is read once with `to_tensor`; later reads see the latest
/// value written in this function.
class ArenaBinder {
public:
  ArenaBinder(func::FuncOp fn) : fn(fn), arena(fn.getArgument(0)) {}

  LogicalResult run() {
    // Views written in this function may be updated in place.
    fn.walk([&](Operation *op) {
      if (auto s = dyn_cast<ParamStoreOp>(op))
        written.insert(offsetOf(s, s.getParam(), Slot::Param, {}));
      else if (auto s = dyn_cast<StateStoreOp>(op))
        written.insert(offsetOf(s, s.getParam(), Slot::State, s.getState()));
      else if (auto s = dyn_cast<GradAccumulateOp>(op))
        written.insert(offsetOf(s, s.getParam(), Slot::Grad, {}));
    });
    SmallVector<Operation *> accesses;
    fn.walk([&](Operation *op) {
      if (isa<ParamRefOp, GradRefOp, StateRefOp, ParamStoreOp, StateStoreOp,
              GradAccumulateOp, ProjectParamOp, ResplitBaseOp, SstRoundOp>(
              op))
        accesses.push_back(op);
    });
    for (Operation *op : accesses)
      if (failed(lower(op)))
        return failure();
    return success();
  }

private:
  enum class Slot { Param, Grad, State };

  int64_t offsetOf(Operation *op, StringRef name, Slot slot, StringRef state) {
    ParamOp param = lookupParam(op, name);
    if (!param || !param.getOffsetAttr())
      return -1;
    switch (slot) {
    case Slot::Param:
      return param.getOffsetAttr().getInt();
    case Slot::Grad:
      return param.getGradOffsetAttr() ? param.getGradOffsetAttr().getInt()
                                       : -1;
    case Slot::State: {
      auto names = param.getState();
      auto offsets = param.getStateOffsets();
      if (!names || !offsets)
        return -1;
      for (auto [n, o] : llvm::zip(*names, *offsets))
        if (cast<StringAttr>(n).getValue() == state)
          return cast<IntegerAttr>(o).getInt();
      return -1;
    }
    }
    return -1;
  }

  /// The arena region at `offset` viewed with `type`'s shape.
  Value view(OpBuilder &b, Location loc, int64_t offset,
             RankedTensorType type) {
    int64_t numel = type.getNumElements();
    Value flat = memref::SubViewOp::create(
        b, loc, arena, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(numel)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    if (type.getRank() == 1)
      return flat;
    SmallVector<ReassociationIndices> reassociation(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      reassociation[0].push_back(d);
    auto flatType = cast<MemRefType>(flat.getType());
    auto expandedType = memref::ExpandShapeOp::computeExpandedType(
        flatType, type.getShape(), reassociation);
    return memref::ExpandShapeOp::create(
        b, loc, *expandedType, flat, reassociation,
        getAsIndexOpFoldResult(b.getContext(), type.getShape()));
  }

  struct Region {
    Value buffer;  // the arena view
    Value current; // its latest value as a tensor
  };

  Region &region(OpBuilder &b, Location loc, int64_t offset,
                 RankedTensorType type) {
    auto it = regions.find(offset);
    if (it != regions.end())
      return it->second;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.getBody().front());
    Value buffer = view(b, loc, offset, type);
    Value current = bufferization::ToTensorOp::create(
        b, loc, type, buffer, /*restrict=*/true,
        /*writable=*/written.contains(offset));
    return regions.try_emplace(offset, Region{buffer, current}).first->second;
  }

  LogicalResult lower(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto fail = [&](StringRef what) {
      return op->emitOpError("has no arena offset for its ")
             << what << " (run wl-assign-arena first)";
    };
    auto read = [&](StringRef name, Slot slot,
                    StringRef state) -> LogicalResult {
      int64_t offset = offsetOf(op, name, slot, state);
      if (offset < 0)
        return fail(slot == Slot::Param  ? "parameter"
                    : slot == Slot::Grad ? "gradient"
                                         : "state");
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      op->getResult(0).replaceAllUsesWith(region(b, loc, offset, type).current);
      op->erase();
      return success();
    };
    auto write = [&](StringRef name, Slot slot, StringRef state, Value value,
                     bool accumulate) -> LogicalResult {
      int64_t offset = offsetOf(op, name, slot, state);
      if (offset < 0)
        return fail(slot == Slot::Param  ? "parameter"
                    : slot == Slot::Grad ? "gradient"
                                         : "state");
      auto type = cast<RankedTensorType>(value.getType());
      Region &r = region(b, loc, offset, type);
      if (accumulate)
        value = AddOp::create(b, loc, type, r.current, value);
      bufferization::MaterializeInDestinationOp::create(
          b, loc, TypeRange{}, value, r.buffer,
          /*restrict=*/true, /*writable=*/true);
      r.current = value;
      op->erase();
      return success();
    };
    if (auto o = dyn_cast<ProjectParamOp>(op))
      return projectInPlace(o);
    if (auto o = dyn_cast<ResplitBaseOp>(op))
      return resplitInPlace(o);
    if (auto o = dyn_cast<SstRoundOp>(op))
      return sstRoundInPlace(o);
    if (auto o = dyn_cast<ParamRefOp>(op))
      return read(o.getParam(), Slot::Param, {});
    if (auto o = dyn_cast<GradRefOp>(op))
      return read(o.getParam(), Slot::Grad, {});
    if (auto o = dyn_cast<StateRefOp>(op))
      return read(o.getParam(), Slot::State, o.getState());
    if (auto o = dyn_cast<ParamStoreOp>(op))
      return write(o.getParam(), Slot::Param, {}, o.getValue(), false);
    if (auto o = dyn_cast<StateStoreOp>(op))
      return write(o.getParam(), Slot::State, o.getState(), o.getValue(),
                   false);
    auto o = cast<GradAccumulateOp>(op);
    return write(o.getParam(), Slot::Grad, {}, o.getValue(), true);
  }

  /// The runtime routine `name` (runtime/include/wl/wlgen.h), declared once.
  func::FuncOp runtimeRoutine(StringRef name, FunctionType type) {
    auto module = fn->getParentOfType<ModuleOp>();
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToStart(module.getBody());
    auto decl = func::FuncOp::create(b, module.getLoc(), name, type);
    decl.setPrivate();
    decl->setAttr("llvm.emit_c_interface", UnitAttr::get(b.getContext()));
    return decl;
  }

  /// A runtime projection of the stored parameter: right after the last write
  /// of its view (program order), on the arena memory itself; a stack
  /// [g, m, n] one matrix at a time.
  LogicalResult projectInPlace(ProjectParamOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    int64_t offset = offsetOf(op, op.getParam(), Slot::Param, {});
    ParamOp param = lookupParam(op, op.getParam());
    if (offset < 0 || !param)
      return op->emitOpError(
          "has no arena offset for its parameter (run wl-assign-arena first)");
    RankedTensorType type = param.getTensorType();
    Value buffer = region(b, loc, offset, type).buffer;
    if (op.getKind() == ProjectionKind::ProductClip)
      return projectProduct(b, op, offset, buffer);
    if (op.getKind() == ProjectionKind::RowBlockScale)
      return projectRowBlocks(b, op, offset, buffer);
    if (type.getRank() == 2) {
      projectMatrixInPlace(b, loc, op, buffer);
    } else {
      int64_t m = type.getDimSize(1), n = type.getDimSize(2);
      Value lb = arith::ConstantIndexOp::create(b, loc, 0);
      Value ub = arith::ConstantIndexOp::create(b, loc, type.getDimSize(0));
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto loop = scf::ForOp::create(b, loc, lb, ub, one);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      // Matrix i of the stack, rank-reduced to [m, n].
      auto matrixType = memref::SubViewOp::inferRankReducedResultType(
          {m, n}, cast<MemRefType>(buffer.getType()),
          ArrayRef<int64_t>{ShapedType::kDynamic, 0, 0},
          ArrayRef<int64_t>{1, m, n}, ArrayRef<int64_t>{1, 1, 1});
      Value matrix = memref::SubViewOp::create(
          b, loc, matrixType, buffer,
          ArrayRef<OpFoldResult>{loop.getInductionVar(), b.getIndexAttr(0),
                                 b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(m),
                                 b.getIndexAttr(n)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                 b.getIndexAttr(1)});
      projectMatrixInPlace(b, loc, op, matrix);
    }
    // The arena now holds the projected value: later reads must reload it.
    regions.erase(offset);
    op->erase();
    return success();
  }

  /// The arena view of parameter `name`, another operand of `op` (its
  /// `what`: partner or left factor), and its offset; an error on `op` when
  /// the arena has not been assigned.
  FailureOr<std::pair<Value, int64_t>>
  operandView(OpBuilder &b, ProjectParamOp op, StringRef name, StringRef what) {
    int64_t offset = offsetOf(op, name, Slot::Param, {});
    ParamOp param = lookupParam(op, name);
    if (offset < 0 || !param)
      return op->emitOpError("has no arena offset for its ")
             << what << " (run wl-assign-arena first)";
    return std::make_pair(
        region(b, op.getLoc(), offset, param.getTensorType()).buffer, offset);
  }

  /// product_clip: U [m, r] (the parameter) and V [n, r] (the partner; its
  /// stored Vᵀ [r, n] viewed transposed) handed to wlrt_product_clip, which
  /// rewrites both in place; with a `left` factor U, the parameter is d [r]
  /// of U diag(d) Vᵀ and wlrt_diag_product_clip gets U, d, V.
  LogicalResult projectProduct(OpBuilder &b, ProjectParamOp op, int64_t offset,
                               Value u) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto partner =
        operandView(b, op, op.getPartnerAttr().getValue(), "partner");
    if (failed(partner))
      return failure();
    auto [v, partnerOffset] = *partner;
    if (op.getTransposed())
      v = memref::TransposeOp::create(
          b, loc, v,
          AffineMapAttr::get(
              AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx)));
    MemRefType anyMatrix = anyStrided(ctx, 2);
    Value vView = memref::CastOp::create(b, loc, anyMatrix, v);
    Value c = lowering::f32Const(b, loc, op.getValueAttr().getValueAsDouble());
    if (op.getLeftAttr()) {
      // U diag(d) Vᵀ: the parameter is d, `left` is U.
      auto left =
          operandView(b, op, op.getLeftAttr().getValue(), "left factor");
      if (failed(left))
        return failure();
      auto [leftBuffer, leftOffset] = *left;
      Value uView = memref::CastOp::create(b, loc, anyMatrix, leftBuffer);
      MemRefType anyVector = anyStrided(ctx, 1);
      Value dView = memref::CastOp::create(b, loc, anyVector, u);
      auto routine = runtimeRoutine(
          "wlrt_diag_product_clip",
          b.getFunctionType(
              {anyMatrix, anyVector, anyMatrix, b.getF32Type(), b.getI64Type()},
              {}));
      Value fixed = arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(op.getFixed() ? 1 : 0));
      func::CallOp::create(b, loc, routine,
                           ValueRange{uView, dView, vView, c, fixed});
      regions.erase(leftOffset);
    } else {
      Value uView = memref::CastOp::create(b, loc, anyMatrix, u);
      auto routine = runtimeRoutine(
          "wlrt_product_clip",
          b.getFunctionType({anyMatrix, anyMatrix, b.getF32Type()}, {}));
      func::CallOp::create(b, loc, routine, ValueRange{uView, vView, c});
    }
    // The views now hold the projected factors: later reads reload them.
    regions.erase(offset);
    regions.erase(partnerOffset);
    op->erase();
    return success();
  }

  /// row_block_scale: bone bat's B [ni, r, r] (the parameter) and its frozen
  /// base (the partner) handed to wlrt_row_block_scale, which scales B.
  LogicalResult projectRowBlocks(OpBuilder &b, ProjectParamOp op,
                                 int64_t offset, Value blocks) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto base = operandView(b, op, op.getPartnerAttr().getValue(), "partner");
    if (failed(base))
      return failure();
    MemRefType anyMatrix = anyStrided(ctx, 2), anyStack = anyStrided(ctx, 3);
    Value baseView = memref::CastOp::create(b, loc, anyMatrix, base->first);
    Value blocksView = memref::CastOp::create(b, loc, anyStack, blocks);
    Value c = lowering::f32Const(b, loc, op.getValueAttr().getValueAsDouble());
    auto routine = runtimeRoutine(
        "wlrt_row_block_scale",
        b.getFunctionType({anyMatrix, anyStack, b.getF32Type()}, {}));
    func::CallOp::create(b, loc, routine, ValueRange{baseView, blocksView, c});
    regions.erase(offset); // B now holds the scaled blocks: reload
    op->erase();
    return success();
  }

  /// `op`'s projection of one matrix view, in place.
  void projectMatrixInPlace(OpBuilder &b, Location loc, ProjectParamOp op,
                            Value matrix) {
    MLIRContext *ctx = b.getContext();
    MemRefType anyMatrix = anyStrided(ctx, 2);
    Value view = memref::CastOp::create(b, loc, anyMatrix, matrix);
    double value = op.getValueAttr().getValueAsDouble();
    switch (op.getKind()) {
    case ProjectionKind::ProductClip:
    case ProjectionKind::RowBlockScale:
      llvm_unreachable("product_clip and row_block_scale read two parameters");
    case ProjectionKind::SvdClip: {
      auto routine = runtimeRoutine(
          "wlrt_svd_clip", b.getFunctionType({anyMatrix, b.getF32Type()}, {}));
      func::CallOp::create(b, loc, routine,
                           ValueRange{view, lowering::f32Const(b, loc, value)});
      return;
    }
    case ProjectionKind::RankAtMost: {
      auto routine =
          runtimeRoutine("wlrt_rank_project",
                         b.getFunctionType({anyMatrix, b.getI64Type()}, {}));
      Value r = arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(static_cast<int64_t>(value)));
      func::CallOp::create(b, loc, routine, ValueRange{view, r});
      return;
    }
    case ProjectionKind::Strict: {
      // strict: β = a sound bound of σ_max; W ← W·c/max(β, c) in place.
      auto routine = runtimeRoutine(
          "wlrt_gram_bound", b.getFunctionType({anyMatrix}, {b.getF32Type()}));
      Value beta =
          func::CallOp::create(b, loc, routine, ValueRange{view}).getResult(0);
      Value c = lowering::f32Const(b, loc, value);
      Value factor = arith::DivFOp::create(
          b, loc, c, arith::MaximumFOp::create(b, loc, beta, c));
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      linalg::GenericOp::create(
          b, loc, TypeRange{}, ValueRange{matrix}, ValueRange{matrix},
          ArrayRef<AffineMap>{id, id},
          SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::MulFOp::create(nb, l, a[0], factor)});
          });
      return;
    }
    }
  }

  /// A creation-time re-split of a frozen base (wlrt_<kind>_split) on the
  /// arena memory of the base and its factors, each passed as a fully
  /// strided view of its own rank.
  LogicalResult resplitInPlace(ResplitBaseOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    SmallVector<Value> views;
    SmallVector<Type> types;
    SmallVector<StringRef> names{op.getBase()};
    for (Attribute f : op.getFactors())
      names.push_back(cast<FlatSymbolRefAttr>(f).getValue());
    for (StringRef name : names) {
      int64_t offset = offsetOf(op, name, Slot::Param, {});
      ParamOp param = lookupParam(op, name);
      if (offset < 0 || !param)
        return op->emitOpError("has no arena offset for '")
               << name << "' (run wl-assign-arena first)";
      Value buffer = region(b, loc, offset, param.getTensorType()).buffer;
      MemRefType any = anyStrided(ctx, param.getTensorType().getRank());
      views.push_back(memref::CastOp::create(b, loc, any, buffer));
      types.push_back(any);
      regions.erase(offset); // the arena holds the new values: reload
    }
    if (auto scale = op.getScaleAttr()) { // the adapter's scale, last
      views.push_back(lowering::f32Const(b, loc, scale.getValueAsDouble()));
      types.push_back(b.getF32Type());
    }
    auto routine = runtimeRoutine(
        ("wlrt_" + stringifyResplitKind(op.getKind()) + "_split").str(),
        b.getFunctionType(types, {}));
    func::CallOp::create(b, loc, routine, views);
    op->erase();
    return success();
  }

  /// sst's bookkeeping (wl.sst_round) on the arena memory of U, s, V and
  /// `sampled`: wlrt_sst_init at creation; after a step, the sampled columns
  /// of U's and V's optimizer state zeroed when the round ends (before
  /// wlrt_sst_step draws the next sample), then wlrt_sst_step.
  LogicalResult sstRoundInPlace(SstRoundOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    SmallVector<int64_t> touched;
    auto viewOf = [&](StringRef name, Slot slot,
                      StringRef state) -> FailureOr<Value> {
      int64_t offset = offsetOf(op, name, slot, state);
      ParamOp param = lookupParam(op, name);
      if (offset < 0 || !param)
        return op->emitOpError("has no arena offset for '")
               << name << "' (run wl-assign-arena first)";
      RankedTensorType type =
          slot == Slot::State ? param.getStateType(state) : param.getTensorType();
      Value buffer = region(b, loc, offset, type).buffer;
      touched.push_back(offset);
      return Value(memref::CastOp::create(
          b, loc, anyStrided(ctx, type.getRank()), buffer));
    };
    SmallVector<Value> views;
    for (FlatSymbolRefAttr sym :
         {op.getUAttr(), op.getSAttr(), op.getVAttr(), op.getSampledAttr()}) {
      FailureOr<Value> v = viewOf(sym.getValue(), Slot::Param, {});
      if (failed(v))
        return failure();
      views.push_back(*v);
    }
    auto i64 = [&](int64_t value) -> Value {
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
    };
    MemRefType matrix = anyStrided(ctx, 2), vector = anyStrided(ctx, 1);
    SmallVector<Type> types = {matrix, vector, matrix, vector};
    views.append({i64(op.getRank()), i64(op.getStream())});
    types.append({b.getI64Type(), b.getI64Type()});
    if (Value t = op.getStep()) {
      // The round ends at t = every, 2·every, ...: reset the optimizer state
      // of the columns that trained in it.
      Value every = i64(op.getEvery());
      // Named, so the ops come in this order whatever the compiler's
      // argument evaluation order.
      Value remainder = arith::RemSIOp::create(b, loc, t, every);
      Value zero = i64(0);
      Value end = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        remainder, zero);
      auto ifEnd = scf::IfOp::create(b, loc, end, /*withElseRegion=*/false);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ifEnd.thenBlock()->getTerminator());
        auto reset = runtimeRoutine("wlrt_sst_reset_state",
                                    b.getFunctionType({matrix, vector}, {}));
        for (FlatSymbolRefAttr factor : {op.getUAttr(), op.getVAttr()}) {
          ParamOp param = lookupParam(op, factor.getValue());
          if (!param.getState())
            continue;
          ArrayAttr states = *param.getState(); // outlives the loop
          for (Attribute state : states) {
            StringRef name = cast<StringAttr>(state).getValue();
            if (param.getStateType(name).getRank() != 2)
              continue;
            FailureOr<Value> view = viewOf(factor.getValue(), Slot::State, name);
            if (failed(view))
              return failure();
            func::CallOp::create(b, loc, reset, ValueRange{*view, views[3]});
          }
        }
      }
      views.append({t, every});
      types.append({b.getI64Type(), b.getI64Type()});
    }
    auto routine =
        runtimeRoutine(op.getStep() ? "wlrt_sst_step" : "wlrt_sst_init",
                       b.getFunctionType(types, {}));
    func::CallOp::create(b, loc, routine, views);
    for (int64_t offset : touched) // the arena holds the new values: reload
      regions.erase(offset);
    op->erase();
    return success();
  }

  func::FuncOp fn;
  Value arena;
  llvm::DenseSet<int64_t> written;
  llvm::DenseMap<int64_t, Region> regions;
};

struct ConvertWLToLinalgPass
    : public wl::impl::ConvertWLToLinalgBase<ConvertWLToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto arenaType =
        MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));

    // (1) Binding.
    SmallVector<func::FuncOp> fns(module.getOps<func::FuncOp>());
    for (func::FuncOp fn : fns) {
      if (fn.isExternal())
        continue;
      bindSignature(fn, arenaType);
      if (failed(ArenaBinder(fn).run()))
        return signalPassFailure();
    }
    // Calls between generated functions pass the caller's arena along.
    module.walk([&](func::CallOp call) {
      if (call.getCallee().starts_with(
              "wlrt_")) // runtime routines take their own operands
        return;
      auto caller = call->getParentOfType<func::FuncOp>();
      SmallVector<Value> operands{caller.getArgument(0)};
      llvm::append_range(operands, call.getOperands());
      call->setOperands(operands);
    });
    for (func::FuncOp fn : fns) {
      if (isEntryPoint(fn.getName())) {
        SymbolTable::setSymbolName(fn, ("wlgen_" + fn.getName()).str());
        fn->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
      } else {
        // Helpers stay inside the object: internal linkage in LLVM.
        fn.setPrivate();
        fn->setAttr("llvm.linkage",
                    LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
        // A tensor's step is called from @step and @step_tensor: compiled
        // once, not inlined into both (that doubled the step's compile time).
        if (fn->hasAttr("wl.updates"))
          fn->setAttr("passthrough",
                      ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
      }
    }
    module.walk([&](func::CallOp call) {
      StringRef callee = call.getCallee();
      if (isEntryPoint(callee))
        call.setCallee(("wlgen_" + callee).str());
    });

    // (2) Op lowering.
    RewritePatternSet patterns(ctx);
    lowering::populateLinearLoweringPatterns(patterns);
    lowering::populateActivationLoweringPatterns(patterns);
    lowering::populateNormLoweringPatterns(patterns);
    lowering::populateLossLoweringPatterns(patterns);
    lowering::populateOptimizerLoweringPatterns(patterns);
    lowering::populateNewtonSchulzLoweringPatterns(patterns);
    lowering::populateConstraintLoweringPatterns(patterns);
    lowering::populateStructureLoweringPatterns(patterns);
    lowering::populateSequenceLoweringPatterns(patterns);
    lowering::populateAttentionLoweringPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addLegalDialect<
        linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
        math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
        bufferization::BufferizationDialect, func::FuncDialect>();
    target.addIllegalDialect<WLDialect>();
    // Declarations stay: the metadata and the runtime read them.
    target.addLegalOp<ParamOp, LayerOp, OptimizerGroupOp, ScheduleOp>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    // The declarations were consumed by the binding (and by wl-emit-metadata
    // before it).
    for (Operation &op :
         llvm::make_early_inc_range(module.getBody()->getOperations()))
      if (isa<ParamOp, LayerOp, OptimizerGroupOp, ScheduleOp>(op))
        op.erase();
  }
};

} // namespace
