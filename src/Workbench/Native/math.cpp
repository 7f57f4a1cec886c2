// Elementwise math, comparisons, reductions, matrix products and the in-place ops optimizers use.
#include "bridge.h"
#include <algorithm>

// Unary.
WB_UNARY(neg, a->neg())
WB_UNARY(abs, a->abs())
WB_UNARY(exp, a->exp())
WB_UNARY(log, a->log())
WB_UNARY(log1p, a->log1p())
WB_UNARY(expm1, a->expm1())
WB_UNARY(sqrt, a->sqrt())
WB_UNARY(rsqrt, a->rsqrt())
WB_UNARY(square, a->square())
WB_UNARY(reciprocal, a->reciprocal())
WB_UNARY(sin, a->sin())
WB_UNARY(cos, a->cos())
WB_UNARY(tanh, a->tanh())
WB_UNARY(sigmoid, a->sigmoid())
WB_UNARY(relu, a->relu())
WB_UNARY(silu, at::silu(*a))
WB_UNARY(erf, a->erf())
WB_UNARY(floor, a->floor())
WB_UNARY(ceil, a->ceil())
WB_UNARY(round, a->round())
WB_UNARY(sign, a->sign())
WB_UNARY(logical_not, a->logical_not())
WB_UNARY(isnan, a->isnan())
WB_UNARY(isinf, a->isinf())
WB_UNARY(isfinite, a->isfinite())
WB_UNARY(clone, a->clone())
WB_UNARY(contiguous, a->contiguous())
WB_UNARY(detach, a->detach())

// Binary (broadcasting).
WB_BINARY(add, at::add(*a, *b))
WB_BINARY(sub, at::sub(*a, *b))
WB_BINARY(mul, at::mul(*a, *b))
WB_BINARY(div, at::div(*a, *b))
WB_BINARY(pow, at::pow(*a, *b))
WB_BINARY(remainder, at::remainder(*a, *b))
WB_BINARY(atan2, at::atan2(*a, *b))
WB_BINARY(maximum, at::maximum(*a, *b))
WB_BINARY(minimum, at::minimum(*a, *b))
WB_BINARY(eq, at::eq(*a, *b))
WB_BINARY(ne, at::ne(*a, *b))
WB_BINARY(lt, at::lt(*a, *b))
WB_BINARY(le, at::le(*a, *b))
WB_BINARY(gt, at::gt(*a, *b))
WB_BINARY(ge, at::ge(*a, *b))
WB_BINARY(logical_and, at::logical_and(*a, *b))
WB_BINARY(logical_or, at::logical_or(*a, *b))
WB_BINARY(matmul, at::matmul(*a, *b))
WB_BINARY(bmm, at::bmm(*a, *b))

// Tensor with scalar; r* forms put the scalar first (2 - t, 2 / t, 2 ** t).
WB_SCALAR(add_s, at::add(*a, wb::scalar(s)))
WB_SCALAR(sub_s, at::sub(*a, wb::scalar(s)))
WB_SCALAR(rsub_s, at::rsub(*a, wb::scalar(s)))
WB_SCALAR(mul_s, at::mul(*a, wb::scalar(s)))
WB_SCALAR(div_s, at::div(*a, wb::scalar(s)))
WB_SCALAR(rdiv_s, at::mul(a->reciprocal(), wb::scalar(s)))
WB_SCALAR(pow_s, at::pow(*a, wb::scalar(s)))
WB_SCALAR(rpow_s, at::pow(wb::scalar(s), *a))
WB_SCALAR(remainder_s, at::remainder(*a, wb::scalar(s)))
WB_SCALAR(eq_s, at::eq(*a, wb::scalar(s)))
WB_SCALAR(ne_s, at::ne(*a, wb::scalar(s)))
WB_SCALAR(lt_s, at::lt(*a, wb::scalar(s)))
WB_SCALAR(le_s, at::le(*a, wb::scalar(s)))
WB_SCALAR(gt_s, at::gt(*a, wb::scalar(s)))
WB_SCALAR(ge_s, at::ge(*a, wb::scalar(s)))
WB_SCALAR(clamp_min, at::clamp_min(*a, wb::scalar(s)))
WB_SCALAR(clamp_max, at::clamp_max(*a, wb::scalar(s)))

