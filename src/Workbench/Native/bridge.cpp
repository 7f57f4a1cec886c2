// Handles, errors and process set-up (threads, malloc tuning) for the bridge.
#include "bridge.h"
#include <c10/util/Exception.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <sched.h>
#include <atomic>
#include <cstring>
#include <thread>

namespace {
thread_local std::string last_error;
std::atomic<int64_t> live_handles{0};

// Runs when the library is loaded: use every core, and stop glibc from mapping and unmapping each
// large tensor (raising the mmap/trim thresholds made conv3d and attention 1.5-2x faster on CPU).
__attribute__((constructor)) void wb_on_load() {
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  // The cores this process may run on (taskset, cgroups), not all of the machine's.
  cpu_set_t allowed;
  int cores = sched_getaffinity(0, sizeof(allowed), &allowed) == 0 ? CPU_COUNT(&allowed)
                                                                   : static_cast<int>(std::thread::hardware_concurrency());
  if (cores > 0) at::set_num_threads(cores);
}
}  // namespace

namespace wb {
void set_error(const char* message) { last_error = message ? message : "unknown error"; }

void report_current_exception() {
  try {
    throw;
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native exception");
  }
}

wb_tensor wrap(Tensor&& t) {
  live_handles.fetch_add(1, std::memory_order_relaxed);
  return new Tensor(std::move(t));
}

// requires_grad is left out: at:: factories ignore it (at::empty rejects it), so callers set it on the result.
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

std::vector<Tensor> list(wb_tensor* items, int32_t n) {
  std::vector<Tensor> ts;
  ts.reserve(n);
  for (int32_t i = 0; i < n; i++) ts.push_back(*items[i]);
  return ts;
}

int32_t write_list(const std::vector<Tensor>& ts, wb_tensor* out, int32_t capacity) {
  if (static_cast<int32_t>(ts.size()) > capacity)
    throw std::runtime_error("result has " + std::to_string(ts.size()) + " tensors, room for " +
                             std::to_string(capacity));
  for (size_t i = 0; i < ts.size(); i++) out[i] = wrap(Tensor(ts[i]));
  return static_cast<int32_t>(ts.size());
}

std::vector<int64_t> reduce_dims(const Tensor& a, const int64_t* dims, int32_t n) {
  if (n > 0) return std::vector<int64_t>(dims, dims + n);
  std::vector<int64_t> all(a.dim());
  for (int64_t i = 0; i < a.dim(); i++) all[i] = i;
  return all;
}
}  // namespace wb

WB_API const char* wb_last_error() { return last_error.c_str(); }
WB_API void wb_clear_error() { last_error.clear(); }

WB_API void wb_free(wb_tensor t) {
  if (!t) return;
  live_handles.fetch_sub(1, std::memory_order_relaxed);
  delete t;
}
WB_API int64_t wb_live_handles() { return live_handles.load(); }

// A deliberately failing call, so tests can see a libtorch error reach C# as an exception.
WB_API wb_tensor wb_debug_throw(int32_t kind) {
  WB_GUARD(nullptr, {
    if (kind == 0) TORCH_CHECK(false, "wb_debug_throw: a libtorch error");
    throw std::runtime_error("wb_debug_throw: a std::exception");
  })
}
