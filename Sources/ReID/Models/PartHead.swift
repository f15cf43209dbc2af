import Torch

/// Part features for part-based methods (PPLR, Cho et al., CVPR 2022): the map is cut into
/// `parts` horizontal stripes (adaptive-pooling boundaries), each pooled and passed through its
/// own BNNeck. Names: `pool.p` (GeM only), `bnnecks.0.weight`, `bnnecks.1.weight`, ….
public final class PartHead: Module {
    public let pool: FeaturePooling
    public let bnnecks: [BatchNorm1d]

    public init(channels: Int, parts: Int, pooling: PoolingKind = .average, gemP: Double = 3) throws {
        guard parts >= 1 else { throw TorchError.invalidArgument("PartHead: parts must be at least 1, not \(parts)") }
        pool = try FeaturePooling(pooling, gemP: gemP)
        bnnecks = try (0..<parts).map { _ in try .bnneck(channels) }
    }

    public var parts: Int { bnnecks.count }

    /// Map [N, C, H, W] → one pair of [N, C] features per stripe, top to bottom.
    public func callAsFunction(_ map: Tensor) throws -> [NeckFeatures] {
        let stripes = try pool(map, rows: parts)
        return try bnnecks.enumerated().map { i, bnneck in
            let pooled = try stripes.select(dim: 2, index: i)
            return NeckFeatures(beforeBNNeck: pooled, afterBNNeck: try bnneck(pooled))
        }
    }
}
