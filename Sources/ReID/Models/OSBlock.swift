import Torch

/// OSNet's omni-scale residual bottleneck (Zhou et al., ICCV 2019): a 1×1 reduction to a
/// quarter of the output channels, four streams of 1, 2, 3 and 4 lite 3×3 convolutions
/// (receptive fields 3, 5, 7, 9), fused by one shared channel gate and summed, a linear 1×1
/// expansion, and a residual connection (projected by `downsample` when channels change).
///
/// Names as torchreid: `conv1.conv.weight`, `conv2a.conv1.weight`, `conv2b.0.conv1.weight` …
/// `conv2d.3.bn.*`, `gate.fc1.weight`, `conv3.conv.weight`, `downsample.conv.weight`.
public final class OSBlock: Layer {
    public let conv1: OSNetConvBN
    public let conv2a: LightConv3x3
    public let conv2b: Sequential
    public let conv2c: Sequential
    public let conv2d: Sequential
    public let gate: ChannelGate
    public let conv3: OSNetConvBN
    public let downsample: OSNetConvBN?

    public init(_ inChannels: Int, _ outChannels: Int, bottleneckReduction: Int = 4) throws {
        let mid = outChannels / bottleneckReduction
        func stream(_ depth: Int) throws -> Sequential {
            Sequential(try (0..<depth).map { _ in try LightConv3x3(mid, mid) as any Layer })
        }
        conv1 = try OSNetConvBN(inChannels, mid)
        conv2a = try LightConv3x3(mid, mid)
        conv2b = try stream(2)
        conv2c = try stream(3)
        conv2d = try stream(4)
        gate = try ChannelGate(mid)
        conv3 = try OSNetConvBN(mid, outChannels, relu: false)
        downsample = inChannels == outChannels ? nil : try OSNetConvBN(inChannels, outChannels, relu: false)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let x1 = try conv1(x)
        var fused = try gate(conv2a(x1))
        fused = try fused + gate(conv2b(x1))
        fused = try fused + gate(conv2c(x1))
        fused = try fused + gate(conv2d(x1))
        let identity = try downsample.map { try $0(x) } ?? x
        return try (conv3(fused) + identity).relu()
    }
}
