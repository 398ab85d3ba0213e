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
// In a cuda-target library (metadata "target": "cuda") every block is CUDA
// managed memory instead, since kernels use the temporaries: blocks of every
// size are cached (cuMemAllocManaged is slow), and their sizes are kept in a
// table rather than in a header, so that the host never touches (and
// migrates) a block's pages.
//
//===----------------------------------------------------------------------===//
#include "Cuda.h"
#include "Metadata.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kLargeBlock = 64 << 10;         // smaller blocks: plain malloc
constexpr size_t kCachedBytes = size_t(4) << 30; // never keep more than this
constexpr size_t kHeader = 64; // keeps the payload 64-byte aligned

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void *>>
      free; // rounded size -> blocks
  size_t cachedBytes = 0;
  std::unordered_map<void *, size_t>
      managedSize; // managed blocks in use -> rounded size
};

Cache &cache() {
  static Cache *c =
      new Cache; // never destroyed: generated code may run at exit
  return *c;
}

size_t roundedSize(size_t bytes) { return (bytes + 4095) & ~size_t(4095); }

/// A cached block of exactly `size` bytes, or nullptr. Caller holds the lock.
void *takeCached(Cache &c, size_t size) {
  auto it = c.free.find(size);
  if (it == c.free.end() || it->second.empty())
    return nullptr;
  void *block = it->second.back();
  it->second.pop_back();
  c.cachedBytes -= size;
  return block;
}

/// Keeps `block` for reuse unless the cache is full; false then. Caller holds
/// the lock.
bool putCached(Cache &c, void *block, size_t size) {
  if (c.cachedBytes + size > kCachedBytes)
    return false;
  c.free[size].push_back(block);
  c.cachedBytes += size;
  return true;
}

/// Whether this library's generated code runs on the GPU. The metadata is
/// parsed on first use (the allocator may run before any wl_create); invalid
/// metadata means CPU (no model can be created then anyway).
bool managedBlocks() {
  static const bool cuda = wlrt::metadata().cudaTarget;
  return cuda;
}

void *managedBlock(size_t bytes) {
  size_t size = roundedSize(bytes == 0 ? 1 : bytes);
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (void *block = takeCached(c, size)) {
      c.managedSize[block] = size;
      return block;
    }
  }
  // nullptr on failure, the reason recorded for the entry point (Cuda.h).
  void *block = wlrt::managedAlloc(size);
  if (block) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.managedSize[block] = size;
  }
  return block;
}

void freeManagedBlock(void *block) {
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.managedSize.find(block);
    if (it == c.managedSize.end())
      return; // not ours: ignore rather than corrupt the cache
    size_t size = it->second;
    c.managedSize.erase(it);
    if (putCached(c, block, size))
      return;
  }
  wlrt::managedFree(block);
}

} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  if (managedBlocks())
    return managedBlock(bytes);
  if (bytes < kLargeBlock) {
    // Tag small blocks with size 0 so free knows where they came from.
    auto *block = static_cast<unsigned char *>(
        std::aligned_alloc(kHeader, kHeader + ((bytes + 63) & ~size_t(63))));
    if (!block)
      return nullptr;
    *reinterpret_cast<size_t *>(block) = 0;
    return block + kHeader;
  }
  size_t size = roundedSize(bytes);
  {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (void *block = takeCached(c, size))
      return static_cast<unsigned char *>(block) + kHeader;
  }
  // aligned_alloc wants a multiple of the alignment (C11; ASan enforces it).
  size_t pageBytes = (kHeader + size + 4095) & ~size_t(4095);
  auto *block =
      static_cast<unsigned char *>(std::aligned_alloc(4096, pageBytes));
  if (!block)
    return nullptr;
  *reinterpret_cast<size_t *>(block) = size;
  return block + kHeader;
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                    size_t bytes) {
  // Every block is at least 64-byte aligned; larger alignments are not
  // requested by the generated code.
  (void)alignment;
  return _mlir_memref_to_llvm_alloc(bytes);
}

extern "C" void _mlir_memref_to_llvm_free(void *payload) {
  if (!payload)
    return;
  if (managedBlocks()) {
    freeManagedBlock(payload);
    return;
  }
  auto *block = static_cast<unsigned char *>(payload) - kHeader;
  size_t size = *reinterpret_cast<size_t *>(block);
  if (size != 0) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (putCached(c, block, size))
      return;
  }
  std::free(block);
}
