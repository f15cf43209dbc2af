import Torch

/// IBN-Net's "a" normalisation: instance norm on the first `ratio` of the channels and batch
/// norm on the rest, concatenated back (Pan et al., ECCV 2018). Names as the official
/// IBN-Net / fast-reid `IBN` module: `IN.weight`, `IN.bias`, `BN.weight`, `BN.running_mean`…
public final class IBN: Layer {
    /// Instance norm (affine) over channels `0..<half`.
    public let IN: InstanceNorm2d
    /// Batch norm over channels `half..<planes`.
    public let BN: BatchNorm2d
    /// Channels that go through instance norm: `Int(planes * ratio)`.
    public let half: Int

    public init(_ planes: Int, ratio: Double = 0.5) throws {
        half = Int(Double(planes) * ratio)
        guard half > 0, half < planes else {
            throw TorchError.invalidArgument("IBN: ratio \(ratio) of \(planes) channels leaves one side empty")
        }
        IN = try InstanceNorm2d(half, affine: true)
        BN = try BatchNorm2d(planes - half)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let instancePart = try IN(x.narrow(dim: 1, start: 0, length: half).contiguous())
        let batchPart = try BN(x.narrow(dim: 1, start: half, length: x.size(1) - half).contiguous())
        return try Tensor.cat([instancePart, batchPart], dim: 1)
    }
}
