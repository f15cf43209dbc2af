import Foundation
import Torch

/// Part-based Pseudo Label Refinement (Cho et al., CVPR 2022), unsupervised. A backbone with one
/// global and `model.parts` horizontal part features, each with its BNNeck. Every epoch: global
/// features are clustered (Jaccard + DBSCAN) into pseudo-labels, the cross-agreement score of each
/// image and part is computed (k-NN Jaccard between global and part neighbours), and the global
/// and part classifiers are re-initialised from L2-normalised cluster centroids. Training uses
/// PGLR on the global logits, AALS on the part logits (label-smoothed CE before `pplr.aalsEpoch`)
/// and a soft-margin batch-hard triplet on the global feature, with other-camera-preferring batches.
/// The triplet is the reference's SoftTripletLoss at margin 0 (−log softmax of [d_ap, d_an] picks
/// d_an, which is log(1 + e^(d_ap − d_an))); the reference also lets the anchor be its own
/// positive (distance 0), which changes nothing while every identity has K ≥ 2 images in a
/// batch, as the P×K samplers guarantee (a small cluster is sampled with repeats).
/// With `pplr.cameraProxyWeight` > 0 it adds the authors' camera-label variant: an inter-camera
/// contrastive loss against per-(cluster, camera) proxies (see `InterCameraProxies`).
/// With a `views` section it also trains on extra views of each image (see `ViewTraining`).
public final class PPLRMethod: TrainingMethod {
    public let model: ReIDModel
    let config: TrainingConfig
    let clustering: PseudoLabeling
    let triplet = TripletLoss(margin: nil)
    let smoothed = CrossEntropyLabelSmooth(epsilon: 0.1)
    /// Generated views (config `views`), or nil for PPLR as published.
    public let views: ViewTraining?
    /// Pseudo-label and cross-agreement scores per training record (pool entry with views); −1 / [] when unused.
    var labels: [Int] = []
    var agreement: [[Float]] = []
    var sampler: (any EpochSampler)?
    var globalClassifier: Linear?
    var partClassifiers: [Linear] = []
    var classifierOptimizer: Optimizer?
    /// This epoch's camera-aware proxies of the global feature and of each part (`pplr.cameraProxyWeight` > 0).
    var globalProxies: InterCameraProxies?
    var partProxies: [InterCameraProxies] = []
    public var epochOptimizers: [Optimizer] { classifierOptimizer.map { [$0] } ?? [] }
    var epoch = 0
    public let optimizers: [String: Optimizer]

    public var auxiliaryModules: [String: any Module] {
        views?.combination.map { ["views.combination": $0] } ?? [:]
    }

