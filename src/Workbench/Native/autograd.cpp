// Autograd: requires_grad, backward, grads, and the thread-local grad mode (no-grad scopes).
#include "bridge.h"
#include <ATen/core/grad_mode.h>

WB_API int32_t wb_requires_grad(wb_tensor a) { WB_GUARD(-1, return a->requires_grad() ? 1 : 0;) }
WB_API int32_t wb_set_requires_grad(wb_tensor a, int32_t on) { WB_GUARD(-1, a->requires_grad_(on != 0); return 0;) }
WB_API int32_t wb_is_leaf(wb_tensor a) { WB_GUARD(-1, return a->is_leaf() ? 1 : 0;) }
WB_API int32_t wb_retain_grad(wb_tensor a) { WB_GUARD(-1, a->retain_grad(); return 0;) }

// gradient may be null (a scalar loss); retain_graph keeps the graph for a second backward.
WB_API int32_t wb_backward(wb_tensor a, wb_tensor gradient, int32_t retain_graph, int32_t create_graph) {
  WB_GUARD(-1, {
    a->backward(wb::undefined_if_null(gradient), retain_graph ? c10::optional<bool>(true) : c10::nullopt, create_graph != 0);
    return 0;
  })
}
// The accumulated gradient, or *out = null when there is none yet.
WB_API int32_t wb_grad(wb_tensor a, wb_tensor* out) {
  WB_GUARD(-1, {
    const auto& g = a->grad();
    *out = g.defined() ? wb::wrap(Tensor(g)) : nullptr;
    return 0;
  })
}
WB_API int32_t wb_set_grad(wb_tensor a, wb_tensor grad) {
  WB_GUARD(-1, a->mutable_grad() = wb::undefined_if_null(grad); return 0;)
}
WB_API int32_t wb_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
WB_API void wb_set_grad_enabled(int32_t on) { at::GradMode::set_enabled(on != 0); }
