// Autograd entry points, parameter initialisers and torch::optim optimisers.
#include "common.h"
#include <torch/torch.h>

using namespace ctorch;

struct ct_optimizer_s {
    std::unique_ptr<torch::optim::Optimizer> impl;
    enum Kind { Adam, AdamW, SGD } kind;
};

namespace {
torch::nn::init::NonlinearityType nonlinearity(int relu) {
    if (relu) return torch::kReLU;
    return torch::kLeakyReLU;
}
torch::nn::init::FanModeType fan(int fan_out) {
    if (fan_out) return torch::kFanOut;
    return torch::kFanIn;
}
std::unique_ptr<torch::optim::OptimizerOptions> group_options(const ct_optimizer_s &o, double lr, double wd) {
    switch (o.kind) {
    case ct_optimizer_s::Adam: {
        auto base = static_cast<const torch::optim::AdamOptions &>(o.impl->defaults());
        return std::make_unique<torch::optim::AdamOptions>(base.lr(lr).weight_decay(wd));
    }
    case ct_optimizer_s::AdamW: {
        auto base = static_cast<const torch::optim::AdamWOptions &>(o.impl->defaults());
        return std::make_unique<torch::optim::AdamWOptions>(base.lr(lr).weight_decay(wd));
    }
    case ct_optimizer_s::SGD: {
        auto base = static_cast<const torch::optim::SGDOptions &>(o.impl->defaults());
        return std::make_unique<torch::optim::SGDOptions>(base.lr(lr).weight_decay(wd));
    }
    }
    throw std::logic_error("unknown optimizer kind");
}
bool valid_group(ct_optimizer o, int g) {
    if (g < 0 || g >= static_cast<int>(o->impl->param_groups().size())) {
        set_error(("optimizer has no parameter group " + std::to_string(g)).c_str());
        return false;
    }
    return true;
}
} // namespace

extern "C" {

int ct_kaiming_normal_(ct_tensor t, double a, int fan_out, int relu) {
    CT_STATUS(torch::NoGradGuard g; torch::nn::init::kaiming_normal_(T(t), a, fan(fan_out), nonlinearity(relu)))
}
int ct_kaiming_uniform_(ct_tensor t, double a, int fan_out, int relu) {
    CT_STATUS(torch::NoGradGuard g; torch::nn::init::kaiming_uniform_(T(t), a, fan(fan_out), nonlinearity(relu)))
}

int ct_backward(ct_tensor t, ct_tensor grad, int retain_graph) {
    CT_STATUS(T(t).backward(grad ? T(grad) : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt))
}
int ct_autograd_grad(const ct_tensor *outputs, int n_out, const ct_tensor *inputs, int n_in, int create_graph,
                     ct_tensor *out) {
    CT_TRY(auto grads = torch::autograd::grad(list(outputs, n_out), list(inputs, n_in), {}, c10::nullopt,
                                              create_graph != 0, /*allow_unused=*/true);
           for (int i = 0; i < n_in; ++i) out[i] = wrap(grads[i].defined() ? grads[i] : at::zeros_like(T(inputs[i])));
           return 0;)
    return -1;
}

ct_optimizer ct_adam_new(const ct_tensor *p, int n, double lr, double b1, double b2, double eps, double wd, int ams) {
    CT_TRY(auto o = torch::optim::AdamOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(ams != 0);
           return new ct_optimizer_s{std::make_unique<torch::optim::Adam>(list(p, n), o), ct_optimizer_s::Adam};)
    return nullptr;
}
ct_optimizer ct_adamw_new(const ct_tensor *p, int n, double lr, double b1, double b2, double eps, double wd, int ams) {
    CT_TRY(auto o = torch::optim::AdamWOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(ams != 0);
           return new ct_optimizer_s{std::make_unique<torch::optim::AdamW>(list(p, n), o), ct_optimizer_s::AdamW};)
    return nullptr;
}
ct_optimizer ct_sgd_new(const ct_tensor *p, int n, double lr, double m, double damp, double wd, int nesterov) {
    CT_TRY(auto o = torch::optim::SGDOptions(lr).momentum(m).dampening(damp).weight_decay(wd).nesterov(nesterov != 0);
           return new ct_optimizer_s{std::make_unique<torch::optim::SGD>(list(p, n), o), ct_optimizer_s::SGD};)
    return nullptr;
}
int ct_optimizer_add_group(ct_optimizer o, const ct_tensor *p, int n, double lr, double wd) {
    CT_STATUS(o->impl->add_param_group(torch::optim::OptimizerParamGroup(list(p, n), group_options(*o, lr, wd))))
}
int ct_optimizer_group_count(ct_optimizer o) { return static_cast<int>(o->impl->param_groups().size()); }
int ct_optimizer_set_lr(ct_optimizer o, int g, double lr) {
    if (!valid_group(o, g)) return -1;
    CT_STATUS(o->impl->param_groups()[g].options().set_lr(lr))
}
double ct_optimizer_get_lr(ct_optimizer o, int g) {
    if (!valid_group(o, g)) return -1;
    return o->impl->param_groups()[g].options().get_lr();
}
int ct_optimizer_step(ct_optimizer o) { CT_STATUS(torch::NoGradGuard g; o->impl->step()) }
int ct_optimizer_zero_grad(ct_optimizer o) { CT_STATUS(o->impl->zero_grad()) }
int ct_optimizer_save(ct_optimizer o, const char *path) {
    CT_STATUS(torch::serialize::OutputArchive ar; o->impl->save(ar); ar.save_to(path))
}
int ct_optimizer_load(ct_optimizer o, const char *path) {
    CT_STATUS(torch::serialize::InputArchive ar; ar.load_from(path); o->impl->load(ar))
}
void ct_optimizer_free(ct_optimizer o) { delete o; }

} // extern "C"
