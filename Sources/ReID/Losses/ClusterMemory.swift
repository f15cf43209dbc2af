import Torch

/// The cluster-level memory of Cluster-Contrast (Dai et al. 2021): one L2-normalised centroid
/// per pseudo-identity; the ClusterNCE loss is cross-entropy over similarities to every
/// centroid divided by a temperature. After each step every feature of the batch, in order, moves
/// its identity's centroid: c ← normalise(m·c + (1 − m)·f), as the reference's per-instance update
/// (with `hard`, once per identity, towards the batch feature least similar to the centroid, as
/// the reference's hard variant). The memory is not a parameter: gradients reach the features only.
public final class ClusterMemory: Module {
    @Buffer public var centroids: Tensor
    public let temperature: Double
    public let momentum: Double
    public let hard: Bool

    /// Starts from each cluster's mean of L2-normalised features, normalised again (the
    /// reference's centroids: every image counts alike, whatever its feature's length).
    public init(features: Tensor, labels: [Int], temperature: Double = 0.05, momentum: Double = 0.1,
                hard: Bool = false) throws {
        centroids = try Self.means(of: features.normalized(dim: 1), labels: labels).normalized(dim: 1).detached()
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
            guard hard else {
                for (i, label) in labels.enumerated() where label >= 0 {
                    let old = try centroids.select(dim: 0, index: label)
                    try old.copy_((old * momentum + f.select(dim: 0, index: i) * (1 - momentum)).normalized(dim: 0))
                }
                return
            }
            for label in Set(labels) where label >= 0 {
                let members = labels.indices.filter { labels[$0] == label }
                let batch = try f.rows(members)
                let old = try centroids.select(dim: 0, index: label)
                let similarity = try batch.matmul(old.unsqueeze(1)).flatten()
                let target = try batch.select(dim: 0, index: similarity.argmin(dim: 0).item().asInt)
                try old.copy_((old * momentum + target * (1 - momentum)).normalized(dim: 0))
            }
        }
    }
}

extension Double {
    var asInt: Int { Int(self) }
}
