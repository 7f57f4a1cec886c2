// Neural-network functional ops (torch.nn.functional): layers, normalisation, attention, losses.
#include "bridge.h"
#include <cmath>
#include <torch/nn/functional/upsampling.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1))
#define WB_HAS_FUSED_SDPA 1
#endif

WB_API wb_tensor wb_linear(wb_tensor x, wb_tensor w, wb_tensor b) {
  WB_GUARD(nullptr, return wb::wrap(at::linear(*x, *w, wb::optional(b)));)
}
WB_API wb_tensor wb_conv2d(wb_tensor x, wb_tensor w, wb_tensor b, const int64_t* stride, const int64_t* padding,
                           const int64_t* dilation, int64_t groups) {
  WB_GUARD(nullptr, return wb::wrap(at::conv2d(*x, *w, wb::optional(b), wb::ints(stride, 2), wb::ints(padding, 2),
                                               wb::ints(dilation, 2), groups));)
}
WB_API wb_tensor wb_conv3d(wb_tensor x, wb_tensor w, wb_tensor b, const int64_t* stride, const int64_t* padding,
                           const int64_t* dilation, int64_t groups) {
  WB_GUARD(nullptr, return wb::wrap(at::conv3d(*x, *w, wb::optional(b), wb::ints(stride, 3), wb::ints(padding, 3),
                                               wb::ints(dilation, 3), groups));)
}
WB_API wb_tensor wb_conv_transpose3d(wb_tensor x, wb_tensor w, wb_tensor b, const int64_t* stride, const int64_t* padding,
                                     const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
  WB_GUARD(nullptr, return wb::wrap(at::conv_transpose3d(*x, *w, wb::optional(b), wb::ints(stride, 3), wb::ints(padding, 3),
                                                         wb::ints(output_padding, 3), groups, wb::ints(dilation, 3)));)
}
WB_API wb_tensor wb_group_norm(wb_tensor x, int64_t groups, wb_tensor w, wb_tensor b, double eps) {
  WB_GUARD(nullptr, return wb::wrap(at::group_norm(*x, groups, wb::optional(w), wb::optional(b), eps));)
}
WB_API wb_tensor wb_layer_norm(wb_tensor x, const int64_t* shape, int32_t n, wb_tensor w, wb_tensor b, double eps) {
  WB_GUARD(nullptr, return wb::wrap(at::layer_norm(*x, wb::ints(shape, n), wb::optional(w), wb::optional(b), eps));)
}
WB_API wb_tensor wb_softmax(wb_tensor x, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::softmax(*x, dim));) }
WB_API wb_tensor wb_log_softmax(wb_tensor x, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::log_softmax(*x, dim));) }
WB_API wb_tensor wb_gelu(wb_tensor x, int32_t tanh_approximation) {
  WB_GUARD(nullptr, return wb::wrap(at::gelu(*x, tanh_approximation ? "tanh" : "none"));)
}
WB_API wb_tensor wb_dropout(wb_tensor x, double p, int32_t train) { WB_GUARD(nullptr, return wb::wrap(at::dropout(*x, p, train != 0));) }
WB_API wb_tensor wb_embedding(wb_tensor weight, wb_tensor indices) {
  WB_GUARD(nullptr, return wb::wrap(at::embedding(*weight, *indices));)
}

// interpolate to an explicit output size; mode 0 nearest, 1 linear/bilinear/trilinear (by rank).
WB_API wb_tensor wb_interpolate(wb_tensor x, const int64_t* size, int32_t n, int32_t mode, int32_t align_corners) {
  WB_GUARD(nullptr, {
    namespace nnf = torch::nn::functional;
    auto opts = nnf::InterpolateFuncOptions().size(std::vector<int64_t>(size, size + n));
    if (mode == 0) {
      opts.mode(torch::kNearest);
    } else {
      TORCH_CHECK(n >= 1 && n <= 3, "interpolate: linear modes take 1 to 3 spatial dims, got ", n);
      if (n == 1) opts.mode(torch::kLinear);
      else if (n == 2) opts.mode(torch::kBilinear);
      else opts.mode(torch::kTrilinear);
      opts.align_corners(align_corners != 0);
    }
    return wb::wrap(nnf::interpolate(*x, opts));
  })
}
WB_API wb_tensor wb_avg_pool3d(wb_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding) {
  WB_GUARD(nullptr, return wb::wrap(at::avg_pool3d(*x, wb::ints(kernel, 3), wb::ints(stride, 3), wb::ints(padding, 3)));)
}
WB_API wb_tensor wb_avg_pool2d(wb_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding) {
  WB_GUARD(nullptr, return wb::wrap(at::avg_pool2d(*x, wb::ints(kernel, 2), wb::ints(stride, 2), wb::ints(padding, 2)));)
}

