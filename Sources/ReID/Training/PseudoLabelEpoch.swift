import Torch

/// What every clustering-based method does at the start of an epoch: features of all training
/// images from the current model, pseudo-labels (Jaccard + DBSCAN, optional camera-guided
/// normalisation), statistics against the hidden ids, and a sampler over clustered images.
struct PseudoLabelEpoch {
    var features: Tensor
    var labels: [Int]
    var sampler: any EpochSampler
    var stats: [String: Double]
    var clusters: Int
    /// The global feature before the BNNeck (what the triplet and center losses see), when asked for.
    var pooled: Tensor?

    /// `withPooled` also keeps the pre-BNNeck feature of every image, from the same extraction pass.
    init(model: ReIDModel, context: TrainingContext, clustering: PseudoLabeling, epoch: Int,
         withPooled: Bool = false) throws {
        let records = context.trainRecords
        if withPooled {
            let both = try context.features(of: records, model: model, label: "cluster features") {
                try Tensor.cat([$0.embedding, $0.global.beforeBNNeck], dim: 1)
            }
            let d = model.featureDimension
            features = try both.narrow(dim: 1, start: 0, length: d).contiguous()
            pooled = try both.narrow(dim: 1, start: d, length: d).contiguous()
        } else {
            features = try context.features(of: records, model: model, label: "cluster features")
        }
        let truth = records.allSatisfy { $0.pid >= 0 } ? records.map(\.pid) : nil
        let result = try clustering.run(features: features, cameras: records.map(\.camera), truth: truth)
        let found = result.labels
        labels = found
        clusters = result.statistics.clusters
        guard result.statistics.clusters > 1 else {
            throw ReIDError.model("epoch \(epoch + 1): clustering found \(result.statistics.clusters) cluster(s); "
                + "raise clustering.eps or lower clustering.minSamples")
        }
        let clustered = found.indices.filter { found[$0] >= 0 }
        let inner = try SamplerFactory.make(context.config, records: clustered.map { records[$0] },
                                            labels: clustered.map { found[$0] })
        sampler = RemappedSampler(inner: inner, indices: clustered)
        stats = result.statistics.logValues
        stats["cluster_seconds"] = result.seconds
    }
}
