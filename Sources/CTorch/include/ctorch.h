// CTorch: a thin C ABI over libtorch (ATen + torch::optim).
//
// Conventions (the same everywhere, so the Swift side can wrap mechanically):
// - `ct_tensor` is an opaque, heap-owned at::Tensor. Every function that returns one
//   gives the caller ownership; free it with ct_tensor_free.
// - A function returning a pointer returns NULL on failure; one returning int returns
//   0 on success and -1 on failure. The message is then in ct_last_error() (per thread).
//   No C++ exception ever crosses this boundary.
// - dtype codes are at::ScalarType values (ct_dtype below); device type 0 = CPU, 1 = CUDA.
#ifndef CTORCH_H
#define CTORCH_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;

enum ct_dtype {
    CT_UINT8 = 0, CT_INT8 = 1, CT_INT16 = 2, CT_INT32 = 3, CT_INT64 = 4,
    CT_FLOAT16 = 5, CT_FLOAT32 = 6, CT_FLOAT64 = 7, CT_BOOL = 11, CT_BFLOAT16 = 15
};

// ---- errors, threads, seeds, devices -------------------------------------------------
const char *ct_last_error(void);
void ct_free(void *ptr);
void ct_set_num_threads(int n);
// Keeps freed memory in the process instead of unmapping it (glibc: no mmap for large blocks,
// no trimming), so the same activation buffers are reused each step without page faults.
void ct_keep_freed_memory(void);
int ct_get_num_threads(void);
/// Intra-op threads of libtorch's work started from the calling thread only (OpenMP's per-thread
/// setting); returns the previous count. Other threads keep the process-wide count.
int ct_set_threads_on_this_thread(int n);
void ct_manual_seed(uint64_t seed);
int ct_cuda_is_available(void);
int ct_cuda_device_count(void);
int ct_set_grad_enabled(int enabled); // returns the previous state
int ct_is_grad_enabled(void);
// CPU autocast (torch.autocast("cpu", dtype)) on the calling thread: enter saves the previous
// state into the out-parameters, exit restores it (and clears the cast cache at the outermost exit).
void ct_autocast_cpu_enter(int dtype, int *previous_enabled, int *previous_dtype);
void ct_autocast_cpu_exit(int previous_enabled, int previous_dtype);
int ct_autocast_cpu_enabled(void);
// Flush-to-zero and denormals-are-zero on the calling thread's SSE unit (what
// torch.set_flush_denormal does); threads it creates afterwards inherit it. 1 if supported.
int ct_set_flush_denormal(int on);
// 1 when oneDNN runs bf16 natively on this CPU (AVX-512 BF16 or AMX), 0 when it would emulate or lack it.
int ct_cpu_has_native_bf16(void);
// OpenBLAS's kernel set for this CPU ("Prescott", "Haswell", "SkylakeX", …; openblas_get_corename),
// or NULL when the BLAS libtorch loaded is not OpenBLAS.
const char *ct_blas_core_name(void);
// Sets OpenBLAS's thread count (openblas_set_num_threads) and returns the previous one; -1 and
// nothing changed when the BLAS is not OpenBLAS.
int ct_blas_set_threads(int n);
// The widest vector ISA the CPU offers for BLAS kernels: 2 = AVX-512 F/BW/DQ/VL, 1 = AVX2 + FMA, 0 = older.
int ct_cpu_vector_level(void);
// b = aᵀ for a row-major [rows, cols] block with row strides lda and ldb, through OpenBLAS's
// cblas_somatcopy; -1 (nothing written) when the BLAS has none.
int ct_blas_transpose(int64_t rows, int64_t cols, const float *a, int64_t lda, float *b, int64_t ldb);

// ---- lifetime and properties ----------------------------------------------------------
void ct_tensor_free(ct_tensor t);
int ct_tensor_dim(ct_tensor t);
int ct_tensor_shape(ct_tensor t, int64_t *out_shape); // writes dim() values
int64_t ct_tensor_numel(ct_tensor t);
int ct_tensor_dtype(ct_tensor t);
int ct_tensor_device_type(ct_tensor t);
int ct_tensor_device_index(ct_tensor t);
int ct_tensor_requires_grad(ct_tensor t);
int ct_tensor_set_requires_grad(ct_tensor t, int requires_grad);
int ct_tensor_is_contiguous(ct_tensor t);
ct_tensor ct_tensor_grad(ct_tensor t); // NULL with an empty error when there is no grad
int ct_tensor_has_grad(ct_tensor t);
int ct_tensor_zero_grad(ct_tensor t);
int ct_tensor_item_double(ct_tensor t, double *out);
int ct_tensor_copy_to_host(ct_tensor t, void *dst, size_t nbytes); // contiguous CPU copy
// The first element of a contiguous CPU tensor, read in place; NULL (with an error) otherwise.
const void *ct_tensor_cpu_data(ct_tensor t);
int ct_tensor_print(ct_tensor t);

