//===- wl-opt.cpp - mlir-opt for the wl dialect and its passes -----------===//
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "wl/Compiler/Pipeline.h"
#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/Transforms/Passes.h"
#include "wl/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  wl::registerWLPasses();
  wl::registerWLConversionPasses();
  wl::registerWLCompilerTransformsPasses();
  wl::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<wl::WLDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "wl optimizer driver\n", registry));
}
