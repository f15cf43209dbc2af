import Foundation
import Torch

/// Cluster-Contrast (Dai et al. 2021), unsupervised: each epoch, features of every training image
/// are clustered (k-reciprocal Jaccard + DBSCAN) into pseudo-identities, outliers are left out,
/// a cluster memory is built from the centroids, and the model is trained with ClusterNCE on
/// P×K batches that prefer other-camera images of a pseudo-identity. True ids are never read,
/// except to log how well the clusters match them.
///
/// One feature space throughout, as the reference: the embedding after the BNNeck (L2-normalised
/// inside the memory) is clustered, initialises the memory, is trained by ClusterNCE, updates the
/// memory and is evaluated.
public final class ClusterContrastMethod: TrainingMethod {
    public let model: ReIDModel
    let config: TrainingConfig
    let clustering: PseudoLabeling
    var memory: ClusterMemory?
    var labels: [Int] = []
    var sampler: (any EpochSampler)?
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] { [:] }

    public init(context: TrainingContext) throws {
        config = context.config
        model = try ModelFactory.withoutClassifier(config, device: context.device)
        optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
        clustering = PseudoLabeling(config.clustering)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        let pseudo = try PseudoLabelEpoch(model: model, context: context, clustering: clustering, epoch: epoch)
        labels = pseudo.labels
        sampler = pseudo.sampler
        memory = try ClusterMemory(features: pseudo.features, labels: labels, temperature: config.clustering.temperature,
                                   momentum: config.clustering.momentum, hard: config.clustering.hardUpdate)
        return pseudo.stats
    }

    public func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        sampler?.batches(epoch: SamplerPass.key(epoch: epoch, pass: pass), dropLast: true) ?? []
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let memory else { throw ReIDError.model("no cluster memory: beginEpoch did not run") }
        let batchLabels = indices.map { labels[$0] }
        let y = try Tensor(batchLabels.map(Int64.init)).to(context.device)
        let out = try model(images)
        let loss = try memory.loss(out.embedding, labels: y)
        let optimizer = optimizers["main"]!
        try optimizer.zeroGrad()
        try loss.backward()
        try optimizer.step()
        try memory.update(out.embedding, labels: batchLabels)
        return ["cluster_nce": try loss.item(), "total": try loss.item()]
    }
}

/// A sampler over a subset, reporting indices of the full set.
struct RemappedSampler: EpochSampler {
    let inner: any EpochSampler
    let indices: [Int]
    var batchSize: Int { inner.batchSize }
    func indices(epoch: Int) -> [Int] { inner.indices(epoch: epoch).map { indices[$0] } }
}
