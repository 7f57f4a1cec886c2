// Shape ops: views, reordering, joining, splitting, indexing, padding.
#include "bridge.h"
#include <torch/nn/functional/padding.h>

#define WB_SHAPE(name, expr)                                                  \
  WB_API wb_tensor wb_##name(wb_tensor a, const int64_t* shape, int32_t n) { \
    WB_GUARD(nullptr, auto sizes = wb::ints(shape, n); return wb::wrap(expr);) \
  }
WB_SHAPE(reshape, a->reshape(sizes))
WB_SHAPE(view, a->view(sizes))
WB_SHAPE(permute, a->permute(sizes))
WB_SHAPE(expand, a->expand(sizes))
WB_SHAPE(repeat, a->repeat(sizes))
WB_SHAPE(flip, a->flip(sizes))

#define WB_DIM(name, expr) \
  WB_API wb_tensor wb_##name(wb_tensor a, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(expr);) }
WB_DIM(squeeze_dim, a->squeeze(dim))
WB_DIM(unsqueeze, a->unsqueeze(dim))
WB_UNARY(squeeze, a->squeeze())

// Reinterprets the bytes as another dtype (torch.Tensor.view(dtype)); sizes scale by the element-size ratio.
WB_API wb_tensor wb_view_dtype(wb_tensor a, int32_t dtype) {
  WB_GUARD(nullptr, return wb::wrap(a->view(static_cast<at::ScalarType>(dtype)));)
}
WB_API wb_tensor wb_transpose(wb_tensor a, int64_t d0, int64_t d1) { WB_GUARD(nullptr, return wb::wrap(a->transpose(d0, d1));) }
WB_API wb_tensor wb_flatten(wb_tensor a, int64_t start, int64_t end) { WB_GUARD(nullptr, return wb::wrap(a->flatten(start, end));) }
WB_API wb_tensor wb_narrow(wb_tensor a, int64_t dim, int64_t start, int64_t length) {
  WB_GUARD(nullptr, return wb::wrap(a->narrow(dim, start, length));)
}
WB_API wb_tensor wb_slice(wb_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  WB_GUARD(nullptr, return wb::wrap(a->slice(dim, start, end, step));)
}
WB_API wb_tensor wb_select(wb_tensor a, int64_t dim, int64_t index) { WB_GUARD(nullptr, return wb::wrap(a->select(dim, index));) }
WB_API wb_tensor wb_index_select(wb_tensor a, int64_t dim, wb_tensor index) {
  WB_GUARD(nullptr, return wb::wrap(a->index_select(dim, *index));)
}
WB_API wb_tensor wb_gather(wb_tensor a, int64_t dim, wb_tensor index) { WB_GUARD(nullptr, return wb::wrap(a->gather(dim, *index));) }
WB_API wb_tensor wb_scatter_add(wb_tensor a, int64_t dim, wb_tensor index, wb_tensor src) {
  WB_GUARD(nullptr, return wb::wrap(a->scatter_add(dim, *index, *src));)
}
WB_API wb_tensor wb_masked_select(wb_tensor a, wb_tensor mask) { WB_GUARD(nullptr, return wb::wrap(a->masked_select(*mask));) }
WB_API wb_tensor wb_roll(wb_tensor a, const int64_t* shifts, const int64_t* dims, int32_t n) {
  WB_GUARD(nullptr, return wb::wrap(a->roll(wb::ints(shifts, n), wb::ints(dims, n)));)
}
WB_API wb_tensor wb_tril(wb_tensor a, int64_t diagonal) { WB_GUARD(nullptr, return wb::wrap(a->tril(diagonal));) }
WB_API wb_tensor wb_triu(wb_tensor a, int64_t diagonal) { WB_GUARD(nullptr, return wb::wrap(a->triu(diagonal));) }

WB_API wb_tensor wb_cat(wb_tensor* items, int32_t n, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::cat(wb::list(items, n), dim));) }
WB_API wb_tensor wb_stack(wb_tensor* items, int32_t n, int64_t dim) { WB_GUARD(nullptr, return wb::wrap(at::stack(wb::list(items, n), dim));) }

// Results that are lists: written to out (capacity entries), count returned.
WB_API int32_t wb_chunk(wb_tensor a, int64_t chunks, int64_t dim, wb_tensor* out, int32_t capacity) {
  WB_GUARD(-1, return wb::write_list(a->chunk(chunks, dim), out, capacity);)
}
WB_API int32_t wb_split(wb_tensor a, const int64_t* sizes, int32_t n, int64_t dim, wb_tensor* out, int32_t capacity) {
  WB_GUARD(-1, return wb::write_list(a->split_with_sizes(wb::ints(sizes, n), dim), out, capacity);)
}

// pad: pads as in torch.nn.functional.pad (last dim first); mode 0 constant, 1 reflect, 2 replicate, 3 circular.
WB_API wb_tensor wb_pad(wb_tensor a, const int64_t* pads, int32_t n, int32_t mode, double value) {
  WB_GUARD(nullptr, {
    namespace nnf = torch::nn::functional;
    auto opts = nnf::PadFuncOptions(std::vector<int64_t>(pads, pads + n));
    switch (mode) {
      case 0: opts.mode(torch::kConstant).value(value); break;
      case 1: opts.mode(torch::kReflect); break;
      case 2: opts.mode(torch::kReplicate); break;
      case 3: opts.mode(torch::kCircular); break;
      default: TORCH_CHECK(false, "pad: unknown mode ", mode);
    }
    return wb::wrap(nnf::pad(*a, opts));
  })
}
