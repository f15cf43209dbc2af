// Fused oneDNN operators for the frozen inference graph, and the pass that puts them in.
//
// torch::jit::optimize_for_inference (libtorch 1.13) runs a frozen graph on MKLDNN tensors, but
// each ReLU, residual add and channel gate after a convolution stays a primitive of its own that
// reads and writes the whole activation once more. oneDNN can apply these as post-ops of the
// convolution (ReLU, sigmoid, add-then-ReLU) or of a broadcast multiply (multiply-accumulate).
// The ops below are computed by oneDNN through ideep, the same wrapper libtorch uses for its own
// MKLDNN ops; nothing here is a hand-written kernel.
#include "mkldnn_fusion.h"
#include <ATen/core/LegacyTypeDispatch.h>
#include <ideep.hpp>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/library.h>

namespace at::native {
// Exported by libtorch_cpu; declared in ATen/native/mkldnn/MKLDNNCommon.h, which Debian does not install.
ideep::tensor &itensor_from_mkldnn(const at::Tensor &mkldnn_tensor);
at::Tensor new_with_itensor_mkldnn(ideep::tensor &&it, c10::optional<c10::ScalarType> dtype,
                                   c10::optional<c10::Device> device);
} // namespace at::native

namespace {

using at::native::itensor_from_mkldnn;

/// These ops have no autograd kernel that steps below autograd for them, as ATen's own ops do;
/// libtorch's MKLDNN helpers assert that it has been done.
struct BelowAutograd {
    at::AutoDispatchBelowADInplaceOrView guard;
};

enum Post : int64_t { kNone = 0, kRelu = 1, kSigmoid = 2 };

ideep::dims vec(at::IntArrayRef v, size_t n) {
    ideep::dims out;
    for (size_t i = 0; i < n; ++i) out.push_back(v.size() == 1 ? v[0] : v[i]);
    return out;
}

/// Output dims of a 2-D convolution; `weight` may be in oneDNN's grouped 5-D layout.
ideep::dims conv_output_dims(const ideep::tensor &x, const ideep::tensor &w, const ideep::dims &stride,
                             const ideep::dims &padding, const ideep::dims &dilation) {
    auto in = x.get_dims();
    auto wd = w.get_dims();
    const bool grouped = wd.size() == in.size() + 1;
    const int64_t out_channels = grouped ? wd[0] * wd[1] : wd[0];
    const size_t k0 = grouped ? 3 : 2;
    ideep::dims out{in[0], out_channels};
    for (size_t d = 2; d < in.size(); ++d) {
        const int64_t k = wd[k0 + d - 2];
        out.push_back((in[d] + 2 * padding[d - 2] - dilation[d - 2] * (k - 1) - 1) / stride[d - 2] + 1);
    }
    return out;
}

/// A convolution's oneDNN operands and geometry, worked out once per call.
struct ConvShape {
    const ideep::tensor &x, &w;
    ideep::dims stride, padding, dilation, dst;
    ConvShape(const at::Tensor &input, const at::Tensor &weight, at::IntArrayRef s, at::IntArrayRef p,
              at::IntArrayRef d)
        : x(itensor_from_mkldnn(input)), w(itensor_from_mkldnn(weight)), stride(vec(s, x.get_dims().size() - 2)),
          padding(vec(p, stride.size())), dilation(vec(d, stride.size())),
          dst(conv_output_dims(x, w, stride, padding, dilation)) {}
};

/// The convolution into `y` with `attr`'s post-ops (a sum post-op adds y's old contents).
void conv_into(const ConvShape &c, const c10::optional<at::Tensor> &bias, int64_t groups, ideep::tensor &y,
               const ideep::attr_t &attr) {
    const int g = static_cast<int>(groups);
    if (bias && bias->defined()) {
        ideep::convolution_forward::compute(c.x, c.w, itensor_from_mkldnn(*bias), c.dst, y, c.stride, c.dilation,
                                            c.padding, c.padding, g, ideep::scale_t(), ideep::scale_t(),
                                            ideep::scale_t(), attr);
    } else {
        ideep::convolution_forward::compute(c.x, c.w, c.dst, y, c.stride, c.dilation, c.padding, c.padding, g,
                                            ideep::scale_t(), ideep::scale_t(), ideep::scale_t(), attr);
    }
}

at::Tensor wrap_like(ideep::tensor &&y, const at::Tensor &like) {
    return at::native::new_with_itensor_mkldnn(std::move(y), like.scalar_type(), like.device());
}

/// Convolution with an optional ReLU or sigmoid applied by oneDNN as it writes the output.
at::Tensor conv(const at::Tensor &input, const at::Tensor &weight, const c10::optional<at::Tensor> &bias,
                at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation, int64_t groups, int64_t post) {
    BelowAutograd below;
    ideep::tensor y;
    ideep::attr_t attr = post == kRelu      ? ideep::attr_t::fuse_relu()
                         : post == kSigmoid ? ideep::attr_t::fuse_sigmoid()
                                            : ideep::attr_t();
    conv_into(ConvShape(input, weight, stride, padding, dilation), bias, groups, y, attr);
    return wrap_like(std::move(y), input);
}

/// residual += conv(input) (then ReLU), in residual's memory: the add and the ReLU cost no extra pass.
at::Tensor conv_add_(const at::Tensor &input, const at::Tensor &weight, const c10::optional<at::Tensor> &bias,
                     at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation, int64_t groups,
                     const at::Tensor &residual, bool relu) {
    BelowAutograd below;
    ideep::tensor &y = itensor_from_mkldnn(residual);
    const ConvShape shape(input, weight, stride, padding, dilation);
    if (y.get_dims() != shape.dst || y.get_data_type() != shape.x.get_data_type()) {
        // A broadcasting add: unfused and through dense tensors, as the original graph did.
        at::Tensor c = conv(input, weight, bias, stride, padding, dilation, groups, kNone);
        at::Tensor sum = c.to_dense().add(residual.to_dense());
        return (relu ? sum.relu_() : sum).to_mkldnn();
    }
    conv_into(shape, bias, groups, y, relu ? ideep::attr_t::residual() : ideep::attr_t::fuse_sum());
    return residual;
}

/// dst (=|+=) x * gate, gate broadcast over x's spatial dims, as one oneDNN binary primitive.
void gate_into(const ideep::tensor &x, const ideep::tensor &gate, ideep::tensor &dst, bool accumulate) {
    dnnl::primitive_attr attr;
    if (accumulate) {
        dnnl::post_ops po;
        po.append_sum(1.0f);
        attr.set_post_ops(po);
    }
    auto &engine = ideep::engine::cpu_engine();
    dnnl::binary::desc desc(dnnl::algorithm::binary_mul, x.get_desc(), gate.get_desc(), dst.get_desc());
    dnnl::binary::primitive_desc pd(desc, attr, engine);
    dnnl::binary(pd).execute(ideep::stream::default_stream(),
                             {{DNNL_ARG_SRC_0, x}, {DNNL_ARG_SRC_1, gate}, {DNNL_ARG_DST, dst}});
}

bool gate_fits(const ideep::tensor &x, const ideep::tensor &gate, const ideep::tensor &dst) {
    auto xd = x.get_dims(), gd = gate.get_dims();
    if (xd != dst.get_dims() || xd.size() != gd.size() || x.get_desc() != dst.get_desc()) return false;
    for (size_t i = 0; i < xd.size(); ++i)
        if (gd[i] != xd[i] && gd[i] != 1) return false;
    return x.get_data_type() == gate.get_data_type();
}

/// self *= gate (gate broadcast to self's shape), in place.
at::Tensor gate_(const at::Tensor &self, const at::Tensor &gate) {
    BelowAutograd below;
    ideep::tensor &x = itensor_from_mkldnn(self);
    const ideep::tensor &g = itensor_from_mkldnn(gate);
    if (!gate_fits(x, g, x)) return self.to_dense().mul(gate.to_dense()).to_mkldnn();
    gate_into(x, g, x, false);
    return self;
}

/// self += x * gate (gate broadcast to x's shape), in place: a gated sum without a separate add.
at::Tensor gate_add_(const at::Tensor &self, const at::Tensor &x, const at::Tensor &gate) {
    BelowAutograd below;
    ideep::tensor &acc = itensor_from_mkldnn(self);
    const ideep::tensor &xi = itensor_from_mkldnn(x), &g = itensor_from_mkldnn(gate);
    if (!gate_fits(xi, g, acc)) return self.to_dense().add(x.to_dense().mul(gate.to_dense())).to_mkldnn();
    gate_into(xi, g, acc, true);
    return self;
}

} // namespace

