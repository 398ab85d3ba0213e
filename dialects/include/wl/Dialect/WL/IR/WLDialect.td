//===- WLDialect.td - the wl dialect definition ------------*- tablegen -*-===//
//
// The `wl` dialect models constrained linear layers: parameters, their
// application, activations, losses and optimizer updates, on value-semantics
// tensors. Passes derive the backward pass and the optimizer step from it.
//
//===----------------------------------------------------------------------===//
#ifndef WL_DIALECT_TD
#define WL_DIALECT_TD

include "mlir/IR/OpBase.td"

def WL_Dialect : Dialect {
  let name = "wl";
  let summary = "Constrained linear layers: forward, gradients, optimizer steps";
  let description = [{
    Ops work on builtin tensors with a dynamic batch dimension. Parameters are
    module-level symbols (`wl.param`) read with `wl.param_ref`; gradients and
    optimizer state are addressed through the same symbols. Every op that the
    backward pass must differentiate implements `DifferentiableOpInterface`.
  }];
  let cppNamespace = "::wl";
  let useDefaultAttributePrinterParser = 1;
  // Folded scalars (wl.soft_cap_strength of a constant lr) become arith.constant.
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes of WLAttrs.td (WLAttrs.cpp).
    void registerAttributes();
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect"];
}

class WL_Op<string mnemonic, list<Trait> traits = []> :
    Op<WL_Dialect, mnemonic, traits>;

#endif // WL_DIALECT_TD
