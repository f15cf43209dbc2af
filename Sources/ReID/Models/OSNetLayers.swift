import Torch

// The small layers OSNet is built from, named as torchreid's `osnet.py` names them.

/// Convolution + batch norm (+ ReLU): torchreid's `ConvLayer`, `Conv1x1` and `Conv3x3` (with
/// ReLU) and `Conv1x1Linear` (without). Names `conv.weight`, `bn.*`.
public final class OSNetConvBN: Layer {
    public let conv: Conv2d
    public let bn: BatchNorm2d
    public let relu: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int = 1, stride: Int = 1, padding: Int = 0,
                relu: Bool = true) throws {
        conv = try Conv2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding)
        bn = try BatchNorm2d(outChannels)
        self.relu = relu
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try bn(conv(x))
        return relu ? try y.relu() : y
    }
}

/// OSNet's lite 3×3: a linear 1×1 convolution (`conv1`) then a depthwise 3×3 (`conv2`), batch
/// norm (`bn`) and ReLU.
public final class LightConv3x3: Layer {
    public let conv1: Conv2d
    public let conv2: Conv2d
    public let bn: BatchNorm2d

    public init(_ inChannels: Int, _ outChannels: Int) throws {
        conv1 = try Conv2d(inChannels, outChannels, kernel: 1)
        conv2 = try Conv2d(outChannels, outChannels, kernel: 3, padding: 1, groups: outChannels)
        bn = try BatchNorm2d(outChannels)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try bn(conv2(conv1(x))).relu()
    }
}

/// OSNet's unified aggregation gate: global average pool, 1×1 conv `fc1` (reduction 16, bias),
/// ReLU, 1×1 conv `fc2` (bias), sigmoid; the input is scaled channel-wise by the result. One gate
/// is shared by all streams of a block.
public final class ChannelGate: Layer {
    public let fc1: Conv2d
    public let fc2: Conv2d

    public init(_ channels: Int, reduction: Int = 16) throws {
        let hidden = channels / reduction
        guard hidden > 0 else {
            throw TorchError.invalidArgument("ChannelGate: \(channels) channels cannot be reduced by \(reduction)")
        }
        fc1 = try Conv2d(channels, hidden, kernel: 1, bias: true)
        fc2 = try Conv2d(hidden, channels, kernel: 1, bias: true)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let pooled = try F.adaptiveAvgPool2d(x, (1, 1))
        let gate = try fc2(fc1(pooled).relu()).sigmoid()
        return try x * gate
    }
}
