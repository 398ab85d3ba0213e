//===- wlc.cpp - the wl compiler driver -----------------------------------===//
//
// .wl -> AST -> wl dialect -> + backward -> + step -> linalg -> LLVM -> .o ->
// lib<model>.so (+ <model>.h). `-emit=` stops after any stage and prints it.
// With --target=cuda the loop nests become CUDA kernels (NVVM -> cubin via
// ptxas, or PTX) embedded in the same kind of library.
//
//===----------------------------------------------------------------------===//
#include "wl/Compiler/MLIRGen.h"
#include "wl/Compiler/Pipeline.h"
#include "wl/Compiler/SharedLibrary.h"
#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/IR/WL.h"
#include "wl/Dialect/WL/Transforms/Passes.h"
#include "wl/Lang/Frontend.h"
#include "wl/Structures/Structure.h"

#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include "AbiHeader.inc"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { AST, WL, Grad, Step, Linalg, LLVMIR, PTX, Obj, SO };

cl::OptionCategory wlcCategory("wlc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.wl>"),
                               cl::Required, cl::cat(wlcCategory));
cl::opt<std::string>
    outputFile("o",
               cl::desc("Output file (default: lib<model>.so, <model>.o, "
                        "or stdout for text stages)"),
               cl::value_desc("path"), cl::cat(wlcCategory));
cl::opt<Emit> emit(
    "emit", cl::desc("Stop after a stage and write its result"),
    cl::init(Emit::SO),
    cl::values(
        clEnumValN(Emit::AST, "ast", "the checked AST"),
        clEnumValN(Emit::WL, "wl",
                   "the wl dialect: parameters, forward and loss"),
        clEnumValN(Emit::Grad, "grad",
                   "+ backward functions (wl-generate-backward)"),
        clEnumValN(Emit::Step, "step",
                   "+ the fused optimizer step and constraint projections"),
        clEnumValN(Emit::Linalg, "linalg",
                   "lowered to linalg/tensor/arith/math"),
        clEnumValN(Emit::LLVMIR, "llvm", "optimised LLVM IR for the host CPU"),
        clEnumValN(Emit::PTX, "ptx",
                   "the CUDA kernels' PTX (implies --target=cuda)"),
        clEnumValN(Emit::Obj, "obj", "a relocatable object file"),
        clEnumValN(Emit::SO, "so",
                   "the shared library lib<model>.so and <model>.h")),
    cl::cat(wlcCategory));
