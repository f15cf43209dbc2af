import Torch

/// Batch-hard triplet loss (Hermans et al. 2017, as in BoT/fast-reid): for each anchor, the
/// farthest sample of its identity and the nearest of another identity;
/// margin > 0: mean(max(0, d_ap − d_an + margin)); soft margin: mean(log(1 + exp(d_ap − d_an))).
public struct TripletLoss: Sendable {
    public var margin: Double?
    /// Compare L2-normalised features (fast-reid's `norm_feat`); BoT uses raw features.
    public var normalizeFeatures: Bool

    /// `margin: nil` selects the soft margin.
    public init(margin: Double? = 0.3, normalizeFeatures: Bool = false) {
        self.margin = margin
        self.normalizeFeatures = normalizeFeatures
    }

    /// `features` [N, D], `labels` [N] int64. Anchors without a positive or a negative in the
    /// batch are skipped; a batch without any valid anchor gives 0 (with a graph, so backward works).
    public func callAsFunction(_ features: Tensor, labels: Tensor) throws -> Tensor {
        let x = normalizeFeatures ? try features.normalized(dim: 1) : features
        let d = try PairwiseDistance.euclidean(x, x)
        let n = labels.size(0)
        let same = try labels.view([n, 1]).eq(labels.view([1, n]))
        let eye = try Tensor.eye(n, dtype: .bool, device: labels.device)
        let positives = try same.logicalAnd(eye.logicalNot())
        let negatives = try same.logicalNot()
        // Hardest positive: max over positives (others set to −inf-like); hardest negative: min.
        let dap = try d.maskedFill(positives.logicalNot(), -1).amax(dims: [1])
        let dan = try d.maskedFill(negatives.logicalNot(), 1e30).amin(dims: [1])
        let valid = try positives.sum(dim: 1).gt(0).logicalAnd(negatives.sum(dim: 1).gt(0))
        let count = try valid.sum().item()
        guard count > 0 else { return try (d.sum() * 0) }
        let ap = try dap.maskedSelect(valid), an = try dan.maskedSelect(valid)
        if let margin {
            return try (ap - an + margin).relu().mean()
        }
        return try F.softMarginLoss(an - ap, Tensor.ones(ap.shape, device: ap.device))
    }
}
