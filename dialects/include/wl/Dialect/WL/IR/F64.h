//===- F64.h - a double usable as an attribute parameter --------*- C++ -*-===//
//
// Attribute storage needs its parameters to compare and hash; a plain double
// has no llvm::hash_value. F64 is a double that does: equal when its bits are
// equal (so the uniquer never merges 0.0 and -0.0), converted to and from
// double implicitly, so verifiers and builders work in plain numbers.
//
//===----------------------------------------------------------------------===//
#ifndef WL_DIALECT_WL_IR_F64_H
#define WL_DIALECT_WL_IR_F64_H

#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/bit.h"

#include <cstdint>

namespace wl {

class F64 {
public:
  F64(double value = 0) : value(value) {}
  operator double() const { return value; }

  friend bool operator==(F64 a, F64 b) { return a.bits() == b.bits(); }
  friend bool operator!=(F64 a, F64 b) { return !(a == b); }
  friend llvm::hash_code hash_value(F64 f) {
    return llvm::hash_value(f.bits());
  }

private:
  uint64_t bits() const { return llvm::bit_cast<uint64_t>(value); }
  double value;
};

} // namespace wl

#endif // WL_DIALECT_WL_IR_F64_H