cl::opt<std::string>
    modelName("model",
              cl::desc("The model to compile when the file has several"),
              cl::value_desc("name"), cl::cat(wlcCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3 (default 2)"),
                           cl::Prefix, cl::init(2), cl::cat(wlcCategory));
cl::opt<unsigned> codegenThreads(
    "codegen-threads",
    cl::desc("Optimise and compile the library's LLVM IR in this many "
             "partitions, on at most one thread per core (1-64; default 0: "
             "one per ~5k LLVM instructions, at most four per core)"),
    cl::value_desc("n"), cl::init(0), cl::cat(wlcCategory));
cl::opt<std::string> report(
    "report", cl::ValueOptional,
    cl::desc("Print each layer's structure, constraints, their guarantee "
             "for this configuration and parameter count, then stop "
             "(--report=json: as JSON)"),
    cl::value_desc("text|json"), cl::cat(wlcCategory));
cl::opt<std::string> targetName(
    "target", cl::desc("Code generation target: cpu (default) or cuda"),
    cl::init("cpu"), cl::value_desc("cpu|cuda"), cl::cat(wlcCategory));
cl::opt<double> lrScale(
    "lr-scale",
    cl::desc("Multiply the learning rate of every optimizer group by this "
             "factor (> 0; default 1)"),
    cl::init(1.0), cl::value_desc("factor"), cl::cat(wlcCategory));
cl::opt<std::string>
    cudaChip("cuda-arch",
             cl::desc("GPU architecture of the CUDA kernels (default sm_90a)"),
             cl::init("sm_90a"), cl::value_desc("sm_XY"), cl::cat(wlcCategory));
cl::opt<std::string>
    cudaPath("cuda-path",
             cl::desc("CUDA toolkit with bin/ptxas (default: $CUDA_HOME, "
                      "$CUDA_PATH, /usr/local/cuda); "
                      "without ptxas the library embeds PTX, which the driver "
                      "compiles when it loads"),
             cl::value_desc("dir"), cl::cat(wlcCategory));

cl::opt<bool> timeStages(
    "time",
    cl::desc("Print to stderr how long each stage took (and each MLIR pass "
             "within it)"),
    cl::init(false), cl::cat(wlcCategory));

/// --time's timers: one scope per stage under the root, printed when wlc
/// exits (a disabled manager times nothing).
DefaultTimingManager &timing() {
  static DefaultTimingManager manager;
  return manager;
}

/// The timing scope of one stage, nested under the whole compilation's.
TimingScope &rootScope() {
  static TimingScope root = timing().getRootScope();
  return root;
}
TimingScope stageScope(llvm::StringRef name) { return rootScope().nest(name); }

int fail(const llvm::Twine &message) {
  llvm::errs() << "wlc: error: " << message << "\n";
  return 1;
}

/// The CUDA toolkit whose ptxas makes the cubin: --cuda-path, else the first
/// of $CUDA_HOME, $CUDA_PATH and /usr/local/cuda that has bin/ptxas; "" when
/// there is none.
std::string findCUDAToolkit() {
  auto hasPtxas = [](llvm::StringRef dir) {
    llvm::SmallString<256> ptxas(dir);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    return llvm::sys::fs::can_execute(ptxas);
  };
  if (!cudaPath.empty())
    return hasPtxas(cudaPath) ? cudaPath.getValue() : std::string();
  for (const char *env : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *dir = std::getenv(env); dir && hasPtxas(dir))
      return dir;
  return hasPtxas("/usr/local/cuda") ? "/usr/local/cuda" : "";
}

/// `--lr-scale`: every optimizer group's lr times `factor`, before the step
/// and the constraints (soft_cap couples its alpha to the lr) are generated.
void scaleLearningRates(ModuleOp module, double factor) {
  module.walk([&](wl::OptimizerGroupOp group) {
    NamedAttrList hyper(group.getHyper());
    auto lr = cast<FloatAttr>(hyper.get("lr"));
    hyper.set("lr",
              FloatAttr::get(lr.getType(), lr.getValueAsDouble() * factor));
    group.setHyperAttr(hyper.getDictionary(group.getContext()));
  });
}

/// `-emit=ptx`: the PTX of every kernel module, as gpu-module-to-binary made
/// it.
void printPTX(ModuleOp module, llvm::raw_ostream &os) {
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(a);
      os << "// ---- kernel module " << binary.getSymName() << " (" << cudaChip
         << ")\n"
         << object.getObject().getValue() << "\n";
    }
  });
}

/// Writes `text` to the -o file or stdout.
int writeText(llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  auto out =
      openOutputFile(outputFile.empty() ? "-" : outputFile.getValue(), &error);
  if (!out)
    return fail(error);
  print(out->os());
  out->keep();
  return 0;
}

/// `<model>.h`: the C ABI plus the model's sizes as constants.
bool writeModelHeader(const wl::lang::Model &model, const std::string &path,
                      std::string &error) {
  std::string guard = "WL_MODEL_" + llvm::StringRef(model.name).upper() + "_H";
  std::string prefix = "WL_" + llvm::StringRef(model.name).upper();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  os << "/* " << model.name << ".h - generated by wlc from "
     << llvm::sys::path::filename(inputFile) << "; the C ABI of lib"
     << model.name << ".so. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << kAbiHeader << "\n"
     << "#define " << prefix << "_INPUT_SIZE " << model.input->size << "\n"
     << "#define " << prefix << "_OUTPUT_SIZE " << model.outputSize << "\n"
     << "#define " << prefix << "_LABEL_KIND "
     << (model.label->kind == wl::lang::Label::Kind::ClassLabel ? 0 : 1) << "\n"
     << "#define " << prefix << "_NUM_PARAMS " << model.params.size()
     << "\n\n#endif /* " << guard << " */\n";
  return true;
}

/// One constraint of a layer as `--report` shows it.
struct ReportConstraint {
  std::string text; ///< "spectral_bound(1, soft_cap)", "U: orthonormal()"
  std::string guarantee, reason;
  /// Carried onto a factor of a structured term with the factor's share of
  /// the written bound (not a bound of W itself).
  bool through = false;
};

/// One layer as `--report` shows it.
struct ReportLayer {
  std::string name, structure;
  int64_t params = 0;
  std::vector<ReportConstraint> constraints;
};

