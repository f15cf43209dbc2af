import Torch

/// The strong baseline's objective (BoT), shared by the supervised and UDA methods:
/// label-smoothed identity loss on the BNNeck logits, batch-hard triplet and (optionally) center
/// loss on the pooled feature, weighted as the config says.
public struct BaselineObjective {
    public let crossEntropy: CrossEntropyLabelSmooth
    public let triplet: TripletLoss
    public let center: CenterLoss?
    public let loss: TrainingConfig.LossSection

    public init(_ loss: TrainingConfig.LossSection, center: CenterLoss?) {
        crossEntropy = CrossEntropyLabelSmooth(epsilon: loss.labelSmoothing)
        triplet = TripletLoss(margin: loss.tripletSoftMargin ? nil : loss.tripletMargin)
        self.center = center
        self.loss = loss
    }

    /// The weighted total and each term's value.
    public func callAsFunction(logits: Tensor, pooled: Tensor, labels: Tensor) throws -> (total: Tensor, parts: [String: Double]) {
        let id = try crossEntropy(logits, labels: labels)
        let tri = try triplet(pooled, labels: labels)
        var total = try id * loss.crossEntropyWeight + tri * loss.tripletWeight
        var parts = ["id": try id.item(), "triplet": try tri.item()]
        if let center {
            let c = try center(pooled, labels: labels)
            total = try total + c * loss.centerWeight
            parts["center"] = try c.item()
        }
        parts["total"] = try total.item()
        return (total, parts)
    }

    /// Zero grads, backward, rescale the centers' gradient by 1/weight (BoT), step every optimiser.
    public func optimise(_ total: Tensor, with optimizers: [Optimizer]) throws {
        for o in optimizers { try o.zeroGrad() }
        try total.backward()
        try center?.scaleCenterGradients(byInverseOf: loss.centerWeight)
        for o in optimizers { try o.step() }
    }
}
