import Foundation
import Torch

/// Part-based Pseudo Label Refinement (Cho et al., CVPR 2022), unsupervised. A backbone with one
/// global and `model.parts` horizontal part features, each with its BNNeck. Every epoch: global
/// features are clustered (Jaccard + DBSCAN) into pseudo-labels, the cross-agreement score of each
/// image and part is computed (k-NN Jaccard between global and part neighbours), and the global
/// and part classifiers are re-initialised from L2-normalised cluster centroids. Training uses
/// PGLR on the global logits, AALS on the part logits (label-smoothed CE before `pplr.aalsEpoch`)
/// and a soft-margin batch-hard triplet on the global feature, with other-camera-preferring batches.
public final class PPLRMethod: TrainingMethod {
    public let model: ReIDModel
    let config: TrainingConfig
    let clustering: PseudoLabeling
    let triplet = TripletLoss(margin: nil)
    let smoothed = CrossEntropyLabelSmooth(epsilon: 0.1)
    var labels: [Int] = []
    var agreement: [[Float]] = []
    var sampler: (any EpochSampler)?
    var globalClassifier: Linear?
    var partClassifiers: [Linear] = []
    var classifierOptimizer: Optimizer?
    var epoch = 0
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] { [:] }

    public init(context: TrainingContext) throws {
        config = context.config
        guard config.model.parts > 0 else {
            throw ReIDError.invalidOption("pplr needs part features: set model.parts (3 in the paper)")
        }
        model = try ModelFactory.make(config.model, classes: 0, device: context.device,
                                      channelsLast: config.training.channelsLast)
        optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
        clustering = PseudoLabeling(config.clustering)
    }

    /// Global and part features after their BNNecks, L2-normalised, for every training image.
    func allFeatures(_ context: TrainingContext) throws -> (global: Tensor, parts: [Tensor]) {
        model.eval()
        defer { model.train() }
        let parts = config.model.parts
        let records = context.trainRecords
        let joined = try context.extractor.extract(paths: records.map(\.path),
                                                   progress: Progress(total: records.count, label: "pplr features")) {
            let out = try self.model($0)
            return try Tensor.cat([out.global.afterBNNeck.normalized(dim: 1)]
                                  + out.parts.map { try $0.afterBNNeck.normalized(dim: 1) }, dim: 1)
        }
        let chunks = try joined.chunk(parts + 1, dim: 1)
        return (chunks[0], Array(chunks[1...]))
    }

    static func centroids(_ features: Tensor, labels: [Int], classes: Int) throws -> Tensor {
        let rows = try (0..<classes).map { c in try features.rows(labels.indices.filter { labels[$0] == c }).mean(dim: 0) }
        return try Tensor.stack(rows).normalized(dim: 1)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        self.epoch = epoch
        let (global, parts) = try allFeatures(context)
        let records = context.trainRecords
        let truth = records.allSatisfy { $0.pid >= 0 } ? records.map(\.pid) : nil
        let result = try clustering.run(features: global, cameras: records.map(\.camera), truth: truth)
        labels = result.labels
        let classes = result.statistics.clusters
        guard classes > 1 else {
            throw ReIDError.model("epoch \(epoch + 1): clustering found \(classes) cluster(s); raise clustering.eps or lower clustering.minSamples")
        }
        agreement = try CrossAgreement.scores(global: global, parts: parts, k: config.pplr.k)
        let clustered = labels.indices.filter { labels[$0] >= 0 }
        let inner = try SamplerFactory.make(config, records: clustered.map { records[$0] }, labels: clustered.map { labels[$0] })
        sampler = RemappedSampler(inner: inner, indices: clustered)
        // Classifiers from the centroids of this epoch's clusters.
        func classifier(_ f: Tensor) throws -> Linear {
            let linear = try Linear(model.featureDimension, classes, bias: false)
            try withNoGrad { try linear.weight.copy_(PPLRMethod.centroids(f, labels: labels, classes: classes)) }
            try linear.to(context.device)
            return linear
        }
        let g = try classifier(global)
        let p = try parts.map { try classifier($0) }
        globalClassifier = g
        partClassifiers = p
        classifierOptimizer = try ModelFactory.optimizer(config.optimizer,
                                                         parameters: g.parameters() + p.flatMap { $0.parameters() })
        var stats = result.statistics.logValues
        stats["cluster_seconds"] = result.seconds
        let scores = clustered.flatMap { agreement[$0] }
        stats["agreement"] = Double(scores.reduce(0, +)) / Double(max(scores.count, 1))
        return stats
    }

    public func batches(epoch: Int, context: TrainingContext) throws -> [[Int]] {
        sampler?.batches(epoch: epoch, dropLast: true) ?? []
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let globalClassifier, let classifierOptimizer else { throw ReIDError.model("beginEpoch did not run") }
        let y = try Tensor(indices.map { Int64(labels[$0]) }).to(context.device)
        let ca = try Tensor(indices.flatMap { agreement[$0] }, shape: [indices.count, partClassifiers.count]).to(context.device)
        let out = try model(images)
        let globalLogits = try globalClassifier(out.global.afterBNNeck)
        let partLogits = try zip(partClassifiers, out.parts).map { try $0.0($0.1.afterBNNeck) }
        let globalLoss = config.pplr.pglr
            ? try AgreementLosses.pglr(globalLogits, partLogits: partLogits, labels: y, agreement: ca, beta: config.pplr.beta)
            : try smoothed(globalLogits, labels: y)
        var partLoss = try Tensor.zeros([], device: context.device)
        for (p, logits) in partLogits.enumerated() {
            let l = config.pplr.aals && epoch >= config.pplr.aalsEpoch
                ? try AgreementLosses.aals(logits, labels: y, agreement: ca.select(dim: 1, index: p))
                : try smoothed(logits, labels: y)
            partLoss = try partLoss + l
        }
        partLoss = try partLoss / Double(partLogits.count)
        let tri = try triplet(out.global.afterBNNeck, labels: y)
        let total = try globalLoss + partLoss + tri
        let main = optimizers["main"]!
        try main.zeroGrad()
        try classifierOptimizer.zeroGrad()
        try total.backward()
        try main.step()
        try classifierOptimizer.step()
        return ["global": try globalLoss.item(), "part": try partLoss.item(), "triplet": try tri.item(),
                "total": try total.item()]
    }
}
