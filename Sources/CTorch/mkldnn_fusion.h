// The graph pass of mkldnn_fusion.cpp (C++ only; not part of the C ABI).
#pragma once
#include <memory>

namespace torch::jit {
struct Graph;
}

namespace ctorch {
/// Rewrites a frozen, MKLDNN-converted inference graph to use SwiftReID's fused oneDNN ops
/// (convolution + ReLU/sigmoid/residual add, gated multiply-accumulate). Returns how many
/// patterns it fused; a graph without MKLDNN convolutions is left as it is.
int fuse_mkldnn_inference(const std::shared_ptr<torch::jit::Graph> &graph);
} // namespace ctorch
