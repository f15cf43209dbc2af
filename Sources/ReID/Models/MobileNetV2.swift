import Torch

/// MobileNetV2 width 1.0 feature extractor (Sandler et al., CVPR 2018): the `features` part of
/// torchvision's model, producing [N, 1280, H/32, W/32].
///
/// Names follow torchvision's original layout, which /work/shared's
/// `mobilenetv2_imagenet.safetensors` uses: `features.0.0` stem conv (3×3, stride 2),
/// `features.0.1` BN, `features.1…17` `InvertedResidual` blocks, `features.18.0` 1×1 conv to
/// 1280 and `features.18.1` BN; ReLU6 after every non-projection BN.
public final class MobileNetV2: Backbone {
    public let features: Sequential
    public let lastStride: Int
    public var featureChannels: Int { 1280 }

    /// Expansion t, output channels c, repeats n, first stride s (the paper's Table 2).
    static let settings: [(t: Int, c: Int, n: Int, s: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]

    /// - Parameter lastStride: stride of the last strided stage (the 160-channel blocks,
    ///   `features.14`); 2 is the ImageNet network, 1 keeps a map of H/16 × W/16.
    /// Initialised as torchvision does: Kaiming normal (fan-out) convolutions, norms at 1/0.
    public init(lastStride: Int = 2) throws {
        guard lastStride == 1 || lastStride == 2 else {
            throw TorchError.invalidArgument("MobileNetV2: lastStride must be 1 or 2, not \(lastStride)")
        }
        self.lastStride = lastStride
        var layers: [any Layer] = [Sequential(try Conv2d(3, 32, kernel: 3, stride: 2, padding: 1),
                                              try BatchNorm2d(32), Lambda.relu6)]
        var channels = 32
        for (t, c, n, settingStride) in Self.settings {
            let s = c == 160 ? lastStride : settingStride
            for i in 0..<n {
                layers.append(try InvertedResidual(channels, c, stride: i == 0 ? s : 1, expandRatio: t))
                channels = c
            }
        }
        layers.append(Sequential(try Conv2d(channels, 1280, kernel: 1), try BatchNorm2d(1280), Lambda.relu6))
        features = Sequential(layers)
        try BackboneInit.kaimingFanOut(self)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try features(x) }
}