/// A constraint as written: "spectral_bound(1, soft_cap, strict)".
std::string constraintText(wl::ConstraintAttrInterface c) {
  std::string args;
  llvm::raw_string_ostream os(args);
  llvm::TypeSwitch<Attribute>(c)
      .Case([&](wl::SpectralBoundAttr s) {
        os << llvm::formatv("{0}", s.bound());
        // A bound that the structure satisfies runs no method.
        if (s.getOrigin() != wl::ConstraintOrigin::Structure)
          os << ", " << wl::stringifySpectralMethod(s.getMethod());
        if (s.getStrict())
          os << ", strict";
      })
      .Case([&](wl::NormBoundAttr n) {
        os << llvm::formatv("{0}", n.bound()) << ", "
           << wl::stringifyNormKind(n.getNorm());
      })
      .Case([&](wl::RankAtMostAttr r) { os << r.getR(); });
  return c.getAbstractAttribute().getName().drop_front(3).str() + "(" + args +
         ")";
}

/// The rows of `--report`, from the generated module: each layer's
/// structure, parameter count and constraints with their guarantee.
std::vector<ReportLayer> collectReport(ModuleOp module, int64_t &total,
                                       int64_t &trainable) {
  llvm::StringMap<wl::OptimizerGroupOp> groupOf;
  for (wl::OptimizerGroupOp group : module.getOps<wl::OptimizerGroupOp>())
    for (Attribute t : group.getTargets())
      groupOf[cast<FlatSymbolRefAttr>(t).getValue()] = group;
  auto lookup = [&](wl::LayerOp layer, FlatSymbolRefAttr sym) {
    return SymbolTable::lookupNearestSymbolFrom<wl::ParamOp>(layer, sym);
  };
  std::vector<ReportLayer> layers;
  total = trainable = 0;
  for (wl::LayerOp layer : module.getOps<wl::LayerOp>()) {
    ReportLayer row{layer.getSymName().str(), layer.getStructureName(), 0, {}};
    // The weight's parameters: the matrix itself, or every factor.
    SmallVector<wl::ParamOp> weights;
    if (auto factors = layer.getFactors())
      for (Attribute f : *factors)
        weights.push_back(lookup(layer, cast<FlatSymbolRefAttr>(f)));
    else
      weights.push_back(lookup(layer, layer.getWeightAttr()));
    SmallVector<wl::ParamOp> counted(weights);
    if (auto bias = layer.getBiasAttr())
      counted.push_back(lookup(layer, bias));
    for (wl::ParamOp p : counted) {
      row.params += p.getTensorType().getNumElements();
      if (p.getTrainable())
        trainable += p.getTensorType().getNumElements();
    }
    total += row.params;
    for (wl::ParamOp weight : weights) {
      auto constraints = weight.getConstraints();
      if (!constraints)
        continue;
      // Structured layers name the factor a constraint acts on: "U:
      // orthonormal()".
      std::string factor;
      if (layer.getFactors())
        factor = weight.getSymName().rsplit('.').second.str() + ": ";
      ArrayAttr list = *constraints;
      for (Attribute a : list) {
        auto c = cast<wl::ConstraintAttrInterface>(a);
        auto [guarantee, reason] = wl::describeGuarantee(
            weight, c, groupOf.lookup(weight.getSymName()));
        row.constraints.push_back(
            {factor + constraintText(c),
             wl::stringifyGuarantee(guarantee).str(), reason,
             c.getConstraintOrigin() == wl::ConstraintOrigin::Factor});
      }
    }
    layers.push_back(std::move(row));
  }
  return layers;
}

/// `--report`: one row per layer and constraint.
void printReport(ModuleOp module, llvm::raw_ostream &os) {
  auto model = module->getAttrOfType<DictionaryAttr>("wl.model");
  os << "model " << model.getAs<StringAttr>("model").getValue() << "\n";
  os << llvm::formatv("{0,-12} {1,-24} {2,-40} {3,-12} {4,-8} {5}\n", "layer",
                      "structure", "constraint", "guarantee", "params", "why");
  int64_t total, trainable;
  for (const ReportLayer &layer : collectReport(module, total, trainable)) {
    std::vector<ReportConstraint> rows = layer.constraints;
    if (rows.empty())
      rows.push_back({"-", "-", ""});
    for (auto [i, row] : llvm::enumerate(rows))
      os << llvm::formatv(
          "{0,-12} {1,-24} {2,-40} {3,-12} {4,-8} {5}\n",
          i == 0 ? layer.name : "", i == 0 ? layer.structure : "", row.text,
          row.guarantee, i == 0 ? std::to_string(layer.params) : "",
          row.reason);
  }
  os << "total parameters: " << total << " (trainable " << trainable << ")\n";
  if (auto notes = module->getAttrOfType<ArrayAttr>("wl.certificate_notes")) {
    os << "certificate (numbers evaluated by wl_lipschitz_bound at run "
          "time):\n";
    for (Attribute note : notes)
      os << "  " << cast<StringAttr>(note).getValue() << "\n";
  }
}

