import Torch

/// Cross-entropy against (1 − ε)·one-hot + ε/K (Szegedy et al.; BoT uses ε = 0.1).
/// libtorch's own label smoothing computes exactly this target.
public struct CrossEntropyLabelSmooth: Sendable {
    public var epsilon: Double

    public init(epsilon: Double = 0.1) { self.epsilon = epsilon }

    public func callAsFunction(_ logits: Tensor, labels: Tensor) throws -> Tensor {
        try F.crossEntropy(logits, target: labels, labelSmoothing: epsilon)
    }
}
