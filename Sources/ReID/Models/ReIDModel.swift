import Torch

/// A backbone with a re-ID head: global pooling → BNNeck → optional classifier, plus optional
/// part features. Parameter names: `backbone.*` (the backbone's own PyTorch names), `head.*`
/// (`ReIDHead`) and `partHead.*` (`PartHead`, when `parts > 0`).
public final class ReIDModel: Module {
    /// Which feature the model returns.
    public enum Mode: String, Codable, Sendable {
        /// Pooling of the configured kind, BNNeck, classifier: a trained re-ID model.
        case full
        /// The backbone's globally average-pooled map, no BNNeck and no classifier: for weights
        /// that only cover the backbone (e.g. ImageNet features used as they are). Parts, if any,
        /// are average-pooled stripes without BNNeck.
        case backboneOnly
    }

    public let backbone: any Backbone
    public let head: ReIDHead
    public let partHead: PartHead?
    public var mode: Mode
    public let configuration: HeadConfiguration
    /// Precision of the backbone (`Precision.bf16`: CPU autocast). The heads after it (pooling,
    /// BNNeck, classifier, parts) and every loss stay float32: they are cheap, and losses with
    /// small temperatures over memory banks need float32's resolution.
    public var precision: Precision = .fp32

    public init(backbone: any Backbone, head configuration: HeadConfiguration = .init(), mode: Mode = .full) throws {
        guard configuration.parts >= 0 else {
            throw TorchError.invalidArgument("ReIDModel: parts must be 0 or more, not \(configuration.parts)")
        }
        self.backbone = backbone
        self.configuration = configuration
        self.mode = mode
        let channels = backbone.featureChannels
        head = try ReIDHead(channels: (backbone as? ONNXBackbone)?.embeddingChannels ?? channels,
                            pooling: configuration.pooling, gemP: configuration.gemP, classes: configuration.classes)
        partHead = configuration.parts > 0
            ? try PartHead(channels: channels, parts: configuration.parts, pooling: configuration.pooling,
                           gemP: configuration.gemP)
            : nil
    }

    /// A model on a backbone from `BackboneRegistry` (which loads `options.pretrainedWeights`
    /// into the backbone when given). With parts, an `onnx:` backbone is cut at its global pooling
    /// for the parts, and its layers after the pooling (its trained embedding) give the global feature.
    /// `keepONNXEmbedding` false pools the global feature from the parts' map instead.
    public convenience init(backbone name: String, options: BackboneOptions = .init(),
                            head configuration: HeadConfiguration = .init(), mode: Mode = .full,
                            keepONNXEmbedding: Bool = true) throws {
        let backbone: any Backbone
        if let path = BackboneRegistry.onnxPath(name), configuration.parts > 0 {
            // Parts are stripes of a spatial map; an ONNX network that pools to an embedding is cut there.
            backbone = try ONNXBackbone(path: path, spatialMap: true, keepEmbedding: keepONNXEmbedding)
        } else {
            backbone = try BackboneRegistry.make(name, options: options)
        }
        try self.init(backbone: backbone, head: configuration, mode: mode)
    }

    /// Length of the global feature: the backbone's channel count, or the width of an ONNX
    /// backbone's kept embedding.
    public var featureDimension: Int { (backbone as? ONNXBackbone)?.embeddingChannels ?? backbone.featureChannels }
    /// Length of each part feature: the backbone's channel count.
    public var partDimension: Int { backbone.featureChannels }

    /// What the global head pools: the backbone's map, or an ONNX backbone's kept embedding.
    func globalMap(_ map: Tensor) throws -> Tensor {
        try (backbone as? ONNXBackbone)?.globalMap(map) ?? map
    }

    /// Images [N, 3, H, W] (normalised as the backbone expects) → features.
    public func callAsFunction(_ images: Tensor) throws -> ReIDOutput {
        let map = precision == .fp32 ? try backbone(images) : try precision.run { try backbone(images) }.to(.float32)
        switch mode {
        case .full:
            let (global, logits) = try head(globalMap(map))
            return ReIDOutput(featureMap: map, global: global, parts: try partHead?(map) ?? [], logits: logits)
        case .backboneOnly:
            let pooled = try F.adaptiveAvgPool2d(globalMap(map), (1, 1)).flatten(from: 1)
            var parts: [NeckFeatures] = []
            if let partHead {
                let stripes = try F.adaptiveAvgPool2d(map, (partHead.parts, 1)).squeeze(3)
                parts = try (0..<partHead.parts).map {
                    let stripe = try stripes.select(dim: 2, index: $0)
                    return NeckFeatures(beforeBNNeck: stripe, afterBNNeck: stripe)
                }
            }
            return ReIDOutput(featureMap: map, global: NeckFeatures(beforeBNNeck: pooled, afterBNNeck: pooled),
                              parts: parts, logits: nil)
        }
    }
}