/// `--report=json`: the same as one JSON document (wl-train reads it).
void printReportJson(ModuleOp module, llvm::raw_ostream &os) {
  auto model = module->getAttrOfType<DictionaryAttr>("wl.model");
  int64_t total, trainable;
  std::vector<ReportLayer> layers = collectReport(module, total, trainable);
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("model", model.getAs<StringAttr>("model").getValue());
    json.attributeArray("layers", [&] {
      for (const ReportLayer &layer : layers)
        json.object([&] {
          json.attribute("name", layer.name);
          json.attribute("structure", layer.structure);
          json.attribute("params", layer.params);
          json.attributeArray("constraints", [&] {
            for (const ReportConstraint &c : layer.constraints)
              json.object([&] {
                json.attribute("constraint", c.text);
                json.attribute("guarantee", c.guarantee);
                json.attribute("why", c.reason);
                json.attribute("through", c.through);
              });
          });
        });
    });
    json.attribute("total_params", total);
    json.attribute("trainable_params", trainable);
    if (auto notes = module->getAttrOfType<ArrayAttr>("wl.certificate_notes"))
      json.attributeArray("certificate", [&] {
        for (Attribute note : notes)
          json.value(cast<StringAttr>(note).getValue());
      });
  });
  os << "\n";
}

/// Frontend: parses and checks the input and selects the model; on an error,
/// prints it in file:line:col form and returns null. `program` owns the model.
const wl::lang::Model *parseModel(std::unique_ptr<wl::lang::Program> &program) {
  std::stringstream frontendErrors;
  program = wl::lang::parseAndCheckFile(inputFile, frontendErrors);
  const wl::lang::Model *model =
      program ? wl::lang::selectModel(*program, modelName, frontendErrors)
              : nullptr;
  if (!model)
    llvm::errs() << frontendErrors.str();
  return model;
}

/// Checks the options past the frontend (-emit=ptx implies --target=cuda);
/// 0 when they are valid, else wlc's exit status after the message.
int checkOptions() {
  if (emit == Emit::PTX && targetName.getNumOccurrences() == 0)
    targetName = "cuda";
  if (targetName != "cpu" && targetName != "cuda")
    return fail("unknown target '" + targetName + "' (expected cpu or cuda)");
  if (emit == Emit::PTX && targetName != "cuda")
    return fail("-emit=ptx needs --target=cuda");
  if (!(lrScale > 0) || !std::isfinite(lrScale)) {
    std::string shown;
    llvm::raw_string_ostream(shown) << llvm::format("%g", lrScale.getValue());
    return fail("--lr-scale must be a positive finite number (got " + shown +
                ")");
  }
  if (!llvm::StringRef(cudaChip).starts_with("sm_"))
    return fail("--cuda-arch must name an sm_XY architecture (got '" +
                cudaChip + "')");
  if (report.getNumOccurrences() && report != "" && report != "text" &&
      report != "json")
    return fail("unknown report format '" + report +
                "' (expected text or json)");
  if (codegenThreads > 64)
    return fail("--codegen-threads must be at most 64, got " +
                llvm::Twine(codegenThreads.getValue()));
  if (optLevel > 3)
    return fail("optimisation level -O" + llvm::Twine(optLevel) +
                " does not exist (use -O0..-O3)");
  return 0;
}

/// The -o file, else the default of -emit=obj (<model>.o) or of a library
/// (lib<model>.so).
std::string outputPath(const wl::lang::Model &model) {
  if (!outputFile.empty())
    return outputFile.getValue();
  return emit == Emit::Obj ? model.name + ".o" : "lib" + model.name + ".so";
}

