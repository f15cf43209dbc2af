// Errors, global settings, tensor lifetime, properties, creation and conversion.
#include "common.h"
#include <ATen/autocast_mode.h>
#include <oneapi/dnnl/dnnl.h>
#include <ATen/Parallel.h>
// From libgomp, libtorch's OpenMP runtime (clang does not see gcc's omp.h).
extern "C" void omp_set_num_threads(int);
#include <ATen/detail/CUDAHooksInterface.h>
#include <cstdlib>
#include <dlfcn.h>
#include <malloc.h>
#include <cstring>
#include <iostream>

using namespace ctorch;

namespace ctorch {
static thread_local std::string last_error;
void set_error(const char *msg) { last_error = msg ? msg : ""; }
} // namespace ctorch

extern "C" {

const char *ct_last_error(void) { return ctorch::last_error.c_str(); }
void ct_free(void *ptr) { std::free(ptr); }
void ct_set_num_threads(int n) { at::set_num_threads(n); }
void ct_keep_freed_memory(void) {
#ifdef M_MMAP_MAX
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
    // One arena for every thread: glibc unmaps a per-thread arena's heap as soon as it is wholly
    // free, whatever the trim threshold, so threads that allocate and free whole batches (the
    // extraction streams) page-faulted their buffers in again each time: 1.2-2.5 million minor
    // faults in one cuhk03-pair1 extraction, about 200,000 with one arena.
    mallopt(M_ARENA_MAX, 1);
#endif
}
int ct_get_num_threads(void) { return at::get_num_threads(); }
int ct_set_threads_on_this_thread(int n) {
    // at::get_num_threads first runs libtorch's one-time per-thread set-up, which would
    // otherwise reset this thread's count to the process-wide one at its first parallel op.
    int previous = at::get_num_threads();
    omp_set_num_threads(n);
    return previous;
}
void ct_manual_seed(uint64_t seed) { at::manual_seed(seed); }
int ct_cuda_is_available(void) { return at::hasCUDA() ? 1 : 0; }
int ct_cuda_device_count(void) {
    CT_TRY(return at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0;) return 0;
}
int ct_set_grad_enabled(int enabled) {
    bool prev = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled != 0);
    return prev ? 1 : 0;
}
int ct_is_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }

void ct_autocast_cpu_enter(int dtype, int *previous_enabled, int *previous_dtype) {
    *previous_enabled = at::autocast::is_cpu_enabled() ? 1 : 0;
    *previous_dtype = static_cast<int>(at::autocast::get_autocast_cpu_dtype());
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(dtype));
    at::autocast::increment_nesting();
}
void ct_autocast_cpu_exit(int previous_enabled, int previous_dtype) {
    // As torch.autocast's __exit__: the cast-weight cache lives until the outermost region ends.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(previous_enabled != 0);
    at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(previous_dtype));
}
int ct_set_flush_denormal(int on) { return at::globalContext().setFlushDenormal(on != 0) ? 1 : 0; }
int ct_autocast_cpu_enabled(void) { return at::autocast::is_cpu_enabled() ? 1 : 0; }
int ct_cpu_has_native_bf16(void) {
    int isa = static_cast<int>(dnnl_get_effective_cpu_isa());
    return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16 ? 1 : 0;
}

const char *ct_blas_core_name(void) {
    using CoreName = char *(*)(void);
    static CoreName get = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    return get ? get() : nullptr;
}

int ct_blas_set_threads(int n) {
    using Get = int (*)(void);
    using Set = void (*)(int);
    static Get get = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    static Set set = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (!get || !set) return -1;
    int previous = get();
    set(n);
    return previous;
}

int ct_blas_transpose(int64_t rows, int64_t cols, const float *a, int64_t lda, float *b, int64_t ldb) {
    // OpenBLAS's extension; blasint is int in Debian's (32-bit index) build.
    using OMatCopy = void (*)(int, int, int, int, float, const float *, int, float *, int);
    static OMatCopy copy = reinterpret_cast<OMatCopy>(dlsym(RTLD_DEFAULT, "cblas_somatcopy"));
    if (!copy) return -1;
    const int row_major = 101, transpose = 112; // CblasRowMajor, CblasTrans
    copy(row_major, transpose, static_cast<int>(rows), static_cast<int>(cols), 1.0f, a, static_cast<int>(lda), b,
         static_cast<int>(ldb));
    return 0;
}

int ct_cpu_vector_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}

