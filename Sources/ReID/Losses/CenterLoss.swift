import Torch

/// Center loss (Wen et al. 2016, as BoT uses it): the squared distance of each feature to its
/// identity's learned center, summed over the batch and divided by its size. The centers have
/// their own optimiser (SGD, lr 0.5 in BoT); `scaleCenterGradients` undoes the loss weight on
/// their gradients so the centers move at that rate whatever the weight.
public final class CenterLoss: Module {
    @Parameter public var centers: Tensor

    public init(classes: Int, dimension: Int) throws {
        centers = try Tensor.randn([classes, dimension])
    }

    public func callAsFunction(_ features: Tensor, labels: Tensor) throws -> Tensor {
        let c = try centers.indexSelect(dim: 0, index: labels)
        return try (features - c).square().sum(dim: 1).clamp(min: 1e-12, max: 1e12).sum() / Double(features.size(0))
    }

    /// Divides the centers' gradient by `weight` (call after backward, before the centers' step).
    public func scaleCenterGradients(byInverseOf weight: Double) throws {
        guard weight > 0, let g = centers.grad else { return }
        try withNoGrad { try g.mul_(1 / weight) }
    }
}
