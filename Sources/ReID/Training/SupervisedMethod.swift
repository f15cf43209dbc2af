import Foundation
import Torch

/// The supervised strong baseline (BoT, Luo et al. 2019; step 1 of multi-step refinement):
/// label-smoothed identity loss on the BNNeck feature, batch-hard triplet and center loss on the
/// pooled feature, Adam with warm-up and step decay, P×K batches. The center-loss centers have
/// their own SGD, whose gradients are rescaled by 1/weight as in BoT.
public final class SupervisedMethod: TrainingMethod {
    public let model: ReIDModel
    let center: CenterLoss?
    let config: TrainingConfig
    let sampler: any EpochSampler
    let labels: [Int64]
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] { center.map { ["center": $0] } ?? [:] }

    public init(context: TrainingContext) throws {
        config = context.config
        let records = context.trainRecords
        let classes = Set(records.map(\.label)).count
        guard classes > 1, records.allSatisfy({ $0.label >= 0 }) else {
            throw ReIDError.data(path: config.data.root, reason: "the supervised method needs labelled training images of at least 2 identities")
        }
        model = try ModelFactory.make(config.model, classes: classes, device: context.device,
                                      channelsLast: config.training.channelsLast)
        var optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
        if config.loss.centerWeight > 0 {
            let c = try CenterLoss(classes: classes, dimension: model.featureDimension)
            try c.to(context.device)
            center = c
            optimizers["center"] = try Optimizer.sgd(c.parameters(), lr: config.loss.centerLR)
        } else {
            center = nil
        }
        self.optimizers = optimizers
        labels = records.map { Int64($0.label) }
        sampler = try SamplerFactory.make(config, records: records)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] { [:] }

    public func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        sampler.batches(epoch: SamplerPass.key(epoch: epoch, pass: pass), dropLast: true)
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        let y = try Tensor(indices.map { labels[$0] }).to(context.device)
        let out = try model(images)
        guard let logits = out.logits else { throw ReIDError.model("the model has no classifier") }
        let objective = BaselineObjective(config.loss, center: center)
        let (total, losses) = try objective(logits: logits, pooled: out.global.beforeBNNeck, labels: y)
        try objective.optimise(total, with: Array(optimizers.values))
        return losses
    }
}
