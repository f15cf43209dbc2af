import Torch

/// The cluster-level memory of Cluster-Contrast (Dai et al. 2021): one L2-normalised centroid
/// per pseudo-identity; the ClusterNCE loss is cross-entropy over similarities to every
/// centroid divided by a temperature. After each step the centroid of each identity in the
/// batch moves towards its features with `momentum` (the mean feature, or with `hard` the batch
/// feature least similar to the centroid), then is renormalised. The memory is not a parameter:
/// gradients reach the features only.
public final class ClusterMemory: Module {
    @Buffer public var centroids: Tensor
    public let temperature: Double
    public let momentum: Double
    public let hard: Bool

    /// Starts from the L2-normalised mean feature of each cluster.
    public init(features: Tensor, labels: [Int], temperature: Double = 0.05, momentum: Double = 0.1,
                hard: Bool = false) throws {
        centroids = try Self.means(of: features, labels: labels).normalized(dim: 1).detached()
        self.temperature = temperature
        self.momentum = momentum
        self.hard = hard
    }

    /// The mean feature of each cluster 0..<max(labels)+1, not normalised, [C, D]; label −1 is left out.
    public static func means(of features: Tensor, labels: [Int]) throws -> Tensor {
        let classes = (labels.max() ?? -1) + 1
        guard classes > 0 else { throw ReIDError.invalidOption("the cluster memory needs at least one cluster") }
        var members = [[Int]](repeating: [], count: classes)
        for (i, c) in labels.enumerated() where c >= 0 { members[c].append(i) }
        return try Tensor.stack(members.map { try features.rows($0).mean(dim: 0) })
    }

    /// ClusterNCE of features [B, D] (normalised here) against pseudo-labels [B].
    public func loss(_ features: Tensor, labels: Tensor) throws -> Tensor {
        let f = try features.normalized(dim: 1)
        let logits = try f.matmul(centroids.t()) / temperature
        return try F.crossEntropy(logits, target: labels)
    }

    /// The momentum update after an optimisation step.
    public func update(_ features: Tensor, labels: [Int]) throws {
        try withNoGrad {
            let f = try features.detached().normalized(dim: 1)
            for label in Set(labels) {
                let members = labels.indices.filter { labels[$0] == label }
                let batch = try f.rows(members)
                let old = try centroids.select(dim: 0, index: label)
                let target: Tensor
                if hard {
                    let similarity = try batch.matmul(old.unsqueeze(1)).flatten()
                    target = try batch.select(dim: 0, index: similarity.argmin(dim: 0).item().asInt)
                } else {
                    target = try batch.mean(dim: 0)
                }
                let moved = try (old * momentum + target * (1 - momentum)).normalized(dim: 0)
                try old.copy_(moved)
            }
        }
    }
}

extension Double {
    var asInt: Int { Int(self) }
}
