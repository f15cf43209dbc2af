import Torch

/// PPLR's camera-aware proxies with an inter-camera contrastive loss (the authors' camera-label
/// variant, `train_pplr_cam.py`, weight `lam_cam` 0.5). Each epoch every (cluster, camera) pair
/// gets one proxy, the L2-normalised mean of that cluster's features from that camera, fixed for
/// the epoch. A sample's positives are its cluster's proxies from the OTHER cameras; its
/// candidates are those positives and the `hardNegatives` most similar proxies of other clusters;
/// the loss is the cross-entropy of the cosine / `temperature` over the candidates against a
/// target spread evenly over the positives. A sample whose cluster was seen by one camera only
/// adds 0, and the sum is divided by the batch size, as the reference does.
///
/// Why it matters here: the test is always across cameras while DBSCAN's clusters mostly hold one
/// camera, so without it every positive the losses see is a same-camera pair.
public struct InterCameraProxies {
    /// [N, D] L2-normalised proxies, with the cluster and camera of each row.
    public let proxies: Tensor
    public let clusters: [Int]
    public let cameras: [Int]
    public let temperature: Double
    public let hardNegatives: Int

    /// Proxies of the rows of `features` whose label is ≥ 0 (an outlier, −1, makes none).
    public init(features: Tensor, labels: [Int], cameras: [Int], temperature: Double = 0.07,
                hardNegatives: Int = 50) throws {
        guard features.size(0) == labels.count, labels.count == cameras.count else {
            throw ReIDError.model("camera proxies: \(features.size(0)) features for \(labels.count) labels and \(cameras.count) cameras")
        }
        let kept = labels.indices.filter { labels[$0] >= 0 }
        let pairs = kept.map { Pair(cluster: labels[$0], camera: cameras[$0]) }
        let keys = Set(pairs).sorted { ($0.cluster, $0.camera) < ($1.cluster, $1.camera) }
        guard !keys.isEmpty else { throw ReIDError.model("camera proxies: every image is an outlier") }
        let position = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        // The normalised sum of a group is its normalised mean.
        proxies = try RemixMethod.centroids(features.rows(kept), groups: pairs.map { position[$0]! }, count: keys.count)
        clusters = keys.map(\.cluster)
        self.cameras = keys.map(\.camera)
        self.temperature = temperature
        self.hardNegatives = hardNegatives
    }

    /// The loss of a batch: `features` [B, D] (any norm), with each sample's cluster and camera.
    public func loss(_ features: Tensor, labels: [Int], cameras sampleCameras: [Int]) throws -> Tensor {
        let b = labels.count, n = clusters.count
        let device = features.device
        var positive = [Bool](repeating: false, count: b * n), sameCluster = [Bool](repeating: false, count: b * n)
        for i in 0..<b {
            for k in 0..<n where clusters[k] == labels[i] {
                sameCluster[i * n + k] = true
                positive[i * n + k] = cameras[k] != sampleCameras[i]
            }
        }
        let pos = try Tensor(positive, shape: [b, n]).to(device)
        let mine = try Tensor(sameCluster, shape: [b, n]).to(device)
        let sims = try features.normalized(dim: 1).matmul(proxies.t()) / temperature
        // The hardest negatives, chosen on detached similarities; a batch with fewer proxies of
        // other clusters than `hardNegatives` keeps them all.
        let excluded = -1e9
        let negativeSims = try sims.detached().maskedFill(mine, excluded)
        let k = min(hardNegatives, n)
        let hardest = try negativeSims.topk(k, dim: 1).indices
        let hard = try Tensor.zeros([b, n], device: device).scatter(dim: 1, index: hardest, value: 1)
            .gt(0).logicalAnd(mine.logicalNot())
        let candidates = try pos.logicalOr(hard)
        let logNormaliser = try sims.maskedFill(candidates.logicalNot(), excluded).logSumExp(dims: [1])
        let posFloat = try pos.to(sims.dtype)
        let count = try posFloat.sum(dim: 1)
        let meanPositive = try (sims * posFloat).sum(dim: 1) / count.clamp(min: 1)
        let has = try count.gt(0).to(sims.dtype)
        return try ((logNormaliser - meanPositive) * has).sum() / Double(max(b, 1))
    }

    private struct Pair: Hashable {
        let cluster: Int
        let camera: Int
    }
}
