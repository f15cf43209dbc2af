import Torch

/// The four ReMix losses (docs/remix.md has the formulas). Features are L2-normalised here;
/// similarities are cosines divided by a temperature. Labels are plain arrays so that each
/// loss can be checked by hand on a few vectors. Every loss is a mean over the samples it
/// applies to, and 0 when none does.
public enum RemixLosses {
    /// Masked-out logits: far below any cosine / temperature, finite so gradients stay finite.
    static let excluded = -1e9

    /// Instance loss, supervised-contrastive over the batch. Anchor i's positives are the other
    /// images of its (pseudo-)identity, its candidates every other image of the same `group`
    /// (labeled data, or one video: identities of different groups are not known to differ).
    /// `image` marks views of one image: they are neither positives nor candidates of each other.
    public static func instance(_ features: Tensor, identities: [Int], groups: [Int], images: [Int],
                                temperature: Double) throws -> Tensor {
        let n = identities.count
        var candidate = [Bool](repeating: false, count: n * n), positive = candidate
        var anchors: [Int] = []
        for i in 0..<n {
            var has = false
            for j in 0..<n where j != i && images[j] != images[i] && groups[j] == groups[i] {
                candidate[i * n + j] = true
                if identities[j] == identities[i] { positive[i * n + j] = true; has = true }
            }
            if has { anchors.append(i) }
        }
        let device = features.device
        guard !anchors.isEmpty else { return try Tensor.zeros([], device: device) }
        let f = try features.normalized(dim: 1)
        let logits = try (f.matmul(f.t()) / temperature)
            .maskedFill(try Tensor(candidate, shape: [n, n]).to(device).logicalNot(), excluded)
        let logProb = try logits - logits.logSumExp(dims: [1], keepDim: true)
        let pos = try Tensor(positive.map { $0 ? Float(1) : 0 }, shape: [n, n]).to(device)
        let perAnchor = try -(logProb * pos).sum(dim: 1) / pos.sum(dim: 1).clamp(min: 1)
        return try perAnchor.rows(anchors).mean()
    }

    /// Augmentation loss: 1 − cos between two augmented views of one image, over the `pairs`
    /// (row indices of the two views).
    public static func augmentation(_ features: Tensor, pairs: [(Int, Int)]) throws -> Tensor {
        guard !pairs.isEmpty else { return try Tensor.zeros([], device: features.device) }
        let f = try features.normalized(dim: 1)
        let a = try f.rows(pairs.map(\.0)), b = try f.rows(pairs.map(\.1))
        return try (1.0 - (a * b).sum(dim: 1)).mean()
    }

    /// Centroids loss: cross-entropy of each feature against the centroids [C, D] (L2-normalised),
    /// restricted to the centroids of its own group (`centroidGroups[c]`, as `groups`), with its
    /// own (pseudo-)identity's centroid `targets[i]` as the class. Rows with target −1 are skipped.
    public static func centroids(_ features: Tensor, centroids: Tensor, targets: [Int], groups: [Int],
                                 centroidGroups: [Int], temperature: Double) throws -> Tensor {
        let rows = targets.indices.filter { targets[$0] >= 0 }
        let device = features.device
        guard !rows.isEmpty else { return try Tensor.zeros([], device: device) }
        let c = centroidGroups.count
        var outside = [Bool](repeating: true, count: rows.count * c)
        for (r, i) in rows.enumerated() {
            for k in 0..<c where centroidGroups[k] == groups[i] { outside[r * c + k] = false }
        }
        let f = try features.rows(rows).normalized(dim: 1)
        let logits = try (f.matmul(centroids.t()) / temperature)
            .maskedFill(try Tensor(outside, shape: [rows.count, c]).to(device), excluded)
        return try F.crossEntropy(logits, target: try Tensor(rows.map { Int64(targets[$0]) }).to(device))
    }

    /// Camera-centroids loss (labeled data only). `owners[m]`/`cameras[m]` say whose and which
    /// camera's centroid row m of `centroids` is. For a sample of identity y seen by camera c, each
    /// centroid of y in another camera (its own camera's when y has no other) is a positive and
    /// every centroid of another identity a negative: the loss averages, over its positives p,
    /// −log(e^{s_p} / (e^{s_p} + Σ_n e^{s_n})) = softplus(logsumexp_n s_n − s_p).
    public static func cameraCentroids(_ features: Tensor, identities: [Int], cameras: [Int], centroids: Tensor,
                                       owners: [Int], centroidCameras: [Int], temperature: Double) throws -> Tensor {
        let n = identities.count, m = owners.count
        let device = features.device
        guard n > 0 else { return try Tensor.zeros([], device: device) }
        var positive = [Float](repeating: 0, count: n * m), notNegative = [Bool](repeating: false, count: n * m)
        for i in 0..<n {
            let mine = (0..<m).filter { owners[$0] == identities[i] }
            let others = mine.filter { centroidCameras[$0] != cameras[i] }
            for k in others.isEmpty ? mine : others { positive[i * m + k] = 1 }
            for k in mine { notNegative[i * m + k] = true }
        }
        let f = try features.normalized(dim: 1)
        let logits = try f.matmul(centroids.t()) / temperature
        let negatives = try logits.maskedFill(try Tensor(notNegative, shape: [n, m]).to(device), excluded)
            .logSumExp(dims: [1], keepDim: true)
        let pos = try Tensor(positive, shape: [n, m]).to(device)
        let perSample = try ((negatives - logits).softplus() * pos).sum(dim: 1) / pos.sum(dim: 1).clamp(min: 1)
        return try perSample.mean()
    }
}
