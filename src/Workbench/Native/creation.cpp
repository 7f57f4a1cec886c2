// Creating tensors, random numbers, generators, copying data in and out, and metadata queries.
#include "bridge.h"
#include <cstring>
#include <mutex>

#define WB_OPTS dtype, device_type, device_index, requires_grad
#define WB_OPTS_PARAMS int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad

// at:: factories ignore TensorOptions::requires_grad (only the torch:: ones apply it), so set it on the result.
static wb_tensor created(Tensor&& t, int32_t requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return wb::wrap(std::move(t));
}

WB_API wb_tensor wb_zeros(const int64_t* shape, int32_t ndim, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::zeros(wb::ints(shape, ndim), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_ones(const int64_t* shape, int32_t ndim, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::ones(wb::ints(shape, ndim), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_empty(const int64_t* shape, int32_t ndim, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::empty(wb::ints(shape, ndim), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_full(const int64_t* shape, int32_t ndim, wb_scalar value, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::full(wb::ints(shape, ndim), wb::scalar(value), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_arange(wb_scalar start, wb_scalar end, wb_scalar step, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::arange(wb::scalar(start), wb::scalar(end), wb::scalar(step), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_linspace(double start, double end, int64_t steps, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::linspace(start, end, steps, wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_eye(int64_t n, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::eye(n, wb::options(WB_OPTS)), requires_grad);)
}

// Random creation; g may be null (the global generator of the device).
WB_API wb_tensor wb_randn(const int64_t* shape, int32_t ndim, wb_generator g, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::randn(wb::ints(shape, ndim), wb::generator(g), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_rand(const int64_t* shape, int32_t ndim, wb_generator g, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::rand(wb::ints(shape, ndim), wb::generator(g), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, wb_generator g, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::randint(low, high, wb::ints(shape, ndim), wb::generator(g), wb::options(WB_OPTS)), requires_grad);)
}
WB_API wb_tensor wb_randperm(int64_t n, wb_generator g, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::randperm(n, wb::generator(g), wb::options(WB_OPTS)), requires_grad);)
}
WB_API int32_t wb_normal_(wb_tensor a, double mean, double std, wb_generator g) {
  WB_GUARD(-1, a->normal_(mean, std, wb::generator(g)); return 0;)
}
WB_API int32_t wb_uniform_(wb_tensor a, double low, double high, wb_generator g) {
  WB_GUARD(-1, a->uniform_(low, high, wb::generator(g)); return 0;)
}
WB_API wb_tensor wb_bernoulli(wb_tensor p, wb_generator g) {
  WB_GUARD(nullptr, return wb::wrap(at::bernoulli(*p, wb::generator(g)));)
}
WB_API wb_tensor wb_multinomial(wb_tensor p, int64_t n, int32_t replacement, wb_generator g) {
  WB_GUARD(nullptr, return wb::wrap(at::multinomial(*p, n, replacement != 0, wb::generator(g)));)
}

// Generators: a private stream of random numbers per device, seeded.
WB_API wb_generator wb_generator_new(uint64_t seed, int32_t device_type, int32_t device_index) {
  WB_GUARD(nullptr, {
    at::Device device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    auto base = at::globalContext().defaultGenerator(device);  // shares the generator
    at::Generator g;
    {
      std::lock_guard<std::mutex> lock(base.mutex());
      g = base.clone();
    }
    g.set_current_seed(seed);
    return new at::Generator(std::move(g));
  })
}
WB_API void wb_generator_free(wb_generator g) { delete g; }
WB_API int32_t wb_generator_seed(wb_generator g, uint64_t seed) {
  WB_GUARD(-1, std::lock_guard<std::mutex> lock(g->mutex()); g->set_current_seed(seed); return 0;)
}
WB_API int32_t wb_generator_get_state(wb_generator g, wb_tensor* out) {
  WB_GUARD(-1, std::lock_guard<std::mutex> lock(g->mutex()); *out = wb::wrap(g->get_state()); return 0;)
}
WB_API int32_t wb_generator_set_state(wb_generator g, wb_tensor state) {
  WB_GUARD(-1, std::lock_guard<std::mutex> lock(g->mutex()); g->set_state(*state); return 0;)
}

// Seed the global generators of the CPU and of every CUDA device (torch.manual_seed).
WB_API int32_t wb_manual_seed(uint64_t seed) {
  WB_GUARD(-1, {
    auto seed_one = [seed](at::Generator g) {
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_current_seed(seed);
    };
    seed_one(at::globalContext().defaultGenerator(at::kCPU));
    {
      int n = wb::cuda_device_count();
      for (int i = 0; i < n; i++) seed_one(at::globalContext().defaultGenerator(at::Device(at::kCUDA, i)));
    }
    return 0;
  })
}

// Data in: a copy of host memory, then moved to the requested device.
WB_API wb_tensor wb_from_data(const void* data, const int64_t* shape, int32_t ndim, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, {
    auto host = at::from_blob(const_cast<void*>(data), wb::ints(shape, ndim),
                              at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    auto t = host.to(wb::options(dtype, device_type, device_index, 0), /*non_blocking=*/false, /*copy=*/true);
    if (requires_grad) t.requires_grad_(true);
    return wb::wrap(std::move(t));
  })
}

// Data out: exactly nbytes of the tensor's elements, in row-major order, as its own dtype.
WB_API int32_t wb_copy_out(wb_tensor a, void* dst, int64_t nbytes) {
  WB_GUARD(-1, {
    auto host = a->detach().to(at::kCPU).contiguous();
    int64_t have = host.numel() * static_cast<int64_t>(host.element_size());
    TORCH_CHECK(have == nbytes, "copy out: the tensor holds ", have, " bytes, the destination ", nbytes);
    std::memcpy(dst, host.data_ptr(), static_cast<size_t>(nbytes));
    return 0;
  })
}

WB_API wb_tensor wb_scalar_tensor(wb_scalar s, WB_OPTS_PARAMS) {
  WB_GUARD(nullptr, return created(at::scalar_tensor(wb::scalar(s), wb::options(WB_OPTS)), requires_grad);)
}
WB_API int32_t wb_item(wb_tensor a, double* out_d, int64_t* out_i) {
  WB_GUARD(-1, {
    auto s = a->item();
    if (s.isIntegral(false) || s.isBoolean()) { *out_i = s.toLong(); *out_d = static_cast<double>(*out_i); }
    else { *out_d = s.toDouble(); *out_i = static_cast<int64_t>(*out_d); }
    return 0;
  })
}

// Metadata.
WB_API int32_t wb_ndim(wb_tensor a) { WB_GUARD(-1, return static_cast<int32_t>(a->dim());) }
WB_API int32_t wb_shape(wb_tensor a, int64_t* out, int32_t capacity) {
  WB_GUARD(-1, {
    auto sizes = a->sizes();
    TORCH_CHECK(static_cast<int32_t>(sizes.size()) <= capacity, "shape has more dims than room");
    for (size_t i = 0; i < sizes.size(); i++) out[i] = sizes[i];
    return static_cast<int32_t>(sizes.size());
  })
}
WB_API int32_t wb_strides(wb_tensor a, int64_t* out, int32_t capacity) {
  WB_GUARD(-1, {
    auto st = a->strides();
    TORCH_CHECK(static_cast<int32_t>(st.size()) <= capacity, "strides have more dims than room");
    for (size_t i = 0; i < st.size(); i++) out[i] = st[i];
    return static_cast<int32_t>(st.size());
  })
}
WB_API int32_t wb_dtype(wb_tensor a) { WB_GUARD(-1, return static_cast<int32_t>(a->scalar_type());) }
WB_API int32_t wb_device(wb_tensor a, int32_t* index) {
  WB_GUARD(-1, *index = a->device().index(); return static_cast<int32_t>(a->device().type());)
}
WB_API int64_t wb_numel(wb_tensor a) { WB_GUARD(-1, return a->numel();) }
WB_API int64_t wb_nbytes(wb_tensor a) { WB_GUARD(-1, return a->numel() * static_cast<int64_t>(a->element_size());) }
WB_API int32_t wb_is_contiguous(wb_tensor a) { WB_GUARD(-1, return a->is_contiguous() ? 1 : 0;) }
WB_API int32_t wb_is_defined(wb_tensor a) { return a && a->defined() ? 1 : 0; }

WB_API wb_tensor wb_to(wb_tensor a, int32_t dtype, int32_t device_type, int32_t device_index, int32_t non_blocking, int32_t copy) {
  WB_GUARD(nullptr, {
    auto opts = at::TensorOptions()
                    .dtype(static_cast<at::ScalarType>(dtype))
                    .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    return wb::wrap(a->to(opts, non_blocking != 0, copy != 0));
  })
}
// An alias of the same tensor (a second handle sharing storage and autograd identity).
WB_API wb_tensor wb_alias(wb_tensor a) { WB_GUARD(nullptr, return wb::wrap(Tensor(*a));) }
