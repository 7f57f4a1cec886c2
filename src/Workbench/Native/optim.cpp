// Multi-tensor optimizer ops, as torch.optim's foreach and fused implementations do them: one call covers every
// parameter tensor, so a step launches a few kernels for the whole model (foreach kernels on CUDA, one fused
// AdamW kernel where libtorch has it) instead of several per tensor, and nothing is read back to the host.
#include "bridge.h"
#include <c10/core/GradMode.h>
#include <algorithm>
#include <cmath>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
// libtorch 2.1 and later: _foreach_lerp_ and the fused CUDA AdamW kernel; 2.2 and later: _foreach_mul_ by a tensor.
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1))
#define WB_FOREACH_LERP_AND_FUSED_ADAMW 1
#endif
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2))
#define WB_FOREACH_MUL_TENSOR 1
#endif

namespace {
enum Implementation : int32_t { kForEach = 1, kFused = 2 };

std::vector<Tensor> slice(wb_tensor* items, int32_t from, int32_t n) { return wb::list(items + from, n); }

// The fused kernel takes float32 CUDA tensors of one device, each gradient and moment laid out like its parameter.
bool fusable(const std::vector<Tensor>& params, const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
             const std::vector<Tensor>& exp_avg_sqs) {
  if (params.empty()) return false;
  auto device = params[0].device();
  for (size_t i = 0; i < params.size(); i++)
    for (const Tensor* t : {&params[i], &grads[i], &exp_avgs[i], &exp_avg_sqs[i]})
      if (!t->is_cuda() || t->device() != device || t->scalar_type() != at::kFloat || !t->is_non_overlapping_and_dense() ||
          t->sizes() != params[i].sizes() || t->strides() != params[i].strides())
        return false;
  return true;
}

// AdamW.Step's per-tensor formula, op for op, over lists (float32 parameters, gradients and moments).
void adamw_foreach(at::TensorList params, at::TensorList grads, at::TensorList exp_avgs, at::TensorList exp_avg_sqs,
                   double lr, double beta1, double beta2, double eps, double weight_decay, int64_t step) {
  double bias1 = 1 - std::pow(beta1, static_cast<double>(step)), bias2 = 1 - std::pow(beta2, static_cast<double>(step));
#ifdef WB_FOREACH_LERP_AND_FUSED_ADAMW
  at::_foreach_lerp_(exp_avgs, grads, 1 - beta1);  // m ← β1·m + (1−β1)·g
#else
  for (size_t i = 0; i < exp_avgs.size(); i++) exp_avgs[i].lerp_(grads[i], 1 - beta1);
#endif
  at::_foreach_mul_(exp_avg_sqs, beta2);  // v ← β2·v + (1−β2)·g²
  at::_foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2);
  auto denominators = at::_foreach_div(exp_avg_sqs, bias2);  // √(v / (1−β2ᵗ)) + ε
  at::_foreach_sqrt_(denominators);
  at::_foreach_add_(denominators, eps);
  if (weight_decay > 0) at::_foreach_mul_(params, 1 - lr * weight_decay);
  at::_foreach_addcdiv_(params, exp_avgs, denominators, -lr / bias1);
}
}  // namespace

// One AdamW step for a parameter group. `tensors` holds 4·n handles: the parameters, their gradients, the first and
// the second moments (float32). Parameters and gradients of another dtype are updated in float32 and stored back.
// fused != 0 asks for the fused kernel where it applies (CUDA, float32, libtorch 2.1+). Returns the implementation
// used (1: foreach, 2: fused).
WB_API int32_t wb_adamw_step_(wb_tensor* tensors, int32_t n, double lr, double beta1, double beta2, double eps,
                              double weight_decay, int64_t step, int32_t fused) {
  WB_GUARD(-1, {
    TORCH_CHECK(n > 0, "adamw_step_: no parameters");
    TORCH_CHECK(step > 0, "adamw_step_: the step count starts at 1, got ", step);
    c10::NoGradGuard no_grad;
    auto params = slice(tensors, 0, n), grads = slice(tensors, n, n);
    auto exp_avgs = slice(tensors, 2 * n, n), exp_avg_sqs = slice(tensors, 3 * n, n);
#ifdef WB_FOREACH_LERP_AND_FUSED_ADAMW
    if (fused && fusable(params, grads, exp_avgs, exp_avg_sqs)) {
      // The kernel reads the step count from a float32 tensor per parameter; all share one.
      auto count = at::scalar_tensor(static_cast<double>(step), params[0].options().dtype(at::kFloat));
      std::vector<Tensor> steps(params.size(), count);
      at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, at::TensorList(), steps, lr, beta1, beta2, weight_decay, eps,
                        /*amsgrad=*/false, /*maximize=*/false);
      return static_cast<int32_t>(kFused);
    }
#endif
    std::vector<Tensor> working(params), grads32(grads);
    for (int32_t i = 0; i < n; i++) {
      if (working[i].scalar_type() != at::kFloat) working[i] = working[i].to(at::kFloat);
      if (grads32[i].scalar_type() != at::kFloat) grads32[i] = grads32[i].to(at::kFloat);
    }
    adamw_foreach(working, grads32, exp_avgs, exp_avg_sqs, lr, beta1, beta2, eps, weight_decay, step);
    for (int32_t i = 0; i < n; i++)
      if (!working[i].is_same(params[i])) params[i].copy_(working[i]);
    return static_cast<int32_t>(kForEach);
  })
}

// The joint L2 norm of n tensors (clip_grad_norm_'s total norm): the norm of their norms, each taken in float32,
// as a float32 scalar on their device.
WB_API wb_tensor wb_total_norm(wb_tensor* items, int32_t n) {
  WB_GUARD(nullptr, {
    TORCH_CHECK(n > 0, "total_norm: no tensors");
    c10::NoGradGuard no_grad;
    auto ts = wb::list(items, n);
    bool all_float = std::all_of(ts.begin(), ts.end(), [](const Tensor& t) { return t.scalar_type() == at::kFloat; });
    std::vector<Tensor> norms;
    if (all_float) {
      norms = at::_foreach_norm(ts, 2);
    } else {
      for (const auto& t : ts) norms.push_back(at::linalg_vector_norm(t, 2, c10::nullopt, false, at::kFloat));
    }
    return wb::wrap(at::linalg_vector_norm(at::stack(norms), 2));
  })
}

// Multiplies n tensors in place by one scalar tensor on their device (clipping by a coefficient never read back).
WB_API int32_t wb_foreach_mul_tensor_(wb_tensor* items, int32_t n, wb_tensor factor) {
  WB_GUARD(-1, {
    c10::NoGradGuard no_grad;
    auto ts = wb::list(items, n);
#ifdef WB_FOREACH_MUL_TENSOR
    at::_foreach_mul_(ts, *factor);
#else
    for (auto& t : ts) t.mul_(*factor);
#endif
    return 0;
  })
}
