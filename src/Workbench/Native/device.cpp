// Runtime information: versions, threads, CUDA devices, synchronisation.
#include "bridge.h"
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#ifdef WB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#endif
#include <cstring>

namespace {
// Copy a string into a caller's buffer; returns the full length (so the caller can retry larger).
int32_t copy_string(const std::string& s, char* buffer, int32_t capacity) {
  if (buffer && capacity > 0) {
    auto n = std::min<size_t>(s.size(), static_cast<size_t>(capacity - 1));
    std::memcpy(buffer, s.data(), n);
    buffer[n] = 0;
  }
  return static_cast<int32_t>(s.size());
}
}  // namespace

WB_API int32_t wb_torch_version(char* buffer, int32_t capacity) {
#ifdef TORCH_VERSION
  return copy_string(TORCH_VERSION, buffer, capacity);
#else
  return copy_string("unknown", buffer, capacity);
#endif
}
WB_API int32_t wb_build_config(char* buffer, int32_t capacity) {
  WB_GUARD(-1, return copy_string(at::show_config() + at::get_parallel_info(), buffer, capacity);)
}
WB_API int32_t wb_num_threads() { return at::get_num_threads(); }
WB_API int32_t wb_set_num_threads(int32_t n) { WB_GUARD(-1, at::set_num_threads(n); return 0;) }
namespace wb {
int cuda_device_count() {
#ifdef WB_WITH_CUDA
  return at::hasCUDA() ? static_cast<int>(c10::cuda::device_count()) : 0;
#else
  return 0;  // a CPU build of the bridge sees no CUDA devices
#endif
}
}  // namespace wb

WB_API int32_t wb_cuda_device_count() { WB_GUARD(-1, return wb::cuda_device_count();) }
WB_API int32_t wb_cuda_synchronize(int32_t device) {
  WB_GUARD(-1, {
#ifdef WB_WITH_CUDA
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(device));
    AT_CUDA_CHECK(cudaDeviceSynchronize());
#endif
    return 0;
  })
}
// Device name and total memory; -1 when the bridge was built without CUDA.
WB_API int32_t wb_cuda_device_name(int32_t device, char* buffer, int32_t capacity, int64_t* total_memory) {
  WB_GUARD(-1, {
#ifdef WB_WITH_CUDA
    auto* p = at::cuda::getDeviceProperties(device);
    *total_memory = static_cast<int64_t>(p->totalGlobalMem);
    return copy_string(p->name, buffer, capacity);
#else
    *total_memory = 0;
    TORCH_CHECK(false, "this bridge was built without CUDA");
#endif
  })
}
// Peak and current bytes allocated by the CUDA caching allocator; reset clears the peak.
WB_API int32_t wb_cuda_memory(int32_t device, int64_t* allocated, int64_t* peak, int32_t reset_peak) {
  WB_GUARD(-1, {
#ifdef WB_WITH_CUDA
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
    const size_t agg = 0;  // StatType::AGGREGATE (the enum moved between libtorch versions; its value did not)
    *allocated = stats.allocated_bytes[agg].current;
    *peak = stats.allocated_bytes[agg].peak;
    if (reset_peak) c10::cuda::CUDACachingAllocator::resetPeakStats(device);
    return 0;
#else
    *allocated = *peak = 0;
    TORCH_CHECK(false, "this bridge was built without CUDA");
#endif
  })
}
// Returns the caching allocator's unused blocks to the device (torch.cuda.empty_cache), e.g. between benchmark rows.
WB_API int32_t wb_cuda_empty_cache() {
  WB_GUARD(-1, {
#ifdef WB_WITH_CUDA
    c10::cuda::CUDACachingAllocator::emptyCache();
#endif
    return 0;
  })
}