/// Refuses an unwritable output before any work, with the reason: 0 when the
/// output's directory exists and is writable (or there is no output file).
int checkOutputPath(const wl::lang::Model &model) {
  if (emit != Emit::Obj && emit != Emit::SO && outputFile.empty())
    return 0;
  std::string path = outputPath(model);
  if (path == "-")
    return 0;
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(path));
  if (dir.empty())
    dir = ".";
  if (!llvm::sys::fs::is_directory(dir))
    return fail("cannot write '" + path + "': directory '" + dir +
                "' does not exist");
  if (llvm::sys::fs::access(dir, llvm::sys::fs::AccessMode::Write))
    return fail("cannot write '" + path + "': directory '" + dir +
                "' is not writable");
  return 0;
}

/// Every dialect and translation wlc uses, the wl dialect included.
void registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<wl::WLDialect>();
  // The CUDA target serialises kernel modules (NVVM -> LLVM IR -> PTX/cubin).
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
}

/// Runs the passes `build` adds on `module`, timed as the stage `name`.
LogicalResult runPasses(llvm::StringRef name, ModuleOp module,
                        llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  build(pm);
  TimingScope scope = stageScope(name);
  pm.enableTiming(scope);
  return pm.run(module);
}

/// Writes the module as text to the -o file or stdout.
int printModule(ModuleOp module) {
  return writeText([&](llvm::raw_ostream &os) { module.print(os); });
}

/// The stages in the wl dialect, then the lowering to linalg, each printed
/// when -emit (or --report) stops there. Returns wlc's exit status when the
/// compilation stops or fails, std::nullopt when it goes on.
std::optional<int> runWLStages(ModuleOp module, bool cuda) {
  if (emit == Emit::WL)
    return printModule(module);
  auto backward = [](OpPassManager &pm) {
    pm.addPass(wl::createWLGenerateBackward());
  };
  if (failed(runPasses("backward", module, backward)))
    return 1;
  if (emit == Emit::Grad)
    return printModule(module);
  if (failed(runPasses("step and constraints", module, [](OpPassManager &pm) {
        pm.addPass(wl::createWLGenerateStep());
        pm.addPass(wl::createWLGenerateConstraints());
        pm.addPass(wl::createWLCertify());
      })))
    return 1;
  if (report.getNumOccurrences())
    return writeText([&](llvm::raw_ostream &os) {
      if (report == "json")
        printReportJson(module, os);
      else
        printReport(module, os);
    });
  if (emit == Emit::Step)
    return printModule(module);
  if (failed(runPasses("to linalg", module, [&](OpPassManager &pm) {
        wl::buildLinalgPipeline(pm, cuda ? wl::Target::CUDA : wl::Target::CPU);
      })))
    return 1;
  if (emit == Emit::Linalg)
    return printModule(module);
  return std::nullopt;
}

/// Linalg to the LLVM dialect: the host pipeline, or for CUDA the kernels
/// compiled to a cubin (PTX without ptxas). Returns wlc's exit status when
/// the compilation stops (-emit=ptx) or fails, std::nullopt when it goes on.
std::optional<int> lowerToLLVM(ModuleOp module, bool cuda) {
  if (!cuda) {
    if (failed(runPasses("to the LLVM dialect", module, wl::buildLLVMPipeline)))
      return 1;
    return std::nullopt;
  }
  wl::CUDAOptions options;
  options.chip = cudaChip;
  options.toolkitPath = findCUDAToolkit();
  // -emit=ptx shows the PTX; a library embeds a cubin when ptxas is there.
  options.binaryFormat =
      emit == Emit::PTX || options.toolkitPath.empty() ? "isa" : "bin";
  if (emit != Emit::PTX && options.toolkitPath.empty())
    llvm::errs()
        << "wlc: warning: no CUDA toolkit with bin/ptxas found (--cuda-path, "
           "$CUDA_HOME, /usr/local/cuda): embedding PTX, which the CUDA driver "
           "compiles when the library loads\n";
  if (failed(runPasses("to CUDA kernels", module, [&](OpPassManager &pm) {
        wl::buildCUDAPipeline(pm, options);
      })))
    return 1;
  if (emit == Emit::PTX)
    return writeText([&](llvm::raw_ostream &os) { printPTX(module, os); });
  return std::nullopt;
}

