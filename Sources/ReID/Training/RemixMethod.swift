import Foundation
import Torch

/// ReMix (Mamedov et al.): one encoder trained jointly on labeled multi-camera data and unlabeled
/// single-camera videos, with a momentum (EMA) encoder behind it. At the start of each epoch the
/// momentum encoder's features of every labeled image give one centroid per identity and one per
/// identity and camera; a random subset of videos is clustered, each video on its own, into
/// pseudo-identities with their centroids. Batches mix labeled identities and pseudo-identities
/// (`remix.labeledFraction`), each image in two augmented views. Losses (docs/remix.md):
/// instance, augmentation and centroids on both kinds of data, camera-centroids on labeled data;
/// after each step the momentum encoder follows the encoder.
public final class RemixMethod: TrainingMethod {
    public let model: ReIDModel
    let momentumEncoder: ReIDModel
    let config: TrainingConfig
    let labels: [Int]
    let cameras: [Int]
    let classes: Int
    let labeledIdentities: Int
    let unlabeledIdentities: Int
    let single: SingleCameraData?
    public let optimizers: [String: Optimizer]

    // Rebuilt each epoch.
    var pseudoLabels: [Int] = []
    var centroids: Tensor?
    var centroidGroups: [Int] = []
    var cameraCentroids: Tensor?
    var cameraOwners: [Int] = []
    var cameraOfCentroid: [Int] = []
    var sampler: MixedSampler?

    public var auxiliaryModules: [String: any Module] { ["momentum": momentumEncoder] }

    public init(context: TrainingContext) throws {
        config = context.config
        let section = config.remix
        let records = context.trainRecords
        labels = records.map(\.label)
        cameras = records.map(\.camera)
        classes = Set(labels).count
        guard classes > 1, labels.allSatisfy({ $0 >= 0 }) else {
            throw ReIDError.data(path: config.data.root, reason: "remix needs labelled training images of at least 2 identities")
        }
        guard (0...1).contains(section.labeledFraction), section.views >= 1 else {
            throw ReIDError.invalidOption("remix.labeledFraction must be in [0, 1] and remix.views at least 1")
        }
        single = context.singleCamera
        let p = config.data.identitiesPerBatch
        if section.labeledFraction < 1 && single == nil {
            throw ReIDError.invalidOption("remix mixes in unlabeled single-camera videos: give --single-camera DIR "
                + "(data.singleCamera), or set remix.labeledFraction=1 for labeled-only training")
        }
        labeledIdentities = single == nil ? p : Int((Double(p) * section.labeledFraction).rounded())
        unlabeledIdentities = p - labeledIdentities
        model = try ModelFactory.withoutClassifier(config, device: context.device)
        momentumEncoder = try ModelFactory.withoutClassifier(config, device: context.device)
        try MomentumUpdate.apply(target: momentumEncoder, source: model, momentum: 0)
        momentumEncoder.requiresGrad(false)
        optimizers = ["main": try ModelFactory.optimizer(config.optimizer, parameters: model.trainableParameters())]
    }

    /// L2-normalised mean of the rows of each group (`groups[i]` in 0..<count).
    static func centroids(_ features: Tensor, groups: [Int], count: Int) throws -> Tensor {
        let device = features.device
        let sums = try Tensor.zeros([count, features.size(1)], device: device)
            .indexAdd(dim: 0, index: try Tensor(groups.map(Int64.init)).to(device), source: features)
        return try sums.normalized(dim: 1)
    }

    public func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        var stats: [String: Double] = [:]
        let started = Date()
        // Labeled data: identity and identity×camera centroids.
        let labeled = try context.features(of: context.trainRecords, model: momentumEncoder, label: "labeled centroids")
            .normalized(dim: 1)
        let identityCentroids = try RemixMethod.centroids(labeled, groups: labels, count: classes)
        var keyIndex: [Int: Int] = [:]
        let cameraSpan = (cameras.max() ?? 0) + 1
        var owners: [Int] = [], cams: [Int] = []
        let cameraGroups = zip(labels, cameras).map { label, camera in
            let key = label * cameraSpan + camera
            if let k = keyIndex[key] { return k }
            keyIndex[key] = owners.count
            owners.append(label)
            cams.append(camera)
            return owners.count - 1
        }
        cameraCentroids = try RemixMethod.centroids(labeled, groups: cameraGroups, count: owners.count)
        cameraOwners = owners
        cameraOfCentroid = cams
        var all = [identityCentroids]
        centroidGroups = [Int](repeating: 0, count: classes)

