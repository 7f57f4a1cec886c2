// Shared helpers for the wb_* C ABI. Every exported function catches all exceptions and records
// the message in a thread-local slot (wb_last_error); a failed call returns null (handles) or -1 (status).
#pragma once
#include <ATen/ATen.h>
#include <cstdint>
#include <string>
#include <vector>

#define WB_API extern "C" __attribute__((visibility("default")))

using Tensor = at::Tensor;
using wb_tensor = at::Tensor*;      // opaque handle owned by C# (released by wb_free)
using wb_generator = at::Generator*;

// A scalar as C# passes it: an integer or a floating value (so int tensors stay int: t + 2).
struct wb_scalar {
  double d;
  int64_t i;
  int32_t is_int;
};

namespace wb {
void set_error(const char* message);
wb_tensor wrap(Tensor&& t);
inline at::Scalar scalar(wb_scalar s) { return s.is_int ? at::Scalar(s.i) : at::Scalar(s.d); }
inline at::IntArrayRef ints(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
inline c10::optional<Tensor> optional(wb_tensor t) {
  return t ? c10::optional<Tensor>(*t) : c10::nullopt;
}
inline Tensor undefined_if_null(wb_tensor t) { return t ? *t : Tensor(); }
inline c10::optional<at::Generator> generator(wb_generator g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad);
std::vector<Tensor> list(wb_tensor* items, int32_t n);
int32_t write_list(const std::vector<Tensor>& ts, wb_tensor* out, int32_t capacity);
void report_current_exception();
int cuda_device_count();
}  // namespace wb

// Wrap a body that returns a value; on an exception record it and return `fail`.
#define WB_GUARD(fail, ...)                \
  try {                                    \
    __VA_ARGS__                            \
  } catch (...) {                          \
    wb::report_current_exception();        \
    return fail;                           \
  }

// One line per op: the op families share a calling shape (see math.cpp, shape.cpp).
#define WB_UNARY(name, expr) \
  WB_API wb_tensor wb_##name(wb_tensor a) { WB_GUARD(nullptr, return wb::wrap(expr);) }
#define WB_BINARY(name, expr) \
  WB_API wb_tensor wb_##name(wb_tensor a, wb_tensor b) { WB_GUARD(nullptr, return wb::wrap(expr);) }
#define WB_SCALAR(name, expr) \
  WB_API wb_tensor wb_##name(wb_tensor a, wb_scalar s) { WB_GUARD(nullptr, return wb::wrap(expr);) }
#define WB_INPLACE(name, expr) \
  WB_API int32_t wb_##name(wb_tensor a, wb_tensor b) { WB_GUARD(-1, expr; return 0;) }
#define WB_INPLACE_SCALAR(name, expr) \
  WB_API int32_t wb_##name(wb_tensor a, wb_scalar s) { WB_GUARD(-1, expr; return 0;) }
// Reductions over a list of dims (n == 0: all dims) with keepdim.
#define WB_REDUCE(name, expr)                                                                  \
  WB_API wb_tensor wb_##name(wb_tensor a, const int64_t* dims_ptr, int32_t n, int32_t keepdim) { \
    WB_GUARD(nullptr, auto dims = wb::reduce_dims(*a, dims_ptr, n); return wb::wrap(expr);)   \
  }

namespace wb {
std::vector<int64_t> reduce_dims(const Tensor& a, const int64_t* dims, int32_t n);
}
