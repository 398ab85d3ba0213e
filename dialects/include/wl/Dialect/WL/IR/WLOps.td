//===- WLOps.td - all ops of the wl dialect ----------------*- tablegen -*-===//
//
// One file per topic; each topic's C++ (verifiers, VJP rules) lives in the
// .cpp of the same name under lib/Dialect/WL/IR.
//
//===----------------------------------------------------------------------===//
#ifndef WL_OPS_TD
#define WL_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLAttrs.td"
include "wl/Dialect/WL/IR/ParamOps.td"
include "wl/Dialect/WL/IR/LinearOps.td"
include "wl/Dialect/WL/IR/ActivationOps.td"
include "wl/Dialect/WL/IR/LossOps.td"
include "wl/Dialect/WL/IR/OptimizerOps.td"
include "wl/Dialect/WL/IR/ConstraintOps.td"
include "wl/Dialect/WL/IR/StructureOps.td"
include "wl/Dialect/WL/IR/SequenceOps.td"

#endif // WL_OPS_TD
