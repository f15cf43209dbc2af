// TorchScript inference: trace a forward pass written against the CTorch API, then let
// libtorch freeze it and optimise it for inference (conv/BN folding, oneDNN layouts and fusions),
// exactly what torch.jit.freeze + torch.jit.optimize_for_inference do in Python.
#ifndef CTORCH_JIT_H
#define CTORCH_JIT_H

#include "ctorch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_script_s *ct_script;

// The forward pass to record: called once with a traced input, which it owns (and frees); it
// must set *output to a tensor handle it hands over, and return 0, or return non-zero on failure.
typedef int (*ct_trace_body)(void *context, ct_tensor input, ct_tensor *output);

enum {
    // Freeze and optimise for inference (torch.jit.freeze + torch.jit.optimize_for_inference).
    CT_TRACE_OPTIMIZE = 1,
    // Also fuse ReLU, sigmoid, residual adds and channel gates into oneDNN convolutions and
    // multiplies (mkldnn_fusion.cpp); only with CT_TRACE_OPTIMIZE, and only on the CPU.
    CT_TRACE_FUSE = 2,
};

// Traces `body` on `example` (under no-grad; parameters it touches must not require grad), then
// applies the CT_TRACE_* steps in `flags`. NULL on failure.
ct_script ct_trace(ct_tensor example, ct_trace_body body, void *context, int flags);
ct_tensor ct_script_forward(ct_script script, ct_tensor input);
void ct_script_free(ct_script script);
// How many nodes of `kind` ("aten::relu_", "swiftreid::conv", ...) the script's graph has; -1 on error.
int ct_script_count_nodes(ct_script script, const char *kind);
// A second handle to the same tensor (no ATen operation, so nothing is traced).
ct_tensor ct_tensor_share(ct_tensor t);
// Records an operator-level profile (Chrome trace JSON written to `path` by ct_profile_end).
void *ct_profile_begin(const char *path);
void ct_profile_end(void *profile);

#ifdef __cplusplus
}
#endif
#endif