WB_API wb_tensor wb_where(wb_tensor cond, wb_tensor a, wb_tensor b) {
  WB_GUARD(nullptr, return wb::wrap(at::where(*cond, *a, *b));)
}
WB_API wb_tensor wb_clamp(wb_tensor a, wb_scalar lo, wb_scalar hi) {
  WB_GUARD(nullptr, return wb::wrap(at::clamp(*a, wb::scalar(lo), wb::scalar(hi)));)
}
WB_API wb_tensor wb_lerp(wb_tensor a, wb_tensor end, wb_tensor weight) {
  WB_GUARD(nullptr, return wb::wrap(at::lerp(*a, *end, *weight));)
}
WB_API wb_tensor wb_masked_fill(wb_tensor a, wb_tensor mask, wb_scalar value) {
  WB_GUARD(nullptr, return wb::wrap(a->masked_fill(*mask, wb::scalar(value)));)
}
WB_API int32_t wb_allclose(wb_tensor a, wb_tensor b, double rtol, double atol) {
  WB_GUARD(-1, return at::allclose(*a, *b, rtol, atol) ? 1 : 0;)
}

// any/all take one dim at a time in libtorch 1.x: reduce the dims from the last to the first.
template <class F>
static Tensor reduce_each(Tensor t, std::vector<int64_t> dims, bool keepdim, F reduce) {
  for (auto& d : dims) d = c10::maybe_wrap_dim(d, t.dim());
  std::sort(dims.rbegin(), dims.rend());
  for (auto d : dims) t = reduce(t, d, keepdim);
  return t;
}

// Reductions over dims.
WB_REDUCE(sum, at::sum(*a, dims, keepdim != 0))
WB_REDUCE(mean, at::mean(*a, dims, keepdim != 0))
WB_REDUCE(amax, at::amax(*a, dims, keepdim != 0))
WB_REDUCE(amin, at::amin(*a, dims, keepdim != 0))
WB_REDUCE(logsumexp, at::logsumexp(*a, dims, keepdim != 0))
WB_REDUCE(any, reduce_each(a->ne(0), dims, keepdim != 0, [](const Tensor& t, int64_t d, bool k) { return t.any(d, k); }))
WB_REDUCE(all, reduce_each(a->ne(0), dims, keepdim != 0, [](const Tensor& t, int64_t d, bool k) { return t.all(d, k); }))

