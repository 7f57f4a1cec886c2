using System.Runtime.InteropServices;

namespace Workbench.Torch;

// P/Invoke declarations for the C bridge (src/Workbench/Native). One line per native function; the
// families share calling shapes, so adding an op is one line in C++ and one here. Failing calls return
// an invalid handle or -1, and the message is read from wb_last_error (see Tensor.Check).
internal static unsafe partial class Native
{
    internal const string Lib = "workbench_native";

    // Handles and errors.
    [LibraryImport(Lib)] internal static partial IntPtr wb_last_error();
    [LibraryImport(Lib)] internal static partial void wb_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial long wb_live_handles();
    [LibraryImport(Lib)] internal static partial TensorHandle wb_debug_throw(int kind);

    // Creation: shape, then dtype, device type, device index, requires_grad.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_zeros(ReadOnlySpan<long> shape, int ndim, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ones(ReadOnlySpan<long> shape, int ndim, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_empty(ReadOnlySpan<long> shape, int ndim, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_full(ReadOnlySpan<long> shape, int ndim, Scalar value, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_arange(Scalar start, Scalar end, Scalar step, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_linspace(double start, double end, long steps, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_eye(long n, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_scalar_tensor(Scalar value, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_from_data(void* data, ReadOnlySpan<long> shape, int ndim, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial int wb_copy_out(TensorHandle a, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int wb_item(TensorHandle a, out double d, out long i);

