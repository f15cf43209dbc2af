import Torch

/// Pairwise distances inside a batch, as the metric-learning losses use them.
public enum PairwiseDistance {
    /// Euclidean distances [N, M]: sqrt(clamp(|x|² + |y|² − 2x·y, 1e-12)), the form fast-reid and
    /// BoT use (differentiable everywhere thanks to the clamp).
    public static func euclidean(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        let xx = try x.square().sum(dim: 1, keepDim: true)
        let yy = try y.square().sum(dim: 1, keepDim: true).t()
        return try (xx + yy).addmm(x, y.t(), beta: 1, alpha: -2).clamp(min: 1e-12).sqrt()
    }

    /// Cosine distances [N, M]: 1 − cos.
    public static func cosine(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        try 1 - x.normalized(dim: 1).matmul(y.normalized(dim: 1).t())
    }
}