// ---- creation --------------------------------------------------------------------------
ct_tensor ct_from_blob_copy(const void *data, const int64_t *shape, int ndim, int dtype);
ct_tensor ct_zeros(const int64_t *shape, int ndim, int dtype, int device_type, int device_index);
ct_tensor ct_ones(const int64_t *shape, int ndim, int dtype, int device_type, int device_index);
ct_tensor ct_full(const int64_t *shape, int ndim, double value, int dtype, int device_type, int device_index);
ct_tensor ct_empty(const int64_t *shape, int ndim, int dtype, int device_type, int device_index);
ct_tensor ct_rand(const int64_t *shape, int ndim, int dtype, int device_type, int device_index);
ct_tensor ct_randn(const int64_t *shape, int ndim, int dtype, int device_type, int device_index);
ct_tensor ct_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, int device_type, int device_index);
ct_tensor ct_randperm(int64_t n, int device_type, int device_index);
ct_tensor ct_arange(double start, double end, double step, int dtype, int device_type, int device_index);
ct_tensor ct_eye(int64_t n, int dtype, int device_type, int device_index);
ct_tensor ct_scalar_tensor(double value, int dtype, int device_type, int device_index);

// ---- conversion ------------------------------------------------------------------------
ct_tensor ct_to_dtype(ct_tensor a, int dtype);
ct_tensor ct_to_device(ct_tensor a, int device_type, int device_index);
ct_tensor ct_contiguous(ct_tensor a);
ct_tensor ct_to_channels_last(ct_tensor a);
ct_tensor ct_clone(ct_tensor a);
ct_tensor ct_detach(ct_tensor a);

// ---- elementwise -----------------------------------------------------------------------
// op codes for ct_unary
enum ct_unary_op {
    CT_NEG, CT_EXP, CT_LOG, CT_SQRT, CT_RSQRT, CT_ABS, CT_RELU, CT_RELU6, CT_SIGMOID, CT_TANH,
    CT_SIGN, CT_FLOOR, CT_CEIL, CT_ROUND, CT_SQUARE, CT_RECIPROCAL, CT_LOGICAL_NOT, CT_SIN, CT_COS,
    CT_SOFTPLUS, CT_GELU, CT_HARDSWISH, CT_HARDSIGMOID, CT_SILU, CT_ISFINITE, CT_LOG1P
};
ct_tensor ct_unary(int op, ct_tensor a);
// op codes for ct_binary (broadcasting)
enum ct_binary_op {
    CT_ADD, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM, CT_EQ, CT_NE, CT_LT, CT_LE,
    CT_GT, CT_GE, CT_MATMUL, CT_LOGICAL_AND, CT_LOGICAL_OR, CT_REMAINDER, CT_ATAN2
};
ct_tensor ct_binary(int op, ct_tensor a, ct_tensor b);
// the same ops with a scalar right-hand side (CT_MATMUL excluded)
ct_tensor ct_binary_scalar(int op, ct_tensor a, double b);
ct_tensor ct_rsub_scalar(double a, ct_tensor b); // a - b
ct_tensor ct_rdiv_scalar(double a, ct_tensor b); // a / b
ct_tensor ct_leaky_relu(ct_tensor a, double slope);
ct_tensor ct_clamp(ct_tensor a, double lo, double hi, int has_lo, int has_hi);
ct_tensor ct_where(ct_tensor cond, ct_tensor a, ct_tensor b);
ct_tensor ct_softmax(ct_tensor a, int64_t dim);
ct_tensor ct_log_softmax(ct_tensor a, int64_t dim);
ct_tensor ct_addmm(ct_tensor bias, ct_tensor a, ct_tensor b, double beta, double alpha);

// ---- in place (for initialisation and parameter updates; use under no_grad) ------------
int ct_copy_(ct_tensor dst, ct_tensor src);
int ct_fill_(ct_tensor dst, double value);
int ct_zero_(ct_tensor dst);
int ct_uniform_(ct_tensor dst, double lo, double hi);
int ct_normal_(ct_tensor dst, double mean, double std);
int ct_add_(ct_tensor dst, ct_tensor src, double alpha);
int ct_mul_scalar_(ct_tensor dst, double value);
int ct_kaiming_normal_(ct_tensor dst, double a, int fan_out, int nonlinearity_relu);
int ct_kaiming_uniform_(ct_tensor dst, double a, int fan_out, int nonlinearity_relu);

