//===- WLInterfaces.td - op interfaces of the wl dialect ---*- tablegen -*-===//
#ifndef WL_INTERFACES_TD
#define WL_INTERFACES_TD

include "mlir/IR/OpBase.td"

def WL_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    Reverse-mode differentiation rule (a VJP). Given the adjoints of the op's
    results, build ops that compute the adjoints of its operands. An operand
    that is not differentiable (class labels) gets a null Value; a result
    whose adjoint nothing produced (a multi-result op's auxiliary output)
    arrives as a null Value in `resultGrads`.
  }];
  let cppNamespace = "::wl";
  let methods = [
    InterfaceMethod<"Builds the adjoints of the operands from those of the results.",
      "::mlir::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

def WL_LipschitzOpInterface : OpInterface<"LipschitzOpInterface"> {
  let description = [{
    A unary elementwise map with a known Lipschitz constant (l2 -> l2); the
    certificate multiplies by it.
  }];
  let cppNamespace = "::wl";
  let methods = [
    InterfaceMethod<"The op's Lipschitz constant.", "double", "getLipschitzConstant">,
  ];
}

#endif // WL_INTERFACES_TD
