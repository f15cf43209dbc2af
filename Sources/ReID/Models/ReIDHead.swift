import Torch

/// Global re-ID head: pooling → BNNeck → optional bias-free identity classifier (BoT).
/// Names: `pool.p` (GeM only), `bnneck.weight|bias|running_mean|running_var|num_batches_tracked`,
/// `classifier.weight`.
public final class ReIDHead: Module {
    public let pool: FeaturePooling
    public let bnneck: BatchNorm1d
    public let classifier: Linear?

    /// - Parameters:
    ///   - channels: the backbone's `featureChannels`.
    ///   - classes: identities for the classifier; nil or 0 for none (inference, or losses that
    ///     keep their own class memory). The classifier is initialised N(0, 0.001²) as in BoT.
    public init(channels: Int, pooling: PoolingKind = .average, gemP: Double = 3, classes: Int? = nil) throws {
        pool = try FeaturePooling(pooling, gemP: gemP)
        bnneck = try .bnneck(channels)
        if let classes, classes > 0 {
            let linear = try Linear(channels, classes, bias: false)
            try withNoGrad { try linear.weight.normal_(mean: 0, std: 0.001) }
            classifier = linear
        } else {
            classifier = nil
        }
    }

    /// Map [N, C, H, W] → features before and after the BNNeck [N, C], and logits [N, classes]
    /// (from the BNNeck output) when there is a classifier.
    public func callAsFunction(_ map: Tensor) throws -> (features: NeckFeatures, logits: Tensor?) {
        let pooled = try pool(map).squeeze(2)
        let normalised = try bnneck(pooled)
        return (NeckFeatures(beforeBNNeck: pooled, afterBNNeck: normalised), try classifier.map { try $0(normalised) })
    }
}