TORCH_LIBRARY(swiftreid, m) {
    m.def("conv(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups, "
          "int post) -> Tensor");
    m.def("conv_add_(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, "
          "int groups, Tensor(a!) residual, bool relu) -> Tensor(a!)");
    m.def("gate_(Tensor(a!) self, Tensor gate) -> Tensor(a!)");
    m.def("gate_add_(Tensor(a!) self, Tensor x, Tensor gate) -> Tensor(a!)");
}

// Kernels for MKLDNN tensors only: dispatch reaches them below autograd, as ATen's own MKLDNN ops.
TORCH_LIBRARY_IMPL(swiftreid, MkldnnCPU, m) {
    m.impl("conv", conv);
    m.impl("conv_add_", conv_add_);
    m.impl("gate_", gate_);
    m.impl("gate_add_", gate_add_);
}

namespace ctorch {
namespace {

using torch::jit::Node;
using torch::jit::Value;

bool is(const Node *n, const char *kind) { return n && n->kind() == c10::Symbol::fromQualString(kind); }

bool single_use(const Value *v) { return v->uses().size() == 1; }

/// True when nothing after `n` reads `v` (so `n` may overwrite it).
bool dead_after(const Value *v, const Node *n) {
    for (const auto &use : v->uses())
        if (use.user != n && use.user->isAfter(n)) return false;
    return true;
}

bool is_one(const Value *v) {
    auto c = torch::jit::toIValue(v);
    return c && ((c->isInt() && c->toInt() == 1) || (c->isDouble() && c->toDouble() == 1.0));
}

/// The two inputs of `add` or `mul` when both come, unchanged in shape, from one
/// prim::BroadcastMKLDNNTensors node used only there; else nullptr.
Node *broadcast_pair(Node *n) {
    Node *bc = n->input(0)->node();
    if (!is(bc, "prim::BroadcastMKLDNNTensors") || n->input(1)->node() != bc) return nullptr;
    if (n->input(0) != bc->output(0) || n->input(1) != bc->output(1)) return nullptr;
    if (!single_use(bc->output(0)) || !single_use(bc->output(1))) return nullptr;
    return bc;
}

Node *replace(Node *old, c10::Symbol kind, at::ArrayRef<Value *> inputs, Value *result) {
    auto *graph = old->owningGraph();
    Node *n = graph->create(kind, inputs, 1);
    n->insertBefore(old);
    n->output()->setType(result->type());
    result->replaceAllUsesWith(n->output());
    return n;
}

/// The inputs of convolution `c`, then `extra`.
std::vector<Value *> conv_inputs_and(Node *c, std::initializer_list<Value *> extra) {
    std::vector<Value *> in(c->inputs().begin(), c->inputs().end());
    in.insert(in.end(), extra);
    return in;
}

/// conv -> relu_/sigmoid_  =>  swiftreid::conv(..., post)
int fuse_conv_activation(torch::jit::Graph &g) {
    int fused = 0;
    for (auto it = g.nodes().begin(); it != g.nodes().end();) {
        Node *act = *it++;
        const int64_t post = is(act, "aten::relu_") ? kRelu : is(act, "aten::sigmoid_") ? kSigmoid : kNone;
        if (post == kNone) continue;
        Node *c = act->input(0)->node();
        if (!is(c, "prim::mkldnn_convolution") || !single_use(c->output())) continue;
        torch::jit::WithInsertPoint here(act);
        replace(act, c10::Symbol::fromQualString("swiftreid::conv"), conv_inputs_and(c, {g.insertConstant(post)}),
                act->output());
        act->destroy();
        c->destroy();
        ++fused;
    }
    return fused;
}

/// conv -> broadcast(conv, r) -> add_ [-> relu_]  =>  swiftreid::conv_add_(..., r, relu)
int fuse_conv_residual(torch::jit::Graph &g) {
    int fused = 0;
    for (auto it = g.nodes().begin(); it != g.nodes().end();) {
        Node *add = *it++;
        if (!is(add, "aten::add_") || add->inputs().size() != 3 || !is_one(add->input(2))) continue;
        Node *bc = broadcast_pair(add);
        if (!bc) continue;
        Node *c = nullptr;
        Value *residual = nullptr;
        for (int side = 0; side < 2 && !c; ++side) {
            Node *cand = bc->input(side)->node();
            if (is(cand, "prim::mkldnn_convolution") && single_use(cand->output())) {
                c = cand;
                residual = bc->input(1 - side);
            }
        }
        if (!c || !dead_after(residual, bc) || residual->node() == c) continue;
        Node *relu = nullptr;
        if (single_use(add->output()) && is(add->output()->uses()[0].user, "aten::relu_")) relu = add->output()->uses()[0].user;
        Node *last = relu ? relu : add;
        if (relu && *it == relu) ++it;
        torch::jit::WithInsertPoint here(last);
        replace(last, c10::Symbol::fromQualString("swiftreid::conv_add_"),
                conv_inputs_and(c, {residual, g.insertConstant(relu != nullptr)}), last->output());
        if (relu) relu->destroy();
        add->destroy();
        bc->destroy();
        c->destroy();
        ++fused;
    }
    return fused;
}

/// broadcast(x, s) -> mul_  =>  swiftreid::gate_(x, s), then
/// broadcast(acc, gate_(x, s)) -> add_  =>  swiftreid::gate_add_(acc, x, s).
int fuse_gates(torch::jit::Graph &g) {
    int fused = 0;
    const auto gate_kind = c10::Symbol::fromQualString("swiftreid::gate_");
    for (auto it = g.nodes().begin(); it != g.nodes().end();) {
        Node *mul = *it++;
        if (!is(mul, "aten::mul_")) continue;
        Node *bc = broadcast_pair(mul);
        if (!bc || !dead_after(bc->input(0), bc)) continue;
        replace(mul, gate_kind, {bc->input(0), bc->input(1)}, mul->output());
        mul->destroy();
        bc->destroy();
        ++fused;
    }
    for (auto it = g.nodes().begin(); it != g.nodes().end();) {
        Node *add = *it++;
        if (!is(add, "aten::add_") || add->inputs().size() != 3 || !is_one(add->input(2))) continue;
        Node *bc = broadcast_pair(add);
        if (!bc) continue;
        for (int side = 0; side < 2; ++side) {
            Node *gate = bc->input(side)->node();
            Value *acc = bc->input(1 - side);
            if (gate->kind() != gate_kind || !single_use(gate->output()) || !dead_after(acc, bc)) continue;
            if (!dead_after(gate->input(0), gate)) continue;
            replace(add, c10::Symbol::fromQualString("swiftreid::gate_add_"), {acc, gate->input(0), gate->input(1)},
                    add->output());
            add->destroy();
            bc->destroy();
            gate->destroy();
            ++fused;
            break;
        }
    }
    return fused;
}

} // namespace

int fuse_mkldnn_inference(const std::shared_ptr<torch::jit::Graph> &graph) {
    int fused = fuse_gates(*graph);
    fused += fuse_conv_residual(*graph);
    fused += fuse_conv_activation(*graph);
    return fused;
}

} // namespace ctorch