void ct_tensor_free(ct_tensor t) { delete reinterpret_cast<at::Tensor *>(t); }
int ct_tensor_dim(ct_tensor t) { return static_cast<int>(T(t).dim()); }
int ct_tensor_shape(ct_tensor t, int64_t *out) {
    auto s = T(t).sizes();
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
    return 0;
}
int64_t ct_tensor_numel(ct_tensor t) { return T(t).numel(); }
int ct_tensor_dtype(ct_tensor t) { return static_cast<int>(T(t).scalar_type()); }
int ct_tensor_device_type(ct_tensor t) { return T(t).is_cuda() ? 1 : 0; }
int ct_tensor_device_index(ct_tensor t) { return T(t).is_cuda() ? T(t).device().index() : -1; }
int ct_tensor_requires_grad(ct_tensor t) { return T(t).requires_grad() ? 1 : 0; }
int ct_tensor_set_requires_grad(ct_tensor t, int r) { CT_STATUS(T(t).requires_grad_(r != 0)) }
int ct_tensor_is_contiguous(ct_tensor t) { return T(t).is_contiguous() ? 1 : 0; }
int ct_tensor_has_grad(ct_tensor t) { return T(t).grad().defined() ? 1 : 0; }
ct_tensor ct_tensor_grad(ct_tensor t) {
    CT_TRY(auto g = T(t).grad(); if (!g.defined()) {
        set_error("tensor has no gradient");
        return nullptr;
    } return wrap(g);)
    return nullptr;
}
int ct_tensor_zero_grad(ct_tensor t) {
    CT_STATUS(auto &g = T(t).mutable_grad(); if (g.defined()) g = at::Tensor())
}
int ct_tensor_item_double(ct_tensor t, double *out) { CT_STATUS(*out = T(t).item<double>()) }
int ct_tensor_copy_to_host(ct_tensor t, void *dst, size_t nbytes) {
    CT_TRY(auto c = T(t).detach().to(at::kCPU).contiguous();
           size_t need = c.numel() * c.element_size(); if (need != nbytes) {
               set_error(("copy_to_host: buffer holds " + std::to_string(nbytes) + " bytes, tensor needs " +
                          std::to_string(need))
                             .c_str());
               return -1;
           } if (need > 0) std::memcpy(dst, c.data_ptr(), need);
           return 0;)
    return -1;
}
const void *ct_tensor_cpu_data(ct_tensor t) {
    if (T(t).is_cuda() || !T(t).is_contiguous()) {
        set_error("reading a tensor in place needs a contiguous CPU tensor");
        return nullptr;
    }
    return T(t).data_ptr();
}
int ct_tensor_print(ct_tensor t) { CT_STATUS(std::cout << T(t) << std::endl) }

ct_tensor ct_from_blob_copy(const void *data, const int64_t *shape, int ndim, int dtype) {
    CT_TENSOR(at::from_blob(const_cast<void *>(data), ints(shape, ndim),
                            at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)))
                  .clone())
}
ct_tensor ct_zeros(const int64_t *s, int n, int dt, int dv, int di) { CT_TENSOR(at::zeros(ints(s, n), options(dt, dv, di))) }
ct_tensor ct_ones(const int64_t *s, int n, int dt, int dv, int di) { CT_TENSOR(at::ones(ints(s, n), options(dt, dv, di))) }
ct_tensor ct_full(const int64_t *s, int n, double v, int dt, int dv, int di) {
    CT_TENSOR(at::full(ints(s, n), v, options(dt, dv, di)))
}
ct_tensor ct_empty(const int64_t *s, int n, int dt, int dv, int di) { CT_TENSOR(at::empty(ints(s, n), options(dt, dv, di))) }
ct_tensor ct_rand(const int64_t *s, int n, int dt, int dv, int di) { CT_TENSOR(at::rand(ints(s, n), options(dt, dv, di))) }
ct_tensor ct_randn(const int64_t *s, int n, int dt, int dv, int di) { CT_TENSOR(at::randn(ints(s, n), options(dt, dv, di))) }
ct_tensor ct_randint(int64_t lo, int64_t hi, const int64_t *s, int n, int dv, int di) {
    CT_TENSOR(at::randint(lo, hi, ints(s, n), options(CT_INT64, dv, di)))
}
ct_tensor ct_randperm(int64_t n, int dv, int di) { CT_TENSOR(at::randperm(n, options(CT_INT64, dv, di))) }
ct_tensor ct_arange(double a, double b, double st, int dt, int dv, int di) {
    CT_TENSOR(at::arange(a, b, st, options(dt, dv, di)))
}
ct_tensor ct_eye(int64_t n, int dt, int dv, int di) { CT_TENSOR(at::eye(n, options(dt, dv, di))) }
ct_tensor ct_scalar_tensor(double v, int dt, int dv, int di) { CT_TENSOR(at::scalar_tensor(v, options(dt, dv, di))) }

ct_tensor ct_to_dtype(ct_tensor a, int dt) { CT_TENSOR(T(a).to(static_cast<at::ScalarType>(dt))) }
ct_tensor ct_to_device(ct_tensor a, int dv, int di) { CT_TENSOR(T(a).to(device(dv, di))) }
ct_tensor ct_contiguous(ct_tensor a) { CT_TENSOR(T(a).contiguous()) }
ct_tensor ct_to_channels_last(ct_tensor a) { CT_TENSOR(T(a).contiguous(at::MemoryFormat::ChannelsLast)) }
ct_tensor ct_clone(ct_tensor a) { CT_TENSOR(T(a).clone()) }
ct_tensor ct_detach(ct_tensor a) { CT_TENSOR(T(a).detach()) }

} // extern "C"