    public init(context: TrainingContext) throws {
        config = context.config
        guard config.model.parts > 0 else {
            throw ReIDError.invalidOption("pplr needs part features: set model.parts (3 in the paper)")
        }
        model = try ModelFactory.withoutClassifier(config, device: context.device)
        views = try ViewTraining.make(context)
        let main = try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())
        if let combination = views?.combination, combination.learned {
            try combination.to(context.device)
            // Two numbers for the whole run: their own learning rate, no weight decay.
            try main.addGroup(combination.trainableParameters(), lr: config.views.weightLR, weightDecay: 0)
        }
        optimizers = ["main": main]
        clustering = PseudoLabeling(config.clustering)
        if let views {
            FileHandle.standardError.write(Data((views.summary + "\n").utf8))
            let data = try JSONSerialization.data(withJSONObject: ViewStatistics.describe(views), options: [.sortedKeys, .prettyPrinted])
            try context.runDirectory.create()
            try AtomicWrite.write(data, to: context.runDirectory.path + "/views.json")
        }
    }

    public func trainingRecords(context: TrainingContext) -> [ImageRecord] {
        views?.pool.records ?? context.batchRecords
    }

    /// Whether batches carry each image's masked partner (mesh-combine in the losses).
    var pairedBatches: Bool { views?.combination != nil && config.views.combineInTraining }

    /// Global and part features after their BNNecks, L2-normalised, of training records `indices`.
    /// With mesh-combine, each original's features are combined with its masked copy's.
    func allFeatures(_ indices: [Int], context: TrainingContext) throws -> (global: Tensor, parts: [Tensor]) {
        model.eval()
        defer { model.train() }
        let parts = config.model.parts
        let records = trainingRecords(context: context)
        var paths = indices.map { records[$0].path }
        var partnerRows: [Int] = []
        if let views, views.combination != nil {
            for (k, i) in indices.enumerated() {
                let p = views.partner(of: i)
                if p == i { partnerRows.append(k) } else { partnerRows.append(paths.count); paths.append(records[p].path) }
            }
        }
        var joined = try context.extractor.extract(paths: paths, progress: Progress(total: paths.count, label: "pplr features")) {
            let out = try self.model($0)
            return try Tensor.cat([out.global.afterBNNeck.normalized(dim: 1)]
                                  + out.parts.map { try $0.afterBNNeck.normalized(dim: 1) }, dim: 1)
        }
        if let combination = views?.combination {
            joined = try withNoGrad {
                try combination(original: joined.narrow(dim: 0, start: 0, length: indices.count), masked: joined.rows(partnerRows))
            }
        }
        // The global feature may be wider than the parts (an ONNX network's kept embedding).
        let d = model.featureDimension, p = model.partDimension
        let global = try joined.narrow(dim: 1, start: 0, length: d).normalized(dim: 1)
        let partFeatures = try (0..<parts).map { try joined.narrow(dim: 1, start: d + $0 * p, length: p).normalized(dim: 1) }
        return (global, partFeatures)
    }

    /// `pplr.scaleLogits`: logits of a d-dimensional feature as ResNet-50's 2048 channels would scale them.
    static func scaled(_ logits: Tensor, dimension: Int, on: Bool) throws -> Tensor {
        on ? try logits * logitScale(dimension: dimension) : logits
    }

    static func logitScale(dimension: Int) -> Double { (2048.0 / Double(max(dimension, 1))).squareRoot() }

    static func centroids(_ features: Tensor, labels: [Int], classes: Int) throws -> Tensor {
        let rows = try (0..<classes).map { c in try features.rows(labels.indices.filter { labels[$0] == c }).mean(dim: 0) }
        return try Tensor.stack(rows).normalized(dim: 1)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        self.epoch = epoch
        try views?.prepare(epoch: epoch, model: model, context: context)
        let records = trainingRecords(context: context)
        let clustered = views.map { $0.strategy.clustered(epoch: epoch, pool: $0.pool) } ?? Array(records.indices)
        let (global, parts) = try allFeatures(clustered, context: context)
        let subset = clustered.map { records[$0] }
        let truth = subset.allSatisfy { $0.pid >= 0 } ? subset.map(\.pid) : nil
        let result = try clustering.run(features: global, cameras: subset.map(\.camera), truth: truth)
        let found = result.labels
        let classes = result.statistics.clusters
        guard classes > 1 else {
            throw ReIDError.model("epoch \(epoch + 1): clustering found \(classes) cluster(s); raise clustering.eps or lower clustering.minSamples")
        }
        let scores = try CrossAgreement.scores(global: global, parts: parts, k: config.pplr.k)
        let training = views.map { $0.strategy.training(epoch: epoch, pool: $0.pool, clustered: clustered, labels: found) }
            ?? zip(clustered, found).filter { $0.1 >= 0 }.map { (index: $0.0, label: $0.1) }
        labels = [Int](repeating: -1, count: records.count)
        agreement = [[Float]](repeating: [], count: records.count)
        for (k, i) in clustered.enumerated() { agreement[i] = scores[k] }
        for (i, l) in training {
            labels[i] = l
            // A view trained without being clustered (inject) takes its original's agreement.
            if agreement[i].isEmpty, let views { agreement[i] = agreement[views.pool.origin[i]] }
        }
        let trained = training.map(\.index)
        let inner = try SamplerFactory.make(config, records: trained.map { records[$0] }, labels: training.map(\.label))
        sampler = RemappedSampler(inner: inner, indices: trained)
        // Classifiers from the centroids of this epoch's clusters.
        func classifier(_ f: Tensor) throws -> Linear {
            let linear = try Linear(f.size(1), classes, bias: false)
            try withNoGrad { try linear.weight.copy_(PPLRMethod.centroids(f, labels: found, classes: classes)) }
            try linear.to(context.device)
            return linear
        }
        let g = try classifier(global)
        let p = try parts.map { try classifier($0) }
        globalClassifier = g
        partClassifiers = p
        if config.pplr.cameraProxyWeight > 0 {
            let cameras = subset.map(\.camera)
            globalProxies = try InterCameraProxies(features: global, labels: found, cameras: cameras)
            partProxies = try parts.map { try InterCameraProxies(features: $0, labels: found, cameras: cameras) }
        }
        classifierOptimizer = try ModelFactory.optimizer(config.optimizer,
                                                         parameters: g.parameters() + p.flatMap { $0.parameters() })
        var stats = result.statistics.logValues
        stats["cluster_seconds"] = result.seconds
        let used = trained.flatMap { agreement[$0] }
        stats["agreement"] = Double(used.reduce(0, +)) / Double(max(used.count, 1))
        if let views { stats.merge(try ViewStatistics.values(views, clustered: clustered, found: found, training: training)) { $1 } }
        return stats
    }

    public func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        let base = sampler?.batches(epoch: SamplerPass.key(epoch: epoch, pass: pass), dropLast: true) ?? []
        guard pairedBatches, let views else { return base }
        // Each batch: its images, then their masked partners in the same order.
        return base.map { $0 + $0.map { views.partner(of: $0) } }
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let globalClassifier, let classifierOptimizer else { throw ReIDError.model("beginEpoch did not run") }
        let n = pairedBatches ? indices.count / 2 : indices.count
        let own = Array(indices.prefix(n))
        let y = try Tensor(own.map { Int64(labels[$0]) }).to(context.device)
        let ca = try Tensor(own.flatMap { agreement[$0] }, shape: [n, partClassifiers.count]).to(context.device)
        let out = try model(images)
        var global = out.global.afterBNNeck
        var partFeatures = out.parts.map(\.afterBNNeck)
        if pairedBatches, let combination = views?.combination {
            func mix(_ t: Tensor) throws -> Tensor {
                try combination(original: t.narrow(dim: 0, start: 0, length: n), masked: t.narrow(dim: 0, start: n, length: n))
            }
            global = try mix(global)
            partFeatures = try partFeatures.map(mix)
        }
        let globalLogits = try PPLRMethod.scaled(globalClassifier(global), dimension: global.size(1),
                                                 on: config.pplr.scaleLogits)
        let partLogits = try zip(partClassifiers, partFeatures).map {
            try PPLRMethod.scaled($0.0($0.1), dimension: $0.1.size(1), on: config.pplr.scaleLogits)
        }
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
        let tri = try triplet(global, labels: y)
        var total = try globalLoss + partLoss + tri
        var cameraLoss: Tensor?
        if let globalProxies, config.pplr.cameraProxyWeight > 0 {
            let records = trainingRecords(context: context)
            let ownLabels = own.map { labels[$0] }, cameras = own.map { records[$0].camera }
            var parts = try Tensor.zeros([], device: context.device)
            for (proxies, feature) in zip(partProxies, partFeatures) {
                parts = try parts + proxies.loss(feature, labels: ownLabels, cameras: cameras)
            }
            let l = try globalProxies.loss(global, labels: ownLabels, cameras: cameras)
                + parts / Double(max(partProxies.count, 1))
            total = try total + l * config.pplr.cameraProxyWeight
            cameraLoss = l
        }
        let main = optimizers["main"]!
        try main.zeroGrad()
        try classifierOptimizer.zeroGrad()
        try total.backward()
        try main.step()
        try classifierOptimizer.step()
        var losses = ["global": try globalLoss.item(), "part": try partLoss.item(), "triplet": try tri.item(),
                      "total": try total.item()]
        if let cameraLoss { losses["camera"] = try cameraLoss.item() }
        if let combination = views?.combination, combination.learned {
            losses["w_original"] = try combination.weightValues()[0]
        }
        return losses
    }
}