/// lib<model>.so from the LLVM module, not optimised yet: its partitions are
/// optimised and compiled to temporary objects, each on a thread, and linked
/// with the runtime; <model>.h goes next to the library.
int linkLibrary(llvm::Module &llvmModule, const wl::lang::Model &model,
                const char *argv0) {
  std::string library = outputPath(model);
  std::string runtime = wl::findRuntimeArchive(argv0, WL_RUNTIME_LIBRARY);
  if (runtime.empty())
    return fail(
        "cannot find the runtime library libwlrt.a (set WL_RUNTIME_LIBRARY)");
  // One temporary object per partition. The CUDA host module (the embedded
  // kernels and their loader) stays whole.
  unsigned partitions =
      targetName == "cuda"
          ? 1
          : wl::codegenPartitions(llvmModule, codegenThreads);
  std::vector<std::string> objects;
  std::vector<std::unique_ptr<llvm::FileRemover>> removers;
  for (unsigned i = 0; i < partitions; ++i) {
    llvm::SmallString<128> object;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "wl-" + model.name, "o", object))
      return fail("cannot create a temporary file: " + ec.message());
    removers.push_back(std::make_unique<llvm::FileRemover>(object));
    objects.push_back(object.str().str());
  }
  std::string error;
  {
    std::string stage = "LLVM: optimise and generate code (" +
                        std::to_string(partitions) +
                        (partitions == 1 ? " partition)" : " partitions)");
    TimingScope scope = stageScope(stage);
    if (!wl::optimizeAndEmitObjectFiles(llvmModule, objects, optLevel, error))
      return fail(error);
  }
  {
    TimingScope scope = stageScope("link");
    if (!wl::linkSharedLibrary(objects, library, runtime, error))
      return fail(error);
  }
  llvm::SmallString<256> header(llvm::sys::path::parent_path(library));
  llvm::sys::path::append(header, model.name + ".h");
  if (!writeModelHeader(model, header.str().str(), error))
    return fail(error);
  return 0;
}

/// The LLVM dialect to LLVM IR (-emit=llvm), an object file (-emit=obj) or
/// the library.
int emitOutput(ModuleOp module, const wl::lang::Model &model,
               const char *argv0) {
  llvm::LLVMContext llvmContext;
  std::string error;
  std::unique_ptr<llvm::Module> llvmModule;
  {
    TimingScope scope = stageScope("LLVM IR: translate");
    llvmModule = wl::translateToLLVMIR(module, llvmContext, error);
  }
  if (!llvmModule)
    return fail(error);
  if (emit == Emit::SO)
    return linkLibrary(*llvmModule, model, argv0);
  {
    TimingScope scope = stageScope("LLVM IR: optimise");
    if (!wl::optimizeModule(*llvmModule, optLevel, error))
      return fail(error);
  }
  if (emit == Emit::LLVMIR)
    return writeText(
        [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });
  return wl::emitObjectFile(*llvmModule, outputPath(model), optLevel, error)
             ? 0
             : fail(error); // -emit=obj
}

int compile(int argc, char **argv) {
  timing().setEnabled(timeStages);
  timing().setDisplayMode(DefaultTimingManager::DisplayMode::Tree);
  std::unique_ptr<wl::lang::Program> program;
  TimingScope frontend = stageScope("parse and check");
  const wl::lang::Model *model = parseModel(program);
  frontend.stop();
  if (!model)
    return 1;
  if (emit == Emit::AST)
    return writeText([&](llvm::raw_ostream &os) {
      std::ostringstream s;
      wl::lang::printAST(*model, s);
      os << s.str();
    });
  if (int status = checkOptions())
    return status;
  const bool cuda = targetName == "cuda";
  if (int status = checkOutputPath(*model))
    return status;

  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // MLIR diagnostics point into the .wl source, shown with its line and a
  // caret.
  llvm::SourceMgr sourceMgr;
  std::string includedPath;
  sourceMgr.AddIncludeFile(inputFile, llvm::SMLoc(), includedPath);
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  TimingScope generate = stageScope("wl dialect");
  OwningOpRef<ModuleOp> module = wl::mlirGen(context, *model);
  generate.stop();
  if (!module)
    return 1;
  if (lrScale != 1.0)
    scaleLearningRates(*module, lrScale);
  if (std::optional<int> status = runWLStages(*module, cuda))
    return *status;
  if (std::optional<int> status = lowerToLLVM(*module, cuda))
    return *status;
  return emitOutput(*module, *model, argv[0]);
}

} // namespace

int main(int argc, char **argv) {
  wl::registerStructures();
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(wlcCategory);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "wlc " << WL_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING
       << ")\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "wlc: compiles a .wl model of constrained linear layers into a "
      "shared library with the wl C ABI\n");
  return compile(argc, argv);
}