// ---- reductions (dims may be NULL/0 for "all") -----------------------------------------
ct_tensor ct_sum(ct_tensor a, const int64_t *dims, int ndims, int keepdim);
ct_tensor ct_mean(ct_tensor a, const int64_t *dims, int ndims, int keepdim);
ct_tensor ct_var(ct_tensor a, const int64_t *dims, int ndims, int unbiased, int keepdim);
ct_tensor ct_std(ct_tensor a, const int64_t *dims, int ndims, int unbiased, int keepdim);
ct_tensor ct_norm(ct_tensor a, double p, const int64_t *dims, int ndims, int keepdim);
ct_tensor ct_logsumexp(ct_tensor a, const int64_t *dims, int ndims, int keepdim);
ct_tensor ct_amax(ct_tensor a, const int64_t *dims, int ndims, int keepdim);
ct_tensor ct_amin(ct_tensor a, const int64_t *dims, int ndims, int keepdim);
int ct_max_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices);
int ct_min_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices);
ct_tensor ct_argmax(ct_tensor a, int64_t dim, int keepdim);
ct_tensor ct_argmin(ct_tensor a, int64_t dim, int keepdim);
ct_tensor ct_cumsum(ct_tensor a, int64_t dim);
ct_tensor ct_normalize(ct_tensor a, double p, int64_t dim, double eps); // F.normalize

// ---- shape -----------------------------------------------------------------------------
ct_tensor ct_view(ct_tensor a, const int64_t *shape, int ndim);
ct_tensor ct_reshape(ct_tensor a, const int64_t *shape, int ndim);
ct_tensor ct_permute(ct_tensor a, const int64_t *dims, int ndim);
ct_tensor ct_transpose(ct_tensor a, int64_t d0, int64_t d1);
ct_tensor ct_unsqueeze(ct_tensor a, int64_t dim);
ct_tensor ct_squeeze(ct_tensor a, int64_t dim);
ct_tensor ct_flatten(ct_tensor a, int64_t start, int64_t end);
ct_tensor ct_expand(ct_tensor a, const int64_t *shape, int ndim);
ct_tensor ct_repeat(ct_tensor a, const int64_t *repeats, int ndim);
ct_tensor ct_slice(ct_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step);
ct_tensor ct_select(ct_tensor a, int64_t dim, int64_t index);
ct_tensor ct_flip(ct_tensor a, const int64_t *dims, int ndims);
// A view of a's storage with the given sizes, strides and storage offset (at::as_strided).
ct_tensor ct_as_strided(ct_tensor a, const int64_t *shape, const int64_t *strides, int ndim, int64_t storage_offset);
ct_tensor ct_cat(const ct_tensor *items, int n, int64_t dim);
ct_tensor ct_stack(const ct_tensor *items, int n, int64_t dim);
// Returns a malloc'd array of *n_out tensors (free the array with ct_free).
ct_tensor *ct_split(ct_tensor a, int64_t size, int64_t dim, int *n_out);
ct_tensor *ct_chunk(ct_tensor a, int64_t chunks, int64_t dim, int *n_out);
ct_tensor ct_pad(ct_tensor a, const int64_t *pads, int npads, int mode, double value); // mode 0 constant,1 reflect,2 replicate

// ---- indexing --------------------------------------------------------------------------
ct_tensor ct_index_select(ct_tensor a, int64_t dim, ct_tensor index);
ct_tensor ct_gather(ct_tensor a, int64_t dim, ct_tensor index);
ct_tensor ct_scatter(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src);
ct_tensor ct_scatter_value(ct_tensor a, int64_t dim, ct_tensor index, double value);
ct_tensor ct_scatter_add(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src);
ct_tensor ct_index_add(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src);
ct_tensor ct_masked_fill(ct_tensor a, ct_tensor mask, double value);
ct_tensor ct_masked_select(ct_tensor a, ct_tensor mask);
ct_tensor ct_nonzero(ct_tensor a);
ct_tensor ct_one_hot(ct_tensor a, int64_t num_classes);
int ct_topk(ct_tensor a, int64_t k, int64_t dim, int largest, int sorted, ct_tensor *values, ct_tensor *indices);
int ct_sort(ct_tensor a, int64_t dim, int descending, ct_tensor *values, ct_tensor *indices);
ct_tensor ct_argsort(ct_tensor a, int64_t dim, int descending);
ct_tensor ct_cdist(ct_tensor a, ct_tensor b, double p);

// ---- neural network functions ----------------------------------------------------------
ct_tensor ct_linear(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */);
ct_tensor ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */, const int64_t *stride,
                    const int64_t *padding, const int64_t *dilation, int64_t groups);
