import Torch

/// A feature before and after its BNNeck, both [N, C].
public struct NeckFeatures: Sendable {
    /// The pooled feature: what the triplet (metric) loss sees during training.
    public let beforeBNNeck: Tensor
    /// The batch-normalised feature: what the classifier sees and what inference uses.
    /// Equal to `beforeBNNeck` in `ReIDModel.Mode.backboneOnly`.
    public let afterBNNeck: Tensor

    public init(beforeBNNeck: Tensor, afterBNNeck: Tensor) {
        self.beforeBNNeck = beforeBNNeck
        self.afterBNNeck = afterBNNeck
    }
}

/// Everything one forward pass of a `ReIDModel` gives.
public struct ReIDOutput: Sendable {
    /// The backbone's map [N, C, H, W].
    public let featureMap: Tensor
    /// The global feature.
    public let global: NeckFeatures
    /// One per horizontal stripe, top to bottom; empty when the model has no parts.
    public let parts: [NeckFeatures]
    /// Identity logits [N, classes] from the global BNNeck feature, when the head has a classifier.
    public let logits: Tensor?

    /// The inference embedding [N, C]: the global feature after the BNNeck (or the pooled
    /// backbone map in backbone-only mode).
    public var embedding: Tensor { global.afterBNNeck }
}
