// Tracing and TorchScript inference (see ctorch_jit.h).
#include "common.h"
#include "ctorch_jit.h"
#include "mkldnn_fusion.h"
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_graph_optimizations.h>
#include <torch/script.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <cstdlib>
#include <iostream>

using namespace ctorch;

struct ct_script_s {
    torch::jit::Module module;
};

extern "C" {

ct_script ct_trace(ct_tensor example, ct_trace_body body, void *context, int flags) {
    CT_TRY(
        torch::NoGradGuard no_grad;
        auto traced_fn = [&](torch::jit::Stack inputs) -> torch::jit::Stack {
            ct_tensor input = wrap(inputs[0].toTensor());  // owned by the body from here on
            ct_tensor output = nullptr;
            int status = body(context, input, &output);
            if (status != 0 || output == nullptr) throw std::runtime_error("the traced forward pass failed");
            at::Tensor result = T(output);
            ct_tensor_free(output);
            return {result};
        };
        auto traced = torch::jit::tracer::trace({T(example)}, traced_fn,
                                                [](const at::Tensor &) { return std::string(); },
                                                /*strict=*/false, /*force_outplace=*/false, nullptr);
        auto graph = traced.first->graph;
        torch::jit::Module module("SwiftReIDTraced");
        graph->insertInput(0, "self")->setType(module._ivalue()->type());
        auto fn = module._ivalue()->compilation_unit()->create_function("forward", graph);
        module.type()->addMethod(fn);
        module.eval();
        if (flags & CT_TRACE_OPTIMIZE) {
            auto frozen = torch::jit::freeze(module);
            module = torch::jit::optimize_for_inference(frozen);
            if (flags & CT_TRACE_FUSE) fuse_mkldnn_inference(module.get_method("forward").graph());
        }
        return new ct_script_s{module};)
    return nullptr;
}

ct_tensor ct_script_forward(ct_script script, ct_tensor input) {
    CT_TRY(torch::NoGradGuard no_grad; auto out = script->module.forward({T(input)});
           if (out.isTensor()) return wrap(out.toTensor());
           if (out.isTuple()) return wrap(out.toTupleRef().elements()[0].toTensor());
           set_error("the traced model returned no tensor"); return nullptr;)
    return nullptr;
}

void ct_script_free(ct_script script) { delete script; }

int ct_script_count_nodes(ct_script script, const char *kind) {
    CT_TRY(int n = 0; auto symbol = c10::Symbol::fromQualString(kind);
           for (auto *node : script->module.get_method("forward").graph()->nodes()) n += node->kind() == symbol;
           return n;)
    return -1;
}

ct_tensor ct_tensor_share(ct_tensor t) { return wrap(T(t)); }

} // extern "C"
// Operator-level profile of everything run between begin and end, as a Chrome trace file.
extern "C" void *ct_profile_begin(const char *path) { return new torch::autograd::profiler::RecordProfile(path); }
extern "C" void ct_profile_end(void *p) { delete static_cast<torch::autograd::profiler::RecordProfile *>(p); }