ct_tensor ct_conv_transpose2d(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */, const int64_t *stride,
                              const int64_t *padding, const int64_t *output_padding, int64_t groups,
                              const int64_t *dilation);
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor running_mean, ct_tensor running_var,
                        int training, double momentum, double eps); // all but x nullable
ct_tensor ct_instance_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor running_mean, ct_tensor running_var,
                           int use_input_stats, double momentum, double eps);
ct_tensor ct_layer_norm(ct_tensor x, const int64_t *shape, int ndim, ct_tensor w, ct_tensor b, double eps);
ct_tensor ct_group_norm(ct_tensor x, int64_t groups, ct_tensor w, ct_tensor b, double eps);
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                        const int64_t *dilation, int ceil_mode);
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                        int ceil_mode, int count_include_pad);
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *output_size);
ct_tensor ct_adaptive_max_pool2d(ct_tensor x, const int64_t *output_size);
ct_tensor ct_dropout(ct_tensor x, double p, int training);
ct_tensor ct_upsample(ct_tensor x, const int64_t *size, int bilinear, int align_corners);
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, double label_smoothing, int64_t ignore_index);
ct_tensor ct_soft_margin_loss(ct_tensor x, ct_tensor y);
ct_tensor ct_mse_loss(ct_tensor x, ct_tensor y);
ct_tensor ct_l1_loss(ct_tensor x, ct_tensor y);
ct_tensor ct_bce_with_logits(ct_tensor x, ct_tensor y);

// ---- autograd --------------------------------------------------------------------------
int ct_backward(ct_tensor t, ct_tensor grad /* nullable */, int retain_graph);
// torch::autograd::grad for outputs w.r.t. inputs; results written to out (n_inputs slots)
int ct_autograd_grad(const ct_tensor *outputs, int n_outputs, const ct_tensor *inputs, int n_inputs,
                     int create_graph, ct_tensor *out);

// ---- optimisers (torch::optim) ---------------------------------------------------------
typedef struct ct_optimizer_s *ct_optimizer;
// Each creates the optimiser with one parameter group; add more with ct_optimizer_add_group.
ct_optimizer ct_adam_new(const ct_tensor *params, int n, double lr, double beta1, double beta2,
                         double eps, double weight_decay, int amsgrad);
ct_optimizer ct_adamw_new(const ct_tensor *params, int n, double lr, double beta1, double beta2,
                          double eps, double weight_decay, int amsgrad);
ct_optimizer ct_sgd_new(const ct_tensor *params, int n, double lr, double momentum, double dampening,
                        double weight_decay, int nesterov);
int ct_optimizer_add_group(ct_optimizer o, const ct_tensor *params, int n, double lr, double weight_decay);
int ct_optimizer_group_count(ct_optimizer o);
int ct_optimizer_set_lr(ct_optimizer o, int group, double lr);
double ct_optimizer_get_lr(ct_optimizer o, int group);
int ct_optimizer_step(ct_optimizer o);
int ct_optimizer_zero_grad(ct_optimizer o);
int ct_optimizer_save(ct_optimizer o, const char *path);
int ct_optimizer_load(ct_optimizer o, const char *path);
void ct_optimizer_free(ct_optimizer o);

// ---- PyTorch zip files (torch.save of a dict of tensors) -------------------------------
// Writes name->tensor pairs with libtorch's pickle_save (readable by Python's torch.load).
int ct_pth_save(const char *path, const char *const *names, const ct_tensor *tensors, int n);

// ---- images (OpenCV) -------------------------------------------------------------------
// Decoded images are RGB, uint8, HWC, in a malloc'd buffer (free with ct_free).
int ct_image_decode_file(const char *path, uint8_t **pixels, int *height, int *width);
int ct_image_decode_bytes(const uint8_t *bytes, size_t n, uint8_t **pixels, int *height, int *width);
int ct_image_resize(const uint8_t *src, int h, int w, int channels, uint8_t *dst, int out_h, int out_w);
// Write an RGB (channels 3) or grey (1) uint8 HWC image; the format follows the extension.
int ct_image_write(const char *path, const uint8_t *pixels, int h, int w, int channels);
// Encode to a malloc'd buffer (ext like ".png" or ".jpg").
int ct_image_encode(const char *ext, const uint8_t *pixels, int h, int w, int channels, uint8_t **out, size_t *n);
// Decode + bilinear resize to out_h x out_w + (x/255 - mean)/std, written as CHW floats into dst.
// This is the re-ID input pipeline in one pass (dst holds 3*out_h*out_w floats).
int ct_image_load_normalized(const char *path, int out_h, int out_w, const float *mean, const float *std,
                             float *dst);

#ifdef __cplusplus
}
#endif
#endif
