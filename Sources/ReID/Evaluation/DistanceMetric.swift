import Torch

/// How query and gallery features are compared.
public enum DistanceMetric: String, Codable, Sendable, CaseIterable {
    /// 1 − cosine similarity; features are L2-normalised first (fast-reid's default).
    case cosine
    /// Euclidean distance between the raw features.
    case euclidean

    /// The [Q, G] distance matrix, computed by libtorch.
    public func matrix(query: Tensor, gallery: Tensor) throws -> Tensor {
        guard query.rank == 2, gallery.rank == 2, query.size(1) == gallery.size(1) else {
            throw ReIDError.invalidOption("query features \(query.shape) and gallery features \(gallery.shape) must be [N, D] with the same D")
        }
        let q = try query.to(.float32), g = try gallery.to(.float32)
        switch self {
        case .cosine:
            return try 1 - q.normalized(dim: 1).matmul(g.normalized(dim: 1).t())
        case .euclidean:
            return try Tensor.cdist(q, g)
        }
    }
}
