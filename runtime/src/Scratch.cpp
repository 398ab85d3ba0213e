//===- Scratch.cpp - the allocator of the generated code's temporaries ----===//
//
// Generated entry points allocate their temporaries (activations kept for
// the backward, gradients of intermediate values, GEMM pack buffers) on
// every call through these two functions (MLIR's memref-to-LLVM lowering
// with use-generic-functions). glibc serves blocks above its mmap threshold
// with fresh mappings and returns them to the system on free, so every call
// would page-fault its large temporaries in again (a 12-layer 1024-wide
// training step: a quarter of its time). Large blocks are therefore kept on
// free lists by exact size and handed out again on the next call; at most
// kCachedBytes stay cached, beyond that they go back to the system.
//
//===----------------------------------------------------------------------===//
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kLargeBlock = 64 << 10;           // smaller blocks: plain malloc
constexpr size_t kCachedBytes = size_t(4) << 30;   // never keep more than this
constexpr size_t kHeader = 64;                     // keeps the payload 64-byte aligned

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void *>> free; // rounded size -> blocks
  size_t cachedBytes = 0;
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: generated code may run at exit
  return *c;
}

size_t roundedSize(size_t bytes) { return (bytes + 4095) & ~size_t(4095); }

} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  if (bytes < kLargeBlock) {
    // Tag small blocks with size 0 so free knows where they came from.
    auto *block = static_cast<unsigned char *>(std::aligned_alloc(kHeader, kHeader + ((bytes + 63) & ~size_t(63))));
    if (!block)
      return nullptr;
    *reinterpret_cast<size_t *>(block) = 0;
    return block + kHeader;
  }
  size_t size = roundedSize(bytes);
  {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(size);
    if (it != c.free.end() && !it->second.empty()) {
      void *block = it->second.back();
      it->second.pop_back();
      c.cachedBytes -= size;
      return static_cast<unsigned char *>(block) + kHeader;
    }
  }
  auto *block = static_cast<unsigned char *>(std::aligned_alloc(4096, kHeader + size));
  if (!block)
    return nullptr;
  *reinterpret_cast<size_t *>(block) = size;
  return block + kHeader;
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) {
  // Every block is at least 64-byte aligned; larger alignments are not
  // requested by the generated code.
  (void)alignment;
  return _mlir_memref_to_llvm_alloc(bytes);
}

extern "C" void _mlir_memref_to_llvm_free(void *payload) {
  if (!payload)
    return;
  auto *block = static_cast<unsigned char *>(payload) - kHeader;
  size_t size = *reinterpret_cast<size_t *>(block);
  if (size != 0) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.cachedBytes + size <= kCachedBytes) {
      c.free[size].push_back(block);
      c.cachedBytes += size;
      return;
    }
  }
  std::free(block);
}