        // Single-camera data: a random subset of videos, each clustered on its own.
        var unlabeledIdentities = self.unlabeledIdentities
        pseudoLabels = [Int](repeating: -1, count: single?.records.count ?? 0)
        if let single, unlabeledIdentities > 0 {
            var rng = SeededRandom.derived(seed: config.seed &+ 0x5EED, index: UInt64(epoch))
            var videos = Array(single.videos.indices)
            videos.shuffle(using: &rng)
            if config.remix.videosPerEpoch > 0 { videos = Array(videos.prefix(config.remix.videosPerEpoch)) }
            let byVideo = single.recordsByVideo
            let rows = videos.sorted().flatMap { byVideo[$0] }
            let features = try context.features(of: rows.map { single.records[$0] }, model: momentumEncoder,
                                                label: "video features").normalized(dim: 1)
            let clustered = try PerVideoClustering(PseudoLabeling(config.clustering))
                .run(features: features, videos: rows.map { single.records[$0].camera })
            for (r, label) in zip(rows, clustered.labels) { pseudoLabels[r] = label }
            let kept = clustered.labels.indices.filter { clustered.labels[$0] >= 0 }
            if !kept.isEmpty {
                all.append(try RemixMethod.centroids(try features.rows(kept), groups: kept.map { clustered.labels[$0] },
                                                     count: clustered.clusterVideos.count))
            }
            centroidGroups += clustered.clusterVideos.map { $0 + 1 }
            stats["videos"] = Double(videos.count)
            stats["video_images"] = Double(rows.count)
            stats["pseudo_identities"] = Double(clustered.clusterVideos.count)
            stats["outliers"] = Double(clustered.outliers)
            stats["cluster_seconds"] = clustered.seconds
            // Too few pseudo-identities for the batch: their share goes to labeled identities.
            unlabeledIdentities = min(unlabeledIdentities, clustered.clusterVideos.count)
        }
        centroids = try Tensor.cat(all, dim: 0)
        let labeledIdentities = config.data.identitiesPerBatch - unlabeledIdentities
        sampler = MixedSampler(labeledLabels: labels, unlabeledLabels: pseudoLabels, labeledIdentities: labeledIdentities,
                               unlabeledIdentities: unlabeledIdentities, instances: config.data.instancesPerIdentity,
                               views: config.remix.views, seed: config.seed)
        stats["batch_pseudo_identities"] = Double(unlabeledIdentities)
        stats["epoch_setup_seconds"] = Date().timeIntervalSince(started)
        return stats
    }

    public func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        sampler?.batches(epoch: SamplerPass.key(epoch: epoch, pass: pass)) ?? []
    }

    public func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        guard let centroids, let cameraCentroids else { throw ReIDError.model("remix: beginEpoch did not run") }
        let section = config.remix
        let n = labels.count
        // Per row: (pseudo-)identity as a centroid row, group (0 labeled, 1 + video), image.
        let targets = indices.map { $0 < n ? labels[$0] : (pseudoLabels[$0 - n] >= 0 ? classes + pseudoLabels[$0 - n] : -1) }
        let groups = indices.map { $0 < n ? 0 : 1 + context.batchRecords[$0].camera }
        let out = try model(images)
        let f = out.global.afterBNNeck
        var pairs: [(Int, Int)] = []
        var firstView: [Int: Int] = [:]
        for (r, index) in indices.enumerated() {
            if let first = firstView.removeValue(forKey: index) { pairs.append((first, r)) } else { firstView[index] = r }
        }
        let instance = try RemixLosses.instance(f, identities: targets, groups: groups, images: indices,
                                                temperature: section.instanceTemperature)
        let augmentation = try RemixLosses.augmentation(f, pairs: pairs)
        let centroid = try RemixLosses.centroids(f, centroids: centroids, targets: targets, groups: groups,
                                                 centroidGroups: centroidGroups, temperature: section.temperature)
        let labeledRows = indices.indices.filter { indices[$0] < n }
        let camera = labeledRows.isEmpty ? try Tensor.zeros([], device: context.device)
            : try RemixLosses.cameraCentroids(try f.rows(labeledRows), identities: labeledRows.map { labels[indices[$0]] },
                                              cameras: labeledRows.map { cameras[indices[$0]] }, centroids: cameraCentroids,
                                              owners: cameraOwners, centroidCameras: cameraOfCentroid,
                                              temperature: section.temperature)
        let total = try instance * section.instanceWeight + augmentation * section.augmentationWeight
            + centroid * section.centroidsWeight + camera * section.cameraCentroidsWeight
        let optimizer = optimizers["main"]!
        try optimizer.zeroGrad()
        try total.backward()
        try optimizer.step()
        try MomentumUpdate.apply(target: momentumEncoder, source: model, momentum: section.momentum)
        return ["instance": try instance.item(), "augmentation": try augmentation.item(), "centroids": try centroid.item(),
                "camera_centroids": try camera.item(), "total": try total.item()]
    }
}
