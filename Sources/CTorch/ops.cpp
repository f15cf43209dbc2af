// Elementwise maths, reductions, shape changes and indexing: one ATen call each.
#include "common.h"
#include <cstdlib>

using namespace ctorch;

namespace {
at::Tensor unary(int op, const at::Tensor &a) {
    switch (op) {
    case CT_NEG: return at::neg(a);
    case CT_EXP: return at::exp(a);
    case CT_LOG: return at::log(a);
    case CT_SQRT: return at::sqrt(a);
    case CT_RSQRT: return at::rsqrt(a);
    case CT_ABS: return at::abs(a);
    case CT_RELU: return at::relu(a);
    case CT_RELU6: return at::hardtanh(a, 0.0, 6.0);
    case CT_SIGMOID: return at::sigmoid(a);
    case CT_TANH: return at::tanh(a);
    case CT_SIGN: return at::sign(a);
    case CT_FLOOR: return at::floor(a);
    case CT_CEIL: return at::ceil(a);
    case CT_ROUND: return at::round(a);
    case CT_SQUARE: return at::square(a);
    case CT_RECIPROCAL: return at::reciprocal(a);
    case CT_LOGICAL_NOT: return at::logical_not(a);
    case CT_SIN: return at::sin(a);
    case CT_COS: return at::cos(a);
    case CT_SOFTPLUS: return at::softplus(a);
    case CT_GELU: return at::gelu(a);
    case CT_HARDSWISH: return at::hardswish(a);
    case CT_HARDSIGMOID: return at::hardsigmoid(a);
    case CT_SILU: return at::silu(a);
    case CT_ISFINITE: return at::isfinite(a);
    case CT_LOG1P: return at::log1p(a);
    }
    throw std::invalid_argument("unknown unary op code " + std::to_string(op));
}

template <typename B> at::Tensor binary(int op, const at::Tensor &a, const B &b) {
    switch (op) {
    case CT_ADD: return at::add(a, b);
    case CT_SUB: return at::sub(a, b);
    case CT_MUL: return at::mul(a, b);
    case CT_DIV: return at::div(a, b);
    case CT_POW: return at::pow(a, b);
    case CT_EQ: return at::eq(a, b);
    case CT_NE: return at::ne(a, b);
    case CT_LT: return at::lt(a, b);
    case CT_LE: return at::le(a, b);
    case CT_GT: return at::gt(a, b);
    case CT_GE: return at::ge(a, b);
    case CT_REMAINDER: return at::remainder(a, b);
    }
    throw std::invalid_argument("binary op code " + std::to_string(op) + " needs two tensors");
}

at::Tensor binary_tensors(int op, const at::Tensor &a, const at::Tensor &b) {
    switch (op) {
    case CT_MAXIMUM: return at::maximum(a, b);
    case CT_MINIMUM: return at::minimum(a, b);
    case CT_MATMUL: return at::matmul(a, b);
    case CT_LOGICAL_AND: return at::logical_and(a, b);
    case CT_LOGICAL_OR: return at::logical_or(a, b);
    case CT_ATAN2: return at::atan2(a, b);
    default: return binary(op, a, b);
    }
}

at::Tensor binary_scalar(int op, const at::Tensor &a, double b) {
    switch (op) {
    case CT_MAXIMUM: return at::clamp_min(a, b);
    case CT_MINIMUM: return at::clamp_max(a, b);
    default: return binary(op, a, at::Scalar(b));
    }
}

at::OptionalIntArrayRef optdims(const int64_t *dims, int n) {
    if (!dims || n == 0) return c10::nullopt;
    return ints(dims, n);
}

ct_tensor *to_list(const std::vector<at::Tensor> &parts, int *n_out) {
    auto *out = static_cast<ct_tensor *>(std::malloc(sizeof(ct_tensor) * (parts.size() ? parts.size() : 1)));
    for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]);
    *n_out = static_cast<int>(parts.size());
    return out;
}
} // namespace