    // Random numbers and generators (g may be IntPtr.Zero: the device's global generator).
    [LibraryImport(Lib)] internal static partial TensorHandle wb_randn(ReadOnlySpan<long> shape, int ndim, IntPtr g, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_rand(ReadOnlySpan<long> shape, int ndim, IntPtr g, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_randint(long low, long high, ReadOnlySpan<long> shape, int ndim, IntPtr g, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_randperm(long n, IntPtr g, int dtype, int dev, int index, int grad);
    [LibraryImport(Lib)] internal static partial int wb_normal_(TensorHandle a, double mean, double std, IntPtr g);
    [LibraryImport(Lib)] internal static partial int wb_uniform_(TensorHandle a, double low, double high, IntPtr g);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_bernoulli(TensorHandle p, IntPtr g);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_multinomial(TensorHandle p, long n, int replacement, IntPtr g);
    [LibraryImport(Lib)] internal static partial IntPtr wb_generator_new(ulong seed, int dev, int index);
    [LibraryImport(Lib)] internal static partial void wb_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int wb_generator_seed(IntPtr g, ulong seed);
    [LibraryImport(Lib)] internal static partial int wb_generator_get_state(IntPtr g, out TensorHandle state);
    [LibraryImport(Lib)] internal static partial int wb_generator_set_state(IntPtr g, TensorHandle state);
    [LibraryImport(Lib)] internal static partial int wb_manual_seed(ulong seed);

    // Metadata and conversion.
    [LibraryImport(Lib)] internal static partial int wb_ndim(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_shape(TensorHandle a, Span<long> shape, int capacity);
    [LibraryImport(Lib)] internal static partial int wb_strides(TensorHandle a, Span<long> strides, int capacity);
    [LibraryImport(Lib)] internal static partial int wb_dtype(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_device(TensorHandle a, out int index);
    [LibraryImport(Lib)] internal static partial long wb_numel(TensorHandle a);
    [LibraryImport(Lib)] internal static partial long wb_nbytes(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_is_contiguous(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_to(TensorHandle a, int dtype, int dev, int index, int nonBlocking, int copy);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_alias(TensorHandle a);

    // Unary.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_log1p(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_expm1(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_rsqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_square(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_reciprocal(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sin(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_cos(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_tanh(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_relu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_silu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_erf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_floor(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ceil(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_round(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sign(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_logical_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_isnan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_isinf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_isfinite(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_clone(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_contiguous(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_detach(TensorHandle a);

    // Binary (broadcasting).
    [LibraryImport(Lib)] internal static partial TensorHandle wb_add(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sub(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_pow(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_remainder(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_atan2(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_minimum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_outer(TensorHandle a, TensorHandle b);

    // Tensor with scalar.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_add_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sub_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_rsub_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_mul_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_div_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_rdiv_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_pow_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_rpow_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_remainder_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_eq_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ne_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_lt_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_le_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_gt_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_ge_s(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_clamp_min(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_clamp_max(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_clamp(TensorHandle a, Scalar lo, Scalar hi);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_lerp(TensorHandle a, TensorHandle end, TensorHandle weight);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_masked_fill(TensorHandle a, TensorHandle mask, Scalar value);
    [LibraryImport(Lib)] internal static partial int wb_allclose(TensorHandle a, TensorHandle b, double rtol, double atol);

    // Reductions: dims (empty = all), keepdim.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sum(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_mean(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_amax(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_amin(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_logsumexp(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_any(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_all(TensorHandle a, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_var(TensorHandle a, ReadOnlySpan<long> dims, int n, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_std(TensorHandle a, ReadOnlySpan<long> dims, int n, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_norm(TensorHandle a, double p, ReadOnlySpan<long> dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_argmax(TensorHandle a, long dim, int hasDim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_argmin(TensorHandle a, long dim, int hasDim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_cumsum(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_cumprod(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial int wb_topk(TensorHandle a, long k, long dim, int largest, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int wb_sort(TensorHandle a, long dim, int descending, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial TensorHandle wb_einsum(string equation, IntPtr[] items, int n);

    // In-place.
    [LibraryImport(Lib)] internal static partial int wb_add_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int wb_sub_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int wb_mul_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int wb_div_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int wb_copy_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int wb_add_s_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_mul_s_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_div_s_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_fill_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_clamp_min_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_clamp_max_(TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int wb_zero_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_add_scaled_(TensorHandle a, TensorHandle b, Scalar alpha);
    [LibraryImport(Lib)] internal static partial int wb_addcmul_(TensorHandle a, TensorHandle t1, TensorHandle t2, Scalar value);
    [LibraryImport(Lib)] internal static partial int wb_addcdiv_(TensorHandle a, TensorHandle t1, TensorHandle t2, Scalar value);
    [LibraryImport(Lib)] internal static partial int wb_lerp_(TensorHandle a, TensorHandle end, Scalar weight);

    // Shape.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_reshape(TensorHandle a, ReadOnlySpan<long> shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_view(TensorHandle a, ReadOnlySpan<long> shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_permute(TensorHandle a, ReadOnlySpan<long> dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_expand(TensorHandle a, ReadOnlySpan<long> shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_repeat(TensorHandle a, ReadOnlySpan<long> repeats, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_flip(TensorHandle a, ReadOnlySpan<long> dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_squeeze(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_squeeze_dim(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_view_dtype(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_flatten(TensorHandle a, long start, long end);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_slice(TensorHandle a, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_select(TensorHandle a, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_gather(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_masked_select(TensorHandle a, TensorHandle mask);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_roll(TensorHandle a, ReadOnlySpan<long> shifts, ReadOnlySpan<long> dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_tril(TensorHandle a, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_triu(TensorHandle a, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_cat(IntPtr[] items, int n, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_stack(IntPtr[] items, int n, long dim);
    [LibraryImport(Lib)] internal static partial int wb_chunk(TensorHandle a, long chunks, long dim, [Out] IntPtr[] output, int capacity);
    [LibraryImport(Lib)] internal static partial int wb_split(TensorHandle a, ReadOnlySpan<long> sizes, int n, long dim, [Out] IntPtr[] output, int capacity);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_pad(TensorHandle a, ReadOnlySpan<long> pads, int n, int mode, double value);

    // Neural-network functional ops.
    [LibraryImport(Lib)] internal static partial TensorHandle wb_linear(TensorHandle x, TensorHandle w, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, ReadOnlySpan<long> stride, ReadOnlySpan<long> padding, ReadOnlySpan<long> dilation, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_conv3d(TensorHandle x, TensorHandle w, TensorHandle b, ReadOnlySpan<long> stride, ReadOnlySpan<long> padding, ReadOnlySpan<long> dilation, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_conv_transpose3d(TensorHandle x, TensorHandle w, TensorHandle b, ReadOnlySpan<long> stride, ReadOnlySpan<long> padding, ReadOnlySpan<long> outputPadding, ReadOnlySpan<long> dilation, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_group_norm(TensorHandle x, long groups, TensorHandle w, TensorHandle b, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_layer_norm(TensorHandle x, ReadOnlySpan<long> shape, int n, TensorHandle w, TensorHandle b, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_log_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_gelu(TensorHandle x, int tanhApproximation);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_dropout(TensorHandle x, double p, int train);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_embedding(TensorHandle weight, TensorHandle indices);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_interpolate(TensorHandle x, ReadOnlySpan<long> size, int n, int mode, int alignCorners);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_avg_pool3d(TensorHandle x, ReadOnlySpan<long> kernel, ReadOnlySpan<long> stride, ReadOnlySpan<long> padding);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_avg_pool2d(TensorHandle x, ReadOnlySpan<long> kernel, ReadOnlySpan<long> stride, ReadOnlySpan<long> padding);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_sdpa(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle mask, double dropout, int causal, double scale, IntPtr* weights);
    [LibraryImport(Lib)] internal static partial int wb_has_fused_attention();
    [LibraryImport(Lib)] internal static partial TensorHandle wb_mse_loss(TensorHandle x, TensorHandle target, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_l1_loss(TensorHandle x, TensorHandle target, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_cross_entropy(TensorHandle logits, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing);

    // Autograd.
    [LibraryImport(Lib)] internal static partial int wb_requires_grad(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_set_requires_grad(TensorHandle a, int on);
    [LibraryImport(Lib)] internal static partial int wb_is_leaf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_retain_grad(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int wb_backward(TensorHandle a, TensorHandle gradient, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int wb_grad(TensorHandle a, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int wb_set_grad(TensorHandle a, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int wb_grad_enabled();
    [LibraryImport(Lib)] internal static partial void wb_set_grad_enabled(int on);

    // Runtime.
    [LibraryImport(Lib)] internal static partial int wb_torch_version(byte* buffer, int capacity);
    [LibraryImport(Lib)] internal static partial int wb_build_config(byte* buffer, int capacity);
    [LibraryImport(Lib)] internal static partial int wb_num_threads();
    [LibraryImport(Lib)] internal static partial int wb_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int wb_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int wb_cuda_synchronize(int device);
    [LibraryImport(Lib)] internal static partial int wb_cuda_device_name(int device, byte* buffer, int capacity, out long totalMemory);
    [LibraryImport(Lib)] internal static partial int wb_cuda_memory(int device, out long allocated, out long peak, int resetPeak);
    [LibraryImport(Lib)] internal static partial int wb_cuda_empty_cache();

    // Autocast (mixed precision) state per device type, thread-local (autocast.cpp).
    [LibraryImport(Lib)] internal static partial int wb_autocast_state(int deviceType, out int enabled, out int dtype);
    [LibraryImport(Lib)] internal static partial int wb_autocast_enter(int deviceType, int enabled, int dtype);
    [LibraryImport(Lib)] internal static partial int wb_autocast_exit(int deviceType, int previousEnabled, int previousDType);

    // Multi-tensor optimizer ops over lists of handles (optim.cpp); nothing is read back to the host.
    [LibraryImport(Lib)] internal static partial int wb_adamw_step_(IntPtr[] tensors, int n, double lr, double beta1, double beta2, double eps, double weightDecay, long step, int fused);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_total_norm(IntPtr[] items, int n);
    [LibraryImport(Lib)] internal static partial int wb_foreach_mul_tensor_(IntPtr[] items, int n, TensorHandle factor);
}

// TorchScript modules (jit.cpp): load, call forward with tensors and simple keyword arguments, free.
internal static unsafe partial class Native
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr wb_jit_load(string path, int dev, int index);
    [LibraryImport(Lib)] internal static partial void wb_jit_free(IntPtr module);
    [LibraryImport(Lib)] internal static partial TensorHandle wb_jit_forward(IntPtr module, IntPtr[] inputs, int n, IntPtr* names, double* values, int* kinds, int nkw);
}
