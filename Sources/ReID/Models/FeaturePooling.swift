import Torch

/// How a feature map becomes a vector.
public enum PoolingKind: String, Codable, Sendable, CaseIterable {
    /// Mean over height and width (BoT, torchreid).
    case average
    /// Generalised mean (mean of x^p)^(1/p) with a learnable p (fast-reid's GeM).
    case gem
    /// Maximum over height and width.
    case max
}

/// Pools a map [N, C, H, W] into `rows` horizontal stripes [N, C, rows] (rows = 1: global
/// pooling), using adaptive pooling's stripe boundaries as PyTorch's `AdaptiveAvgPool2d((rows, 1))`.
/// For GeM the exponent is the parameter `p` (one value, shared by all stripes).
public final class FeaturePooling: Module {
    public let kind: PoolingKind
    @OptionalParameter public var p: Tensor?
    public let eps: Double

    public init(_ kind: PoolingKind, gemP: Double = 3, eps: Double = 1e-6) throws {
        self.kind = kind
        self.eps = eps
        p = kind == .gem ? try Tensor.full([1], gemP) : nil
    }

    /// [N, C, H, W] → [N, C, rows].
    public func callAsFunction(_ map: Tensor, rows: Int = 1) throws -> Tensor {
        guard rows >= 1, rows <= map.size(2) else {
            throw TorchError.invalidArgument("pooling: cannot cut a map of height \(map.size(2)) into \(rows) stripes")
        }
        let pooled: Tensor
        switch kind {
        case .average:
            pooled = try F.adaptiveAvgPool2d(map, (rows, 1))
        case .max:
            pooled = try F.adaptiveMaxPool2d(map, (rows, 1))
        case .gem:
            let p = try self.p ?? Tensor.full([1], 3)
            let powered = try map.clamp(min: eps).pow(p)
            pooled = try F.adaptiveAvgPool2d(powered, (rows, 1)).pow(p.reciprocal())
        }
        return try pooled.squeeze(3)
    }
}