extern "C" {

ct_tensor ct_unary(int op, ct_tensor a) { CT_TENSOR(unary(op, T(a))) }
ct_tensor ct_binary(int op, ct_tensor a, ct_tensor b) { CT_TENSOR(binary_tensors(op, T(a), T(b))) }
ct_tensor ct_binary_scalar(int op, ct_tensor a, double b) { CT_TENSOR(binary_scalar(op, T(a), b)) }
ct_tensor ct_rsub_scalar(double a, ct_tensor b) { CT_TENSOR(at::rsub(T(b), a)) }
ct_tensor ct_rdiv_scalar(double a, ct_tensor b) { CT_TENSOR(at::reciprocal(T(b)).mul(a)) }
ct_tensor ct_leaky_relu(ct_tensor a, double slope) { CT_TENSOR(at::leaky_relu(T(a), slope)) }
ct_tensor ct_clamp(ct_tensor a, double lo, double hi, int has_lo, int has_hi) {
    CT_TENSOR(at::clamp(T(a), has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                        has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt))
}
ct_tensor ct_where(ct_tensor c, ct_tensor a, ct_tensor b) { CT_TENSOR(at::where(T(c), T(a), T(b))) }
ct_tensor ct_softmax(ct_tensor a, int64_t dim) { CT_TENSOR(at::softmax(T(a), dim)) }
ct_tensor ct_log_softmax(ct_tensor a, int64_t dim) { CT_TENSOR(at::log_softmax(T(a), dim)) }
ct_tensor ct_addmm(ct_tensor bias, ct_tensor a, ct_tensor b, double beta, double alpha) {
    CT_TENSOR(at::addmm(T(bias), T(a), T(b), beta, alpha))
}

int ct_copy_(ct_tensor dst, ct_tensor src) { CT_STATUS(T(dst).copy_(T(src))) }
int ct_fill_(ct_tensor dst, double v) { CT_STATUS(T(dst).fill_(v)) }
int ct_zero_(ct_tensor dst) { CT_STATUS(T(dst).zero_()) }
int ct_uniform_(ct_tensor dst, double lo, double hi) { CT_STATUS(T(dst).uniform_(lo, hi)) }
int ct_normal_(ct_tensor dst, double mean, double std) { CT_STATUS(T(dst).normal_(mean, std)) }
int ct_add_(ct_tensor dst, ct_tensor src, double alpha) { CT_STATUS(T(dst).add_(T(src), alpha)) }
int ct_mul_scalar_(ct_tensor dst, double v) { CT_STATUS(T(dst).mul_(v)) }

ct_tensor ct_sum(ct_tensor a, const int64_t *d, int n, int k) {
    CT_TENSOR(n == 0 ? at::sum(T(a)) : at::sum(T(a), ints(d, n), k != 0))
}
ct_tensor ct_mean(ct_tensor a, const int64_t *d, int n, int k) {
    CT_TENSOR(n == 0 ? at::mean(T(a)) : at::mean(T(a), ints(d, n), k != 0))
}
ct_tensor ct_var(ct_tensor a, const int64_t *d, int n, int u, int k) { CT_TENSOR(at::var(T(a), optdims(d, n), u != 0, k != 0)) }
ct_tensor ct_std(ct_tensor a, const int64_t *d, int n, int u, int k) { CT_TENSOR(at::std(T(a), optdims(d, n), u != 0, k != 0)) }
ct_tensor ct_norm(ct_tensor a, double p, const int64_t *d, int n, int k) {
    CT_TENSOR(n == 0 ? at::norm(T(a), p) : at::norm(T(a), p, ints(d, n), k != 0))
}
ct_tensor ct_logsumexp(ct_tensor a, const int64_t *d, int n, int k) { CT_TENSOR(at::logsumexp(T(a), ints(d, n), k != 0)) }
ct_tensor ct_amax(ct_tensor a, const int64_t *d, int n, int k) { CT_TENSOR(at::amax(T(a), ints(d, n), k != 0)) }
ct_tensor ct_amin(ct_tensor a, const int64_t *d, int n, int k) { CT_TENSOR(at::amin(T(a), ints(d, n), k != 0)) }
int ct_max_dim(ct_tensor a, int64_t dim, int k, ct_tensor *v, ct_tensor *i) {
    CT_TRY(auto r = at::max(T(a), dim, k != 0); *v = wrap(std::get<0>(r)); *i = wrap(std::get<1>(r)); return 0;)
    return -1;
}
int ct_min_dim(ct_tensor a, int64_t dim, int k, ct_tensor *v, ct_tensor *i) {
    CT_TRY(auto r = at::min(T(a), dim, k != 0); *v = wrap(std::get<0>(r)); *i = wrap(std::get<1>(r)); return 0;)
    return -1;
}
ct_tensor ct_argmax(ct_tensor a, int64_t dim, int k) { CT_TENSOR(at::argmax(T(a), dim, k != 0)) }
ct_tensor ct_argmin(ct_tensor a, int64_t dim, int k) { CT_TENSOR(at::argmin(T(a), dim, k != 0)) }
ct_tensor ct_cumsum(ct_tensor a, int64_t dim) { CT_TENSOR(at::cumsum(T(a), dim)) }
ct_tensor ct_normalize(ct_tensor a, double p, int64_t dim, double eps) {
    CT_TENSOR(T(a) / at::norm(T(a), p, {dim}, true).clamp_min(eps))
}

ct_tensor ct_view(ct_tensor a, const int64_t *s, int n) { CT_TENSOR(T(a).view(ints(s, n))) }
ct_tensor ct_reshape(ct_tensor a, const int64_t *s, int n) { CT_TENSOR(T(a).reshape(ints(s, n))) }
ct_tensor ct_permute(ct_tensor a, const int64_t *d, int n) { CT_TENSOR(T(a).permute(ints(d, n))) }
ct_tensor ct_transpose(ct_tensor a, int64_t d0, int64_t d1) { CT_TENSOR(T(a).transpose(d0, d1)) }
ct_tensor ct_unsqueeze(ct_tensor a, int64_t d) { CT_TENSOR(T(a).unsqueeze(d)) }
ct_tensor ct_squeeze(ct_tensor a, int64_t d) { CT_TENSOR(T(a).squeeze(d)) }
ct_tensor ct_flatten(ct_tensor a, int64_t s, int64_t e) { CT_TENSOR(T(a).flatten(s, e)) }
ct_tensor ct_expand(ct_tensor a, const int64_t *s, int n) { CT_TENSOR(T(a).expand(ints(s, n))) }
ct_tensor ct_repeat(ct_tensor a, const int64_t *r, int n) { CT_TENSOR(T(a).repeat(ints(r, n))) }
ct_tensor ct_slice(ct_tensor a, int64_t dim, int64_t s, int64_t e, int64_t st) { CT_TENSOR(T(a).slice(dim, s, e, st)) }
ct_tensor ct_select(ct_tensor a, int64_t dim, int64_t i) { CT_TENSOR(T(a).select(dim, i)) }
ct_tensor ct_flip(ct_tensor a, const int64_t *d, int n) { CT_TENSOR(T(a).flip(ints(d, n))) }
ct_tensor ct_as_strided(ct_tensor a, const int64_t *s, const int64_t *st, int n, int64_t off) {
    CT_TENSOR(at::as_strided(T(a), ints(s, n), ints(st, n), off))
}
ct_tensor ct_cat(const ct_tensor *items, int n, int64_t dim) { CT_TENSOR(at::cat(list(items, n), dim)) }
ct_tensor ct_stack(const ct_tensor *items, int n, int64_t dim) { CT_TENSOR(at::stack(list(items, n), dim)) }
ct_tensor *ct_split(ct_tensor a, int64_t size, int64_t dim, int *n) {
    CT_TRY(return to_list(T(a).split(size, dim), n);) return nullptr;
}
ct_tensor *ct_chunk(ct_tensor a, int64_t c, int64_t dim, int *n) {
    CT_TRY(return to_list(T(a).chunk(c, dim), n);) return nullptr;
}
ct_tensor ct_pad(ct_tensor a, const int64_t *pads, int n, int mode, double value) {
    CT_TRY(const auto p = ints(pads, n); switch (mode) {
        case 0: return wrap(at::constant_pad_nd(T(a), p, value));
        case 1: return wrap(at::reflection_pad2d(T(a), p));
        case 2: return wrap(at::replication_pad2d(T(a), p));
        default: set_error("pad: mode must be 0 (constant), 1 (reflect) or 2 (replicate)"); return nullptr;
    })
    return nullptr;
}

ct_tensor ct_index_select(ct_tensor a, int64_t dim, ct_tensor i) { CT_TENSOR(at::index_select(T(a), dim, T(i))) }
ct_tensor ct_gather(ct_tensor a, int64_t dim, ct_tensor i) { CT_TENSOR(at::gather(T(a), dim, T(i))) }
ct_tensor ct_scatter(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor s) { CT_TENSOR(at::scatter(T(a), dim, T(i), T(s))) }
ct_tensor ct_scatter_value(ct_tensor a, int64_t dim, ct_tensor i, double v) { CT_TENSOR(at::scatter(T(a), dim, T(i), v)) }
ct_tensor ct_scatter_add(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor s) { CT_TENSOR(at::scatter_add(T(a), dim, T(i), T(s))) }
ct_tensor ct_index_add(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor s) { CT_TENSOR(at::index_add(T(a), dim, T(i), T(s))) }
ct_tensor ct_masked_fill(ct_tensor a, ct_tensor m, double v) { CT_TENSOR(at::masked_fill(T(a), T(m), v)) }
ct_tensor ct_masked_select(ct_tensor a, ct_tensor m) { CT_TENSOR(at::masked_select(T(a), T(m))) }
ct_tensor ct_nonzero(ct_tensor a) { CT_TENSOR(at::nonzero(T(a))) }
ct_tensor ct_one_hot(ct_tensor a, int64_t n) { CT_TENSOR(at::one_hot(T(a), n)) }
int ct_topk(ct_tensor a, int64_t k, int64_t dim, int largest, int sorted, ct_tensor *v, ct_tensor *i) {
    CT_TRY(auto r = at::topk(T(a), k, dim, largest != 0, sorted != 0); *v = wrap(std::get<0>(r));
           *i = wrap(std::get<1>(r)); return 0;)
    return -1;
}
int ct_sort(ct_tensor a, int64_t dim, int desc, ct_tensor *v, ct_tensor *i) {
    CT_TRY(auto r = at::sort(T(a), /*stable=*/true, dim, desc != 0); *v = wrap(std::get<0>(r));
           *i = wrap(std::get<1>(r)); return 0;)
    return -1;
}
ct_tensor ct_argsort(ct_tensor a, int64_t dim, int desc) {
    CT_TENSOR(std::get<1>(at::sort(T(a), /*stable=*/true, dim, desc != 0)))
}
ct_tensor ct_cdist(ct_tensor a, ct_tensor b, double p) { CT_TENSOR(at::cdist(T(a), T(b), p)) }

} // extern "C"