// var/std with Bessel's correction (0: population, 1: sample).
WB_API wb_tensor wb_var(wb_tensor a, const int64_t* dims_ptr, int32_t n, int64_t correction, int32_t keepdim) {
  WB_GUARD(nullptr, {
    auto dims = wb::reduce_dims(*a, dims_ptr, n);
    return wb::wrap(at::var(*a, at::OptionalIntArrayRef(dims), c10::optional<int64_t>(correction), keepdim != 0));
  })
}
WB_API wb_tensor wb_std(wb_tensor a, const int64_t* dims_ptr, int32_t n, int64_t correction, int32_t keepdim) {
  WB_GUARD(nullptr, {
    auto dims = wb::reduce_dims(*a, dims_ptr, n);
    return wb::wrap(at::std(*a, at::OptionalIntArrayRef(dims), c10::optional<int64_t>(correction), keepdim != 0));
  })
}
WB_API wb_tensor wb_norm(wb_tensor a, double p, const int64_t* dims_ptr, int32_t n, int32_t keepdim) {
  WB_GUARD(nullptr, {
    auto dims = wb::reduce_dims(*a, dims_ptr, n);
    return wb::wrap(at::linalg_vector_norm(*a, p, at::OptionalIntArrayRef(dims), keepdim != 0, c10::nullopt));
  })
}
// argmax/argmin: has_dim == 0 means over the flattened tensor.
WB_API wb_tensor wb_argmax(wb_tensor a, int64_t dim, int32_t has_dim, int32_t keepdim) {
  WB_GUARD(nullptr, return wb::wrap(at::argmax(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0));)
}
WB_API wb_tensor wb_argmin(wb_tensor a, int64_t dim, int32_t has_dim, int32_t keepdim) {
  WB_GUARD(nullptr, return wb::wrap(at::argmin(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0));)
}
WB_API wb_tensor wb_cumsum(wb_tensor a, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::cumsum(*a, dim));) }
WB_API wb_tensor wb_cumprod(wb_tensor a, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::cumprod(*a, dim));) }
// values and indices of the k largest (or smallest) along dim.
WB_API int32_t wb_topk(wb_tensor a, int64_t k, int64_t dim, int32_t largest, wb_tensor* values, wb_tensor* indices) {
  WB_GUARD(-1, {
    auto r = at::topk(*a, k, dim, largest != 0, true);
    *values = wb::wrap(std::move(std::get<0>(r)));
    *indices = wb::wrap(std::move(std::get<1>(r)));
    return 0;
  })
}
WB_API int32_t wb_sort(wb_tensor a, int64_t dim, int32_t descending, wb_tensor* values, wb_tensor* indices) {
  WB_GUARD(-1, {
    auto r = at::sort(*a, dim, descending != 0);
    *values = wb::wrap(std::move(std::get<0>(r)));
    *indices = wb::wrap(std::move(std::get<1>(r)));
    return 0;
  })
}

WB_API wb_tensor wb_einsum(const char* equation, wb_tensor* items, int32_t n) {
  WB_GUARD(nullptr, return wb::wrap(at::einsum(equation, wb::list(items, n)));)
}
WB_API wb_tensor wb_outer(wb_tensor a, wb_tensor b) { WB_GUARD(nullptr, return wb::wrap(at::outer(*a, *b));) }

// In-place (optimizers, initialisers).
WB_INPLACE(add_, a->add_(*b))
WB_INPLACE(sub_, a->sub_(*b))
WB_INPLACE(mul_, a->mul_(*b))
WB_INPLACE(div_, a->div_(*b))
WB_INPLACE(copy_, a->copy_(*b))
WB_INPLACE_SCALAR(add_s_, a->add_(wb::scalar(s)))
WB_INPLACE_SCALAR(mul_s_, a->mul_(wb::scalar(s)))
WB_INPLACE_SCALAR(div_s_, a->div_(wb::scalar(s)))
WB_INPLACE_SCALAR(fill_, a->fill_(wb::scalar(s)))
WB_INPLACE_SCALAR(clamp_min_, a->clamp_min_(wb::scalar(s)))
WB_INPLACE_SCALAR(clamp_max_, a->clamp_max_(wb::scalar(s)))

WB_API int32_t wb_zero_(wb_tensor a) { WB_GUARD(-1, a->zero_(); return 0;) }
// a += alpha * b
WB_API int32_t wb_add_scaled_(wb_tensor a, wb_tensor b, wb_scalar alpha) {
  WB_GUARD(-1, a->add_(*b, wb::scalar(alpha)); return 0;)
}
// a += value * t1 * t2
WB_API int32_t wb_addcmul_(wb_tensor a, wb_tensor t1, wb_tensor t2, wb_scalar value) {
  WB_GUARD(-1, a->addcmul_(*t1, *t2, wb::scalar(value)); return 0;)
}
// a += value * t1 / t2
WB_API int32_t wb_addcdiv_(wb_tensor a, wb_tensor t1, wb_tensor t2, wb_scalar value) {
  WB_GUARD(-1, a->addcdiv_(*t1, *t2, wb::scalar(value)); return 0;)
}
// a += weight * (end - a)
WB_API int32_t wb_lerp_(wb_tensor a, wb_tensor end, wb_scalar weight) {
  WB_GUARD(-1, a->lerp_(*end, wb::scalar(weight)); return 0;)
}
