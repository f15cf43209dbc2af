import Foundation
import Torch

/// Builds the model and optimiser a config describes (shared by every method).
public enum ModelFactory {
    public static func make(_ section: TrainingConfig.ModelSection, classes: Int, device: Device,
                            channelsLast: Bool) throws -> ReIDModel {
        let section = section.resolved
        let model = try ReIDModel(backbone: section.backbone, options: BackboneOptions(lastStride: section.lastStride),
                                  head: try section.head(classes: classes), keepONNXEmbedding: section.onnxEmbedding)
        if !section.initialWeights.isEmpty {
            try model.loadWeights(from: section.initialWeights, usage: .initialisation)
        }
        try model.to(device)
        if channelsLast { try model.convertToChannelsLast() }
        model.train()
        return model
    }

    /// The model of a method whose classes change every epoch (clustering-based): no classifier in
    /// the model itself, the config's backbone, initial weights and memory layout.
    public static func withoutClassifier(_ config: TrainingConfig, device: Device) throws -> ReIDModel {
        try make(config.model, classes: 0, device: device, channelsLast: config.training.channelsLast)
    }

    public static func optimizer(_ section: TrainingConfig.OptimizerSection, parameters: [Tensor]) throws -> Optimizer {
        switch section.name {
        case "adam": return try .adam(parameters, lr: section.lr, weightDecay: section.weightDecay)
        case "adamw": return try .adamW(parameters, lr: section.lr, weightDecay: section.weightDecay)
        case "sgd": return try .sgd(parameters, lr: section.lr, momentum: section.momentum, weightDecay: section.weightDecay)
        default: throw ReIDError.invalidOption("optimizer.name '\(section.name)': use adam, adamw or sgd")
        }
    }
}

/// Builds the P×K sampler a config names.
public enum SamplerFactory {
    public static func make(_ config: TrainingConfig, records: [ImageRecord], labels: [Int]? = nil) throws -> any EpochSampler {
        let labels = labels ?? records.map(\.label)
        let p = config.data.identitiesPerBatch, k = config.data.instancesPerIdentity
        switch config.data.sampler {
        case "pk":
            return RandomIdentitySampler(labels: labels, identitiesPerBatch: p, instances: k, seed: config.seed)
        case "cross-camera":
            return CrossCameraSampler(labels: labels, cameras: records.map(\.camera), identitiesPerBatch: p, instances: k,
                                      seed: config.seed)
        default:
            throw ReIDError.invalidOption("data.sampler '\(config.data.sampler)': use pk or cross-camera")
        }
    }
}
