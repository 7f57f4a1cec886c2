// TorchScript modules: load a scripted/traced model saved by torch.jit.save (e.g. the I3D network of
// StyleGAN-V's FVD), and call its forward with tensors and keyword arguments of simple types.
#include "bridge.h"
#include <torch/script.h>

using wb_jit = torch::jit::Module*;

// Loads a TorchScript file onto a device and puts it in eval mode.
WB_API wb_jit wb_jit_load(const char* path, int32_t device_type, int32_t device_index) {
  WB_GUARD(nullptr, {
    auto device = at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    auto module = new torch::jit::Module(torch::jit::load(std::string(path), device));
    module->eval();
    return module;
  })
}

WB_API void wb_jit_free(wb_jit m) { delete m; }

// Calls forward(inputs..., **kwargs). A kwarg's kind says how its value is read: 0 bool, 1 int, 2 float.
// The result must be a tensor, or a tuple/list whose first element is a tensor.
WB_API wb_tensor wb_jit_forward(wb_jit m, wb_tensor* inputs, int32_t n, const char** names, const double* values,
                                const int32_t* kinds, int32_t nkw) {
  WB_GUARD(nullptr, {
    if (!m) throw std::runtime_error("the TorchScript module was freed");
    std::vector<c10::IValue> args;
    args.reserve(n);
    for (int32_t i = 0; i < n; i++) args.emplace_back(*inputs[i]);
    std::unordered_map<std::string, c10::IValue> kwargs;
    for (int32_t i = 0; i < nkw; i++) {
      switch (kinds[i]) {
        case 0: kwargs.emplace(names[i], c10::IValue(values[i] != 0)); break;
        case 1: kwargs.emplace(names[i], c10::IValue(static_cast<int64_t>(values[i]))); break;
        case 2: kwargs.emplace(names[i], c10::IValue(values[i])); break;
        default: throw std::runtime_error("unknown keyword argument kind " + std::to_string(kinds[i]));
      }
    }
    torch::NoGradGuard no_grad;
    auto out = m->forward(std::move(args), kwargs);
    if (out.isTensor()) return wb::wrap(std::move(out).toTensor());
    if (out.isTuple()) {
      auto& elements = out.toTupleRef().elements();
      if (!elements.empty() && elements[0].isTensor()) return wb::wrap(Tensor(elements[0].toTensor()));
    }
    if (out.isList()) {
      auto list = out.toList();
      if (list.size() > 0 && list.get(0).isTensor()) return wb::wrap(Tensor(list.get(0).toTensor()));
    }
    throw std::runtime_error(std::string("the TorchScript forward returned ") + out.tagKind() + ", not a tensor");
  })
}