// Scaled dot-product attention, softmax(q k^T * scale + mask) v, over (..., L, E) queries and (..., S, E) keys.
// mask: bool (true = attend) or additive float, broadcastable to (..., L, S); causal: query i sees keys <= i.
// scale NaN: 1/sqrt(E). With weights != null the composite path runs and returns the attention weights;
// otherwise libtorch >= 2.1 uses its fused kernels (flash / memory-efficient).
static Tensor attention_composite(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double dropout,
                                  bool causal, double scale, Tensor* weights) {
  auto scores = at::matmul(q, k.transpose(-2, -1)) * scale;  // (..., L, S)
  if (causal) {
    auto L = q.size(-2), S = k.size(-2);
    auto keep = at::ones({L, S}, q.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask.defined()) {
    if (mask.scalar_type() == at::kBool)
      scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<double>::infinity());
    else
      scores = scores + mask;
  }
  auto w = at::softmax(scores, -1);
  if (dropout > 0) w = at::dropout(w, dropout, true);
  if (weights) *weights = w;
  return at::matmul(w, v);
}

WB_API wb_tensor wb_sdpa(wb_tensor q, wb_tensor k, wb_tensor v, wb_tensor mask, double dropout, int32_t causal,
                         double scale, wb_tensor* weights_out) {
  WB_GUARD(nullptr, {
    TORCH_CHECK(q->dim() >= 2 && k->dim() == q->dim() && v->dim() == q->dim(),
                "attention: q, k, v must have the same rank (>= 2), got ", q->sizes(), ", ", k->sizes(), ", ", v->sizes());
    TORCH_CHECK(q->size(-1) == k->size(-1), "attention: q and k feature sizes differ: ", q->sizes(), " vs ", k->sizes());
    TORCH_CHECK(k->size(-2) == v->size(-2), "attention: k and v lengths differ: ", k->sizes(), " vs ", v->sizes());
    double s = std::isnan(scale) ? 1.0 / std::sqrt(static_cast<double>(q->size(-1))) : scale;
    Tensor m = wb::undefined_if_null(mask);
    if (weights_out) {
      Tensor w;
      auto out = attention_composite(*q, *k, *v, m, dropout, causal != 0, s, &w);
      *weights_out = wb::wrap(std::move(w));
      return wb::wrap(std::move(out));
    }
#ifdef WB_HAS_FUSED_SDPA
    return wb::wrap(at::scaled_dot_product_attention(*q, *k, *v, wb::optional(mask), dropout, causal != 0, s));
#else
    return wb::wrap(attention_composite(*q, *k, *v, m, dropout, causal != 0, s, nullptr));
#endif
  })
}
WB_API int32_t wb_has_fused_attention() {
#ifdef WB_HAS_FUSED_SDPA
  return 1;
#else
  return 0;
#endif
}

// Losses; reduction 0 none, 1 mean, 2 sum (at::Reduction).
WB_API wb_tensor wb_mse_loss(wb_tensor x, wb_tensor target, int32_t reduction) {
  WB_GUARD(nullptr, return wb::wrap(at::mse_loss(*x, *target, reduction));)
}
WB_API wb_tensor wb_l1_loss(wb_tensor x, wb_tensor target, int32_t reduction) {
  WB_GUARD(nullptr, return wb::wrap(at::l1_loss(*x, *target, reduction));)
}
WB_API wb_tensor wb_cross_entropy(wb_tensor logits, wb_tensor target, wb_tensor weight, int32_t reduction,
                                  int64_t ignore_index, double label_smoothing) {
  WB_GUARD(nullptr, return wb::wrap(at::cross_entropy_loss(*logits, *target, wb::optional(weight), reduction, ignore_index,
                                                           label_smoothing));)
}
