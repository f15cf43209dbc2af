// Neural-network functions (convolution, normalisation, pooling, losses): one ATen call each.
#include "common.h"

using namespace ctorch;

namespace {
const at::Tensor &undefined() {
    static const at::Tensor none;
    return none;
}
const at::Tensor &or_undefined(ct_tensor t) { return t ? T(t) : undefined(); }
} // namespace

extern "C" {

ct_tensor ct_linear(ct_tensor x, ct_tensor w, ct_tensor b) { CT_TENSOR(at::linear(T(x), T(w), opt(b))) }
ct_tensor ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *s, const int64_t *p, const int64_t *d,
                    int64_t groups) {
    CT_TENSOR(at::conv2d(T(x), T(w), opt(b), ints(s, 2), ints(p, 2), ints(d, 2), groups))
}
ct_tensor ct_conv_transpose2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *s, const int64_t *p,
                              const int64_t *op, int64_t groups, const int64_t *d) {
    CT_TENSOR(at::conv_transpose2d(T(x), T(w), opt(b), ints(s, 2), ints(p, 2), ints(op, 2), groups, ints(d, 2)))
}
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor rm, ct_tensor rv, int training,
                        double momentum, double eps) {
    CT_TENSOR(at::batch_norm(T(x), opt(w), opt(b), opt(rm), opt(rv), training != 0, momentum, eps, true))
}
ct_tensor ct_instance_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor rm, ct_tensor rv, int use_input_stats,
                           double momentum, double eps) {
    CT_TENSOR(at::instance_norm(T(x), opt(w), opt(b), opt(rm), opt(rv), use_input_stats != 0, momentum, eps, true))
}
ct_tensor ct_layer_norm(ct_tensor x, const int64_t *s, int n, ct_tensor w, ct_tensor b, double eps) {
    CT_TENSOR(at::layer_norm(T(x), ints(s, n), opt(w), opt(b), eps, true))
}
ct_tensor ct_group_norm(ct_tensor x, int64_t g, ct_tensor w, ct_tensor b, double eps) {
    CT_TENSOR(at::group_norm(T(x), g, opt(w), opt(b), eps, true))
}
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t *k, const int64_t *s, const int64_t *p, const int64_t *d, int ceil) {
    CT_TENSOR(at::max_pool2d(T(x), ints(k, 2), ints(s, 2), ints(p, 2), ints(d, 2), ceil != 0))
}
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t *k, const int64_t *s, const int64_t *p, int ceil, int cip) {
    CT_TENSOR(at::avg_pool2d(T(x), ints(k, 2), ints(s, 2), ints(p, 2), ceil != 0, cip != 0))
}
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *o) { CT_TENSOR(at::adaptive_avg_pool2d(T(x), ints(o, 2))) }
ct_tensor ct_adaptive_max_pool2d(ct_tensor x, const int64_t *o) {
    CT_TENSOR(std::get<0>(at::adaptive_max_pool2d(T(x), ints(o, 2))))
}
ct_tensor ct_dropout(ct_tensor x, double p, int training) { CT_TENSOR(at::dropout(T(x), p, training != 0)) }
ct_tensor ct_upsample(ct_tensor x, const int64_t *size, int bilinear, int align_corners) {
    CT_TENSOR(bilinear ? at::upsample_bilinear2d(T(x), ints(size, 2), align_corners != 0)
                       : at::upsample_nearest2d(T(x), ints(size, 2)))
}
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, double ls, int64_t ignore_index) {
    CT_TENSOR(at::cross_entropy_loss(T(logits), T(target), {}, at::Reduction::Mean, ignore_index, ls))
}
ct_tensor ct_soft_margin_loss(ct_tensor x, ct_tensor y) { CT_TENSOR(at::soft_margin_loss(T(x), T(y), at::Reduction::Mean)) }
ct_tensor ct_mse_loss(ct_tensor x, ct_tensor y) { CT_TENSOR(at::mse_loss(T(x), T(y), at::Reduction::Mean)) }
ct_tensor ct_l1_loss(ct_tensor x, ct_tensor y) { CT_TENSOR(at::l1_loss(T(x), T(y), at::Reduction::Mean)) }
ct_tensor ct_bce_with_logits(ct_tensor x, ct_tensor y) {
    CT_TENSOR(at::binary_cross_entropy_with_logits(T(x), T(y), {}, {}, at::Reduction::Mean))
}

} // extern "C"
