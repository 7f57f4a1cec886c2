// Autocast (automatic mixed precision) state, as torch.autocast sets it: per device type (CPU or CUDA),
// thread-local, with a nesting count whose return to zero clears the cache of weights already cast.
#include "bridge.h"
#include <ATen/autocast_mode.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
// libtorch 2.4 replaced the per-device functions (set_enabled, set_cpu_enabled, ...) by ones taking a device type.
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
#define WB_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace {
at::DeviceType autocast_device(int32_t device_type) {
  auto type = static_cast<at::DeviceType>(device_type);
  TORCH_CHECK(type == at::kCPU || type == at::kCUDA, "autocast: device type must be CPU or CUDA, got ", type);
  return type;
}

bool is_enabled(at::DeviceType type) {
#ifdef WB_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType get_dtype(at::DeviceType type) {
#ifdef WB_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_state(at::DeviceType type, bool enabled, at::ScalarType dtype) {
#ifdef WB_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (type == at::kCUDA) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}
}  // namespace

// The current state of the calling thread for a device type: enabled (0/1) and the lower-precision dtype.
WB_API int32_t wb_autocast_state(int32_t device_type, int32_t* enabled, int32_t* dtype) {
  WB_GUARD(-1, {
    auto type = autocast_device(device_type);
    *enabled = is_enabled(type) ? 1 : 0;
    *dtype = static_cast<int32_t>(get_dtype(type));
    return 0;
  })
}

// Enters an autocast region (torch.autocast.__enter__): sets the state and increments the nesting count.
WB_API int32_t wb_autocast_enter(int32_t device_type, int32_t enabled, int32_t dtype) {
  WB_GUARD(-1, {
    set_state(autocast_device(device_type), enabled != 0, static_cast<at::ScalarType>(dtype));
    at::autocast::increment_nesting();
    return 0;
  })
}

// Leaves a region (torch.autocast.__exit__): the outermost exit clears the cast-weight cache; then the
// state from before the region is restored.
WB_API int32_t wb_autocast_exit(int32_t device_type, int32_t previous_enabled, int32_t previous_dtype) {
  WB_GUARD(-1, {
    auto type = autocast_device(device_type);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_state(type, previous_enabled != 0, static_cast<at::ScalarType>(previous_dtype));
    return 0;
  })
}
