import Foundation
import Torch

/// Progressive unsupervised domain adaptation with multi-step pseudo-label refinement: start from
/// a model trained on a labelled source (`--init`), then every epoch pseudo-label the target
/// (camera-guided feature normalisation, Jaccard + DBSCAN) and fine-tune with the supervised
/// baseline's losses — label-smoothed identity loss through a classifier made for this epoch's
/// clusters (initialised from their normalised centroids), batch-hard triplet and center loss
/// (centers initialised at the centroids, own SGD). Re-ranking at test time is
/// `evaluation.rerank`.
public final class UDAMethod: TrainingMethod {
    public let model: ReIDModel
    let config: TrainingConfig
    let clustering: PseudoLabeling
    let crossEntropy: CrossEntropyLabelSmooth
    let triplet: TripletLoss
    var labels: [Int] = []
    var sampler: (any EpochSampler)?
    var classifier: Linear?
    var center: CenterLoss?
    /// The classifier's and centers' optimisers live for one epoch (their sizes change).
    var epochOptimizers: [Optimizer] = []
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] { [:] }

    public init(context: TrainingContext) throws {
        config = context.config
        model = try ModelFactory.make(config.model, classes: 0, device: context.device,
                                      channelsLast: config.training.channelsLast)
        optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
        clustering = PseudoLabeling(config.clustering)
        crossEntropy = CrossEntropyLabelSmooth(epsilon: config.loss.labelSmoothing)
        triplet = TripletLoss(margin: config.loss.tripletSoftMargin ? nil : config.loss.tripletMargin)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        let pseudo = try PseudoLabelEpoch(model: model, context: context, clustering: clustering, epoch: epoch)
        labels = pseudo.labels
        sampler = pseudo.sampler
        // Centroids of the clusters in the (un-normalised) embedding space.
        let memory = try ClusterMemory(features: pseudo.features, labels: labels)
        let linear = try Linear(model.featureDimension, pseudo.clusters, bias: false)
        try withNoGrad { try linear.weight.copy_(memory.centroids) }
        try linear.to(context.device)
        classifier = linear
        var groups = [try Optimizer.adam(linear.parameters(), lr: config.optimizer.lr, weightDecay: config.optimizer.weightDecay)]
        if config.loss.centerWeight > 0 {
            let c = try CenterLoss(classes: pseudo.clusters, dimension: model.featureDimension)
            try withNoGrad { try c.centers.copy_(memory.centroids) }
            try c.to(context.device)
            center = c
            groups.append(try Optimizer.sgd(c.parameters(), lr: config.loss.centerLR))
        } else {
            center = nil
        }
        epochOptimizers = groups
        return pseudo.stats
    }

    public func batches(epoch: Int, context: TrainingContext) throws -> [[Int]] {
        sampler?.batches(epoch: epoch, dropLast: true) ?? []
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let classifier else { throw ReIDError.model("no classifier: beginEpoch did not run") }
        let y = try Tensor(indices.map { Int64(labels[$0]) }).to(context.device)
        let out = try model(images)
        let id = try crossEntropy(classifier(out.global.afterBNNeck), labels: y)
        let tri = try triplet(out.global.beforeBNNeck, labels: y)
        var total = try id * config.loss.crossEntropyWeight + tri * config.loss.tripletWeight
        var losses = ["id": try id.item(), "triplet": try tri.item()]
        if let center {
            let c = try center(out.global.beforeBNNeck, labels: y)
            total = try total + c * config.loss.centerWeight
            losses["center"] = try c.item()
        }
        let all = Array(optimizers.values) + epochOptimizers
        for o in all { try o.zeroGrad() }
        try total.backward()
        try center?.scaleCenterGradients(byInverseOf: config.loss.centerWeight)
        for o in all { try o.step() }
        losses["total"] = try total.item()
        return losses
    }
}
