import Foundation
import Torch

/// Progressive unsupervised domain adaptation with multi-step pseudo-label refinement: start from
/// a model trained on a labelled source (`--init`), then every epoch pseudo-label the target
/// (camera-guided feature normalisation, Jaccard + DBSCAN) and fine-tune with the supervised
/// baseline's losses — label-smoothed identity loss through a classifier made for this epoch's
/// clusters (initialised from their normalised centroids), batch-hard triplet and center loss
/// (centers initialised at the clusters' mean pre-BNNeck features, own SGD). Re-ranking at test time is
/// `evaluation.rerank`.
public final class UDAMethod: TrainingMethod {
    public let model: ReIDModel
    let config: TrainingConfig
    let clustering: PseudoLabeling
    var labels: [Int] = []
    var sampler: (any EpochSampler)?
    var classifier: Linear?
    var center: CenterLoss?
    /// The classifier's and centers' optimisers live for one epoch (their sizes change).
    public var epochOptimizers: [Optimizer] = []
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] { [:] }

    public init(context: TrainingContext) throws {
        config = context.config
        model = try ModelFactory.withoutClassifier(config, device: context.device)
        optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
        clustering = PseudoLabeling(config.clustering)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        let wantsCenters = config.loss.centerWeight > 0
        let pseudo = try PseudoLabelEpoch(model: model, context: context, clustering: clustering, epoch: epoch,
                                          withPooled: wantsCenters)
        labels = pseudo.labels
        sampler = pseudo.sampler
        // Centroids of the clusters in the (un-normalised) embedding space.
        let memory = try ClusterMemory(features: pseudo.features, labels: labels)
        let linear = try Linear(model.featureDimension, pseudo.clusters, bias: false)
        try withNoGrad { try linear.weight.copy_(memory.centroids) }
        try linear.to(context.device)
        classifier = linear
        var groups = [try Optimizer.adam(linear.parameters(), lr: config.optimizer.lr, weightDecay: config.optimizer.weightDecay)]
        if wantsCenters, let pooled = pseudo.pooled {
            // The center loss pulls the pre-BNNeck feature, so its centers start at that
            // feature's cluster means; starting them at the BNNeck centroids (another scale
            // entirely) gave a huge first loss that wrecked the source model within epochs.
            let c = try CenterLoss(classes: pseudo.clusters, dimension: model.featureDimension)
            let pooledMeans = try ClusterMemory.means(of: pooled, labels: labels)
            try withNoGrad { try c.centers.copy_(pooledMeans) }
            try c.to(context.device)
            center = c
            groups.append(try Optimizer.sgd(c.parameters(), lr: config.loss.centerLR))
        } else {
            center = nil
        }
        epochOptimizers = groups
        return pseudo.stats
    }

    public func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        sampler?.batches(epoch: SamplerPass.key(epoch: epoch, pass: pass), dropLast: true) ?? []
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let classifier else { throw ReIDError.model("no classifier: beginEpoch did not run") }
        let y = try Tensor(indices.map { Int64(labels[$0]) }).to(context.device)
        let out = try model(images)
        let objective = BaselineObjective(config.loss, center: center)
        let (total, losses) = try objective(logits: classifier(out.global.afterBNNeck), pooled: out.global.beforeBNNeck,
                                            labels: y)
        try objective.optimise(total, with: Array(optimizers.values) + epochOptimizers)
        return losses
    }
}
