import Torch

/// MobileNetV2's inverted residual block in torchvision's original (pre-0.5) layout, which the
/// shared ImageNet weights use: one `conv` Sequential whose ReLU6 activations occupy indices.
///
/// - expand ratio 1: `conv.0` 3×3 depthwise, `conv.1` BN, `conv.2` ReLU6, `conv.3` 1×1 project, `conv.4` BN.
/// - otherwise: `conv.0` 1×1 expand, `conv.1` BN, `conv.2` ReLU6, `conv.3` 3×3 depthwise,
///   `conv.4` BN, `conv.5` ReLU6, `conv.6` 1×1 project, `conv.7` BN.
///
/// The input is added back when the stride is 1 and the channel count is unchanged.
public final class InvertedResidual: Layer {
    public let conv: Sequential
    public let usesResidual: Bool

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, expandRatio: Int) throws {
        guard stride == 1 || stride == 2 else {
            throw TorchError.invalidArgument("InvertedResidual: stride must be 1 or 2, not \(stride)")
        }
        let hidden = inChannels * expandRatio
        var layers: [any Layer] = []
        if expandRatio != 1 {
            layers += [try Conv2d(inChannels, hidden, kernel: 1), try BatchNorm2d(hidden), Lambda.relu6]
        }
        layers += [
            try Conv2d(hidden, hidden, kernel: 3, stride: stride, padding: 1, groups: hidden),
            try BatchNorm2d(hidden), Lambda.relu6,
            try Conv2d(hidden, outChannels, kernel: 1), try BatchNorm2d(outChannels),
        ]
        conv = Sequential(layers)
        usesResidual = stride == 1 && inChannels == outChannels
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        usesResidual ? try x + conv(x) : try conv(x)
    }
}
